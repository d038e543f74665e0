"""Where tensors live and which processes train together.

:func:`resolve_device` is the only place that decides on a device;
:func:`process_group` tells whether this process is one of several that
train one model (``torchrun``), and the helpers below keep their models
identical.
"""

import torch

#: Device types skae trains on, and how torch tells whether one is there.
_DEVICE_TYPES = {
    "cpu": lambda: True,
    "cuda": lambda: torch.cuda.is_available(),
    "mps": lambda: (hasattr(torch.backends, "mps")
                    and torch.backends.mps.is_available()),
    "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available(),
}

_UNKNOWN_DEVICE = ("device={!r} is not a device skae can train on; use "
                   "'cpu', 'cuda' (or 'cuda:N'), 'mps', 'xpu' or 'auto'.")


def _accelerator():
    """torch's current accelerator (CUDA, MPS, XPU, ...), or None."""
    accelerator = getattr(torch, "accelerator", None)
    if accelerator is not None:
        if accelerator.is_available():
            return accelerator.current_accelerator()
        return None
    for kind in ("cuda", "mps", "xpu"):  # torch < 2.6
        if _DEVICE_TYPES[kind]():
            return torch.device(kind)
    return None


def resolve_device(device):
    """Turn ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"auto"`` ...
    into a ``torch.device``, or explain why it cannot be used.

    ``"auto"`` picks torch's accelerator (CUDA, MPS or XPU) when there is one
    and the CPU otherwise.
    """
    if isinstance(device, torch.device):
        resolved = device
    elif device == "auto":
        resolved = _accelerator() or torch.device("cpu")
    else:
        try:
            resolved = torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(_UNKNOWN_DEVICE.format(device)) from None
    if resolved.type not in _DEVICE_TYPES:
        raise ValueError(_UNKNOWN_DEVICE.format(device))
    if not _DEVICE_TYPES[resolved.type]():
        raise ValueError(
            f"device={device!r} asks for {resolved.type.upper()}, but torch "
            f"{torch.__version__} sees no such device here. Use "
            "device='cpu', or device='auto' to take an accelerator when "
            "there is one."
        )
    return resolved


def process_group():
    """``(rank, world_size)`` of torch.distributed's default process group
    when one of several processes is initialised (``torchrun``), else None.
    """
    dist = torch.distributed
    if not (dist.is_available() and dist.is_initialized()):
        return None
    size = dist.get_world_size()
    return (dist.get_rank(), size) if size > 1 else None


def broadcast_module(module):
    """Give every process rank 0's parameters and buffers."""
    for tensor in module.state_dict().values():
        torch.distributed.broadcast(tensor, src=0)


def all_reduce_mean(tensors):
    """Average ``tensors`` in place across the processes, in one call."""
    flat = torch.cat([t.reshape(-1) for t in tensors])
    torch.distributed.all_reduce(flat)
    flat /= torch.distributed.get_world_size()
    offset = 0
    for t in tensors:
        t.copy_(flat[offset:offset + t.numel()].view_as(t))
        offset += t.numel()
