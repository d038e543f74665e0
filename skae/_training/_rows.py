"""Arrays on disk read by rows, and row-by-row iteration over any input.

An ``np.memmap``, an ``h5py`` dataset or a ``zarr`` array is never loaded
whole: :class:`RowArray` reads it by rows (sequential runs, about 4 MiB at
a time, the next block read ahead in a background thread by
:func:`prefetched`). :func:`iter_rows` walks any input (ndarray, CSR,
tensor, RowArray) in order, a batch of rows at a time.
"""

import queue
import threading

import numpy as np
import scipy.sparse as sp
import torch

#: Bytes read from disk at a time (one block of rows).
BLOCK_BYTES = 4 * 2**20


def is_row_array(X):
    """Whether ``X`` is a 2-D array on disk that skae reads by rows
    (``np.memmap``, ``h5py.Dataset``, ``zarr.Array``)."""
    if isinstance(X, (RowArray, np.memmap)):
        return True
    module = type(X).__module__.split(".")[0]
    return module in ("h5py", "zarr") and hasattr(X, "shape") \
        and hasattr(X, "dtype")


def numpy_dtype(dtype):
    """The numpy dtype of the torch dtype ``dtype``."""
    return torch.empty((), dtype=dtype).numpy().dtype


def rows_per_block(n_features, itemsize=4):
    """Rows of ``n_features`` values of ``itemsize`` bytes in one block."""
    return max(1, BLOCK_BYTES // max(1, n_features * itemsize))


class RowArray:
    """A validated 2-D array on disk, read by rows in ``dtype``.

    Slicing rows (``X[a:b]``) or taking rows (``X[index]``, any order)
    returns an in-memory ndarray of those rows only. Integer indices are
    read in sorted runs, so reads stay sequential.

    Parameters
    ----------
    data : np.memmap, h5py.Dataset or zarr.Array
        2-D.
    dtype : numpy dtype
        The float type rows are returned in.
    start, stop : int
        The rows of ``data`` this array covers (a view; nothing is read).
    """

    ndim = 2

    def __init__(self, data, dtype, start=0, stop=None):
        if isinstance(data, RowArray):
            start, stop = data.start + start, data.start + (
                len(data) if stop is None else stop)
            data = data.data
        self.data = data
        self.dtype = np.dtype(dtype)
        n_rows, n_features = (int(s) for s in data.shape)
        self.start = start
        self.shape = ((n_rows if stop is None else stop) - start, n_features)
        self._range = self._stats = None

    def view(self, start, stop):
        """The rows ``start`` to ``stop`` as a RowArray (nothing is read)."""
        return RowArray(self, self.dtype, start, stop)

    @property
    def size(self):
        return self.shape[0] * self.shape[1]

    def __len__(self):
        return self.shape[0]

    def __repr__(self):
        return (f"RowArray({type(self.data).__name__}, shape={self.shape}, "
                f"dtype={self.dtype})")

    def rows(self, start, stop):
        """Rows ``start`` to ``stop``: a new, writable, C-contiguous ndarray
        (never a view of the file's pages)."""
        stop = min(stop, self.shape[0])
        return np.array(self.data[self.start + start:self.start + stop],
                        dtype=self.dtype, order="C", copy=True)

    def take(self, index):
        """Rows ``index`` (sorted, unique integers), read in runs."""
        index = np.asarray(index, dtype=np.int64)
        if len(index) == 0:
            return np.empty((0, self.shape[1]), self.dtype)
        breaks = np.flatnonzero(np.diff(index) != 1) + 1
        starts = np.concatenate([[0], breaks])
        stops = np.concatenate([breaks, [len(index)]])
        out = np.empty((len(index), self.shape[1]), self.dtype)
        index = index + self.start
        for a, b in zip(starts, stops):  # one sequential read per run
            out[a:b] = self.data[index[a]:index[b - 1] + 1]
        return out

    def __getitem__(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(self.shape[0])
            if step == 1:
                return self.rows(start, stop)
            key = np.arange(start, stop, step)
        index = np.asarray(key)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        index = np.where(index < 0, index + self.shape[0], index)
        unique, inverse = np.unique(index, return_inverse=True)
        return self.take(unique)[inverse.reshape(-1)]

    def chunks(self, n_rows=None):
        """``(start, rows)`` over the whole array, ``n_rows`` at a time
        (by default about 4 MiB), reading ahead in a background thread."""
        n_rows = n_rows or rows_per_block(self.shape[1], self.dtype.itemsize)
        starts = range(0, self.shape[0], n_rows)
        yield from zip(starts, prefetched(
            self.rows(s, s + n_rows) for s in starts))

    def scan(self):
        """Read the array once: raise for infinite values, and remember
        each column's range and the count and sum of its observed (not
        NaN) values (for :meth:`min`, :meth:`max` and
        :meth:`observed_stats`)."""
        low = np.full(self.shape[1], np.inf)
        high = np.full(self.shape[1], -np.inf)
        count = np.zeros(self.shape[1])
        total = np.zeros(self.shape[1])
        for start, rows in self.chunks():
            infinite = np.isinf(rows)
            if infinite.any():
                bad = start + np.flatnonzero(infinite.any(axis=1))[0]
                raise ValueError(
                    f"Input X contains infinity (first in row {bad} of the "
                    "array on disk). Replace it, for example by NaN (a "
                    "missing value), before fitting.")
            seen = ~np.isnan(rows)
            count += seen.sum(axis=0)
            total += np.where(seen, rows, 0).sum(axis=0, dtype=np.float64)
            np.minimum(low, np.where(seen, rows, np.inf).min(axis=0),
                       out=low)
            np.maximum(high, np.where(seen, rows, -np.inf).max(axis=0),
                       out=high)
        self._range = (low.astype(self.dtype), high.astype(self.dtype))
        self._stats = (count, total)

    def observed_stats(self):
        """``(count, sum)`` of each column's observed (not NaN) values."""
        if self._range is None:
            self.scan()
        return self._stats

    def min(self, axis=None):
        """Smallest observed value (``axis=0``: of each column)."""
        if self._range is None:
            self.scan()
        return self._range[0] if axis == 0 else self._range[0].min()

    def max(self, axis=None):
        """Largest observed value (``axis=0``: of each column)."""
        if self._range is None:
            self.scan()
        return self._range[1] if axis == 0 else self._range[1].max()


_END = object()


def prefetched(iterable):
    """The items of ``iterable``, each computed in a background thread
    while the caller works on the previous one.

    The worker reads ahead one item; reading a block from disk releases the
    GIL, so it overlaps the training step. Closing the generator early
    stops the worker.
    """
    items = queue.Queue(maxsize=1)
    stop = threading.Event()

    def work():
        try:
            for item in iterable:
                while not stop.is_set():
                    try:
                        items.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put((_END, None))
        except BaseException as exc:  # re-raised in the caller
            items.put((_END, exc))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        worker.join()


def iter_rows(X, batch_size):
    """``(start, rows)`` over ``X`` in order, ``batch_size`` rows at a time,
    without copying ``X`` whole: dense ndarray slices, densified CSR
    slices, tensor slices, or rows read from disk ahead of use."""
    n = X.shape[0]
    if isinstance(X, RowArray):
        yield from X.chunks(batch_size)
        return
    for start in range(0, n, batch_size):
        rows = X[start:start + batch_size]
        yield start, rows.toarray() if sp.issparse(rows) else rows
