"""fit(X, sample_weight=...): each sample's loss counts by its weight."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import ConvAE, CustomAE, StackedAE, VariationalAE

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(max_iter=15, early_stopping=False, random_state=0)
FAMILIES = {
    "stacked": lambda: StackedAE(8, hidden_layer_sizes=(32,), **SMALL),
    "greedy": lambda: StackedAE(8, hidden_layer_sizes=(32,),
                                pretraining="greedy", pretraining_max_iter=5,
                                **SMALL),
    "variational": lambda: VariationalAE(4, hidden_layer_sizes=(32,),
                                         **SMALL),
    "conv": lambda: ConvAE(8, image_shape=(1, 8, 8), filters=(8,), **SMALL),
    "custom": lambda: CustomAE(n_components=8, **SMALL),
}


def _loss(est, X):
    return -est.score(X)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_zero_weight_samples_are_not_learned(digits, family):
    X, X_test, y, y_test = digits
    low = (y < 5).astype(np.float32)  # only the digits 0-4 count
    weighted = FAMILIES[family]().fit(X, sample_weight=low)
    plain = FAMILIES[family]().fit(X)
    seen, unseen = X_test[y_test < 5], X_test[y_test >= 5]
    # the weighted model reconstructs the digits it was weighted on better
    # than a model of all the digits does, and the others worse
    # (differences: a Gaussian likelihood's loss can be negative)
    assert _loss(weighted, unseen) - _loss(weighted, seen) > \
        _loss(plain, unseen) - _loss(plain, seen)
    assert _loss(weighted, seen) < _loss(plain, seen)
    assert _loss(weighted, unseen) > _loss(plain, unseen)


def test_a_constant_weight_changes_nothing(digits):
    X, X_test = digits[0], digits[1]
    plain = StackedAE(8, hidden_layer_sizes=(32,), **SMALL).fit(X)
    for constant in (1.0, 3.0):
        weighted = StackedAE(8, hidden_layer_sizes=(32,), **SMALL).fit(
            X, sample_weight=np.full(len(X), constant))
        assert_allclose(weighted.transform(X_test), plain.transform(X_test),
                        rtol=1e-3, atol=1e-3)
        assert weighted.loss_curve_[-1] == pytest.approx(
            plain.loss_curve_[-1], rel=1e-3)


def test_weights_reach_the_autoencoder_through_a_pipeline(digits):
    X, y = digits[0], digits[2]
    w = (y < 5).astype(float)
    scaled = MinMaxScaler().fit_transform(X)
    ae = StackedAE(8, hidden_layer_sizes=(32,), **SMALL)
    direct = ae.fit(scaled, sample_weight=w).transform(scaled[:20])
    # the classic way: step__param
    pipe = Pipeline([("scale", MinMaxScaler()), ("ae", StackedAE(
        8, hidden_layer_sizes=(32,), **SMALL))])
    pipe.fit(X, ae__sample_weight=w)
    assert_allclose(pipe.transform(X[:20]), direct, rtol=1e-4, atol=1e-5)
    # metadata routing
    with sklearn.config_context(enable_metadata_routing=True):
        routed = Pipeline([("scale", MinMaxScaler()), ("ae", StackedAE(
            8, hidden_layer_sizes=(32,), **SMALL).set_fit_request(
                sample_weight=True))])
        routed.fit(X, sample_weight=w)
        assert_allclose(routed.transform(X[:20]), direct, rtol=1e-4,
                        atol=1e-5)


def test_partial_fit_score_and_memmap_take_weights(digits, tmp_path):
    X, X_test, y, _ = digits
    w = np.where(y < 5, 2.0, 0.5)
    ae = StackedAE(8, hidden_layer_sizes=(32,), random_state=0)
    for rows in np.array_split(np.arange(len(X)), 3):
        ae.partial_fit(X[rows], sample_weight=w[rows])
    assert ae.n_iter_ == 3
    scores = ae.score_samples(X_test)
    weights = np.linspace(0, 1, len(X_test))
    assert ae.score(X_test, sample_weight=weights) == pytest.approx(
        np.average(scores, weights=weights), rel=1e-6)
    on_disk = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+",
                                        dtype=np.float32, shape=X.shape)
    on_disk[:] = X
    on_disk.flush()
    from_disk = StackedAE(8, hidden_layer_sizes=(32,), **SMALL).fit(
        on_disk, sample_weight=w)
    in_memory = StackedAE(8, hidden_layer_sizes=(32,), **SMALL).fit(
        X, sample_weight=w)
    assert _loss(from_disk, X_test) < 1.1 * _loss(in_memory, X_test)


@pytest.mark.parametrize("weight, match", [
    (-1.0, "non-negative"),
    (0.0, "non-zero|0 for every sample"),
    (np.nan, "NaN|finite"),
    ("short", "sample_weight"),
])
def test_bad_weights_are_refused_and_nothing_is_fitted(digits, weight,
                                                       match):
    X = digits[0][:50]
    w = (np.arange(3.0) if isinstance(weight, str)
         else np.r_[np.ones(len(X) - 1), weight])
    if weight == 0.0:
        w = np.zeros(len(X))
    ae = StackedAE(2, hidden_layer_sizes=(), max_iter=1)
    with pytest.raises(ValueError, match=match):
        ae.fit(X, sample_weight=w)
    assert not hasattr(ae, "module_")
