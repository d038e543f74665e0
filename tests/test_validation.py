"""Clear errors for input and parameters that used to fail deep inside
torch or be silently accepted."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from skae import (
    AdversarialAE,
    DenoisingAE,
    LinearAE,
    StackedAE,
    VariationalAE,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(hidden_layer_sizes=(8,), max_iter=2, random_state=0)


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:200]


@pytest.mark.parametrize("params, match", [
    (dict(n_components=True), "'n_components' parameter .* not a bool"),
    (dict(batch_size=True), "'batch_size' parameter .* not a bool"),
    (dict(max_iter=False), "'max_iter' parameter .* not a bool"),
    (dict(callbacks=[1]), r"callbacks\[0\] is 1 \(int\)"),
    (dict(callbacks=[("name", "x")]), r"callbacks\[0\]"),
    (dict(device="meta"), "device='meta' is not a device skae can train on"),
    (dict(device="not-a-device"), "not a device skae can train on"),
])
def test_bad_parameters_get_a_clear_error(X, params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        StackedAE(**{**SMALL, **params}).fit(X)


def test_unavailable_device_says_so(X):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is available")
    for device in ("cuda", "mps"):
        with pytest.raises(ValueError, match="sees no such device"):
            StackedAE(device=device, **SMALL).fit(X)
    # "auto" falls back to the CPU
    est = StackedAE(device="auto", **SMALL).fit(X)
    assert est.net_.device == "cpu"


def test_validation_fraction_that_leaves_nothing_to_train_on(X):
    with pytest.raises(ValueError, match="leaves 0 to train on"):
        StackedAE(early_stopping=True, validation_fraction=0.999,
                  **SMALL).fit(X)


@pytest.mark.parametrize("cls", [StackedAE, DenoisingAE, VariationalAE,
                                 AdversarialAE])
@pytest.mark.parametrize("n_samples", [True, 0, 2.0, -1])
def test_sample_refuses_what_is_not_a_count(cls, X, n_samples):
    est = cls(n_components=2, **SMALL).fit(X)
    with pytest.raises(ValueError, match="n_samples must be a positive"):
        est.sample(n_samples)


def test_linear_ae_refuses_more_components_than_features_as_pca(X):
    with pytest.raises(ValueError):
        PCA(n_components=100).fit(X)
    with pytest.raises(ValueError, match="at most the number of features"):
        LinearAE(n_components=100, max_iter=2).fit(X)
    # overcomplete codes are fine for the non-linear autoencoders
    assert StackedAE(n_components=100, **SMALL).fit(X).transform(
        X).shape == (200, 100)


def test_pandas_nullable_float64_keeps_float64_as_pca(X):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X.astype(np.float64)).astype("Float64")
    assert PCA(2).fit(frame).transform(frame).dtype == np.float64
    est = StackedAE(n_components=2, **SMALL).fit(frame)
    assert est.transform(frame).dtype == np.float64
    assert est.inverse_transform(est.transform(frame)).dtype == np.float64
