"""Regularized autoencoders: each one's constraint does what it promises, on
real digits, and the model still reconstructs."""

import ast
import math
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from skae import (
    ContractiveAE,
    DenoisingAE,
    KSparseAE,
    SparseAE,
    StackedAE,
    WinnerTakeAllAE,
)
from skae._docstrings import numpydoc_entries

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

# alpha=0: StackedAE trains as the variants it is compared with (its own
# default is 1e-5)
FAST = dict(max_iter=60, learning_rate=1e-2, alpha=0.0, random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


def _baseline(X_train, X_test):
    """MSE of predicting every test sample by the training mean."""
    return float(np.mean((X_test - X_train.mean(0)) ** 2))


def _psnr(estimate, clean):
    return 10 * np.log10(1.0 / np.mean((estimate - clean) ** 2))


# ---------------------------------------------------------------- denoising
@pytest.fixture(scope="module")
def denoiser(digits):
    X_train = digits[0]
    kw = dict(n_components=16, hidden_layer_sizes=(64,),
              out_activation="sigmoid", **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dae = DenoisingAE(noise="gaussian", noise_level=0.2, **kw).fit(X_train)
    return dae, kw


def test_denoise_beats_stacked_and_pca_at_the_same_code_size(digits, denoiser):
    """Seed 001's set-up: Gaussian noise, sigma 0.2, clipped to [0, 1]."""
    X_train, X_test, _, _ = digits
    noisy = np.clip(X_test + np.random.RandomState(0).normal(
        0, 0.2, X_test.shape), 0, 1).astype(np.float32)
    dae, kw = denoiser
    stacked = StackedAE(**kw).fit(X_train)
    pca = PCA(n_components=16).fit(X_train)
    psnr_dae = _psnr(dae.denoise(noisy), X_test)
    psnr_stacked = _psnr(stacked.inverse_transform(stacked.transform(noisy)),
                         X_test)
    psnr_pca = _psnr(pca.inverse_transform(pca.transform(noisy)), X_test)
    assert psnr_dae > psnr_stacked + 0.5
    assert psnr_dae > psnr_pca + 0.3
    assert psnr_dae > _psnr(noisy, X_test) + 1.5  # it does remove noise


def test_corruption_only_in_training(digits, denoiser):
    X_train, X_test, _, _ = digits
    dae, _ = denoiser
    assert not dae.module_.training
    # clean input at inference: deterministic, and the same as decode(encode)
    assert_array_equal(dae.transform(X_test), dae.transform(X_test))
    assert_array_equal(dae.denoise(X_test),
                       dae.inverse_transform(dae.transform(X_test)))
    assert dae.score(X_test) == pytest.approx(-_mse(dae, X_test), rel=1e-5)
    # training saw corrupted input, fresh at every batch: its recorded loss
    # is well above the clean reconstruction error of the same data (1.47x)
    assert dae.net_.history[-1, "train_reconstruction"] > 1.3 * _mse(
        dae, X_train)
    x = torch.from_numpy(X_test[:50])
    dae.module_.corruption.train()
    try:
        first, second = dae.module_.corruption(x), dae.module_.corruption(x)
    finally:
        dae.module_.corruption.eval()
    assert not torch.equal(first, second)
    assert torch.equal(dae.module_.corruption(x), x)


@pytest.mark.parametrize("noise, level", [("masking", 0.3),
                                          ("salt_pepper", 0.2)])
def test_other_noises_denoise_their_corruption(digits, noise, level):
    X_train, X_test, _, _ = digits
    kw = dict(n_components=16, hidden_layer_sizes=(64,),
              out_activation="sigmoid", **FAST)
    dae = DenoisingAE(noise=noise, noise_level=level, **kw).fit(X_train)
    corrupted = dae.module_.corruption.corrupt(
        torch.from_numpy(X_test)).numpy()
    assert _psnr(dae.denoise(corrupted), X_test) > _psnr(corrupted, X_test) + 3


def test_lbfgs_sees_one_draw_of_the_noise_per_step(digits):
    """L-BFGS evaluates the loss several times per step: a fresh corruption
    at every evaluation made its line search diverge (NaN at epoch 14)."""
    X_train, X_test, _, _ = digits
    scores = [DenoisingAE(n_components=16, max_iter=30, random_state=0,
                          **kw).fit(X_train[:700]).score(X_test)
              for kw in ({"optimizer": "lbfgs"}, {})]
    # measured: held-out MSE 0.0175 with L-BFGS, 0.0162 with Adam (ratio
    # 1.078; 0.930 / 0.956 at seeds 1 / 2); with a fresh draw at every
    # evaluation the line search runs away: 0.87 (1.13 / 1.06), stopped
    # after 18-25 epochs
    assert -scores[0] < 1.2 * -scores[1]


def test_noise_settings_are_checked(digits):
    X_train = digits[0]
    with pytest.raises(ValueError, match="below 1"):
        DenoisingAE(noise="masking", noise_level=1.5).fit(X_train)
    with pytest.raises(ValueError, match=r"salt_pepper.*\[0, 1\]"):
        DenoisingAE(noise="salt_pepper").fit(X_train * 16)


def test_sample_runs_a_markov_chain_towards_the_digits(digits, denoiser):
    X_train, X_test, y_train, _ = digits
    dae, _ = denoiser
    samples = dae.sample(100, random_state=0)
    assert samples.shape == (100, 64) and samples.dtype == np.float32
    assert_array_equal(samples, dae.sample(100, random_state=0))
    assert not np.array_equal(samples, dae.sample(100, random_state=1))
    assert samples.min() >= 0 and samples.max() <= 1
    # the chain's end is close to real digits, its start (noise) is not
    nn = NearestNeighbors(n_neighbors=1).fit(X_train)
    start = dae.sample(100, random_state=0, n_steps=1)
    assert nn.kneighbors(samples)[0].mean() < 1.2 * nn.kneighbors(
        X_test)[0].mean()
    assert nn.kneighbors(samples)[0].mean() < 0.9 * nn.kneighbors(
        start)[0].mean()
    # and the chains do not all collapse on one digit
    labels = KNeighborsClassifier(5).fit(X_train, y_train).predict(samples)
    assert len(np.unique(labels)) >= 5


# ------------------------------------------------------------------- sparse
def test_sparse_kl_reaches_the_target_activation(digits):
    X_train, X_test, _, _ = digits
    ae = SparseAE(n_components=32, hidden_layer_sizes=(64,),
                  sparsity_target=0.1, **FAST).fit(X_train)
    codes = ae.transform(X_test)
    assert abs(codes.mean() - 0.1) < 0.02
    # every unit, not just on average
    assert np.abs(codes.mean(0) - 0.1).max() < 0.05
    assert _mse(ae, X_test) < 0.3 * _baseline(X_train, X_test)
    # both terms are in the history, per epoch, as the seeds print them
    history = ae.net_.history
    assert len(history[:, "train_sparsity"]) == ae.n_iter_
    assert history[-1, "train_sparsity"] < history[0, "train_sparsity"]
    assert history[-1, "train_loss"] == pytest.approx(
        history[-1, "train_reconstruction"]
        + 0.2 * history[-1, "train_sparsity"], rel=1e-5)


@pytest.mark.parametrize("penalty", ["kl", "l1", "mse"])
def test_sparse_overcomplete_codes(digits, penalty):
    """200 coding units for 64 pixels, as the seeds' 1,000 for 784."""
    X_train, X_test, _, _ = digits
    ae = SparseAE(n_components=200, hidden_layer_sizes=(),
                  sparsity_penalty=penalty, sparsity_target=0.1,
                  **FAST).fit(X_train)
    codes = ae.transform(X_test)
    assert codes.shape == (400, 200)
    assert abs(codes.mean() - 0.1) < 0.02
    # 0.63 for "l1" with this seed
    assert _mse(ae, X_test) < 0.7 * _baseline(X_train, X_test)


def test_sparse_kl_needs_a_sigmoid_code(digits):
    with pytest.raises(ValueError, match="code_activation='sigmoid'"):
        SparseAE(code_activation="relu", sparsity_penalty="kl").fit(digits[0])
    # the other penalties accept any code
    SparseAE(n_components=8, hidden_layer_sizes=(), code_activation="relu",
             sparsity_penalty="l1", max_iter=2).fit(digits[0])


# -------------------------------------------------------------- contractive
def _jacobian_norms(est, X):
    """Exact squared Frobenius norms of the encoder's Jacobian, per sample."""
    encoder = est.encoder_module().eval()
    jac = torch.func.vmap(torch.func.jacrev(encoder))(torch.from_numpy(X))
    return jac.square().sum((1, 2)).detach().numpy()


@pytest.mark.parametrize("hidden", [(), (64,)])
def test_contractive_codes_are_less_sensitive(digits, hidden):
    X_train, X_test, _, _ = digits
    kw = dict(n_components=16, hidden_layer_sizes=hidden,
              activation="sigmoid", **FAST)
    stacked = StackedAE(**kw).fit(X_train)
    cae = ContractiveAE(contraction_weight=0.5, **kw).fit(X_train)
    jac_cae = _jacobian_norms(cae, X_test)
    assert jac_cae.mean() < 0.2 * _jacobian_norms(stacked, X_test).mean()
    assert _mse(cae, X_test) < 0.5 * _baseline(X_train, X_test)
    # the network's own penalty is the exact norm (one layer: closed form)
    own = cae.module_.jacobian_norm(torch.from_numpy(X_test)).detach().numpy()
    np.testing.assert_allclose(own, jac_cae, rtol=1e-4, atol=1e-7)
    assert len(cae.net_.history[:, "train_contraction"]) == cae.n_iter_


def test_deep_contraction_estimate_is_unbiased(digits):
    X_train, X_test, _, _ = digits
    cae = ContractiveAE(n_components=16, hidden_layer_sizes=(32,),
                        max_iter=5, random_state=0).fit(X_train)
    module = cae.module_
    x = torch.from_numpy(X_test)
    exact = module.jacobian_norm(x).detach().numpy()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        single = module(x)["contraction"].detach().numpy()  # one projection
        module.n_projections = 200
        many = module(x)["contraction"].detach().numpy()
    module.n_projections = cae.n_projections
    # mean over 400 samples of a one-projection estimate: within a few %
    assert single.mean() == pytest.approx(exact.mean(), rel=0.1)
    np.testing.assert_allclose(many, exact, rtol=0.35)
    assert np.abs(many - exact).mean() < np.abs(single - exact).mean()


# ------------------------------------------------------ k-sparse and WTA
def test_ksparse_codes_have_exactly_k_or_alpha_k_nonzeros(digits):
    X_train, X_test, _, _ = digits
    kw = dict(n_components=64, k=10, hidden_layer_sizes=(), **FAST)
    ae = KSparseAE(**kw).fit(X_train)
    assert_array_equal(np.count_nonzero(ae.transform(X_test), axis=1), 10)
    assert _mse(ae, X_test) < 0.4 * _baseline(X_train, X_test)
    # the paper's test-time rule: keep alpha * k units in transform ...
    wide = KSparseAE(transform_k_factor=2.5, **kw).fit(X_train)
    assert_array_equal(np.count_nonzero(wide.transform(X_test), axis=1), 25)
    # ... after training on k (same seed, same training)
    with torch.no_grad():
        train_codes = wide.module_.train()(torch.from_numpy(X_test))["code"]
    wide.module_.eval()
    assert_array_equal((train_codes != 0).sum(1).numpy(), 10)


def test_ksparse_rejects_more_units_than_the_code(digits):
    with pytest.raises(ValueError, match="n_components=8"):
        KSparseAE(n_components=8, k=10).fit(digits[0])
    with pytest.raises(ValueError, match="transform_k_factor"):
        KSparseAE(n_components=8, k=4, transform_k_factor=3).fit(digits[0])


def test_winner_take_all_units_fire_for_their_share_of_a_batch(digits):
    X_train, X_test, _, _ = digits
    ae = WinnerTakeAllAE(n_components=64, sparsity_rate=0.1,
                         hidden_layer_sizes=(64,), max_iter=60,
                         learning_rate=3e-3, random_state=0).fit(X_train)
    # training: every unit keeps exactly its top 10% of a batch of 200
    batch = torch.from_numpy(X_test[:200])
    with torch.no_grad():
        codes = ae.module_.train()(batch)["code"]
    ae.module_.eval()
    assert_array_equal((codes != 0).sum(0).numpy(), math.ceil(0.1 * 200))
    # transform: per-unit thresholds learned in training keep each unit
    # active for about the same share of the held-out samples
    active = (ae.transform(X_test) != 0).mean(0)
    assert abs(active.mean() - 0.1) < 0.02
    assert np.percentile(active, 90) < 0.2
    assert _mse(ae, X_test) < 0.4 * _baseline(X_train, X_test)
    # the dense codes of the paper are available too
    dense = clone(ae).set_params(sparse_transform=False).fit(X_train)
    assert (dense.transform(X_test) != 0).mean() > 0.9


@pytest.mark.parametrize("cls", [DenoisingAE, SparseAE, ContractiveAE,
                                 KSparseAE, WinnerTakeAllAE])
def test_every_parameter_is_documented_once_with_its_default(cls):
    documented = numpydoc_entries(cls.__doc__, "Parameters")
    params = cls().get_params()
    assert sorted(documented) == sorted(params)
    for name, value in params.items():
        default = documented[name].splitlines()[0].split("default=")[-1]
        assert ast.literal_eval(default) == value, name
    assert "{parent" not in cls.__doc__


def test_k_sparse_auto_k_follows_n_components(digits):
    X = digits[0]
    # "auto" keeps a quarter of the units: the default 8 of 32, and a small
    # code still fits (a fixed k=8 refused n_components=2)
    assert KSparseAE(max_iter=1, hidden_layer_sizes=(16,),
                     random_state=0).fit(X).module_.k == 8
    ae = KSparseAE(n_components=2, max_iter=3, hidden_layer_sizes=(16,),
                   random_state=0).fit(X)
    assert (np.count_nonzero(ae.transform(X[:50]), axis=1) <= 1).all()
