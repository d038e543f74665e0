"""Samples drawn as images: the shape of an image, and a grid of them."""

import math

import numpy as np
from sklearn.pipeline import Pipeline

from .._images import image_shape_param
from ._common import _pyplot

#: Colour map of images of data.
_IMAGE_CMAP = "gray_r"

#: The smallest square taken for an image without being told: 8x8 (the
#: digits of ``load_digits``). 4, 9, ..., 49 features are more often a
#: table than a tiny image.
_MIN_SQUARE_SIDE = 8


def _inner_estimators(est):
    """``est`` and, for a Pipeline, its steps (nested Pipelines too)."""
    if est is None or isinstance(est, str):  # "passthrough"
        return
    yield est
    if isinstance(est, Pipeline):
        for _, step in est.steps:
            yield from _inner_estimators(step)


def _fit_shape(shape, n_features):
    """``shape`` (H, W) or (C, H, W) for ``n_features`` values (one -1 is
    inferred, by ConvAE's rule), or None when it does not fit."""
    try:
        shape = [int(s) for s in np.atleast_1d(shape)]
        resolved = image_shape_param(shape, n_features)
    except (TypeError, ValueError):
        return None
    return resolved[1:] if len(shape) == 2 else resolved


def _resolve_image_shape(image_shape, n_features, est=None, *,
                         array_shape=None, required=True):
    """The shape in which to draw a sample of ``n_features`` values.

    The first that applies: the ``image_shape`` argument (an error when it
    does not fit), ``array_shape`` (the shape of 3-D / 4-D input), the
    fitted ``image_shape_`` of ``est`` or of a step of it (a ConvAE's
    ``(C, H, W)``, also inside a Pipeline), their
    ``image_shape`` parameter, a square of side ``_MIN_SQUARE_SIDE`` or
    more. Otherwise the data are not images: a ValueError when
    ``required``, else None.
    """
    if image_shape is not None:
        shape = _fit_shape(image_shape, n_features)
        if shape is None:
            raise ValueError(
                f"image_shape={tuple(np.atleast_1d(image_shape))!r} does not "
                f"fit {n_features} features: it must be (height, width), or "
                "include a channel axis, with the product of its sizes equal "
                f"to {n_features}."
            )
        return shape
    candidates = [array_shape]
    inner = list(_inner_estimators(est))
    candidates += [getattr(e, "image_shape_", None) for e in inner]
    candidates += [getattr(e, "image_shape", None) for e in inner]
    for candidate in candidates:
        if candidate is not None:
            shape = _fit_shape(candidate, n_features)
            if shape is not None:
                return shape
    side = math.isqrt(n_features)
    if side * side == n_features and side >= _MIN_SQUARE_SIDE:
        return (side, side)
    if required:
        raise ValueError(
            f"Cannot guess the image shape of {n_features} features (not a "
            f"square of side {_MIN_SQUARE_SIDE} or more, and the estimator "
            "has no image_shape_); pass image_shape=(height, width)."
        )
    return None


def _spatial_size(shape):
    """(height, width) of an image shape, channels first or last."""
    if len(shape) == 2:
        return shape
    if shape[-1] not in (3, 4) and shape[0] in (1, 3, 4):
        return shape[1:]
    return shape[:2]


def _displayable(image):
    """An image as imshow wants it: (H, W) or channels last (H, W, 3|4)."""
    if image.ndim == 3:
        if image.shape[-1] not in (3, 4) and image.shape[0] in (1, 3, 4):
            image = np.moveaxis(image, 0, -1)  # channels first -> last
        if image.shape[-1] == 1:
            image = image[..., 0]
        elif image.shape[-1] in (3, 4):
            # colour images: imshow needs values in [0, 1]
            lo, hi = image.min(), image.max()
            if lo < 0 or hi > 1:
                image = (image - lo) / ((hi - lo) or 1.0)
    return image


def _image_grid(images, n_cols, image_shape, *, titles=None, row_labels=None,
                col_titles=None, cmap=_IMAGE_CMAP, vmin=None, vmax=None,
                symmetric=False, suptitle=None, cell=1.0):
    """A figure with one image per axes, ``n_cols`` per row.

    Axes beyond ``len(images)`` are removed, so ``len(fig.axes)`` is the
    number of images. ``symmetric`` centres each image's colour scale on 0
    (for signed weights).
    """
    plt = _pyplot()
    n_images = len(images)
    n_rows = max(1, math.ceil(n_images / n_cols))
    height = cell * n_rows * 1.15 + (0.5 if suptitle else 0.1)
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False,
                             figsize=(cell * n_cols + 0.3, height))
    for k, ax in enumerate(axes.ravel()):
        if k >= n_images:
            ax.remove()
            continue
        image = _displayable(
            np.asarray(images[k], dtype=float).reshape(image_shape))
        lo, hi = vmin, vmax
        if symmetric:
            bound = float(np.abs(image).max()) or 1.0
            lo, hi = -bound, bound
        ax.imshow(image, cmap=None if image.ndim == 3 else cmap,
                  vmin=lo, vmax=hi, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if titles is not None:
            ax.set_title(titles[k], fontsize=7, pad=2)
        row, col = divmod(k, n_cols)
        if col_titles is not None and row == 0:
            ax.set_title(col_titles[col], fontsize=7, pad=2)
        if row_labels is not None and col == 0:
            ax.set_ylabel(row_labels[row], rotation=0, ha="right",
                          va="center", fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig
