"""Where batches come from: the training data, its sources and its batches.

:class:`TrainingData` is what an estimator hands to training: the
validated samples ``X`` and per-sample fields by name (``sample_weight``,
``labels``, a variant's own). :meth:`TrainingData.source` turns it into a
data source: in memory (numpy, CSR, tensors) one tensor on the device
(:class:`TensorData`), a batch being an index slice; on disk
(:class:`~skae._training._rows.RowArray`) shuffled blocks read ahead in a
background thread (:class:`RowData`). Either yields :class:`Batch`\\ es,
whose fields keep their names all the way to the network's loss.
"""

import copy
import math

import numpy as np
import scipy.sparse as sp
import torch

from ..nn._random import randperm
from ._rows import (
    RowArray,
    is_row_array,
    numpy_dtype,
    prefetched,
    rows_per_block,
)

#: Blocks shuffled together: rows of a training batch come from this many
#: blocks picked at random across the array.
_BLOCKS_PER_BUFFER = 8


class Batch:
    """A mini-batch: named tensors holding the same rows.

    ``input`` is what the network encodes; every other field holds one
    value per row: ``sample_weight`` (the weight of each row in the loss),
    ``labels`` (class indices, -1 for an unlabeled row), or a field of a
    variant's own. The fields reach the training objective as keyword
    arguments of the same names.

    skorch's callbacks unpack a batch as ``X, y``: a Batch unpacks as its
    input and its labels (None without labels).
    """

    __slots__ = ("fields",)

    def __init__(self, fields):
        self.fields = fields

    def __getitem__(self, key):
        if isinstance(key, int):  # skorch's (X, y) view
            return tuple(self)[key]
        return self.fields[key]

    def __contains__(self, name):
        return name in self.fields

    def __iter__(self):
        return iter((self.fields["input"], self.fields.get("labels")))

    def get(self, name, default=None):
        return self.fields.get(name, default)

    @property
    def n_rows(self):
        return len(self.fields["input"])

    def weight(self):
        """How much the batch counts in an epoch's mean: its rows, or its
        samples' total weight."""
        weight = self.fields.get("sample_weight")
        return self.n_rows if weight is None else weight.to(
            torch.float64).sum()


class TrainingData:
    """The samples of a fit and their per-sample fields, validated.

    Parameters
    ----------
    X : ndarray, scipy CSR matrix, torch.Tensor or RowArray
        The samples.
    fill : ndarray of shape (n_features,) or None, default=None
        With missing values (NaN) in ``X``: the value the network sees in
        place of a missing entry of each feature; each batch then carries
        the ``mask`` of its observed entries. None: ``X`` is complete.
    **fields : array-like of shape (n_samples, ...) or None
        Per-sample values by name (None: no such field), for example
        ``sample_weight`` or ``labels``.
    """

    def __init__(self, X, fill=None, **fields):
        self.X = X
        self.fill = fill
        self.fields = {name: np.asarray(value)
                       for name, value in fields.items() if value is not None}

    @property
    def n_samples(self):
        return self.X.shape[0]

    def take(self, rows):
        """The rows ``rows`` (integer indices) of the samples and fields."""
        return TrainingData(self.X[rows], self.fill, **{
            name: value[rows] for name, value in self.fields.items()})

    def shard(self, rank, world_size):
        """Process ``rank``'s share for data-parallel training:
        consecutive rows, the same number in every process (the last
        ``n_samples % world_size`` rows are left out)."""
        n = self.n_samples // world_size
        if n == 0:
            raise ValueError(
                f"{self.n_samples} samples cannot be shared among "
                f"{world_size} processes; fit outside the process group, or "
                "on more samples.")
        start, stop = rank * n, (rank + 1) * n
        X = (self.X.view(start, stop) if isinstance(self.X, RowArray)
             else self.X[start:stop])
        return TrainingData(X, self.fill, **{
            name: value[start:stop] for name, value in self.fields.items()})

    def source(self, device, dtype=torch.float32, mask_input=False):
        """The data source that feeds training on ``device`` (a network
        with ``mask_input``: see :func:`network_input`)."""
        cls = RowData if is_row_array(self.X) else TensorData
        return cls(self.X, device, dtype, fields=self.fields, fill=self.fill,
                   mask_input=mask_input)


def _field_tensors(fields, device):
    """Per-sample fields as tensors on ``device``, in their own dtypes."""
    return {name: torch.as_tensor(
        value if isinstance(value, torch.Tensor) else np.asarray(value),
        device=device) for name, value in (fields or {}).items()}


def _with_input(source, X):
    """A :class:`TensorData` of the rows and fields of ``source`` whose
    input is ``X`` (a tensor: the hidden outputs of a frozen layer)."""
    return TensorData(X, source.device, fields=source.fields)


def network_input(x, fill, mask_input=False):
    """``(input, mask)`` of a batch ``x`` for a network: the input is ``x``
    with its NaN replaced by ``fill`` (one value per feature), followed,
    for a network with ``mask_input``, by the mask of its observed entries
    (1 or 0); the mask is None when ``fill`` is None (``x`` is complete)."""
    mask = None if fill is None else ~torch.isnan(x)
    if mask is not None:
        x = torch.where(mask, x, fill)
    if mask_input:
        seen = torch.ones_like(x) if mask is None else mask.to(x.dtype)
        x = torch.cat([x, seen], dim=-1)
    return x, mask


def _fill_tensor(fill, device, dtype):
    return None if fill is None else torch.as_tensor(
        np.asarray(fill), dtype=dtype, device=device)


def _batch(x, source, fields):
    """The :class:`Batch` of input rows ``x`` of ``source`` (its network's
    input, see :func:`network_input`) and the ``fields`` of the same
    rows, the ``mask`` of the observed entries among them when ``x`` may
    have missing values."""
    x, mask = network_input(x, source.fill, source.mask_input)
    if mask is not None:
        fields = {**fields, "mask": mask}
    return Batch({"input": x, **fields})


class TensorData(torch.utils.data.Dataset):
    """Samples held in memory, dense on the device or sparse on the host.

    Dense data moves to the device once; batches are index slices of that
    tensor (no per-sample ``__getitem__`` and collate). Sparse CSR data
    stays on the host and each batch is densified on its way to the device.

    Parameters
    ----------
    X : ndarray or scipy CSR matrix or torch.Tensor
        The samples.
    device : torch.device
    dtype : torch.dtype, default=torch.float32
        Floating point type of the batches.
    fields : dict of array-like, default=None
        Per-sample fields by name, kept on the device in their own dtypes;
        each batch holds the rows of its samples.
    fill : array-like of shape (n_features,) or None, default=None
        Values that replace the missing entries (NaN) of each batch, which
        then carries the ``mask`` of its observed entries.
    mask_input : bool, default=False
        The network's input ends with the mask of the observed entries.
    """

    def __init__(self, X, device, dtype=torch.float32, fields=None,
                 fill=None, mask_input=False):
        self.device = torch.device(device)
        self.fields = _field_tensors(fields, self.device)
        self.fill = _fill_tensor(fill, self.device, dtype)
        self.mask_input = mask_input
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
        """The input rows ``index`` (a slice or a 1-D integer tensor)."""
        if isinstance(index, torch.Tensor):
            if not self.is_sparse:  # index_select: no indexing machinery
                return self.X.index_select(0, index)
            index = index.cpu().numpy()
        elif not self.is_sparse:
            return self.X[index]
        dense = self.X[index].toarray()
        return torch.from_numpy(dense).to(self.device)

    def batch(self, index):
        """The :class:`Batch` of rows ``index``."""
        return _batch(self.take(index), self, {
            name: value[index] for name, value in self.fields.items()})

    def __getitem__(self, i):
        return self.take(slice(i, i + 1))[0]

    def batches(self, batch_size, shuffle):
        """:class:`Batch`\\ es over all samples, in a new random order (from
        the call's generator) when ``shuffle``."""
        n = len(self)
        if not shuffle:
            for start in range(0, n, batch_size):
                yield self.batch(slice(start, start + batch_size))
            return
        order = randperm(n)
        if not self.is_sparse:
            order = order.to(self.device)
        for start in range(0, n, batch_size):
            yield self.batch(order[start:start + batch_size])

    def subset(self, index):
        """A new ``TensorData`` with the rows ``index`` (integer tensor)."""
        out = copy.copy(self)
        out.X = self.X[index] if not self.is_sparse else self.X[index.numpy()]
        out.fields = {name: value[index.to(value.device)]
                      for name, value in self.fields.items()}
        return out

    with_input = _with_input


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
    fields : dict of array-like, default=None
        Per-sample fields by name, kept on the device.
    fill, mask_input
        As :class:`TensorData`.
    rows : ndarray of int or None, default=None
        Sorted row numbers of ``X`` this dataset holds (None: all).
    """

    is_sparse = False

    def __init__(self, X, device, dtype=torch.float32, fields=None,
                 fill=None, mask_input=False, rows=None):
        self.device = torch.device(device)
        self.X = RowArray(X, numpy_dtype(dtype))
        self.fields = _field_tensors(fields, self.device)
        self.fill = _fill_tensor(fill, self.device, dtype)
        self.mask_input = mask_input
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

    def _batch(self, x, positions):
        return _batch(x, self, {
            name: value[positions.to(value.device)]
            for name, value in self.fields.items()})

    def _reads(self, batch_size, shuffle):
        """``(positions, rows)`` of groups of blocks, read ahead."""
        n = len(self)
        block = max(batch_size, rows_per_block(self.X.shape[1],
                                               self.X.dtype.itemsize))
        starts = np.arange(0, n, block)
        if shuffle:
            starts = starts[randperm(len(starts)).numpy()]
        groups = [starts[i:i + _BLOCKS_PER_BUFFER]
                  for i in range(0, len(starts), _BLOCKS_PER_BUFFER)]
        return prefetched(self._read(np.concatenate(
            [np.arange(s, min(s + block, n)) for s in np.sort(group)]))
            for group in groups)

    def batches(self, batch_size, shuffle):
        """:class:`Batch`\\ es over all samples (see the class)."""
        rest_x = rest_p = None
        for positions, rows in self._reads(batch_size, shuffle):
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
                yield self._batch(x_dev[start:stop], p[start:stop])
            rest_x, rest_p = x[full:], p[full:]
        if rest_x is not None and len(rest_x):
            yield self._batch(self._to_device(rest_x.numpy()), rest_p)

    with_input = _with_input

    def subset(self, index):
        """A new ``RowData`` with the rows at positions ``index`` (integer
        tensor), read in sorted order."""
        positions = np.sort(np.asarray(index.cpu()))
        out = copy.copy(self)
        out.rows = positions if self.rows is None else self.rows[positions]
        out.fields = {name: value[torch.as_tensor(positions,
                                                  device=value.device)]
                      for name, value in self.fields.items()}
        return out


class BatchIterator:
    """The batches of a data source, reshuffled at every pass.

    Shuffling draws from the current call's generator
    (:mod:`skae.nn._random`), seeded from the estimator's ``random_state``.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        return self.dataset.batches(self.batch_size, self.shuffle)


class HoldoutSplit:
    """Hold out a random ``fraction`` of the samples for validation.

    Used as skorch's ``train_split`` when ``early_stopping=True``.
    """

    def __init__(self, fraction):
        self.fraction = fraction

    def __call__(self, dataset, y=None, **fit_params):
        train, valid = self.split_rows(len(dataset))
        return dataset.subset(train), dataset.subset(valid)

    def split_rows(self, n, what="samples"):
        """Random ``(train, valid)`` row indices (tensors) of ``n`` rows."""
        n_valid = max(1, int(round(self.fraction * n)))
        if n - n_valid < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.fraction} of the {n} {what}, which leaves "
                f"{n - n_valid} to train on. Lower validation_fraction, or "
                "set early_stopping=False."
            )
        order = randperm(n)
        return order[n_valid:], order[:n_valid]
