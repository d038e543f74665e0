"""What a unit responds to: its first-layer weights, the inputs that excite it
most, and the input synthesised to excite it most."""

from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._common import _check_units, _codes, _samples
from ._grid import _image_grid, _resolve_image_shape

#: Colour map of signed weights (drawn with symmetric limits).
_WEIGHT_CMAP = "RdBu_r"


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
    >>> best = ae.transform(X)[:, 3].max()
    >>> bool(ae.transform(image.reshape(1, -1))[0, 3] > best)
    True
    """
    encoder, width = _frozen_encoder(est)
    (unit,) = _check_units(unit, width)
    limits = _check_ascent(n_steps, learning_rate, alpha, bounds)
    n_features = est.n_features_in_
    x = _starting_input(x0, limits, n_features, random_state)
    optimizer = torch.optim.Adam([x], lr=learning_rate)
    for _ in range(n_steps):
        optimizer.zero_grad()
        objective = encoder(x)[0, unit]
        if alpha:
            objective = objective - alpha * x.square().sum()
        (-objective).backward()
        optimizer.step()
        if limits is not None:
            with torch.no_grad():
                x.clamp_(*limits)
    image = x.detach().numpy().reshape(-1)
    if image_shape is not None:
        image = image.reshape(_resolve_image_shape(image_shape, n_features))
    return image


def _frozen_encoder(est):
    """A copy of the encoder of a fitted skae autoencoder, in eval mode with
    its parameters frozen (``est`` is not changed), and the width of its
    codes."""
    check_is_fitted(est)
    if not hasattr(est, "encoder_module"):
        raise TypeError(
            f"maximize_activation needs a skae autoencoder (with "
            f"encoder_module()); got {type(est).__name__}."
        )
    encoder = est.encoder_module().eval()
    for param in encoder.parameters():
        param.requires_grad_(False)
    with torch.no_grad():
        width = encoder(torch.zeros(1, est.n_features_in_)).shape[1]
    return encoder, width


def _check_ascent(n_steps, learning_rate, alpha, bounds):
    """Check the parameters of the gradient ascent of
    :func:`maximize_activation`; return ``bounds`` as ``(low, high)``
    floats, or None."""
    if not isinstance(n_steps, Integral) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer; got "
                         f"{n_steps!r}.")
    if not learning_rate > 0 or not alpha >= 0:
        raise ValueError(
            f"learning_rate must be > 0 and alpha >= 0; got "
            f"learning_rate={learning_rate!r}, alpha={alpha!r}."
        )
    if bounds is None:
        return None
    low, high = (float(b) for b in bounds)
    if not low < high:
        raise ValueError(f"bounds must be (low, high) with low < high; got "
                         f"{bounds!r}.")
    return low, high


def _starting_input(x0, limits, n_features, random_state):
    """The input the ascent starts from, a float32 tensor of shape
    ``(1, n_features)`` that requires grad: ``x0``, or a draw uniform in
    ``limits`` (standard normal without), clipped into ``limits``."""
    rng = check_random_state(random_state)
    if x0 is None:
        start = (rng.uniform(*limits, n_features) if limits is not None
                 else rng.standard_normal(n_features))
    else:
        start = np.asarray(x0, dtype=float).reshape(-1)
        if start.shape != (n_features,):
            raise ValueError(f"x0 must have {n_features} values; got "
                             f"{start.size}.")
    x = torch.tensor(start, dtype=torch.float32).reshape(1, -1)
    if limits is not None:
        x.clamp_(*limits)
    return x.requires_grad_(True)
