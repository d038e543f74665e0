"""Where tensors live and which processes train together.

:func:`resolve_device` is the only place that decides on a device (and
:func:`resolve_precision` on the arithmetic it runs in);
:func:`process_group` tells whether this process is one of several that
train one model (``torchrun``), and the helpers below keep their models
identical.
"""

import contextlib

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


#: ``precision`` -> the autocast dtype (None: no autocast), and the device
#: types whose autocast takes it.
_PRECISIONS = {
    "float32": (None, None),
    "bfloat16": (torch.bfloat16, {"cpu", "cuda", "xpu"}),
    "float16": (torch.float16, {"cuda"}),
}


def resolve_precision(precision, device):
    """The autocast dtype of ``precision`` on ``device`` (None for
    float32), or a ValueError that says what the device supports."""
    dtype, devices = _PRECISIONS[precision]
    if devices is not None and device.type not in devices:
        supported = sorted(name for name, (_, kinds) in _PRECISIONS.items()
                           if kinds is None or device.type in kinds)
        hint = (" On the CPU, use precision='bfloat16' (fast where it has "
                "AMX or AVX-512 BF16 units) or 'float32'."
                if precision == "float16" and device.type == "cpu" else "")
        raise ValueError(
            f"precision={precision!r} is not supported on "
            f"{device.type.upper()}: torch's autocast to {precision} needs "
            f"{' or '.join(sorted(d.upper() for d in devices))}; choose "
            f"among {supported} there.{hint}")
    return dtype


def autocast(dtype, device):
    """The block in which the network's layers run in ``dtype`` (mixed
    precision: torch's autocast; the weights stay float32), or a block that
    changes nothing when ``dtype`` is None."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)
