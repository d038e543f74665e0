"""The code space: where inputs land, samples decoded from it, and the line
between two codes."""

from numbers import Integral

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._interpolate import interpolate
from ._common import _as_2d, _codes, _new_axes, _pyplot
from ._grid import _image_grid, _resolve_image_shape

#: Up to this many distinct labels get a legend; more get a colour bar.
_MAX_LEGEND_CLASSES = 20


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
    points, labels, title = _latent_points(est, _codes(est, X))
    fig, ax = _new_axes(ax, (6.0, 5.0))
    if y is None:
        ax.scatter(points[:, 0], points[:, 1], s=6, alpha=0.7)
    else:
        _scatter_by_label(fig, ax, points, y)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    return fig


def _latent_points(est, codes):
    """The 2-D points that :func:`plot_latent_space` draws for ``codes``,
    the labels of their two axes and the title."""
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
    return points, labels, title


def _scatter_by_label(fig, ax, points, y):
    """Scatter ``points`` coloured by ``y``: a colour and a legend entry per
    class for up to ``_MAX_LEGEND_CLASSES`` discrete labels, else a colour
    scale and a colour bar."""
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
    the decoder morphs one input into the other. The decoded points are
    those of :func:`skae.interpolate`.

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
    lines = [np.asarray(interpolate(est, a, b, n_steps))
             for a, b in zip(starts, ends)]
    images = np.vstack(lines)
    return _image_grid(
        images, n_steps, shape,
        col_titles=[f"t={t:.2f}" for t in np.linspace(0, 1, n_steps)],
        vmin=float(min(starts.min(), ends.min())),
        vmax=float(max(starts.max(), ends.max())),
        suptitle=f"{type(est).__name__}: interpolation between codes",
    )

