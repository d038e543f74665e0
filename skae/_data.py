"""Where batches come from: arrays in memory, and arrays on disk read by rows.

In memory (numpy, CSR, tensors) the samples are one tensor on the device
(:class:`TensorData`): a batch is an index slice. An array on disk
(``np.memmap``, an ``h5py`` dataset, a ``zarr`` array) is never loaded
whole: :class:`RowArray` reads it by rows, and :class:`RowData` feeds
training from it in shuffled blocks, reading the next block in a background
thread while the network trains on the current one.
"""

import copy
import functools
import queue
import threading

import numpy as np
import scipy.sparse as sp
import torch

from .nn._random import randperm

#: Bytes read from disk at a time (one block of rows).
_BLOCK_BYTES = 4 * 2**20
#: Blocks shuffled together: rows of a training batch come from this many
#: blocks picked at random across the array.
_BLOCKS_PER_BUFFER = 8


def is_row_array(X):
    """Whether ``X`` is a 2-D array on disk that skae reads by rows
    (``np.memmap``, ``h5py.Dataset``, ``zarr.Array``)."""
    if isinstance(X, (RowArray, np.memmap)):
        return True
    module = type(X).__module__.split(".")[0]
    return module in ("h5py", "zarr") and hasattr(X, "shape") \
        and hasattr(X, "dtype")


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
        self._range = None

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
        """Read the array once: raise for non-finite values, remember each
        column's range (for :meth:`min` and :meth:`max`)."""
        low = np.full(self.shape[1], np.inf, self.dtype)
        high = np.full(self.shape[1], -np.inf, self.dtype)
        for start, rows in self.chunks():
            finite = np.isfinite(rows)
            if not finite.all():
                bad = start + np.flatnonzero(~finite.all(axis=1))[0]
                raise ValueError(
                    f"Input X contains NaN or infinity (first in row {bad} "
                    "of the array on disk). Clean or impute it before "
                    "fitting.")
            np.minimum(low, rows.min(axis=0), out=low)
            np.maximum(high, rows.max(axis=0), out=high)
        self._range = (low, high)

    def min(self, axis=None):
        """Smallest value (``axis=0``: of each column)."""
        if self._range is None:
            self.scan()
        return self._range[0] if axis == 0 else self._range[0].min()

    def max(self, axis=None):
        """Largest value (``axis=0``: of each column)."""
        if self._range is None:
            self.scan()
        return self._range[1] if axis == 0 else self._range[1].max()


def numpy_dtype(dtype):
    """The numpy dtype of the torch dtype ``dtype``."""
    return torch.empty((), dtype=dtype).numpy().dtype


def rows_per_block(n_features, itemsize=4):
    return max(1, _BLOCK_BYTES // max(1, n_features * itemsize))


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


class TensorData(torch.utils.data.Dataset):
    """Samples held in memory, dense on the device or sparse on the host.

    Dense data moves to the device once; batches are index slices of that
    tensor (no per-sample ``__getitem__`` and collate). Sparse CSR data stays
    on the host and each batch is densified on its way to the device.

    Parameters
    ----------
    X : ndarray or scipy CSR matrix or torch.Tensor
        The samples.
    device : torch.device
    dtype : torch.dtype, default=torch.float32
        Floating point type of the batches.
    y : array-like of shape (n_samples,) or None, default=None
        Targets (class indices for a classifier), kept on the device in
        their own dtype; batches pair each slice of ``X`` with its targets.
    """

    def __init__(self, X, device, dtype=torch.float32, y=None):
        self.device = torch.device(device)
        self.y = None if y is None else torch.as_tensor(
            np.asarray(y), device=self.device)
        np_dtype = numpy_dtype(dtype)
        if sp.issparse(X):
            self.X = sp.csr_matrix(X, dtype=np_dtype)
        elif isinstance(X, torch.Tensor):
            self.X = X.to(self.device, dtype)
        else:
            self.X = torch.tensor(np.ascontiguousarray(X, dtype=np_dtype),
                                  device=self.device)

    @property
    def is_sparse(self):
        return sp.issparse(self.X)

    def __len__(self):
        return self.X.shape[0]

    def take(self, index):
        """The batch of rows ``index`` (a slice or a 1-D integer tensor)."""
        if not self.is_sparse:
            return self.X[index]
        if isinstance(index, torch.Tensor):
            index = index.cpu().numpy()
        dense = self.X[index].toarray()
        return torch.from_numpy(dense).to(self.device)

    def target(self, index):
        """The targets of rows ``index``, or None without targets."""
        return None if self.y is None else self.y[index]

    def __getitem__(self, i):
        return self.take(slice(i, i + 1))[0]

    def batches(self, batch_size, shuffle):
        """``(X_batch, y_batch)`` pairs over all samples, in a new random
        order (from the call's generator) when ``shuffle``."""
        n = len(self)
        if shuffle:
            order = randperm(n)
            if not self.is_sparse:
                order = order.to(self.device)
            for start in range(0, n, batch_size):
                index = order[start:start + batch_size]
                yield self.take(index), self.target(index)
        else:
            for start in range(0, n, batch_size):
                index = slice(start, start + batch_size)
                yield self.take(index), self.target(index)

    def subset(self, index):
        """A new ``TensorData`` with the rows ``index`` (integer tensor)."""
        out = copy.copy(self)
        out.X = self.X[index] if not self.is_sparse else self.X[index.numpy()]
        out.y = None if self.y is None else self.y[index.to(self.y.device)]
        return out


class RowData(torch.utils.data.Dataset):
    """Samples of a :class:`RowArray` on disk, read block by block.

    A training pass reads the array in blocks of about 4 MiB taken in a
    random order; the rows of 8 such blocks are shuffled together and cut
    into batches, so reads stay sequential while a batch mixes rows from
    across the array. The next blocks are read in a background thread
    while the network trains. Only the blocks in flight are in memory. On
    a GPU, blocks are copied from pinned memory without blocking.

    Parameters
    ----------
    X : RowArray
    device : torch.device
    dtype : torch.dtype, default=torch.float32
    y : array-like of shape (n_samples,) or None, default=None
        Targets, kept on the device.
    rows : ndarray of int or None, default=None
        Sorted row numbers of ``X`` this dataset holds (None: all).
    """

    is_sparse = False

    def __init__(self, X, device, dtype=torch.float32, y=None, rows=None):
        self.device = torch.device(device)
        np_dtype = numpy_dtype(dtype)
        self.X = RowArray(X, np_dtype)
        self.y = None if y is None else torch.as_tensor(
            np.asarray(y), device=self.device)
        self.rows = rows

    def __len__(self):
        return len(self.X) if self.rows is None else len(self.rows)

    def __getitem__(self, i):
        return torch.from_numpy(self._read(np.array([i]))[1][0])

    def _read(self, positions):
        """Row positions (sorted, of this dataset) -> (positions, rows)."""
        if self.rows is None and len(positions) and \
                positions[-1] - positions[0] + 1 == len(positions):
            return positions, self.X.rows(positions[0], positions[-1] + 1)
        index = positions if self.rows is None else self.rows[positions]
        return positions, self.X.take(index)

    def _to_device(self, array):
        tensor = torch.from_numpy(array)
        if self.device.type == "cuda":
            return tensor.pin_memory().to(self.device, non_blocking=True)
        return tensor.to(self.device)

    def batches(self, batch_size, shuffle):
        n = len(self)
        block = max(batch_size, rows_per_block(self.X.shape[1],
                                               self.X.dtype.itemsize))
        starts = np.arange(0, n, block)
        if shuffle:
            starts = starts[randperm(len(starts)).numpy()]
        groups = [starts[i:i + _BLOCKS_PER_BUFFER]
                  for i in range(0, len(starts), _BLOCKS_PER_BUFFER)]
        reads = (self._read(np.concatenate(
            [np.arange(s, min(s + block, n)) for s in np.sort(group)]))
            for group in groups)
        rest_x = rest_p = None
        for positions, rows in prefetched(reads):
            x, p = torch.from_numpy(rows), torch.from_numpy(positions)
            if shuffle:
                # the permutation is drawn here, in the calling thread,
                # from the call's generator
                order = randperm(len(x))
                x, p = x[order], p[order]
            if rest_x is not None:
                x, p = torch.cat([rest_x, x]), torch.cat([rest_p, p])
            full = len(x) // batch_size * batch_size
            x_dev = self._to_device(x[:full].numpy())
            for start in range(0, full, batch_size):
                stop = start + batch_size
                yield x_dev[start:stop], self._target(p[start:stop])
            rest_x, rest_p = x[full:], p[full:]
        if rest_x is not None and len(rest_x):
            yield self._to_device(rest_x.numpy()), self._target(rest_p)

    def _target(self, positions):
        return None if self.y is None else self.y[positions.to(self.y.device)]

    def subset(self, index):
        """A new ``RowData`` with the rows at positions ``index`` (integer
        tensor), read in sorted order."""
        positions = np.sort(np.asarray(index.cpu()))
        out = copy.copy(self)
        out.rows = positions if self.rows is None else self.rows[positions]
        out.y = None if self.y is None else self.y[
            torch.as_tensor(positions, device=self.y.device)]
        return out


def shard(X, rank, world_size):
    """Process ``rank``'s share of the rows of ``X`` for data-parallel
    training: consecutive rows, the same number in every process (the last
    ``n_samples % world_size`` rows are left out)."""
    n = X.shape[0] // world_size
    if n == 0:
        raise ValueError(
            f"{X.shape[0]} samples cannot be shared among {world_size} "
            "processes; fit outside the process group, or on more samples.")
    start, stop = rank * n, (rank + 1) * n
    if isinstance(X, RowArray):
        return X.view(start, stop)
    return X[start:stop]


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
            from sklearn.utils.validation import check_is_fitted

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


def as_dataset(X, device, dtype=torch.float32, y=None):
    """The dataset of ``X``: :class:`RowData` for an array on disk,
    :class:`TensorData` otherwise."""
    if isinstance(X, (TensorData, RowData)):
        return X
    if is_row_array(X):
        return RowData(X, device, dtype, y=y)
    return TensorData(X, device, dtype, y=y)


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
