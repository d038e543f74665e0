"""skae: classic autoencoders as scikit-learn estimators.

Every autoencoder is a transformer with ``fit``, ``transform`` (the codes),
``inverse_transform`` (decode codes) and ``score`` (negative reconstruction
error), trained by skorch on PyTorch.
"""

from ._errors import ModelFileError
from ._interpolate import interpolate
from ._persistence import load, save
from ._registry import (
    IWAE,
    VQVAE,
    WAEMMD,
    AdversarialAE,
    AutoencoderImputer,
    AutoencoderOutlierDetector,
    BetaTCVAE,
    ConditionalAdversarialAE,
    ConditionalVAE,
    ContractiveAE,
    ConvAE,
    CustomAE,
    DenoisingAE,
    KSparseAE,
    LinearAE,
    PretrainedClassifier,
    SparseAE,
    StackedAE,
    VampPriorVAE,
    VariationalAE,
    WinnerTakeAllAE,
    all_estimators,
)
from ._stacked import stack
from ._version import __version__

__all__ = [
    "AdversarialAE",
    "AutoencoderImputer",
    "AutoencoderOutlierDetector",
    "BetaTCVAE",
    "ConditionalAdversarialAE",
    "ConditionalVAE",
    "ContractiveAE",
    "ConvAE",
    "CustomAE",
    "DenoisingAE",
    "IWAE",
    "KSparseAE",
    "LinearAE",
    "ModelFileError",
    "PretrainedClassifier",
    "SparseAE",
    "StackedAE",
    "VampPriorVAE",
    "VariationalAE",
    "VQVAE",
    "WAEMMD",
    "WinnerTakeAllAE",
    "__version__",
    "all_estimators",
    "interpolate",
    "load",
    "save",
    "stack",
]
