"""Randomness: everything random in skae derives from ``random_state``.

Each call that draws (``fit``, ``sample``, ...) seeds its own torch
generators from ``random_state`` (:func:`random_scope`); torch's global
random state is neither read nor changed, so concurrent calls in threads
give the results they give one after the other.
"""

import numpy as np
from sklearn.utils import check_random_state

from .nn._random import generator_scope


def torch_seed(random_state):
    """An integer seed for torch drawn from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def random_scope(random_state):
    """A block whose torch draws in skae come from generators seeded from
    ``random_state`` (an int, a RandomState, or None)."""
    return generator_scope(torch_seed(random_state))
