"""scikit-learn's own estimator checks on every skae estimator."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import skae

#: Small, fast settings for the checks: tiny layers and few epochs. The
#: checks' data are small (tens of samples, a handful of features).
FAST = dict(max_iter=5, batch_size=16, random_state=0)
FAST_BY_CLASS = {
    "StackedAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "LinearAE": dict(n_components=3),
    "VariationalAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "AdversarialAE": dict(n_components=3, hidden_layer_sizes=(8,),
                          discriminator_layer_sizes=(8,)),
}

#: Checks a class is expected to fail, with the reason next to each.
EXPECTED_FAILED_CHECKS = {}


def _instances():
    for cls in skae.all_estimators():
        yield cls(**FAST, **FAST_BY_CLASS.get(cls.__name__, {}))


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@parametrize_with_checks(
    list(_instances()),
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(
        type(est).__name__, {}),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_all_estimators_are_exported():
    names = [cls.__name__ for cls in skae.all_estimators()]
    assert names == sorted(names)
    assert set(names) <= set(skae.__all__)
    assert {"LinearAE", "StackedAE"} <= set(names)
