"""Inputs next to their reconstructions: as images, or feature by feature."""

import math
from numbers import Integral

import numpy as np

from .._compat import safe_indexing
from ._common import _pyplot, _samples
from ._grid import _image_grid, _resolve_image_shape, _spatial_size

#: Tabular reconstructions: sample panels per row, and the most features
#: whose names label the bars of the per-feature error.
_TABULAR_COLS = 5
_MAX_FEATURE_LABELS = 40


def plot_reconstructions(est, X, image_shape=None, n=10, *, kind="auto"):
    """Show inputs next to their reconstructions (the seeds' visual check).

    Each input goes through ``est.transform`` then ``est.inverse_transform``.
    Images: the inputs in a row above their reconstructions, both on the
    colour scale of the inputs, so a faded or blurred reconstruction looks
    faded or blurred. Tabular data: the mean squared reconstruction error of
    each feature over all of ``X`` (bars), and for each of the first ``n``
    samples its values (dots) and their reconstruction (line) per feature.

    Parameters
    ----------
    est : fitted estimator
        A skae autoencoder, or any fitted transformer with
        ``inverse_transform`` (PCA, a Pipeline...).
    X : array-like of shape (n_samples, n_features), or images
        Inputs; the first ``n`` are shown. Arrays of images
        ``(n_samples, H, W)`` or ``(n_samples, C, H, W)`` are flattened
        (their shape is the image shape).
    image_shape : tuple of int, default=None
        ``(height, width)``, or with 1 or 3 channels first or last. ``None``
        uses the shape of image arrays, a fitted ConvAE's ``image_shape_``,
        the estimator's ``image_shape``, else a square of side 8 or more.
    n : int, default=10
        Number of inputs shown.
    kind : {"auto", "image", "tabular"}, default="auto"
        ``"auto"`` draws images when an image shape is found as described
        for ``image_shape`` (and is at least 2 pixels high and wide), else
        tabular plots.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Images: ``2 * n`` axes, the inputs in the first row, their
        reconstructions in the second. Tabular: ``1 + n`` axes, the error
        per feature first, then one per sample.

    See Also
    --------
    plot_samples : decode new codes instead of the codes of inputs.
    plot_score_histogram : the reconstruction scores of many samples.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer, load_digits
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skae import StackedAE
    >>> from skae.plotting import plot_reconstructions
    >>> X = load_digits().data / 16
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> fig = plot_reconstructions(ae, X, n=6)
    >>> len(fig.axes)
    12

    Tabular data (30 features) get per-feature plots:

    >>> X = StandardScaler().fit_transform(load_breast_cancer().data)
    >>> ae = StackedAE(n_components=4, hidden_layer_sizes=(16,), max_iter=5,
    ...                random_state=0).fit(X)
    >>> fig = plot_reconstructions(ae, X, n=3)
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (4, 'mean squared error')
    """
    if kind not in ("auto", "image", "tabular"):
        raise ValueError(
            f"kind must be 'auto', 'image' or 'tabular'; got {kind!r}.")
    if not isinstance(n, Integral) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}.")
    X_est, X_all, array_shape = _samples(X)
    shape = None
    if kind != "tabular":
        shape = _resolve_image_shape(image_shape, X_all.shape[1], est,
                                     array_shape=array_shape,
                                     required=kind == "image")
        if kind == "auto" and image_shape is None and shape is not None \
                and min(_spatial_size(shape)) < 2:
            shape = None  # a 1-D signal (a ConvAE with image_shape=(1, -1))
    if shape is None:
        return _tabular_reconstructions(est, X_est, X_all, n)
    X_shown = X_all[:n]
    rec = np.asarray(est.inverse_transform(est.transform(
        safe_indexing(X_est, slice(0, n)))))
    return _image_grid(
        np.vstack([X_shown, rec]), len(X_shown), shape,
        row_labels=["input", "reconstruction"],
        vmin=float(X_shown.min()), vmax=float(X_shown.max()),
        suptitle=f"{type(est).__name__}: inputs and reconstructions",
    )


def _feature_names(est, X, n_features):
    names = getattr(X, "columns", None)
    if names is None:
        names = getattr(est, "feature_names_in_", None)
    if names is None or len(names) != n_features:
        return None
    return [str(name) for name in names]


def _tabular_reconstructions(est, X_est, X, n):
    """Per-feature error bars over all of ``X``, then the first ``n``
    samples and their reconstructions, one axes each."""
    plt = _pyplot()
    rec = np.asarray(est.inverse_transform(est.transform(X_est)), dtype=float)
    shown = min(n, len(X))
    n_cols = min(shown, _TABULAR_COLS)
    n_rows = math.ceil(shown / n_cols)
    fig = plt.figure(figsize=(max(6.0, 2.4 * n_cols), 2.6 + 2.0 * n_rows),
                     layout="constrained")
    grid = fig.add_gridspec(1 + n_rows, n_cols,
                            height_ratios=[1.3] + [1.0] * n_rows)
    names = _feature_names(est, X_est, X.shape[1])
    _plot_feature_errors(fig.add_subplot(grid[0, :]), X, rec, names)
    _plot_sample_reconstructions(fig, grid, X[:shown], rec[:shown], n_cols)
    fig.suptitle(f"{type(est).__name__}: inputs and reconstructions",
                 fontsize=10)
    return fig


def _plot_feature_errors(ax, X, rec, names):
    """Bars: the mean squared error of each feature's reconstruction, the
    features named on the axis when ``names`` are known and few enough."""
    n_samples, n_features = X.shape
    features = np.arange(n_features)
    ax.bar(features, np.mean((rec - X) ** 2, axis=0), color="C3")
    ax.set_xlabel("feature")
    ax.set_ylabel("mean squared error")
    ax.set_title(f"reconstruction error per feature ({n_samples} samples)",
                 fontsize=9)
    if names is not None and n_features <= _MAX_FEATURE_LABELS:
        ax.set_xticks(features, names, rotation=90, fontsize=6)
    ax.set_xlim(-0.6, n_features - 0.4)


def _plot_sample_reconstructions(fig, grid, X, rec, n_cols):
    """One axes per sample in the rows of ``grid`` below the first,
    ``n_cols`` per row: its values (dots) and their reconstruction (line)
    per feature, all on one y scale, the legend on the first."""
    features = np.arange(X.shape[1])
    low = float(min(X.min(), rec.min()))
    high = float(max(X.max(), rec.max()))
    pad = 0.05 * ((high - low) or 1.0)
    first = None
    for k in range(len(X)):
        row, col = divmod(k, n_cols)
        ax = fig.add_subplot(grid[1 + row, col], sharey=first)
        ax.plot(features, X[k], "o", ms=3, color="C0", label="input")
        ax.plot(features, rec[k], "-", lw=1.2, color="C1",
                label="reconstruction")
        ax.set_title(f"sample {k}", fontsize=8)
        ax.set_ylim(low - pad, high + pad)
        ax.tick_params(labelsize=7)
        if col > 0:
            ax.tick_params(labelleft=False)
        if first is None:
            first = ax
            ax.legend(fontsize=7, loc="best")
