"""PyTorch networks behind skae's estimators (no scikit-learn, no numpy).

Every network is an :class:`Autoencoder`: ``encode``, ``decode``,
``forward`` returning a dict, and ``loss_terms`` returning the named terms
that training minimises and records. Training calls a network through its
objective (:class:`TrainingObjective`): one module whose ``forward`` takes
a batch's named fields and returns those terms.
"""

from ._adversarial import PRIORS, AdversarialMLP
from ._base import Autoencoder
from ._classifier import EncoderClassifier
from ._conditional import (
    ConditionalAdversarialMLP,
    ConditionalVariationalMLP,
)
from ._conv import ConvAutoencoder
from ._custom import ModuleAutoencoder
from ._generative import IWAEMLP, WAEMLP, BetaTCMLP, VampPriorMLP
from ._halves import (
    Decoder,
    Encoder,
    FillMissing,
    KeepLargest,
    Resize,
    ZeroBelow,
)
from ._layers import (
    ACTIVATIONS,
    INITS,
    TiedLinear,
    init_linear,
    make_activation,
    make_layer,
)
from ._layerwise import ChainedAutoencoder, LayerPair
from ._losses import LOSSES, reconstruction_loss, weighted_mean
from ._mlp import MLPAutoencoder
from ._noise import NOISES, Corruption
from ._objective import ClassifierObjective, TrainingObjective
from ._regularized import (
    ContractiveMLPAutoencoder,
    KSparseMLPAutoencoder,
    SparseMLPAutoencoder,
    WinnerTakeAllMLPAutoencoder,
)
from ._table import TableActivation, TableLayout
from ._variational import LIKELIHOODS, VariationalMLP
from ._vq import VQMLP, Quantize

__all__ = [
    "TableActivation",
    "TableLayout",
    "ACTIVATIONS",
    "AdversarialMLP",
    "BetaTCMLP",
    "LIKELIHOODS",
    "LOSSES",
    "Autoencoder",
    "ChainedAutoencoder",
    "ClassifierObjective",
    "ConditionalAdversarialMLP",
    "ConditionalVariationalMLP",
    "ContractiveMLPAutoencoder",
    "ConvAutoencoder",
    "Corruption",
    "Decoder",
    "Encoder",
    "FillMissing",
    "EncoderClassifier",
    "IWAEMLP",
    "KSparseMLPAutoencoder",
    "LayerPair",
    "MLPAutoencoder",
    "ModuleAutoencoder",
    "NOISES",
    "PRIORS",
    "SparseMLPAutoencoder",
    "TiedLinear",
    "TrainingObjective",
    "VampPriorMLP",
    "VQMLP",
    "Quantize",
    "WAEMLP",
    "VariationalMLP",
    "WinnerTakeAllMLPAutoencoder",
    "INITS",
    "KeepLargest",
    "Resize",
    "ZeroBelow",
    "init_linear",
    "make_activation",
    "make_layer",
    "reconstruction_loss",
    "weighted_mean",
]
