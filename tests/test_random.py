"""Randomness: every draw comes from generators owned by the call, so
results depend on random_state only, also when calls run in threads."""

import threading

import pytest
import torch
from joblib import parallel_backend
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV

from skae import AdversarialAE, DenoisingAE, StackedAE, VariationalAE

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(n_components=4, hidden_layer_sizes=(16,), max_iter=3,
             random_state=0)


def _in_threads(fn, n):
    results = [None] * n

    def run(i):
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("cls", [StackedAE, DenoisingAE, VariationalAE,
                                 AdversarialAE])
def test_sample_in_threads_gives_the_serial_result(cls, digits):
    X = digits[0][:400]
    est = cls(**SMALL).fit(X)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    serial = est.sample(50, random_state=0)
    for result in _in_threads(lambda: est.sample(50, random_state=0), 4):
        assert_array_equal(result, serial)
    assert torch.equal(torch.get_rng_state(), before)


def test_fit_in_threads_gives_the_serial_result(digits):
    X, X_test = digits[0][:400], digits[1]

    def fit():
        return DenoisingAE(**SMALL).fit(X).transform(X_test)

    serial = fit()
    for result in _in_threads(fit, 3):
        assert_array_equal(result, serial)


def test_threaded_grid_search_matches_the_serial_one(digits):
    X = digits[0][:300]
    grid = {"n_components": [2, 6]}

    def search(n_jobs):
        est = StackedAE(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
        return GridSearchCV(est, grid, cv=2, n_jobs=n_jobs).fit(X)

    serial = search(1)
    with parallel_backend("threading"):
        threaded = search(2)
    assert_array_equal(threaded.cv_results_["mean_test_score"],
                       serial.cv_results_["mean_test_score"])


def test_fit_and_sample_leave_torch_global_random_state_alone(digits):
    X = digits[0][:300]
    torch.manual_seed(7)
    expected = torch.rand(3)  # what the user's own code draws next
    torch.manual_seed(7)
    est = DenoisingAE(**SMALL).fit(X)
    est.sample(5, random_state=1)
    VariationalAE(**SMALL).fit(X).sample(5)
    assert torch.equal(torch.rand(3), expected)
