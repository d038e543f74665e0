"""Methods that map samples to outputs, on dask arrays block by block."""

import functools

import numpy as np
from sklearn.utils.validation import check_is_fitted


def is_dask_array(X):
    return type(X).__module__.startswith("dask.array")


def dask_blockwise(width):
    """Let a method that maps samples to outputs take a ``dask.array``:
    it then returns a dask array whose blocks of rows are computed by the
    method, lazily and in parallel (on a ``dask.distributed`` cluster, on
    its workers). ``width`` names the fitted attribute giving the output's
    number of columns, or is None for one value per sample."""

    def wrap(method):
        @functools.wraps(method)
        def run(self, X, *args, **kwargs):
            if not is_dask_array(X):
                return method(self, X, *args, **kwargs)
            check_is_fitted(self)
            if X.ndim != 2:
                raise ValueError(
                    f"Expected a 2D dask array, got {X.ndim} dimensions.")
            X = X.rechunk({1: -1})  # whole rows in each block

            def block(rows):
                return method(self, rows, *args, **kwargs)

            if width is None:
                return X.map_blocks(block, drop_axis=1, dtype=np.float64)
            dtype = np.float64 if X.dtype == np.float64 else np.float32
            return X.map_blocks(
                block, chunks=(X.chunks[0], (getattr(self, width),)),
                dtype=dtype)
        return run
    return wrap
