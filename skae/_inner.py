"""What estimators that wrap an inner estimator share."""

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_random_state


def seed_unseeded(estimator, random_state):
    """Give each ``random_state`` parameter of ``estimator`` that is None
    (nested ones included) a seed drawn from ``random_state``, in the sorted
    order of the parameters' names, as ``sklearn.ensemble`` seeds the
    estimators it clones. A frozen estimator is left alone (its ``fit``
    does nothing), and so is everything when ``random_state`` is None."""
    if random_state is None or isinstance(estimator, FrozenEstimator):
        return
    rng = check_random_state(random_state)
    seeds = {}
    for name, value in sorted(estimator.get_params(deep=True).items()):
        if name == "random_state" or name.endswith("__random_state"):
            seed = int(rng.randint(np.iinfo(np.int32).max))
            if value is None:
                seeds[name] = seed
    estimator.set_params(**seeds)
