"""skae: classic autoencoders as scikit-learn estimators.

Every autoencoder is a transformer with ``fit``, ``transform`` (the codes),
``inverse_transform`` (decode codes) and ``score`` (negative reconstruction
error), trained by skorch on PyTorch.
"""

import inspect

from ._adversarial import AdversarialAE
from ._base import BaseAutoencoder
from ._interpolate import interpolate
from ._linear import LinearAE
from ._stacked import StackedAE
from ._variational import VariationalAE

__version__ = "0.1.0.dev0"

__all__ = [
    "AdversarialAE",
    "LinearAE",
    "StackedAE",
    "VariationalAE",
    "all_estimators",
    "interpolate",
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
        and issubclass(obj, BaseAutoencoder)
    }
    return [found[name] for name in sorted(found)]
