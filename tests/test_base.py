"""Behaviour every autoencoder shares (exercised through StackedAE)."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback

from skae import LinearAE, StackedAE

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(32,), max_iter=20, learning_rate=1e-2,
            early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, _, _, _ = digits
    return StackedAE(n_components=8, **FAST).fit(X_train)


def _state(est):
    """What a failed fit must not change: params, fitted attributes, codes."""
    return {k: v for k, v in vars(est).items()}


def test_pipeline_and_grid_search(digits):
    X_train, X_test, y_train, y_test = digits
    pipe = Pipeline([("ae", StackedAE(**FAST)),
                     ("clf", LogisticRegression(max_iter=500))])
    search = GridSearchCV(pipe, {"ae__n_components": [2, 16]}, cv=2)
    search.fit(X_train, y_train)
    assert search.best_params_ == {"ae__n_components": 16}
    assert search.score(X_test, y_test) > 0.85


def test_unsupervised_grid_search_prefers_the_larger_code(digits):
    X_train, X_test, _, _ = digits
    search = GridSearchCV(StackedAE(**FAST), {"n_components": [2, 16]}, cv=2)
    search.fit(X_train)
    assert search.best_params_ == {"n_components": 16}
    # score is the negative mean reconstruction error
    best = search.best_estimator_
    mse = np.mean((best.inverse_transform(best.transform(X_test)) - X_test) ** 2)
    assert best.score(X_test) == pytest.approx(-mse, rel=1e-5)


def test_same_seed_same_codes_and_global_rng_untouched(digits):
    X_train, X_test, _, _ = digits
    torch.manual_seed(123)
    before = torch.get_rng_state()
    np_before = np.random.get_state()[1].copy()
    a = StackedAE(n_components=4, **FAST).fit(X_train).transform(X_test)
    b = StackedAE(n_components=4, **FAST).fit(X_train).transform(X_test)
    assert_array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), before)
    assert_array_equal(np.random.get_state()[1], np_before)
    c = StackedAE(n_components=4, **{**FAST, "random_state": 1}).fit(
        X_train).transform(X_test)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_dtype_follows_input(fitted, digits, dtype):
    X = digits[1].astype(dtype)
    codes = fitted.transform(X)
    assert codes.dtype == dtype
    assert fitted.inverse_transform(codes).dtype == dtype
    assert_allclose(codes, fitted.transform(X.astype(np.float32)), rtol=1e-4,
                    atol=1e-5)


def test_sparse_input_matches_dense(fitted, digits):
    X = digits[1]
    assert_allclose(fitted.transform(sp.csr_matrix(X)), fitted.transform(X))
    a = StackedAE(n_components=4, **FAST).fit(sp.csr_matrix(digits[0]))
    b = StackedAE(n_components=4, **FAST).fit(digits[0])
    assert_allclose(a.transform(X), b.transform(X), rtol=1e-5, atol=1e-6)


def test_set_output_pandas(fitted, digits):
    pd = pytest.importorskip("pandas")
    est = clone(fitted).set_output(transform="pandas").fit(digits[0])
    out = est.transform(digits[1])
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"stackedae{i}" for i in range(8)]


def test_score_samples_flags_anomalies(fitted, digits):
    X = digits[1]
    noise = np.random.RandomState(0).rand(50, X.shape[1]).astype(np.float32)
    assert fitted.score_samples(X).min() > np.median(fitted.score_samples(noise))
    assert fitted.score(X) == pytest.approx(fitted.score_samples(X).mean())


def test_pickle_round_trip(fitted, digits):
    clone_ = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(clone_.transform(digits[1]), fitted.transform(digits[1]))
    # one network, not two copies that could drift apart
    assert clone_.module_ is clone_.net_.module_
    assert "module_" not in vars(clone_)


@pytest.mark.parametrize("bad, match", [
    (np.array([[np.nan] * 64] * 3), "NaN"),
    (np.array([[np.inf] * 64] * 3), "infinity"),
    (np.empty((0, 64)), "0 sample"),
    (np.ones(64), "2D array"),
    (np.ones((3, 64)) + 1j, "[Cc]omplex"),
    (np.array([["a"] * 64] * 3, dtype=object), "could not convert|string"),
])
def test_bad_input_raises_and_leaves_estimator_untouched(fitted, digits, bad,
                                                        match):
    est = pickle.loads(pickle.dumps(fitted))
    codes = est.transform(digits[1])
    before = _state(est)
    with pytest.raises(ValueError, match=match):
        est.fit(bad)
    assert _state(est).keys() == before.keys()
    assert all(est.__dict__[k] is before[k] for k in before)
    assert_array_equal(est.transform(digits[1]), codes)


def test_wrong_width_and_not_fitted(fitted, digits):
    X = digits[1]
    with pytest.raises(ValueError, match="64 features"):
        fitted.transform(X[:, :10])
    with pytest.raises(ValueError, match="n_components=8"):
        fitted.inverse_transform(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        StackedAE().transform(X)
    with pytest.raises(NotFittedError):
        StackedAE().inverse_transform(np.zeros((2, 32)))


def test_diverging_loss_raises_and_leaves_estimator_untouched(fitted, digits):
    est = pickle.loads(pickle.dumps(fitted))
    before = _state(est)
    est.set_params(learning_rate=1e12, optimizer="sgd")
    with pytest.raises(FloatingPointError, match="learning_rate"):
        est.fit(digits[0] * 1e6)
    changed = {"learning_rate", "optimizer"}
    assert all(est.__dict__[k] is before[k] for k in before if k not in changed)
    assert est.n_iter_ == fitted.n_iter_


def test_bce_needs_unit_interval_and_sigmoid(digits):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        StackedAE(loss="bce", out_activation="sigmoid").fit(digits[0] * 16)
    with pytest.raises(ValueError, match="out_activation='sigmoid'"):
        StackedAE(loss="bce").fit(digits[0])


def test_stops_by_itself_when_the_loss_stops_improving(digits):
    est = StackedAE(n_components=8, hidden_layer_sizes=(32,), tol=1e-2,
                    early_stopping=False, random_state=0).fit(digits[0])
    assert 10 < est.n_iter_ < est.max_iter
    assert est.best_loss_ == pytest.approx(min(est.loss_curve_))
    assert est.validation_scores_ is None


def test_early_stopping_keeps_the_best_epoch(digits):
    est = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=300,
                    early_stopping=True, n_iter_no_change=5, tol=1e-2,
                    random_state=0).fit(digits[0])
    assert est.n_iter_ < est.max_iter
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    history = est.net_.history
    assert history[-1, "valid_loss"] >= -est.best_validation_score_


def test_warm_start_continues_training(digits):
    est = StackedAE(n_components=8, warm_start=True, **FAST).fit(digits[0])
    first = list(est.loss_curve_)
    est.fit(digits[0])
    assert est.n_iter_ == 2 * FAST["max_iter"]
    assert est.loss_curve_[:len(first)] == first
    assert est.loss_curve_[-1] < first[-1]
    with pytest.raises(ValueError, match="warm_start"):
        est.fit(digits[0][:, :10])
    with pytest.raises(ValueError, match="different architecture"):
        est.set_params(n_components=4).fit(digits[0])
    assert est.n_iter_ == 2 * FAST["max_iter"]  # left as it was


def test_warm_start_applies_changed_non_architecture_parameters(digits):
    from skae import DenoisingAE

    est = DenoisingAE(n_components=8, noise_level=0.1, warm_start=True,
                      **FAST).fit(digits[0])
    weights = est.module_.encoder[0].weight.detach().clone()
    est.set_params(noise_level=0.3, max_iter=1, learning_rate=1e-12).fit(
        digits[0])
    assert est.module_.corruption.noise_level == 0.3
    # the weights carried over (a step of 1e-12 barely moves them)
    assert torch.allclose(est.module_.encoder[0].weight, weights, atol=1e-6)


def test_verbose_prints_one_line_per_epoch(digits, capsys):
    StackedAE(n_components=4, hidden_layer_sizes=(16,), max_iter=3,
              verbose=1, random_state=0).fit(digits[0])
    out = capsys.readouterr().out
    assert "train_reconstruction" in out
    assert len([line for line in out.splitlines()
                if line.strip()[:1].isdigit()]) == 3


def test_user_callbacks_run(digits):
    class CountEpochs(Callback):
        def initialize(self):
            self.epochs_ = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs_ += 1

    cb = CountEpochs()
    est = StackedAE(n_components=4, callbacks=[cb], **FAST).fit(digits[0])
    # the user's own object ran, as in skorch (tests/test_callbacks.py)
    assert dict(est.net_.callbacks_)["CountEpochs"] is cb
    assert cb.epochs_ == FAST["max_iter"]


def test_device_and_optimizer_choices(digits):
    X = digits[0][:200]
    est = StackedAE(n_components=4, device="auto", optimizer=torch.optim.SGD,
                    **FAST).fit(X)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert next(est.module_.parameters()).device.type == expected
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="sees no such device"):
            StackedAE(device="cuda").fit(X)
    with pytest.raises(TypeError, match="Optimizer"):
        StackedAE(optimizer=dict).fit(X)


def test_adam_and_sgd_take_fused_steps(fitted, digits):
    # one kernel per parameter group for the update instead of about ten
    # per parameter: most of the optimizer's time in a small network's step
    assert fitted.net_.optimizer_.defaults["fused"] is True
    X = digits[0][:100]
    for name, fused in [("sgd", True), ("adamw", True), ("rmsprop", False)]:
        est = StackedAE(n_components=4, optimizer=name,
                        **{**FAST, "max_iter": 2}).fit(X)
        assert bool(est.net_.optimizer_.defaults.get("fused")) is fused
    # float64 parameters keep torch's default step
    est = StackedAE(n_components=4, **{**FAST, "max_iter": 2}).fit(
        X.astype(np.float64))
    if next(est.module_.parameters()).dtype == torch.float64:
        assert not est.net_.optimizer_.defaults.get("fused")


def test_loss_terms_are_recorded_per_epoch(fitted):
    history = fitted.net_.history
    assert len(history) == fitted.n_iter_
    assert_allclose(history[:, "train_reconstruction"], fitted.loss_curve_)


def test_linear_ae_finds_the_plane_of_the_curved_plane_data():
    from skae.datasets import make_curved_plane

    X, _ = make_curved_plane(200, random_state=42)
    pca = PCA(2).fit(X)
    ae = LinearAE(n_components=2, learning_rate=0.01, random_state=0).fit(X)
    assert ae.n_iter_ < ae.max_iter  # converged by itself
    err = np.mean((ae.inverse_transform(ae.transform(X)) - X) ** 2)
    err_pca = np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2)
    assert err < 1.05 * err_pca


def test_sample_decodes_draws_from_the_code_density(fitted, digits):
    X_train = digits[0]
    samples = fitted.sample(200, random_state=0)
    assert samples.shape == (200, 64) and samples.dtype == np.float32
    assert_array_equal(samples, fitted.sample(200, random_state=0))
    assert not np.allclose(samples, fitted.sample(200, random_state=1))
    # samples look like the data: close to the training range and mean image
    assert samples.min() > -1.0 and samples.max() < 2.0
    assert np.mean((samples.mean(0) - X_train.mean(0)) ** 2) < 0.01
    assert fitted.sampler_.n_components == fitted.sampler_components
    with pytest.raises(ValueError, match="n_samples"):
        fitted.sample(0)


def test_encoder_module_is_an_independent_copy(fitted, digits):
    encoder = fitted.encoder_module()
    X = digits[1][:5]
    with torch.no_grad():
        codes = encoder(torch.from_numpy(X)).numpy()
    assert_allclose(codes, fitted.transform(X), rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        for p in encoder.parameters():
            p.zero_()
    assert not np.allclose(fitted.transform(X), 0)
