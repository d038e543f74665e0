"""Images as rows of a 2-D array: their shape, flattening and inference.

One place for the rules that :class:`skae.ConvAE` and :mod:`skae.plotting`
share. Shapes are (C, H, W), channels first.
"""

import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp


def resolve_image_shape(image_shape, n_features, array_shape=None,
                        owner="ConvAE"):
    """(C, H, W) of the images in rows of ``n_features`` pixels.

    Parameters
    ----------
    image_shape : tuple of int or None
        ``(H, W)`` or ``(C, H, W)``, one entry possibly -1; None infers it:
        the shape of image arrays (``array_shape``), else a square
        single-channel image.
    n_features : int
    array_shape : tuple of int or None, default=None
        (C, H, W) of the images when they came as a 3-D or 4-D array.
    owner : str, default="ConvAE"
        Named in the error messages.
    """
    if image_shape is None:
        if array_shape is not None:
            return array_shape
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"{owner} cannot infer the image shape of X: its "
                f"{n_features} features are not a square number of "
                "pixels. Pass image_shape=(H, W) or (C, H, W) (one entry "
                "may be -1, as in numpy.reshape; (1, -1) treats each row "
                "as a 1-D signal), or pass the images as a 3-D "
                "(n, H, W) or 4-D (n, C, H, W) array."
            )
        return (1, side, side)
    shape = image_shape_param(image_shape, n_features)
    if array_shape is not None and array_shape != shape:
        raise ValueError(
            f"X holds images of shape {array_shape} (C, H, W), which "
            f"disagrees with image_shape={image_shape!r}; pass "
            "image_shape=None to use the shape of the array."
        )
    return shape


def image_shape_param(image_shape, n_features):
    """The ``image_shape`` parameter as (C, H, W) for ``n_features``."""
    shape = list(image_shape) if not isinstance(image_shape, Integral) else []
    valid = (len(shape) in (2, 3)
             and all(isinstance(s, Integral) and not isinstance(s, bool)
                     and (s >= 1 or s == -1) for s in shape)
             and shape.count(-1) <= 1)
    if not valid:
        raise ValueError(
            f"image_shape must be (H, W) or (C, H, W) of positive ints, one "
            f"of which may be -1; got {image_shape!r}.")
    if len(shape) == 2:
        shape = [1, *shape]
    if -1 in shape:
        known = -math.prod(shape)
        if n_features % known:
            raise ValueError(
                f"image_shape={tuple(image_shape)} does not fit X: "
                f"{n_features} features are not a multiple of {known}.")
        shape[shape.index(-1)] = n_features // known
    shape = tuple(int(s) for s in shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {math.prod(shape)} "
            f"pixels but X has {n_features} features (one image per row).")
    return shape


def flatten_images(X):
    """Flatten a 3-D (n, H, W) or 4-D (n, C, H, W) array to 2-D.

    Returns ``(X, shape)`` with ``shape`` the (C, H, W) of the images, or
    ``(X, None)`` when ``X`` is not an image array (it is left as is).
    """
    if sp.issparse(X) or hasattr(X, "columns"):
        return X, None
    if not hasattr(X, "ndim"):
        if not (isinstance(X, (list, tuple)) or hasattr(X, "__array__")):
            return X, None
        try:
            array = np.asarray(X)
        except (ValueError, TypeError):  # ragged lists: validate_data explains
            return X, None
        if array.ndim <= 2:
            return X, None
        X = array
    if X.ndim <= 2:
        return X, None
    if X.ndim > 4:
        raise ValueError(
            f"Expected a 2-D array (n_samples, n_pixels), a 3-D (n, H, W) or "
            f"a 4-D (n, C, H, W) array of images; got {X.ndim} dimensions.")
    if not isinstance(X, np.memmap):  # a memmap stays on disk
        X = np.asarray(X)
    shape = X.shape[1:] if X.ndim == 4 else (1, *X.shape[1:])
    shape = tuple(int(s) for s in shape)
    return X.reshape(X.shape[0], math.prod(shape)), shape
