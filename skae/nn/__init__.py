"""PyTorch networks behind skae's estimators (no scikit-learn, no numpy).

Every network is an :class:`Autoencoder`: ``encode``, ``decode``,
``forward`` returning a dict, and ``loss_terms`` returning the named terms
that training minimises and records.
"""

from ._base import Autoencoder, Encoder
from ._classifier import EncoderClassifier
from ._conv import ConvAutoencoder
from ._layers import ACTIVATIONS, TiedLinear, init_linear, make_activation
from ._layerwise import ChainedAutoencoder, LayerPair
from ._losses import LOSSES, reconstruction_loss
from ._mlp import MLPAutoencoder
from ._noise import NOISES, Corruption
from ._regularized import (
    ContractiveMLPAutoencoder,
    KSparseMLPAutoencoder,
    SparseMLPAutoencoder,
    WinnerTakeAllMLPAutoencoder,
)

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Autoencoder",
    "ChainedAutoencoder",
    "ContractiveMLPAutoencoder",
    "ConvAutoencoder",
    "Corruption",
    "Encoder",
    "EncoderClassifier",
    "KSparseMLPAutoencoder",
    "LayerPair",
    "MLPAutoencoder",
    "NOISES",
    "SparseMLPAutoencoder",
    "TiedLinear",
    "WinnerTakeAllMLPAutoencoder",
    "init_linear",
    "make_activation",
    "reconstruction_loss",
]
