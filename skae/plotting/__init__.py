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
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._common import _as_2d, _check_units, _codes, _new_axes, _pyplot, _samples
from ._grid import _image_grid, _resolve_image_shape
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

#: Up to this many distinct labels get a legend; more get a colour bar.
_MAX_LEGEND_CLASSES = 20


# ----------------------------------------------------------------------
# helpers
def _interpolate(est, x_start, x_end, n_steps):
    """Decoded points on the straight line between the codes of two inputs.

    Uses ``skae.interpolate`` when skae provides it, else encodes both
    inputs, takes ``n_steps`` evenly spaced codes between them (both ends
    included) and decodes them. Returns an array (n_steps, n_features).
    """
    import skae

    interpolate = getattr(skae, "interpolate", None)
    if interpolate is not None:
        return np.asarray(interpolate(est, x_start, x_end, n_steps))
    codes = np.asarray(est.transform(np.vstack([x_start, x_end])))
    t = np.linspace(0.0, 1.0, n_steps)[:, None]
    line = (1.0 - t) * codes[0] + t * codes[1]
    return np.asarray(est.inverse_transform(line.astype(codes.dtype)))


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


def plot_latent_space(est, X, y=None, *, ax=None):
    """Scatter the codes of ``X`` in 2-D, coloured by label.

    Codes of width 2 are drawn as they are (the seeds' 2-D MNIST codings).
    Wider codes are projected on their first two principal components (a
    :class:`~sklearn.decomposition.PCA` fitted to the codes of ``X``), and
    the axis labels say so; 1-D codes are spread vertically with random
    jitter.

    Parameters
    ----------
    est : fitted estimator
        A skae autoencoder or any fitted transformer.
    X : array-like of shape (n_samples, n_features)
        Inputs to encode.
    y : array-like of shape (n_samples,), default=None
        Colours: class labels (up to 20 distinct values) get one colour each
        and a legend; other numbers get a colour scale and a colour bar.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw into; a new figure when ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes for the scatter, plus one for the colour bar when ``y``
        is continuous.

    See Also
    --------
    plot_interpolation : decode points along a line in the code space.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_latent_space
    >>> X, y = load_digits(return_X_y=True)
    >>> ae = StackedAE(n_components=2, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X / 16)
    >>> fig = plot_latent_space(ae, X / 16, y)
    >>> fig.axes[0].get_xlabel()
    'stackedae0'
    """
    codes = _codes(est, X)
    width = codes.shape[1]
    name = type(est).__name__
    if width == 1:
        jitter = check_random_state(0).uniform(-0.4, 0.4, len(codes))
        points = np.column_stack([codes[:, 0], jitter])
        labels = (_code_names(est, 1)[0], "(random jitter)")
        title = f"{name}: 1-D codes"
    elif width == 2:
        points = codes
        labels = tuple(_code_names(est, 2))
        title = f"{name}: 2-D codes"
    else:
        pca = PCA(n_components=2).fit(codes)
        points = pca.transform(codes)
        ratio = pca.explained_variance_ratio_
        labels = tuple(
            f"PC {i + 1} of the codes ({100 * r:.0f}% of their variance)"
            for i, r in enumerate(ratio))
        title = f"{name}: {width}-D codes projected with PCA"
    fig, ax = _new_axes(ax, (6.0, 5.0))
    if y is None:
        ax.scatter(points[:, 0], points[:, 1], s=6, alpha=0.7)
    else:
        y = np.asarray(y)
        if len(y) != len(points):
            raise ValueError(
                f"y has {len(y)} labels for {len(points)} samples.")
        classes = np.unique(y)
        numeric = np.issubdtype(y.dtype, np.number)
        discrete = (not numeric or np.issubdtype(y.dtype, np.integer)
                    or np.all(classes == np.round(classes)))
        if discrete and len(classes) <= _MAX_LEGEND_CLASSES:
            plt = _pyplot()
            cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
            for k, label in enumerate(classes):
                mask = y == label
                ax.scatter(points[mask, 0], points[mask, 1], s=6, alpha=0.7,
                           color=cmap(k), label=str(label))
            ax.legend(title="label", markerscale=2.5, fontsize=8,
                      loc="best", framealpha=0.8)
        else:
            mappable = ax.scatter(points[:, 0], points[:, 1], c=y, s=6,
                                  alpha=0.8, cmap="viridis")
            fig.colorbar(mappable, ax=ax, label="y")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    return fig


def _code_names(est, width):
    try:
        return list(est.get_feature_names_out())
    except Exception:  # not every transformer names its outputs
        return [f"code {i + 1}" for i in range(width)]


def plot_samples(est, n=10, image_shape=None, *, random_state=None):
    """Show ``n`` new samples generated by the estimator.

    A skae autoencoder's samples are those of its ``sample`` method. A
    fitted :class:`~sklearn.decomposition.PCA` has no ``sample``; its
    samples are decoded draws of a Gaussian over its codes: codes with
    independent components of variance ``explained_variance_`` (unit
    variance with ``whiten=True``), the Gaussian fitted to PCA's training
    codes, decoded with ``inverse_transform``. That is the recipe of
    :meth:`skae.StackedAE.sample` (a density fitted to the training codes,
    decoded) with one Gaussian, so PCA and an autoencoder are sampled
    alike. It is not a draw of the full probabilistic PCA model, whose
    isotropic noise (variance ``noise_variance_``) would add independent
    noise to every pixel, as no autoencoder's samples have; the noise-free
    part of that model would draw the codes with the smaller variances
    ``explained_variance_ - noise_variance_``. A Pipeline draws from its
    last step and maps the samples back through the ``inverse_transform``
    of the steps before it.

    Parameters
    ----------
    est : fitted estimator
        A skae autoencoder, any estimator with ``sample(n_samples,
        random_state)``, a fitted PCA-like model (``components_``,
        ``explained_variance_``, ``mean_`` and ``inverse_transform``, as
        :class:`~sklearn.decomposition.PCA` and
        :class:`~sklearn.decomposition.IncrementalPCA`), or a Pipeline
        ending with one of these.
    n : int, default=10
        Number of samples, drawn ten per row, all on one colour scale (the
        1st to 99th percentile of their values).
    image_shape : tuple of int, default=None
        ``(height, width)``, or with 1 or 3 channels first or last; ``None``
        uses a fitted ConvAE's ``image_shape_``, the estimator's
        ``image_shape``, else a square of side 8 or more.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``n`` axes, one image each.

    Raises
    ------
    TypeError
        When the estimator can generate no samples (neither ``sample`` nor
        a PCA-like model).

    See Also
    --------
    plot_interpolation : decode codes between two inputs.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_samples
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=4, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> len(plot_samples(ae, 15, random_state=0).axes)
    15
    >>> len(plot_samples(PCA(4).fit(X), 15, random_state=0).axes)
    15
    """
    if not isinstance(n, Integral) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}.")
    samples = _generate(est, n, check_random_state(random_state))
    shape = _resolve_image_shape(image_shape, samples.shape[1], est)
    # one colour scale for all samples, robust to a few extreme pixels
    low, high = np.percentile(samples, [1, 99])
    return _image_grid(samples, min(n, 10), shape, vmin=low, vmax=high,
                       suptitle=f"{type(est).__name__}: generated samples")


def _is_pca_like(est):
    return all(hasattr(est, name) for name in (
        "components_", "explained_variance_", "mean_", "inverse_transform"))


def _generate(est, n, rng):
    """``n`` samples of ``est`` (see :func:`plot_samples`), a 2-D array."""
    if hasattr(est, "sample"):
        return np.asarray(est.sample(n, random_state=rng))
    if isinstance(est, Pipeline):
        check_is_fitted(est)
        samples = _generate(est[-1], n, rng)
        if len(est) == 1:
            return samples
        head = est[:-1]
        if not hasattr(head, "inverse_transform"):
            raise TypeError(
                "plot_samples maps the samples of a Pipeline's last step back "
                "through the inverse_transform of the steps before it; a step "
                f"of {[name for name, _ in est.steps[:-1]]} has none.")
        return np.asarray(head.inverse_transform(samples))
    check_is_fitted(est)
    if _is_pca_like(est):
        scale = np.sqrt(np.asarray(est.explained_variance_, dtype=float))
        if getattr(est, "whiten", False):
            scale = np.ones_like(scale)  # whitened codes have unit variance
        codes = rng.standard_normal((n, len(scale))) * scale
        return np.asarray(est.inverse_transform(codes))
    raise TypeError(
        f"plot_samples needs an estimator that generates samples: one with "
        "sample(n_samples, random_state) (every skae autoencoder), a fitted "
        "PCA-like model (components_, explained_variance_, mean_, "
        f"inverse_transform), or a Pipeline ending with one; got "
        f"{type(est).__name__}."
    )


def plot_interpolation(est, x_start, x_end, n_steps=8, image_shape=None):
    """Decode evenly spaced codes on the line from ``x_start`` to ``x_end``.

    Both inputs are encoded, ``n_steps`` codes are taken on the straight
    line between their codes (both ends included) and decoded, showing how
    the decoder morphs one input into the other. Uses
    ``skae.interpolate`` when it is available.

    Parameters
    ----------
    est : fitted estimator
        A skae autoencoder, or any transformer with ``inverse_transform``.
    x_start, x_end : array-like of shape (n_features,) or (n_pairs, n_features)
        Start and end inputs; with several rows, one row of the figure per
        pair.
    n_steps : int, default=8
        Number of decoded points per pair, ends included (at least 2).
    image_shape : tuple of int, default=None
        ``(height, width)``, or with 1 or 3 channels first or last; ``None``
        uses a fitted ConvAE's ``image_shape_``, the estimator's
        ``image_shape``, else a square of side 8 or more.

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``n_pairs * n_steps`` axes; the columns are titled with the position
        ``t`` along the line (0 at ``x_start``, 1 at ``x_end``).

    See Also
    --------
    plot_latent_space : where the codes lie.
    plot_samples : decode random codes.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_interpolation
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> fig = plot_interpolation(ae, X[0], X[1], n_steps=5)
    >>> len(fig.axes)
    5
    """
    starts, ends = _as_2d(x_start, "x_start"), _as_2d(x_end, "x_end")
    if starts.shape != ends.shape:
        raise ValueError(
            f"x_start and x_end must have the same shape; got {starts.shape} "
            f"and {ends.shape}."
        )
    if not isinstance(n_steps, Integral) or n_steps < 2:
        raise ValueError(f"n_steps must be an integer >= 2; got {n_steps!r}.")
    shape = _resolve_image_shape(image_shape, starts.shape[1], est)
    lines = [_interpolate(est, a, b, n_steps) for a, b in zip(starts, ends)]
    images = np.vstack(lines)
    return _image_grid(
        images, n_steps, shape,
        col_titles=[f"t={t:.2f}" for t in np.linspace(0, 1, n_steps)],
        vmin=float(min(starts.min(), ends.min())),
        vmax=float(max(starts.max(), ends.max())),
        suptitle=f"{type(est).__name__}: interpolation between codes",
    )


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
