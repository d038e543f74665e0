"""Looking inside a fitted autoencoder: reconstructions, codes, features, curves.

Every ``plot_*`` function takes a fitted estimator (and data), draws a new
matplotlib figure (or into ``ax``) and returns the
:class:`~matplotlib.figure.Figure`; none calls ``plt.show()``.
:func:`maximize_activation` returns an image, not a figure.

The functions that only need ``transform`` / ``inverse_transform``
(:func:`plot_reconstructions`, :func:`plot_latent_space`,
:func:`plot_most_activating`, :func:`plot_interpolation`) also accept a
fitted :class:`~sklearn.decomposition.PCA` or a
:class:`~sklearn.pipeline.Pipeline`, so an autoencoder and PCA can be shown
side by side; so do :func:`plot_samples` (PCA's samples are decoded draws of
a Gaussian over its codes) and :func:`plot_features` (PCA's
``components_``). :func:`plot_score_histogram` takes any estimator with
``score_samples``: an :class:`~skae.AutoencoderOutlierDetector`, an
autoencoder, or scikit-learn's outlier detectors.

Images: the shape of a sample is, in this order, the ``image_shape``
argument, the shape of 3-D or 4-D input arrays, a fitted
:class:`~skae.ConvAE`'s ``image_shape_`` (``(C, H, W)``), the estimator's
``image_shape`` parameter, or a square of side 8 or more. Other data are
tabular: :func:`plot_reconstructions` then draws features, not images.

Why functions returning figures, and no ``Display`` classes (scikit-learn's
``RocCurveDisplay.from_estimator`` convention): most of these plots are grids
of images, one axes per sample or unit, which a single-axes ``Display``
with a ``line_`` to restyle does not describe; the single-axes ones
(:func:`plot_latent_space`, :func:`plot_loss_curve`,
:func:`plot_score_histogram`) take ``ax=`` to draw into a figure of yours and
leave every artist on the returned figure to restyle, and what a
``Display`` would cache (codes, scores) is one ``transform`` or
``score_samples`` call away. Where a standard restylable plot exists,
scikit-learn's display is the one to use: the ROC curve of a detector is
``RocCurveDisplay.from_predictions(is_inlier, detector.score_samples(X))``
(its ``from_estimator`` takes classifiers only). One convention for the
whole module keeps it predictable.

matplotlib is an optional dependency: ``pip install skae[plot]``.
"""

from numbers import Integral

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._common import _check_units, _codes, _new_axes, _pyplot, _samples
from ._grid import _image_grid, _resolve_image_shape
from ._latent import (_generate, plot_interpolation, plot_latent_space,
                      plot_samples)
from ._reconstructions import plot_reconstructions

__all__ = [
    "maximize_activation",
    "plot_features",
    "plot_interpolation",
    "plot_latent_space",
    "plot_loss_curve",
    "plot_most_activating",
    "plot_reconstructions",
    "plot_samples",
    "plot_score_histogram",
]

#: Colour map of signed weights (drawn with symmetric limits).
_WEIGHT_CMAP = "RdBu_r"


# ----------------------------------------------------------------------
# helpers


def _first_layer_weights(est):
    """The weights of the first layer, one row per unit (n_units, n_features).

    A skae network's ``module_.encoder[0].weight``, or the ``components_`` of
    a fitted PCA-like estimator.
    """
    if hasattr(est, "components_"):
        return np.asarray(est.components_, dtype=float)
    check_is_fitted(est)
    try:
        weight = est.module_.encoder[0].weight
    except (AttributeError, TypeError, IndexError):
        raise TypeError(
            f"plot_features needs an estimator whose network's encoder starts "
            f"with a fully connected layer (module_.encoder[0].weight), as "
            f"LinearAE and StackedAE do, or a fitted PCA; got "
            f"{type(est).__name__}."
        ) from None
    weight = weight.detach().cpu().numpy().astype(float)
    if weight.ndim != 2:
        raise TypeError(
            f"plot_features shows fully connected first layers; the first "
            f"layer of {type(est).__name__} has weights of shape "
            f"{weight.shape}."
        )
    return weight


# ----------------------------------------------------------------------
# public functions


def plot_features(est, image_shape=None, n=10, *, units=None):
    """Show the first-layer weights of units as images (feature detectors).

    Each unit of the first encoder layer computes a weighted sum of the
    input pixels; drawing its weight vector as an image shows the pattern
    it responds to (the seeds' feature visualisation, method 2). Red is a
    positive weight, blue a negative one, each image on its own symmetric
    scale.

    Parameters
    ----------
    est : fitted estimator
        A skae autoencoder whose network starts with a fully connected layer
        (``module_.encoder[0]``, as in :class:`~skae.LinearAE` and
        :class:`~skae.StackedAE`), or a fitted PCA (its ``components_``).
    image_shape : tuple of int, default=None
        Shape of one input image; ``None`` uses the estimator's
        ``image_shape`` if it has one, else a square of side 8 or more.
    n : int, default=10
        Number of units shown when ``units`` is ``None`` (the first ``n``).
    units : list of int, default=None
        Indices of the units to show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per unit, titled with the unit's index.

    See Also
    --------
    plot_most_activating : the inputs that excite each code unit most.
    maximize_activation : the input that excites a code unit most.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_features
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> len(plot_features(ae, (8, 8), n=12).axes)
    12
    """
    weights = _first_layer_weights(est)
    if units is None:
        units = range(min(n, len(weights)))
    units = _check_units(units, len(weights))
    shape = _resolve_image_shape(image_shape, weights.shape[1], est)
    return _image_grid(
        weights[units], min(len(units), 10), shape,
        titles=[f"unit {u}" for u in units], cmap=_WEIGHT_CMAP,
        symmetric=True,
        suptitle=f"{type(est).__name__}: first-layer weights",
    )


def plot_most_activating(est, X, units, image_shape=None, n=5):
    """Show, for each code unit, the inputs of ``X`` that activate it most.

    The seeds' feature visualisation method 1, best suited to the top
    (coding) layer: a unit's favourite inputs show what it has learned to
    detect. Each image is titled with the unit's activation.

    Parameters
    ----------
    est : fitted estimator
        A skae autoencoder or any fitted transformer; the activations are
        the columns of ``est.transform(X)``.
    X : array-like of shape (n_samples, n_features), or images
        Candidate inputs; arrays of images ``(n_samples, H, W)`` or
        ``(n_samples, C, H, W)`` are flattened.
    units : int or list of int
        Code units (columns of the codes), one row of the figure each.
    image_shape : tuple of int, default=None
        ``(height, width)``, or with 1 or 3 channels first or last; ``None``
        uses a fitted ConvAE's ``image_shape_``, the estimator's
        ``image_shape``, else a square of side 8 or more.
    n : int, default=5
        Inputs shown per unit, most activating first.

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``len(units) * n`` axes.

    See Also
    --------
    plot_features : the first-layer weights as images.
    maximize_activation : synthesise the input that excites a unit most.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_most_activating
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> len(plot_most_activating(ae, X, units=[0, 1, 2], n=4).axes)
    12
    """
    X_est, X, array_shape = _samples(X)
    codes = _codes(est, X_est)
    units = _check_units(units, codes.shape[1])
    n = min(n, len(X))
    shape = _resolve_image_shape(image_shape, X.shape[1], est,
                                 array_shape=array_shape)
    order = np.argsort(-codes[:, units], axis=0, kind="stable")[:n].T
    images = np.vstack([X[rows] for rows in order])
    titles = [f"{codes[i, u]:.2f}" for u, rows in zip(units, order)
              for i in rows]
    return _image_grid(
        images, n, shape, titles=titles,
        row_labels=[f"unit {u}" for u in units],
        vmin=float(X.min()), vmax=float(X.max()),
        suptitle=f"{type(est).__name__}: most activating inputs per unit",
    )


def maximize_activation(est, unit, n_steps=200, *, learning_rate=0.05,
                        bounds=None, alpha=0.01, x0=None, image_shape=None,
                        random_state=None):
    """Find the input that excites a code unit most, by gradient ascent.

    Starting from a random input, Adam steps on the *input* raise the
    activation of code unit ``unit`` (the seeds' feature visualisation,
    method 3; Erhan et al. 2009). ``bounds`` keeps every input value in the
    data's range (for example ``(0, 1)`` for pixel intensities) and the L2
    penalty ``alpha`` keeps the inputs the unit does not care about near 0,
    so the image shows only what excites the unit.

    Parameters
    ----------
    est : fitted skae autoencoder
        Its encoder (:meth:`~skae.StackedAE.encoder_module`) is differentiated;
        the estimator itself is not changed.
    unit : int
        Index of the code unit (column of ``est.transform(X)``).
    n_steps : int, default=200
        Gradient steps.
    learning_rate : float, default=0.05
        Step size of Adam on the input.
    bounds : tuple of float (low, high), default=None
        Clip the input into ``[low, high]`` after every step.
    alpha : float, default=0.01
        L2 penalty on the input: the ascent maximises
        ``activation - alpha * ||x||^2``. With ``alpha=0`` and no
        ``bounds`` the activation of most units grows without limit.
    x0 : array-like of shape (n_features,), default=None
        Starting input. ``None`` draws it uniformly in ``bounds`` (or from
        a standard normal without bounds).
    image_shape : tuple of int, default=None
        Reshape the result to this shape; ``None`` returns a flat vector.
    random_state : int, RandomState instance or None, default=None
        Seed of the random start.

    Returns
    -------
    image : ndarray of shape (n_features,) or image_shape
        The input found (float32).

    See Also
    --------
    plot_most_activating : the real inputs that excite a unit most.
    plot_features : the first-layer weights as images.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> from skae.plotting import maximize_activation
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> image = maximize_activation(ae, unit=3, n_steps=50, bounds=(0, 1),
    ...                             image_shape=(8, 8), random_state=0)
    >>> image.shape
    (8, 8)
    >>> bool(ae.transform(image.reshape(1, -1))[0, 3] > ae.transform(X)[:, 3].max())
    True
    """
    check_is_fitted(est)
    if not hasattr(est, "encoder_module"):
        raise TypeError(
            f"maximize_activation needs a skae autoencoder (with "
            f"encoder_module()); got {type(est).__name__}."
        )
    n_features = est.n_features_in_
    encoder = est.encoder_module().eval()
    for param in encoder.parameters():
        param.requires_grad_(False)
    with torch.no_grad():
        width = encoder(torch.zeros(1, n_features)).shape[1]
    (unit,) = _check_units(unit, width)
    if not isinstance(n_steps, Integral) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer; got "
                         f"{n_steps!r}.")
    if not learning_rate > 0 or not alpha >= 0:
        raise ValueError(
            f"learning_rate must be > 0 and alpha >= 0; got "
            f"learning_rate={learning_rate!r}, alpha={alpha!r}."
        )
    if bounds is not None:
        low, high = (float(b) for b in bounds)
        if not low < high:
            raise ValueError(f"bounds must be (low, high) with low < high; got "
                             f"{bounds!r}.")
    rng = check_random_state(random_state)
    if x0 is None:
        start = (rng.uniform(low, high, n_features) if bounds is not None
                 else rng.standard_normal(n_features))
    else:
        start = np.asarray(x0, dtype=float).reshape(-1)
        if start.shape != (n_features,):
            raise ValueError(f"x0 must have {n_features} values; got "
                             f"{start.size}.")
    x = torch.tensor(start, dtype=torch.float32).reshape(1, -1)
    if bounds is not None:
        x.clamp_(low, high)
    x.requires_grad_(True)
    optimizer = torch.optim.Adam([x], lr=learning_rate)
    for _ in range(n_steps):
        optimizer.zero_grad()
        objective = encoder(x)[0, unit]
        if alpha:
            objective = objective - alpha * x.square().sum()
        (-objective).backward()
        optimizer.step()
        if bounds is not None:
            with torch.no_grad():
                x.clamp_(low, high)
    image = x.detach().numpy().reshape(-1)
    if image_shape is not None:
        image = image.reshape(_resolve_image_shape(image_shape, n_features))
    return image


def plot_loss_curve(est, *, ax=None):
    """Plot the training (and validation) loss per epoch, term by term.

    Reads ``est.net_.history`` (the last call to ``fit``): the total loss
    and each loss term of the variant (``reconstruction``, ``sparsity``,
    ``latent``...) get a line of their own, one colour per term; training
    lines are solid, validation lines (with ``early_stopping=True``)
    dashed. A term equal to the total (the only term of a plain
    autoencoder) is named in the total's legend entry instead of drawn
    twice. The loss axis is logarithmic when every value is positive.

    Parameters
    ----------
    est : fitted skae autoencoder
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new figure when ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes.

    See Also
    --------
    skae.StackedAE : ``loss_curve_`` holds the training loss of every fit.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_loss_curve
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                early_stopping=True, random_state=0).fit(X)
    >>> fig = plot_loss_curve(ae)
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['train loss (= reconstruction)', 'valid loss (= reconstruction)']
    """
    check_is_fitted(est)
    history = getattr(getattr(est, "net_", None), "history", None)
    if history is None:
        raise TypeError(
            f"plot_loss_curve needs a fitted skae autoencoder (with "
            f"net_.history); got {type(est).__name__}."
        )
    terms = list(getattr(est.module_, "loss_term_names", ()))
    plt = _pyplot()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, ax = _new_axes(ax, (6.0, 4.0))
    epochs = np.arange(1, len(history) + 1)
    values = []
    for prefix, style in (("train", "-"), ("valid", "--")):
        total = _history_column(history, f"{prefix}_loss")
        if total is None:
            continue
        same = [t for t in terms if _same(
            _history_column(history, f"{prefix}_{t}"), total)]
        label = f"{prefix} loss" + (f" (= {', '.join(same)})" if same else "")
        ax.plot(epochs, total, style, color=colors[0], label=label)
        values.append(total)
        for k, term in enumerate(terms, start=1):
            column = _history_column(history, f"{prefix}_{term}")
            if column is None or term in same:
                continue
            ax.plot(epochs, column, style, color=colors[k % len(colors)],
                    label=f"{prefix} {term}")
            values.append(column)
    if values and all(np.all(v > 0) for v in values):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(f"{type(est).__name__}: training curve")
    ax.legend(fontsize=8)
    return fig


def _history_column(history, key):
    try:
        return np.asarray(history[:, key], dtype=float)
    except KeyError:
        return None


def _same(column, total):
    return column is not None and np.allclose(column, total, rtol=1e-6,
                                              atol=0)


def plot_score_histogram(est, X, y=None, *, bins=50, density=True, ax=None):
    """Histogram of the scores ``est.score_samples(X)``, by label.

    For outlier work: the scores of an
    :class:`~skae.AutoencoderOutlierDetector` (or of an autoencoder: the
    negative reconstruction error, the ELBO of a
    :class:`~skae.VariationalAE`), optionally split by a label array such as
    known inliers and outliers, all groups on the same bins. When ``est``
    is a fitted outlier detector with a threshold ``offset_`` (the skae
    detector, and scikit-learn's :class:`~sklearn.ensemble.IsolationForest`,
    :class:`~sklearn.neighbors.LocalOutlierFactor` with ``novelty=True``,
    :class:`~sklearn.svm.OneClassSVM`...; also as the last step of a
    Pipeline), a dashed vertical line marks it: samples left of it are
    predicted outliers.

    Parameters
    ----------
    est : fitted estimator
        Any estimator with ``score_samples`` (higher = more normal).
    X : array-like of shape (n_samples, n_features)
        Samples to score.
    y : array-like of shape (n_samples,), default=None
        Group of each sample, one histogram per distinct value. Labels in
        {-1, +1} are named "outlier" and "inlier" (the convention of
        ``predict``).
    bins : int or sequence of float, default=50
        Bins shared by all groups, as for :func:`numpy.histogram_bin_edges`.
    density : bool, default=True
        Normalise each group's histogram to unit area, so that groups of
        different sizes compare; False counts samples.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new figure when ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: a histogram per group, and the threshold line when
        ``est`` has one.

    See Also
    --------
    skae.AutoencoderOutlierDetector : outlier detection with an
        autoencoder's scores.
    sklearn.metrics.RocCurveDisplay : the ROC curve of the same scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderOutlierDetector, StackedAE
    >>> from skae.plotting import plot_score_histogram
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> detector = AutoencoderOutlierDetector(
    ...     StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=10,
    ...               random_state=0)).fit(X[y == 0])
    >>> fig = plot_score_histogram(detector, X, np.where(y == 0, 1, -1))
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['outlier (1619)', 'inlier (178)', 'threshold offset_ = ... (...% below)']
    """
    scores = np.asarray(est.score_samples(X), dtype=float)
    if scores.ndim != 1:
        raise ValueError(
            f"score_samples of {type(est).__name__} returned an array of "
            f"shape {scores.shape}; plot_score_histogram needs one score per "
            "sample.")
    finite = np.isfinite(scores)
    if y is None:
        groups = [(f"all samples ({len(scores)})", finite)]
    else:
        y = np.asarray(y).ravel()
        if len(y) != len(scores):
            raise ValueError(
                f"y has {len(y)} labels for {len(scores)} samples.")
        labels = np.unique(y)
        names = {label: str(label) for label in labels}
        if np.issubdtype(y.dtype, np.number) and set(labels) <= {-1, 1}:
            names = {-1: "outlier", 1: "inlier"}
        groups = [(f"{names[label]} ({np.sum(y == label)})",
                   finite & (y == label)) for label in labels]
    edges = np.histogram_bin_edges(scores[finite], bins=bins)
    fig, ax = _new_axes(ax, (6.0, 4.0))
    for k, (label, mask) in enumerate(groups):
        ax.hist(scores[mask], bins=edges, density=density,
                histtype="stepfilled", alpha=0.45, color=f"C{k}",
                edgecolor=f"C{k}", label=label)
    offset = _offset(est)
    if offset is not None:
        below = float(np.mean(scores < offset))
        ax.axvline(offset, color="k", linestyle="--", linewidth=1.2,
                   label=f"threshold offset_ = {offset:.3g} "
                         f"({100 * below:.0f}% below)")
    ax.set_xlabel("score_samples (higher = more normal)")
    ax.set_ylabel("density" if density else "samples")
    ax.set_title(f"{type(est).__name__}: scores of {len(scores)} samples")
    ax.legend(fontsize=8)
    return fig


def _offset(est):
    """The threshold ``offset_`` of a fitted outlier detector (or of the
    last step of a Pipeline), else None."""
    last = est[-1] if isinstance(est, Pipeline) else est
    offset = getattr(last, "offset_", None)
    if offset is None or np.ndim(offset) != 0:
        return None
    return float(offset)
