"""The seeds' toy data sets."""

import numpy as np
from sklearn.utils import check_random_state


def make_curved_plane(n_samples=200, *, noise=0.1, random_state=None):
    """Points near a curved 2-D sheet in 3-D: the linear-autoencoder seed data.

    A curve ``(cos t + sin t / 2, 0.7 sin t)`` for angles ``t`` in
    ``[-0.5, 3 pi / 2 - 0.5)`` is lifted to 3-D by the plane
    ``z = 0.1 x + 0.3 y``, and Gaussian noise is added, as in the seed
    tutorial that shows a linear autoencoder finding PCA's plane.

    Parameters
    ----------
    n_samples : int, default=200
        Number of points.
    noise : float, default=0.1
        Standard deviation scale of the noise.
    random_state : int, RandomState instance or None, default=None
        Seed of the angles and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
        The points.
    t : ndarray of shape (n_samples,)
        The angle of each point along the curve (useful for colouring).

    Examples
    --------
    >>> from skae.datasets import make_curved_plane
    >>> X, t = make_curved_plane(100, random_state=42)
    >>> X.shape, t.shape
    ((100, 3), (100,))
    """
    rng = check_random_state(random_state)
    t = rng.rand(n_samples) * 3 * np.pi / 2 - 0.5
    X = np.empty((n_samples, 3))
    X[:, 0] = np.cos(t) + np.sin(t) / 2 + noise * rng.randn(n_samples) / 2
    X[:, 1] = np.sin(t) * 0.7 + noise * rng.randn(n_samples) / 2
    X[:, 2] = X[:, 0] * 0.1 + X[:, 1] * 0.3 + noise * rng.randn(n_samples)
    return X, t
