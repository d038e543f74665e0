"""Interpolation between samples through the code space of an autoencoder."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted


def interpolate(estimator, x_start, x_end, n_steps=10):
    """Decode the straight line between the codes of two samples.

    Encodes ``x_start`` and ``x_end`` with ``estimator.transform``, takes
    ``n_steps`` equally spaced points on the segment between the two codes
    (both ends included) and decodes them with
    ``estimator.inverse_transform``: the seeds' interpolation between
    codings. Works with any fitted transformer that has
    ``inverse_transform``, for example :class:`~sklearn.decomposition.PCA`.
    For :class:`VariationalAE` the codes are the posterior means.

    Parameters
    ----------
    estimator : fitted transformer
        An autoencoder of skae (or another transformer with
        ``inverse_transform``).
    x_start, x_end : array-like of shape (n_features,) or \
(n_pairs, n_features)
        The samples to interpolate between: one pair, or ``n_pairs`` pairs
        (row ``i`` of ``x_start`` with row ``i`` of ``x_end``).
    n_steps : int, default=10
        Number of points on each path, at least 2 (the two ends).

    Returns
    -------
    path : ndarray of shape (n_steps, n_features) or \
(n_pairs, n_steps, n_features)
        The decoded points, from the reconstruction of ``x_start`` (first)
        to that of ``x_end`` (last); 2-D for one pair given as 1-D arrays.

    See Also
    --------
    VariationalAE.sample : decode random draws of the prior.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE, interpolate
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
    ...                random_state=0).fit(X / 16)
    >>> interpolate(ae, X[0] / 16, X[1] / 16, n_steps=7).shape
    (7, 64)
    >>> interpolate(ae, X[:3] / 16, X[3:6] / 16, n_steps=7).shape
    (3, 7, 64)
    """
    check_is_fitted(estimator)
    if not isinstance(n_steps, Integral) or n_steps < 2:
        raise ValueError(
            f"n_steps must be an integer of at least 2 (the two ends); got "
            f"{n_steps!r}.")
    single = np.ndim(x_start) == 1 and np.ndim(x_end) == 1
    starts, ends = (
        check_array(np.atleast_2d(x) if np.ndim(x) == 1 else x,
                    dtype=[np.float32, np.float64], input_name=name)
        for x, name in ((x_start, "x_start"), (x_end, "x_end")))
    if starts.shape != ends.shape:
        raise ValueError(
            f"x_start and x_end must have the same shape; got "
            f"{starts.shape} and {ends.shape}.")
    dtype = np.result_type(starts, ends)
    codes = estimator.transform(np.vstack([starts, ends]).astype(dtype))
    codes = np.asarray(codes)
    z_start, z_end = codes[:len(starts)], codes[len(starts):]
    weights = np.linspace(0, 1, n_steps, dtype=codes.dtype)[None, :, None]
    line = z_start[:, None] + weights * (z_end - z_start)[:, None]
    path = np.asarray(estimator.inverse_transform(
        line.reshape(-1, codes.shape[1])))
    path = path.reshape(len(starts), n_steps, -1)
    return path[0] if single else path
