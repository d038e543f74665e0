"""skae: classic autoencoders as scikit-learn estimators.

Every autoencoder is a transformer with ``fit``, ``transform`` (the codes),
``inverse_transform`` (decode codes) and ``score`` (negative reconstruction
error), trained by skorch on PyTorch.
"""

import inspect

from sklearn.base import BaseEstimator

from ._adversarial import AdversarialAE
from ._classifier import PretrainedClassifier
from ._conv import ConvAE
from ._custom import CustomAE
from ._errors import ModelFileError
from ._interpolate import interpolate
from ._linear import LinearAE
from ._outlier import AutoencoderOutlierDetector
from ._persistence import load, save
from ._regularized import (
    ContractiveAE,
    DenoisingAE,
    KSparseAE,
    SparseAE,
    WinnerTakeAllAE,
)
from ._stacked import StackedAE
from ._stacking import stack
from ._variational import VariationalAE

__version__ = "0.1.0"

__all__ = [
    "AdversarialAE",
    "AutoencoderOutlierDetector",
    "ContractiveAE",
    "ConvAE",
    "CustomAE",
    "DenoisingAE",
    "KSparseAE",
    "LinearAE",
    "ModelFileError",
    "PretrainedClassifier",
    "SparseAE",
    "StackedAE",
    "VariationalAE",
    "WinnerTakeAllAE",
    "all_estimators",
    "interpolate",
    "load",
    "save",
    "stack",
]


def all_estimators():
    """Every public estimator class of skae, sorted by name.

    The common tests run scikit-learn's checks on each of them, so a new
    variant exported here is checked automatically.

    Returns
    -------
    estimators : list of type

    Examples
    --------
    >>> from skae import all_estimators
    >>> names = [cls.__name__ for cls in all_estimators()]
    >>> {"LinearAE", "StackedAE"} <= set(names) and names == sorted(names)
    True
    """
    found = {
        name: obj for name, obj in globals().items()
        if name in __all__ and inspect.isclass(obj)
        and issubclass(obj, BaseEstimator)
    }
    return [found[name] for name in sorted(found)]
