"""The generative variants of the variational autoencoder (issue 26): each
does what its paper says it does, on the digits, in tiny fits."""

import inspect
import io

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_is_fitted

import skae
from skae import (
    IWAE,
    VQVAE,
    WAEMMD,
    BetaTCVAE,
    ConditionalAdversarialAE,
    ConditionalVAE,
    StackedAE,
    VampPriorVAE,
    VariationalAE,
)
from skae.nn import VQMLP, WAEMLP, BetaTCMLP

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

#: Short fits on the digits: Bernoulli pixels, one hidden layer.
SMALL = dict(n_components=8, hidden_layer_sizes=(64,), likelihood="bernoulli",
             max_iter=20, batch_size=64, early_stopping=False,
             random_state=0)

VARIANTS = [IWAE, VampPriorVAE, BetaTCVAE, WAEMMD, VQVAE, ConditionalVAE,
            ConditionalAdversarialAE]


@pytest.fixture(scope="module")
def fitted(digits):
    """The VAE, an IWAE (k=5) and a VampPrior VAE fitted alike."""
    X = digits[0]
    return {
        "vae": VariationalAE(**SMALL).fit(X),
        "iwae": IWAE(n_importance_samples=5, **SMALL).fit(X),
        "vamp": VampPriorVAE(n_pseudo_inputs=50, **SMALL).fit(X),
    }


@pytest.mark.parametrize("cls", VARIANTS, ids=lambda cls: cls.__name__)
def test_each_variant_is_short(cls):
    # the estimator's code, its docstring aside, in at most 40 lines
    source = inspect.getsource(cls)
    start = source.index('"""')
    end = source.index('"""', start + 3) + 3
    code = [line for line in (source[:start] + source[end:]).splitlines()
            if line.strip()]
    assert len(code) <= 40, len(code)


def test_iwae_bound_is_tighter_than_the_elbo(fitted, digits):
    X_test = digits[1]
    iwae = fitted["iwae"]
    elbo = iwae.score(X_test)
    bound_5 = iwae.log_likelihood(X_test, n_importance_samples=5).mean()
    bound_100 = iwae.log_likelihood(X_test, n_importance_samples=100).mean()
    assert elbo < bound_5 < bound_100
    # trained on the bound, the posterior may be looser: the gap between
    # the ELBO and log p(x) is wider than the VAE's ...
    vae = fitted["vae"]
    vae_bound = vae.log_likelihood(X_test, n_importance_samples=100).mean()
    assert bound_100 - elbo > 2 * (vae_bound - vae.score(X_test))
    # ... and the held-out log-likelihood is higher (0.3 nats here)
    assert bound_100 > vae_bound
    # the loss it trained on is the negative bound with k=5
    history = iwae.net_.history
    assert history[-1, "train_loss"] < (history[-1, "train_reconstruction"]
                                        + history[-1, "train_latent"])


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_iwae_refuses_a_bad_number_of_draws(bad, digits):
    iwae = IWAE(n_importance_samples=bad, **SMALL)
    with pytest.raises(ValueError, match="n_importance_samples"):
        iwae.fit(digits[0][:50])
    with pytest.raises(NotFittedError):
        check_is_fitted(iwae)
    assert not hasattr(iwae, "module_")


def test_vamp_prior_samples_and_its_density(fitted, digits):
    X_test = digits[1]
    vamp = fitted["vamp"]
    samples = vamp.sample(30, random_state=0)
    assert samples.shape == (30, 64)
    assert samples.min() >= 0 and samples.max() <= 1
    assert_array_equal(samples, vamp.sample(30, random_state=0))
    module = vamp.module_
    assert module.pseudo_inputs.shape == (50, 64)
    codes = torch.as_tensor(vamp.transform(X_test))
    with torch.no_grad():
        vamp_density = module.log_prior(codes)
        normal_density = -0.5 * (codes.square()
                                 + np.log(2 * np.pi)).sum(1)
    # the density is the mixture of the pseudo-inputs' posteriors
    with torch.no_grad():
        means, log_vars = (t.double() for t in module.prior_components())
    z = codes.double()[:, None]
    components = -0.5 * ((z - means).square() / log_vars.exp() + log_vars
                         + np.log(2 * np.pi)).sum(-1)
    mixture = torch.logsumexp(components, 1) - np.log(len(means))
    torch.testing.assert_close(vamp_density.double(), mixture, rtol=1e-5,
                               atol=1e-4)
    # the learned prior is not N(0, I): it fits the codes of the data
    assert not torch.allclose(vamp_density, normal_density, atol=0.1)
    assert vamp_density.mean() > normal_density.mean() + 1
    # draws of the prior lie where the codes lie (N(0, I)'s mean is 0)
    draws = vamp._sample_codes(2000, np.random.RandomState(0))
    centre = codes.numpy().mean(0)
    assert np.linalg.norm(draws.mean(0) - centre) < 0.2 * np.linalg.norm(
        centre)


def test_vamp_log_likelihood_uses_its_prior(fitted, digits):
    X_test = digits[1]
    vamp = fitted["vamp"]
    bound = vamp.log_likelihood(X_test, n_importance_samples=50)
    assert bound.mean() > vamp.score(X_test)
    # with N(0, I) in place of the learned prior the estimate is worse
    module = vamp.module_
    module.log_prior = skae.nn.VariationalMLP.log_prior.__get__(module)
    try:
        with_normal = vamp.log_likelihood(X_test, n_importance_samples=50)
    finally:
        del module.log_prior
    assert bound.mean() > with_normal.mean() + 1
    # and it models the held-out digits at least as well as the VAE
    vae = fitted["vae"]
    assert bound.mean() > vae.log_likelihood(
        X_test, n_importance_samples=50).mean()


@pytest.mark.parametrize("cls", VARIANTS[:-2], ids=lambda cls: cls.__name__)
def test_partial_fit_weights_and_model_files(cls, digits):
    X, X_test, y, y_test = digits
    settings = {**SMALL, "max_iter": 8}
    if cls is VampPriorVAE:
        settings["n_pseudo_inputs"] = 20
    if cls in (WAEMMD, VQVAE):  # no likelihood: the squared error
        del settings["likelihood"], settings["early_stopping"]
    if cls is VQVAE:
        settings["n_codes"] = 64
    # a weight of 0 drops a sample: the digits 5-9 are not learned
    low = (y < 5).astype(np.float32)
    weighted = cls(**settings).fit(X, sample_weight=low)
    plain = cls(**settings).fit(X)
    unseen = X_test[y_test >= 5]
    assert weighted.score(unseen) < plain.score(unseen)
    # partial_fit: one epoch per call, the loss goes down
    ae = cls(**settings)
    for _ in range(3):
        ae.partial_fit(X)
    curve = ae.net_.history[:, "train_loss"]
    assert len(curve) == 3 and curve[-1] < curve[0]
    # a model file restores the network, the prior and the scores' draws
    buffer = io.BytesIO()
    skae.save(plain, buffer)
    buffer.seek(0)
    loaded = skae.load(buffer)
    assert type(loaded) is cls
    scores = getattr(cls, "log_likelihood", cls.score_samples)
    assert_array_equal(scores(loaded, X_test[:50]),
                       scores(plain, X_test[:50]))
    assert_array_equal(loaded.sample(5, random_state=1),
                       plain.sample(5, random_state=1))


def _gaussian_total_correlation(codes):
    """Total correlation of a Gaussian with the codes' correlations:
    ``-0.5 * log det(corr)``, 0 for uncorrelated dimensions."""
    return -0.5 * np.linalg.slogdet(np.corrcoef(codes, rowvar=False))[1]


def test_beta_tcvae_decorrelates_its_codes(digits):
    X, X_test = digits[0], digits[1]
    settings = {**SMALL, "n_components": 4, "batch_size": 128}
    plain = BetaTCVAE(beta=1.0, **settings).fit(X)
    strong = BetaTCVAE(beta=10.0, **settings).fit(X)
    tc_plain = _gaussian_total_correlation(plain.transform(X_test))
    tc_strong = _gaussian_total_correlation(strong.transform(X_test))
    assert tc_strong < 0.6 * tc_plain  # 0.40 against 1.64 nats here
    # the three terms are recorded and add up to the KL estimate; the
    # dimension-wise KL of a batch's mixture is not negative
    last = strong.net_.history[-1]
    assert last["train_total_correlation"] > 0
    assert last["train_dimensionwise_kl"] > 0
    assert last["train_mutual_information"] > 0
    total = (last["train_mutual_information"]
             + last["train_total_correlation"]
             + last["train_dimensionwise_kl"])
    assert total == pytest.approx(last["train_latent"], rel=0.3)
    # and the score is still the ELBO, comparable with the VAE's
    assert strong.score(X_test) == pytest.approx(
        VariationalAE(**settings).fit(X).score(X_test), rel=0.05)


def test_kl_decomposition_sums_to_the_kl_and_follows_weights():
    generator = torch.Generator().manual_seed(0)
    mean = torch.randn(16, 3, generator=generator)
    log_var = 0.5 * torch.randn(16, 3, generator=generator)
    code = mean + torch.exp(0.5 * log_var) * torch.randn(
        16, 3, generator=generator)
    mi, tc, dim_kl = BetaTCMLP.kl_decomposition(code, mean, log_var)
    log_q = -0.5 * ((code - mean).square() / log_var.exp() + log_var
                    + np.log(2 * np.pi)).sum(1)
    log_p = -0.5 * (code.square() + np.log(2 * np.pi)).sum(1)
    torch.testing.assert_close(mi + tc + dim_kl, log_q - log_p)
    # the aggregate posterior's density is the batch's mixture
    mixture = torch.logsumexp(torch.stack([
        -0.5 * ((code - mean[j]).square() / log_var[j].exp() + log_var[j]
                + np.log(2 * np.pi)).sum(1) for j in range(16)]), 0) \
        - np.log(16)
    torch.testing.assert_close(mi, log_q - mixture)
    # a sample of weight 0 is out of the others' density estimates
    weight = torch.ones(16)
    weight[0] = 0
    weighted = BetaTCMLP.kl_decomposition(code, mean, log_var, weight)
    dropped = BetaTCMLP.kl_decomposition(code[1:], mean[1:], log_var[1:])
    for a, b in zip(weighted, dropped):
        torch.testing.assert_close(a[1:], b)


def _imq_mmd(a, b):
    """Unbiased MMD^2 between two samples, inverse multiquadratic kernel
    at the scales of Tolstikhin et al. (numpy, independent of skae's)."""
    def kernel(u, v):
        distances = ((u[:, None] - v[None]) ** 2).sum(-1)
        base = 2 * u.shape[1]
        return sum(base * s / (base * s + distances)
                   for s in (0.1, 0.2, 0.5, 1, 2, 5, 10))
    k_aa, k_bb = kernel(a, a), kernel(b, b)
    n, m = len(a), len(b)
    return ((k_aa.sum() - np.trace(k_aa)) / (n * (n - 1))
            + (k_bb.sum() - np.trace(k_bb)) / (m * (m - 1))
            - 2 * kernel(a, b).mean())


def test_wae_codes_follow_the_prior(digits):
    X, X_test = digits[0], digits[1]
    settings = dict(n_components=8, hidden_layer_sizes=(64,), max_iter=20,
                    batch_size=64, random_state=0)
    prior = np.random.RandomState(0).randn(len(X_test), 8)
    wae = WAEMMD(**settings).fit(X)
    plain = StackedAE(**settings).fit(X)
    unpenalised = WAEMMD(mmd_weight=0.0, **settings).fit(X)
    mmd = _imq_mmd(wae.transform(X_test), prior)
    # 0.11 against 0.97 and 1.76 here
    assert mmd < 0.25 * _imq_mmd(plain.transform(X_test), prior)
    assert mmd < 0.25 * _imq_mmd(unpenalised.transform(X_test), prior)
    assert wae.net_.history[-1, "train_mmd"] < \
        unpenalised.net_.history[-1, "train_mmd"]
    # it still reconstructs, and samples decode draws of the prior
    assert -wae.score(X_test) < 2 * -plain.score(X_test)
    samples = wae.sample(20, random_state=0)
    assert samples.shape == (20, 64)
    assert_array_equal(samples, wae.sample(20, random_state=0))


def test_wae_mmd_estimate_follows_weights():
    generator = torch.Generator().manual_seed(0)
    codes = torch.randn(12, 3, generator=generator) + 1
    draws = torch.randn(12, 3, generator=generator)
    net = WAEMLP(5, (4,), 3)
    weight = torch.ones(12)
    weight[0] = 0
    torch.testing.assert_close(net.mmd(codes, draws, weight),
                               net.mmd(codes[1:], draws))
    torch.testing.assert_close(net.mmd(codes, draws),
                               net.mmd(codes, draws, torch.full((12,), 3.)))
    # as the numpy estimate, and far from 0 for shifted codes
    expected = _imq_mmd(codes.double().numpy(), draws.double().numpy())
    assert float(net.mmd(codes, draws)) == pytest.approx(expected, rel=1e-4)
    assert float(net.mmd(draws[:6], draws[6:])) < 0.2 * expected


#: A VQ-VAE on the digits: 64 codes of 8 dimensions.
VQ = dict(n_components=8, n_codes=64, n_groups=1, hidden_layer_sizes=(64,),
          max_iter=20, batch_size=64, random_state=0)


def _without_restarts(module):
    module.usage.zero_()
    return 0


def test_vq_codes_are_codebook_rows_and_few_are_dead(digits, monkeypatch):
    X, X_test = digits[0], digits[1]
    vq = VQVAE(**VQ).fit(X)
    codebook = vq.module_.codebook.detach().numpy()
    codes, index = vq.transform(X_test), vq.transform_indices(X_test)
    assert index.dtype == np.int64 and index.shape == (len(X_test), 1)
    index = index[:, 0]
    assert_array_equal(codes, codebook[index])  # every code is a row
    # the nearest row of the encoder's output
    continuous = vq.module_.encode_continuous(torch.from_numpy(X_test))
    distances = torch.cdist(continuous, vq.module_.codebook).detach()
    assert (distances.argmin(1).numpy() == index).mean() > 0.99
    # restarts leave few rows unused by the training samples, against many
    # without them (measured: all 64 used, against 11 without)
    used = len(np.unique(vq.transform_indices(X))) / VQ["n_codes"]
    monkeypatch.setattr(VQMLP, "restart_dead_codes", _without_restarts)
    plain = VQVAE(**VQ).fit(X)
    used_plain = len(np.unique(plain.transform_indices(X))) / VQ["n_codes"]
    assert used >= 0.9 and used_plain < 0.75 * used
    # the prior over indices: the training samples' frequencies, sampled
    counts = np.bincount(vq.transform_indices(X)[:, 0],
                         minlength=VQ["n_codes"])
    np.testing.assert_allclose(vq.code_frequencies_, [counts / len(X)])
    samples = vq.sample(2000, random_state=0)
    drawn = np.bincount(vq.transform_indices(samples)[:, 0],
                        minlength=VQ["n_codes"]) / 2000
    assert np.abs(drawn - vq.code_frequencies_[0]).sum() < 0.5


@pytest.fixture(scope="module")
def vq_groups(digits):
    """VQ-VAEs of the digits whose 8-number codes are one part, or 8 parts
    of 1 number (``n_groups="auto"``), each a row of one codebook of 16
    rows."""
    return {g: VQVAE(**{**VQ, "n_codes": 16, "n_groups": groups}).fit(
        digits[0]) for g, groups in ((1, 1), (8, "auto"))}


def test_vq_quantises_each_part_to_a_row_of_one_codebook(vq_groups,
                                                         digits):
    X, X_test = digits[0], digits[1]
    vq = vq_groups[8]
    codebook = vq.module_.codebook.detach().numpy()
    assert codebook.shape == (16, 1) and vq.n_groups_ == 8
    codes, index = vq.transform(X_test), vq.transform_indices(X_test)
    assert index.dtype == np.int64 and index.shape == (len(X_test), 8)
    # the code is the parts' rows side by side ...
    assert_array_equal(codes, codebook[index].reshape(len(X_test), 8))
    # ... each the nearest row of its part of the encoder's output
    continuous = vq.module_.encode_continuous(torch.from_numpy(X_test))
    parts = continuous.detach().reshape(-1, 1)
    nearest = torch.cdist(parts, vq.module_.codebook.detach()).argmin(1)
    assert (nearest.numpy() == index.ravel()).mean() > 0.99
    # more distinct codes than rows: 16 ** 8 are possible
    assert len(np.unique(index, axis=0)) > 16
    # the frequencies of each part's rows, and samples made of rows
    counts = np.stack([np.bincount(part, minlength=16)
                       for part in vq.transform_indices(X).T])
    assert_allclose(vq.code_frequencies_, counts / len(X))
    drawn = vq._sample_codes(500, np.random.RandomState(0))
    assert drawn.shape == (500, 8)
    rows = {tuple(row) for row in codebook}
    assert all(tuple(part) in rows for part in drawn.reshape(-1, 1))
    samples = vq.sample(500, random_state=0)
    assert samples.shape == (500, 64)
    assert_allclose(samples, vq.inverse_transform(drawn), rtol=1e-5,
                    atol=1e-6)
    # the encoder alone quantises each part too, and exports
    encoder = vq.encoder_module()
    with torch.no_grad():
        assert_array_equal(encoder(torch.from_numpy(X_test)).numpy(), codes)
    program = torch.export.export(
        encoder, (torch.from_numpy(X_test[:5]),),
        dynamic_shapes=({0: torch.export.Dim("batch")},))
    with torch.no_grad():
        assert_array_equal(
            program.module()(torch.from_numpy(X_test)).numpy(), codes)


def test_vq_parts_reconstruct_better_than_one_code(vq_groups, digits):
    # with the same 16 rows, 8 parts of 1 number reconstruct the held-out
    # digits better than one code of 8 numbers (measured, seeds 0-3: MSE
    # 0.53-0.68x; seed 0: 0.035 against 0.055)
    X_test = digits[1]

    def mse(vq):
        return np.mean((vq.inverse_transform(vq.transform(X_test))
                        - X_test) ** 2)

    assert mse(vq_groups[8]) < 0.8 * mse(vq_groups[1])


def test_vq_refuses_groups_that_do_not_divide_the_code(vq_groups, digits):
    vq = vq_groups[8]
    before = (vq.transform(digits[1]), vq.code_frequencies_.copy(),
              vq.n_iter_)
    vq.set_params(n_groups=3)
    with pytest.raises(ValueError, match=r"n_groups=3 does not divide "
                                         r"n_components=8"):
        vq.fit(digits[0])
    vq.set_params(n_groups="auto")
    # the fitted model is as it was
    assert_array_equal(vq.transform(digits[1]), before[0])
    assert_array_equal(vq.code_frequencies_, before[1])
    assert vq.n_iter_ == before[2]
    # "auto": a part for each number
    odd = VQVAE(**{**VQ, "n_components": 3, "n_groups": "auto",
                   "max_iter": 1}).fit(digits[0][:100])
    assert odd.n_groups_ == 3 and odd.transform_indices(
        digits[1][:5]).shape == (5, 3)


def test_vq_refuses_more_codes_than_samples(digits):
    X = digits[0][:50]
    vq = VQVAE(**{**VQ, "n_codes": 51})
    with pytest.raises(ValueError, match=r"n_codes=51 .*n_samples=50 "
                                         r"times n_groups=1: 50\)"):
        vq.fit(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(vq)
    assert not hasattr(vq, "code_frequencies_")
    vq.set_params(n_codes=50).fit(X)  # as many codes as samples: fine
    # each of the 2 parts of a code may take a row: up to 100 rows
    vq.set_params(n_codes=100, n_groups=2).fit(X)
    with pytest.raises(ValueError, match=r"n_groups=2: 100\)"):
        vq.set_params(n_codes=101).fit(X)


@pytest.fixture(scope="module")
def conditional(digits):
    """A conditional VAE of the digits and a classifier of real digits."""
    X, y = digits[0], digits[2]
    cvae = ConditionalVAE(**{**SMALL, "max_iter": 30}).fit(X, y)
    return cvae, LogisticRegression(max_iter=2000).fit(X, y)


def test_conditional_vae_samples_and_decodes_the_requested_class(
        conditional, digits):
    X_test, y_test = digits[1], digits[3]
    cvae, clf = conditional
    assert_array_equal(cvae.classes_, np.arange(10))
    # samples of class k look like a k to a classifier of real digits
    # (chance: 0.1; measured: 1.0 here, 0.65 to 0.99 on MNIST: choosing.rst)
    accuracy = np.mean([
        (clf.predict(cvae.sample(100, y=k, random_state=k)) == k).mean()
        for k in range(10)])
    assert accuracy >= 0.8
    labels = np.repeat(np.arange(10), 10)
    drawn = cvae.sample(100, y=labels, random_state=0)
    assert (clf.predict(drawn) == labels).mean() >= 0.8
    # the codes of a test digit, decoded as another class, become that class
    codes = cvae.transform(X_test)
    assert codes.shape == (len(X_test), SMALL["n_components"])
    other = (y_test + 1) % 10
    redrawn = cvae.inverse_transform(codes, y=other)
    assert redrawn.shape == X_test.shape
    assert (clf.predict(redrawn) == other).mean() >= 0.8
    assert (clf.predict(redrawn) == y_test).mean() <= 0.2
    same = cvae.inverse_transform(codes, y=y_test)
    assert (clf.predict(same) == y_test).mean() >= 0.8


def test_conditional_vae_refuses_labels_it_cannot_use(conditional, digits):
    X, y = digits[0], digits[2]
    cvae = conditional[0]
    codes = cvae.transform(X[:3])
    with pytest.raises(ValueError, match=r"not among the classes.*\[0, 1"):
        cvae.sample(3, y=10)
    with pytest.raises(ValueError, match="not among the classes"):
        cvae.inverse_transform(codes, y=["a", "b", "c"])
    with pytest.raises(ValueError, match="needs y"):
        cvae.inverse_transform(codes)
    with pytest.raises(ValueError, match="2 labels for 3 samples"):
        cvae.inverse_transform(codes, y=[1, 2])
    fresh = ConditionalVAE(**SMALL)
    with pytest.raises(ValueError, match="requires y"):
        fresh.fit(X)
    with pytest.raises(ValueError, match="unlabeled"):
        fresh.fit(X, np.where(y == 0, -1, y))
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)
    # a later partial_fit chunk may not add a class
    fresh.partial_fit(X[y < 9], y[y < 9])
    with pytest.raises(ValueError, match=r"labels \[9\] that are not"):
        fresh.partial_fit(X, y)


def test_conditional_vae_string_labels_weights_and_model_file(digits):
    X, X_test, y, y_test = digits
    settings = {**SMALL, "max_iter": 8}
    names = np.array(list("abcdefghij"))[y]
    # a weight of 0 drops a sample: the digits 5-9 are not learned
    low = (y < 5).astype(np.float32)
    weighted = ConditionalVAE(**settings).fit(X, names, sample_weight=low)
    plain = ConditionalVAE(**settings).fit(X, names)
    assert_array_equal(plain.classes_, list("abcdefghij"))
    unseen = X_test[y_test >= 5]
    assert weighted.score(unseen) < plain.score(unseen)
    ae = ConditionalVAE(**settings)
    for _ in range(3):
        ae.partial_fit(X, names)
    curve = ae.net_.history[:, "train_loss"]
    assert len(curve) == 3 and curve[-1] < curve[0]
    buffer = io.BytesIO()
    skae.save(plain, buffer)
    buffer.seek(0)
    loaded = skae.load(buffer)
    assert_array_equal(loaded.classes_, plain.classes_)
    assert_array_equal(loaded.sample(5, y="c", random_state=1),
                       plain.sample(5, y="c", random_state=1))
    assert_array_equal(loaded.score_samples(X_test[:20]),
                       plain.score_samples(X_test[:20]))


#: A conditional VAE whose codes keep the class: Gaussian likelihood on the
#: digits, where the plain one's samples follow the label poorly.
CLASS_FREE = dict(n_components=8, hidden_layer_sizes=(64,),
                  likelihood="gaussian", max_iter=20, batch_size=64,
                  early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def class_free(digits):
    """A conditional VAE whose encoder sees the class and is trained to
    leave it out of the code (``class_adversary_weight``)."""
    X, y = digits[0], digits[2]
    return ConditionalVAE(conditional_encoder=True, class_adversary_weight=20,
                          **CLASS_FREE).fit(X, y)


def test_conditional_vae_class_adversary_makes_samples_follow_the_label(
        class_free, conditional, digits):
    X_test, y_test = digits[1], digits[3]
    cvae, clf = class_free, conditional[1]
    # share of the samples of class k read as k by a classifier of real
    # digits; measured at seeds 0-1: 0.49 / 0.75 without the options (the
    # code holds the class), 0.56 / 0.80 with conditional_encoder alone,
    # 0.95 / 0.97 with the adversary alone, 0.94 / 0.98 with both
    accuracy = np.mean([
        (clf.predict(cvae.sample(100, y=k, random_state=k)) == k).mean()
        for k in range(10)])
    assert accuracy >= 0.85
    # the adversary lost: its cross-entropy is near log(10), chance
    assert cvae.net_.history[-1, "train_class_adversary"] > 0.8 * np.log(10)
    # transform needs no label: the mean of the posterior mixture
    codes = cvae.transform(X_test)
    assert codes.shape == (len(X_test), CLASS_FREE["n_components"])
    assert_array_equal(codes, cvae.transform(X_test))
    assert_allclose(cvae.transform(X_test[:5]), codes[:5], rtol=1e-5,
                    atol=1e-6)
    # and the codes decoded as another class become that class
    other = (y_test + 1) % 10
    assert (clf.predict(cvae.inverse_transform(codes, y=other))
            == other).mean() >= 0.8
    # the importance estimate tightens the ELBO of the mixture over classes
    elbo = cvae.score_samples(X_test[:50])
    assert np.all(np.isfinite(elbo))
    assert cvae.log_likelihood(X_test[:50], 20).mean() > elbo.mean()


def test_conditional_vae_class_free_model_file_and_export(class_free,
                                                           digits):
    X_test = digits[1][:20]
    buffer = io.BytesIO()
    skae.save(class_free, buffer)
    buffer.seek(0)
    loaded = skae.load(buffer)
    assert_array_equal(loaded.transform(X_test), class_free.transform(X_test))
    assert_array_equal(loaded.sample(5, y=3, random_state=1),
                       class_free.sample(5, y=3, random_state=1))
    # the encoder takes the class and transform mixes every class's
    # posterior: there is no encoder alone to export
    with pytest.raises(NotImplementedError, match="conditional_encoder"):
        class_free.encoder_module()
    assert class_free.decoder_module() is not None


@pytest.mark.parametrize("params, match", [
    ({"class_adversary_weight": -1.0}, "class_adversary_weight"),
    ({"class_adversary_weight": "high"}, "class_adversary_weight"),
    ({"conditional_encoder": "yes"}, "conditional_encoder"),
])
def test_conditional_vae_refuses_bad_class_options(params, match, digits):
    X, y = digits[0][:100], digits[2][:100]
    cvae = ConditionalVAE(**{**SMALL, **params})
    with pytest.raises(ValueError, match=match):
        cvae.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(cvae)


def test_class_adversary_reverses_the_encoders_gradient():
    from skae.nn._conditional import _ReverseGradient

    x = torch.ones(3, 2, requires_grad=True)
    out = _ReverseGradient.apply(x, 2.5)
    assert torch.equal(out, x)
    (out * torch.arange(6.0).view(3, 2)).sum().backward()
    assert torch.equal(x.grad, -2.5 * torch.arange(6.0).view(3, 2))


@pytest.fixture(scope="module")
def conditional_aae(digits):
    """A label-conditioned adversarial autoencoder of the digits, with a
    style code of 2 dimensions (the paper's MNIST model has a small one)."""
    X, y = digits[0], digits[2]
    return ConditionalAdversarialAE(
        n_components=2, hidden_layer_sizes=(64,),
        discriminator_layer_sizes=(64, 64), learning_rate=3e-3,
        adversarial_learning_rate=5e-4, batch_size=64, max_iter=100,
        random_state=0).fit(X, y)


def test_conditional_aae_samples_and_decodes_the_requested_class(
        conditional_aae, conditional, digits):
    X_test, y_test = digits[1], digits[3]
    caae, clf = conditional_aae, conditional[1]
    assert_array_equal(caae.classes_, np.arange(10))
    # prior draws decoded as class k look like a k to a classifier of real
    # digits (chance: 0.1; measured 0.986 / 0.975 / 0.983 at seeds 0-2;
    # with 4 style dimensions 0.86-0.95, with 8 about 0.3, the codes then
    # far from the prior after 100 epochs)
    accuracy = np.mean([
        (clf.predict(caae.sample(100, y=k, random_state=k)) == k).mean()
        for k in range(10)])
    assert accuracy >= 0.9
    # a test digit's style, decoded as the next class, becomes that class
    # (measured 0.98 / 0.96 / 0.98)
    codes = caae.transform(X_test)
    assert codes.shape == (len(X_test), 2)
    other = (y_test + 1) % 10
    assert (clf.predict(caae.inverse_transform(codes, y=other))
            == other).mean() >= 0.8
    # the codes follow the prior N(0, I), the adversary's work
    assert np.all(np.abs(codes.mean(0)) < 0.3)
    assert np.all(np.abs(codes.std(0) - 1) < 0.3)
    # unlabeled, a digit is scored with the class that explains it best:
    # its own, about as well as when decoded as its own class
    own = caae.inverse_transform(codes, y=y_test)
    own_error = np.mean((own - X_test) ** 2, axis=1)
    assert_allclose(-caae.score_samples(X_test), own_error, rtol=0.5)
    assert np.all(-caae.score_samples(X_test) <= own_error + 1e-6)


def test_conditional_aae_refuses_labels_it_cannot_use(conditional_aae,
                                                      digits):
    X, y = digits[0], digits[2]
    caae = conditional_aae
    with pytest.raises(ValueError, match=r"labels \[10\] that are not among"):
        caae.sample(3, y=10)
    with pytest.raises(ValueError, match=r"labels \[-1\] that are not among"):
        caae.sample(3, y=-1)
    with pytest.raises(ValueError, match="needs y"):
        caae.inverse_transform(caae.transform(X[:3]))
    fresh = ConditionalAdversarialAE(n_components=2, hidden_layer_sizes=(8,),
                                     max_iter=1)
    with pytest.raises(ValueError, match="requires y"):
        fresh.fit(X)
    with pytest.raises(ValueError, match="unlabeled"):
        fresh.fit(X, np.where(y == 0, -1, y))
    with pytest.raises(ValueError, match="tied_weights"):
        fresh.set_params(tied_weights=True)
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)


def test_two_stage_sampler_draws_closer_to_real_digits(digits):
    X, X_test = digits[0], digits[1]
    ae = StackedAE(n_components=8, hidden_layer_sizes=(64,), max_iter=30,
                   random_state=0).fit(X)
    real = NearestNeighbors(n_neighbors=1).fit(X_test)

    def distance_to_real(sampler, **params):
        ae.set_params(sampler=sampler, **params)
        ae.__dict__.pop("sampler_", None)  # refitted on the next sample
        return real.kneighbors(ae.sample(500, random_state=0))[0].mean()

    # a single Gaussian over the 8-D codes (the VAE's N(0, I), after
    # standardising) puts mass between the digits' clusters; the second
    # stage follows them (measured 1.35 / 1.36 / 1.36 against 1.53 / 1.54
    # / 1.55 at seeds 0-2, ratios 0.88 / 0.88 / 0.88; the default
    # 10-component mixture does better still: 1.23)
    gaussian = distance_to_real("gaussian_mixture", sampler_components=1)
    two_stage = distance_to_real("two_stage")
    assert two_stage < 0.93 * gaussian
    assert isinstance(ae.sampler_, VariationalAE)
    assert ae.sampler_.n_components == 8
    # a model file keeps the training codes, and the lazily refitted
    # second stage draws the same samples
    buffer = io.BytesIO()
    skae.save(ae, buffer)
    buffer.seek(0)
    loaded = skae.load(buffer)
    assert loaded.sampler == "two_stage" and "sampler_" not in vars(loaded)
    assert_array_equal(loaded.sample(5, random_state=1),
                       ae.sample(5, random_state=1))


def test_two_stage_sampler_refuses_an_unknown_sampler(digits):
    ae = StackedAE(n_components=2, hidden_layer_sizes=(8,), max_iter=1,
                   sampler="bogus")
    with pytest.raises(ValueError, match=r"'sampler' parameter.*two_stage"):
        ae.fit(digits[0])
    with pytest.raises(NotFittedError):
        check_is_fitted(ae)


def test_wae_trains_on_a_single_sample():
    # a batch of one sample has no pair of codes; the codes came out NaN
    # after one epoch on one sample (found by tests/test_properties.py)
    X = np.zeros((1, 1), dtype=np.float32)
    wae = WAEMMD(n_components=2, hidden_layer_sizes=(4,), max_iter=2,
                 batch_size=4, random_state=0).fit(X)
    assert np.isfinite(wae.transform(X)).all()


def test_vae_samples_from_a_density_of_its_codes_on_request(digits):
    # Dai and Wipf's case for the two-stage VAE: a VAE's codes leave most
    # of its prior uncovered, and a density of the codes samples digits
    # far closer to real ones than the prior does (mean distance to the
    # nearest test digit, seeds 0-2: prior 3.58-3.66, Gaussian mixture
    # 1.23-1.25, two-stage 1.34-1.36; ratios 0.34-0.37)
    X, X_test = digits[0], digits[1]
    real = NearestNeighbors(n_neighbors=1).fit(X_test)
    vae = VariationalAE(sampler="gaussian_mixture",
                        **dict(SMALL, likelihood="gaussian", max_iter=30)
                        ).fit(X)
    distance = {}
    for sampler in ("prior", "gaussian_mixture", "two_stage"):
        vae.set_params(sampler=sampler)
        vae.__dict__.pop("sampler_", None)  # refitted on the next sample
        distance[sampler] = real.kneighbors(
            vae.sample(500, random_state=0))[0].mean()
    assert distance["gaussian_mixture"] < 0.6 * distance["prior"]
    assert distance["two_stage"] < 0.6 * distance["prior"]
    assert isinstance(vae.sampler_, VariationalAE)
    # a model file keeps the codes; the second stage is refitted alike
    buffer = io.BytesIO()
    skae.save(vae, buffer)
    buffer.seek(0)
    assert_array_equal(skae.load(buffer).sample(5, random_state=1),
                       vae.sample(5, random_state=1))


def test_vae_density_sampler_needs_a_fit_that_kept_the_codes(digits):
    vae = IWAE(n_importance_samples=2, **SMALL, sampler="prior").fit(
        digits[0][:200])
    assert "_sampler_codes" not in vars(vae)  # the prior needs no codes
    prior_draws = vae.sample(3, random_state=0)
    vae.set_params(sampler="two_stage")
    with pytest.raises(ValueError, match="Fit it again with sampler="):
        vae.sample(3, random_state=0)
    vae.set_params(sampler="prior")
    assert_array_equal(vae.sample(3, random_state=0), prior_draws)
