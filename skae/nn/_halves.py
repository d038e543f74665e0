"""The two halves of a trained network as plain, exportable modules.

:class:`Encoder` and :class:`Decoder` hold copies of one half's layers
only, in an ``nn.Sequential``, with each operation of ``encode`` or
``decode`` as a module of its own (the k-sparse selection, the
winner-take-all thresholds, the reshaping of images). They contain no
Python control flow that depends on the data, so ``torch.jit.script``,
``torch.export.export`` and ``torch.onnx.export`` (with a dynamic batch
axis) all take them.
"""

import copy

import torch
from torch import nn
from torch.nn import functional as F

from ._layers import TiedLinear

#: Modules that :meth:`Encoder.layers` lists (weights applied to the input).
_LAYER_TYPES = (nn.Linear, nn.modules.conv._ConvNd)


def standalone_layer(layer):
    """``layer`` as a module that owns its parameters: a tied decoder layer
    becomes an ``nn.Linear`` holding a copy of the transposed weight."""
    if not isinstance(layer, TiedLinear):
        return layer
    weight = layer.weight
    linear = nn.Linear(weight.shape[1], weight.shape[0],
                       device=weight.device, dtype=weight.dtype)
    with torch.no_grad():
        linear.weight.copy_(weight)
        linear.bias.copy_(layer.bias)
    return linear


def dense_steps(layers, activation, last_activation):
    """Layers with ``activation`` after each but the last, which is followed
    by ``last_activation``."""
    steps = []
    for layer in layers[:-1]:
        steps += [standalone_layer(layer), copy.deepcopy(activation)]
    return steps + [standalone_layer(layers[-1]),
                    copy.deepcopy(last_activation)]


def keep_largest(code: torch.Tensor, k: int, dim: int) -> torch.Tensor:
    """Zero all but the ``k`` largest entries of ``code`` along ``dim``.

    Gradients flow through the kept entries only.
    """
    if k >= code.shape[dim]:
        return code
    index = code.topk(k, dim=dim).indices
    mask = torch.zeros_like(code).scatter_(dim, index, 1.0)
    return code * mask


class KeepLargest(nn.Module):
    """Keeps the ``k`` largest units of each code and zeroes the others."""

    def __init__(self, k):
        super().__init__()
        self.k = int(k)

    def forward(self, code):
        return keep_largest(code, self.k, -1)

    def extra_repr(self):
        return f"k={self.k}"


class ZeroBelow(nn.Module):
    """Sets each unit's activations below its threshold to 0."""

    def __init__(self, thresholds):
        super().__init__()
        self.register_buffer("thresholds", thresholds.detach().clone())

    def forward(self, code):
        return code.masked_fill(code < self.thresholds, 0.0)


class FillMissing(nn.Module):
    """Replaces the missing values (NaN) of a batch by ``values``, one per
    feature (the estimator's ``fill_values_``), and with ``mask`` appends
    the mask of the observed values (1 or 0), as a network built with
    ``mask_input`` takes its input."""

    def __init__(self, values, mask=False):
        super().__init__()
        self.register_buffer("values", torch.as_tensor(values).float())
        self.mask = bool(mask)

    def forward(self, x):
        missing = torch.isnan(x)
        x = torch.where(missing, self.values.to(x.dtype), x)
        if not self.mask:
            return x
        return torch.cat([x, (~missing).to(x.dtype)], dim=-1)


class Resize(nn.Module):
    """Bilinear resizing of a batch of images to ``size`` (h, w)."""

    def __init__(self, size, antialias=False):
        super().__init__()
        self.size = (int(size[0]), int(size[1]))
        self.antialias = bool(antialias)

    def forward(self, x):
        return F.interpolate(x, size=self.size, mode="bilinear",
                             align_corners=False, antialias=self.antialias)

    def extra_repr(self):
        return f"size={self.size}, antialias={self.antialias}"


class _Half(nn.Module):
    """A sequence of steps applied to the input cast to the module's dtype.

    The cast lets a float32 module take float64 (or integer) batches, as the
    estimators' ``transform`` does; ``module.double()`` makes the whole
    computation float64.
    """

    def __init__(self, steps):
        super().__init__()
        self.steps = nn.Sequential(*steps)
        ref = next(self.steps.parameters(), None)
        self.register_buffer(
            "_dtype", torch.zeros(0, dtype=torch.float32 if ref is None
                                  else ref.dtype,
                                  device=None if ref is None else ref.device),
            persistent=False)

    def forward(self, x):
        return self.steps(x.to(self._dtype.dtype))

    def layers(self):
        """The linear and convolution layers, input side first (for example
        to freeze the lowest ones); inside a module of your own
        (:class:`skae.CustomAE`), in the order its layers were defined."""
        return [module for module in self.steps.modules()
                if isinstance(module, _LAYER_TYPES)]


class Encoder(_Half):
    """The encoder of a trained :class:`Autoencoder`, on its own.

    ``forward`` maps a batch of shape (n, n_features) to the codes, as the
    network's ``encode`` in evaluation mode. The module holds copies of the
    encoder's layers only (no decoder parameters). Made by
    :meth:`Autoencoder.encoder_module`.

    Parameters
    ----------
    steps : sequence of torch.nn.Module
        Applied in order.
    """


class Decoder(_Half):
    """The decoder of a trained :class:`Autoencoder`, on its own.

    ``forward`` maps a batch of codes to reconstructions in input space
    (output activation included), as the network's ``decode``. Made by
    :meth:`Autoencoder.decoder_module`.

    Parameters
    ----------
    steps : sequence of torch.nn.Module
        Applied in order.
    """
