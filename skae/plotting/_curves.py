"""Single-axes curves of a fitted estimator: its training loss per epoch, and
the histogram of its scores."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._common import _new_axes, _pyplot


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
        The estimator whose last fit is drawn, from ``est.net_.history``.
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
