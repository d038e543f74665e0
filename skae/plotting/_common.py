"""What every plotting function needs: matplotlib on demand, its inputs as
arrays, unit indices checked, an axes to draw into."""

from numbers import Integral

import numpy as np


def _pyplot():
    """Import matplotlib's pyplot, or say how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skae.plotting needs matplotlib, which is not installed. Install "
            "it with `pip install skae[plot]` (or `pip install matplotlib`)."
        ) from exc
    return plt


def _as_2d(X, name="X"):
    """One sample (1-D) or several (2-D) as a 2-D array."""
    X = np.asarray(X)
    if X.ndim == 1:
        X = X.reshape(1, -1)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be one sample (1-D) or a 2-D array of samples; got "
            f"an array of shape {X.shape}."
        )
    return X


def _samples(X):
    """``X`` for the estimator, ``X`` as a float 2-D array, its image shape.

    3-D and 4-D arrays are images ``(n, H, W)`` or ``(n, C, H, W)``: they
    are flattened (skae's ConvAE takes flat rows once fitted) and their
    shape is returned (else None). A DataFrame is passed to the estimator
    as it is, so that its column names are checked.
    """
    if hasattr(X, "iloc"):  # a DataFrame: keep it for the estimator
        return X, np.asarray(X, dtype=float), None
    X = np.asarray(X)
    array_shape = None
    if X.ndim >= 3:
        array_shape = X.shape[1:]
        X = X.reshape(len(X), -1)
    X = _as_2d(X)
    return X, X.astype(float, copy=False), array_shape


def _codes(est, X):
    """The codes ``est.transform(X)`` as a float array."""
    return np.asarray(est.transform(X), dtype=float)


def _check_units(units, n_units, what="unit"):
    """``units`` (one index or several) as a list of indices in
    ``[0, n_units)``, else a ValueError naming them ``what``."""
    units = [units] if isinstance(units, Integral) else list(units)
    bad = [u for u in units if not isinstance(u, Integral)
           or not 0 <= u < n_units]
    if bad or not units:
        raise ValueError(
            f"{what}s must be integers in [0, {n_units}); got {bad or units}."
        )
    return units


def _new_axes(ax, figsize):
    """The figure of ``ax`` and ``ax``, or a new figure of ``figsize`` and
    its one axes when ``ax`` is None."""
    if ax is not None:
        return ax.figure, ax
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax
