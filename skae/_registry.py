"""Every public estimator class of skae, in one place below the package top.

``skae.all_estimators()`` and :func:`skae.load` (which builds only these
classes) read it, so no module has to import the package ``skae`` itself.
"""

from ._adversarial import AdversarialAE
from ._classifier import PretrainedClassifier
from ._conditional import ConditionalAdversarialAE, ConditionalVAE
from ._conv import ConvAE
from ._custom import CustomAE
from ._generative import IWAE, WAEMMD, BetaTCVAE, VampPriorVAE
from ._impute import AutoencoderImputer
from ._linear import LinearAE
from ._outlier import AutoencoderOutlierDetector
from ._regularized import (
    ContractiveAE,
    DenoisingAE,
    KSparseAE,
    SparseAE,
    WinnerTakeAllAE,
)
from ._stacked import StackedAE
from ._variational import VariationalAE
from ._vq import VQVAE

_ESTIMATORS = (
    AdversarialAE, AutoencoderImputer, AutoencoderOutlierDetector, BetaTCVAE,
    ConditionalAdversarialAE, ConditionalVAE, ContractiveAE, ConvAE,
    CustomAE, DenoisingAE, IWAE, KSparseAE, LinearAE, PretrainedClassifier,
    SparseAE, StackedAE, VampPriorVAE, VariationalAE, VQVAE, WAEMMD,
    WinnerTakeAllAE,
)


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
    return sorted(_ESTIMATORS, key=lambda cls: cls.__name__)
