import os

import numpy as np
import pytest
from _pytest.doctest import DoctestItem
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@pytest.fixture(scope="session")
def digits():
    """sklearn's 8x8 digits scaled to [0, 1], split 1,397 / 400."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    return train_test_split(X, y, test_size=400, random_state=0, stratify=y)


@pytest.fixture(scope="session")
def mnist():
    """The 5,000 bundled MNIST digits split 4,000 / 1,000, stratified."""
    from skae.datasets import load_mnist

    X, y = load_mnist(return_X_y=True)
    return train_test_split(X, y, test_size=1000, random_state=0, stratify=y)


def pytest_configure(config):
    """Under pytest-xdist (``make test`` runs two workers on a two-core
    machine), one torch thread per worker: two processes of two threads
    each would oversubscribe the cores."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        import torch

        torch.set_num_threads(1)


def pytest_collection_modifyitems(items):
    """The docstring examples fit for a few epochs on purpose: their
    stopping-rule warnings are expected there, and only there."""
    expected = pytest.mark.filterwarnings(
        "ignore::sklearn.exceptions.ConvergenceWarning")
    for item in items:
        if isinstance(item, DoctestItem):
            item.add_marker(expected)
