"""Randomness: everything random in skae derives from ``random_state``."""

import contextlib

import numpy as np
import torch
from sklearn.utils import check_random_state


def torch_seed(random_state):
    """An integer seed for torch drawn from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def seeded_torch(random_state, device=None):
    """Run a block with torch's generators seeded from ``random_state``.

    torch's global random state (CPU, and the CUDA device in use) is saved
    before and restored after, so fitting an estimator neither depends on nor
    changes the random state of the user's own torch code.
    """
    devices = []
    if device is not None and torch.device(device).type == "cuda":
        devices = [torch.device(device).index or 0]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(torch_seed(random_state))
        yield
