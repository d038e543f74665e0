"""Inference: a network applied to samples batch by batch, without
gradients."""

import copy

import numpy as np
import torch

from ._data import network_input
from ._device import autocast
from ._rows import iter_rows, numpy_dtype


def _to_tensor(rows, device, dtype, np_dtype):
    """A batch of rows (ndarray or tensor) as a tensor on ``device``."""
    if isinstance(rows, torch.Tensor):
        return rows.to(device, dtype)
    rows = np.ascontiguousarray(rows, dtype=np_dtype)
    if not rows.flags.writeable:  # torch wants writable memory
        rows = rows.copy()
    return torch.from_numpy(rows).to(device)


def map_batches(module, X, device, method=None, batch_size=1024,
                out="numpy", fill=None, pass_mask=False, mask_input=None,
                precision=None, **kwargs):
    """Apply ``module`` (or ``module.<method>``) to ``X`` batch by batch.

    The module runs in evaluation mode without gradients. Float64 input is
    evaluated by a float64 copy of the module, so that float64 results do not
    depend on how the samples are batched (float32 GEMM results can differ
    in the last bits between batch sizes). ``X`` is read batch by batch and
    never copied whole (an array on disk is read ahead in a background
    thread); the numpy output is allocated once and filled batch by batch.

    Parameters
    ----------
    module : torch.nn.Module
    X : ndarray, scipy CSR matrix, torch.Tensor or RowArray
    device : torch.device
        Where ``module`` lives.
    method : str or None, default=None
        Name of the module's method to apply; None calls the module.
    batch_size : int, default=1024
    out : {"numpy", "tensor"}, default="numpy"
        Return a host ndarray, or a tensor on ``device``.
    fill : array-like of shape (n_features,) or None, default=None
        Values that replace the missing entries (NaN) of ``X`` (None: ``X``
        is complete); a module with ``mask_input`` also gets the mask of
        the observed entries after them (:func:`network_input`).
    pass_mask : bool, default=False
        With ``fill``, pass the method the ``mask`` of each batch's
        observed entries.
    mask_input : bool or None, default=None
        Whether the method takes the network's input with the mask of the
        observed entries after it (None: the module's ``mask_input``; False
        for a method that takes codes, such as ``decode``).
    precision : torch.dtype or None, default=None
        The autocast dtype of the layers (None: none); floating outputs
        are returned in the module's dtype all the same.
    **kwargs
        Passed to the method with every batch (tensors among them are the
        method's to move to the batch's device and dtype).

    Returns
    -------
    out : ndarray or torch.Tensor
        The outputs of all samples, in order.
    """
    if mask_input is None:
        mask_input = getattr(module, "mask_input", False)
    if X.dtype in (np.float64, torch.float64):
        module = copy.deepcopy(module).double()
    module.eval()
    fn = module if method is None else getattr(module, method)
    dtype = next(module.parameters()).dtype
    np_dtype = numpy_dtype(dtype)
    if fill is not None:
        fill = torch.as_tensor(np.asarray(fill), dtype=dtype, device=device)
    result, parts = None, []
    with torch.no_grad(), autocast(precision, device):
        for start, rows in iter_rows(X, batch_size):
            xb, mask = network_input(
                _to_tensor(rows, device, dtype, np_dtype), fill, mask_input)
            if pass_mask and mask is not None:
                kwargs["mask"] = mask
            yb = fn(xb, **kwargs)
            if yb.is_floating_point():
                yb = yb.to(dtype)
            if out == "tensor":
                parts.append(yb)
                continue
            yb = yb.cpu().numpy()
            if result is None:
                result = np.empty((X.shape[0], *yb.shape[1:]), yb.dtype)
            result[start:start + len(yb)] = yb
        if result is None and not parts:  # no rows: the output's width
            empty, _ = network_input(
                torch.zeros((0, X.shape[1]), dtype=dtype, device=device),
                None, mask_input)
            parts.append(fn(empty, **kwargs))
            if parts[0].is_floating_point():
                parts[0] = parts[0].to(dtype)
            result = parts[0].cpu().numpy()
    if out == "tensor":
        return torch.cat(parts)
    return result
