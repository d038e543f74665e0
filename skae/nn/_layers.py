"""Activations, weight initialisation and the tied decoder layer."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._random import current_generator

#: Hidden-layer activations by name (the names ``MLPRegressor`` and the
#: TensorFlow tutorials use). ``"logistic"`` is scikit-learn's name for the
#: sigmoid.
ACTIVATIONS = {
    "identity": nn.Identity,
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "logistic": nn.Sigmoid,
}


def make_activation(name):
    """Return a new activation module for ``name`` (a key of
    ``ACTIVATIONS``)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; use one of {sorted(ACTIVATIONS)}."
        ) from None


#: Initialisation schemes of :func:`init_linear`.
INITS = ("variance_scaling", "pytorch")


def init_linear(layer, activation, init="variance_scaling"):
    """Initialise a linear or convolution layer.

    ``init="variance_scaling"``: He (fan-in, gain 2) for the rectifier
    family, LeCun for SELU and Glorot for the saturating and linear
    activations; biases start at 0. This is the
    ``variance_scaling_initializer`` that Géron's *Hands-On Machine
    Learning* uses for ELU networks.

    ``init="pytorch"``: what ``torch.nn.Linear`` and ``Conv2d`` do by
    themselves, whatever the activation: weights and biases uniform in
    +-1 / sqrt(fan_in) (``kaiming_uniform_`` with ``a=sqrt(5)``), a smaller
    start than He's for ELU layers.

    The draws come from the current call's generator
    (:mod:`skae.nn._random`).
    """
    if init not in INITS:
        raise ValueError(f"Unknown init {init!r}; use one of {INITS}.")
    weight = layer.weight
    generator = current_generator(weight.device)
    with torch.no_grad():
        if init == "pytorch":
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5),
                                     generator=generator)
            if layer.bias is not None:
                fan_in = weight[0].numel()
                bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
                layer.bias.uniform_(-bound, bound, generator=generator)
            return layer
        if activation in ("relu", "elu", "gelu"):
            nn.init.kaiming_normal_(weight, nonlinearity="relu",
                                    generator=generator)
        elif activation == "selu":
            # LeCun normal: std 1 / sqrt(fan_in), convolutions included
            nn.init.kaiming_normal_(weight, nonlinearity="linear",
                                    generator=generator)
        else:
            nn.init.xavier_uniform_(weight, generator=generator)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return layer


def make_layer(cls, *args, activation="identity", init="variance_scaling",
               **kwargs):
    """A new ``cls`` layer (``nn.Linear``, ``nn.Conv2d``, ...) initialised by
    :func:`init_linear` for ``activation`` with the scheme ``init``.

    The layer's own random initialisation is skipped
    (``torch.nn.utils.skip_init``), so building a network draws from the
    current call's generator only, never from torch's global one.
    """
    return init_linear(torch.nn.utils.skip_init(cls, *args, **kwargs),
                       activation, init)


class TiedLinear(nn.Module):
    """Decoder layer whose weight is the transpose of an encoder layer's.

    Only the bias is a parameter of its own, so tying halves the number of
    weights of a symmetric autoencoder.

    Parameters
    ----------
    tied_to : torch.nn.Linear
        The encoder layer whose weight is shared.
    out_features : int or None, default=None
        The outputs: the first ``out_features`` inputs of ``tied_to`` (None:
        all; fewer when the encoder's input ends with a mask).
    """

    def __init__(self, tied_to, out_features=None):
        super().__init__()
        self.tied_to = tied_to
        self.out_features = (tied_to.in_features if out_features is None
                             else out_features)
        self.bias = nn.Parameter(torch.zeros(self.out_features))

    @property
    def weight(self):
        weight = self.tied_to.weight.t()
        if self.out_features == self.tied_to.in_features:
            return weight
        return weight[:self.out_features]

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.tied_to.out_features}, "
            f"out_features={self.out_features}, tied"
        )
