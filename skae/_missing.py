"""Missing values (NaN) in the samples: what is observed, read by blocks.

Every autoencoder trains on data with missing entries: the network sees
each missing entry as the mean of the feature's observed training values
(``fill_values_``), and its loss is taken over the observed entries only.
These helpers read ``X`` (an ndarray, a CSR matrix, whose stored NaN are
missing and whose implicit zeros are observed, or an array on disk) by
blocks of rows, so that no float64 copy of it is made whole.
"""

import numpy as np
import scipy.sparse as sp

from ._training import RowArray, iter_rows, rows_per_block


def _blocks(X):
    """``(start, rows)`` of ``X``, dense, about 4 MiB of float64 at a time."""
    return iter_rows(X, rows_per_block(X.shape[1], 8))


def has_missing(X):
    """Whether ``X`` holds a NaN."""
    if isinstance(X, RowArray):
        count, _ = X.observed_stats()
        return bool((count < X.shape[0]).any())
    data = X.data if sp.issparse(X) else X
    return bool(np.isnan(data).any())


def observed_means(X):
    """The mean of the observed values of each feature, as float64; a
    ValueError names the features with none observed (nothing to learn
    them from)."""
    if isinstance(X, RowArray):
        count, total = X.observed_stats()
    else:
        count = np.zeros(X.shape[1])
        total = np.zeros(X.shape[1])
        for _, rows in _blocks(X):
            seen = ~np.isnan(rows)
            count += seen.sum(axis=0)
            total += np.where(seen, rows, 0).sum(axis=0, dtype=np.float64)
    empty = np.flatnonzero(count == 0)
    if len(empty):
        raise ValueError(
            f"{len(empty)} features of X have no observed value (all NaN), "
            f"for example feature {empty[0]}: there is nothing to learn them "
            "from. Drop them, or use AutoencoderImputer, which sets them "
            "aside (keep_empty_features).")
    return total / count


def empty_rows(X):
    """Indices of the rows of ``X`` with no observed value."""
    found = [start + np.flatnonzero(np.isnan(rows).all(axis=1))
             for start, rows in _blocks(X)]
    return np.concatenate(found) if found else np.empty(0, np.int64)


def observed_range(X):
    """``(smallest, largest)`` observed value of ``X``, or None when no
    value is observed."""
    if isinstance(X, RowArray):
        return X.min(), X.max()
    if sp.issparse(X):
        data = X.data[~np.isnan(X.data)]
        if X.nnz < X.shape[0] * X.shape[1]:  # implicit zeros are observed
            data = np.concatenate([data, [0.0]])
        return (data.min(), data.max()) if data.size else None
    low, high = column_range(X)
    if not np.isfinite(low).any():
        return None
    return low.min(), high.max()


def column_range(X):
    """The smallest and largest observed value of each column of ``X``."""
    if isinstance(X, RowArray):
        return X.min(axis=0), X.max(axis=0)
    low = np.full(X.shape[1], np.inf)
    high = np.full(X.shape[1], -np.inf)
    for _, rows in _blocks(X):
        seen = ~np.isnan(rows)
        np.minimum(low, np.where(seen, rows, np.inf).min(axis=0), out=low)
        np.maximum(high, np.where(seen, rows, -np.inf).max(axis=0), out=high)
    return low, high


def check_scorable(X):
    """Refuse rows with no observed value: they have no error to score."""
    if not has_missing(X):
        return
    rows = empty_rows(X)
    if len(rows):
        raise ValueError(
            f"{len(rows)} rows of X have no observed value (all NaN), for "
            f"example row {rows[0]}: there is nothing to score. Drop them "
            "before scoring.")
