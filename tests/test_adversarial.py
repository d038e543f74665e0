"""AdversarialAE: a discriminator shapes the codes into the prior."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import stats
from sklearn.linear_model import LogisticRegression

from skae import AdversarialAE, StackedAE
from skae.nn._adversarial import mixture_means

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

# few samples, so small batches (more adversarial steps per epoch) and a
# livelier adversary than the default
FAST = dict(n_components=8, hidden_layer_sizes=(64,), out_activation="sigmoid",
            loss="bce", batch_size=32, max_iter=40,
            adversarial_learning_rate=5e-4, random_state=0)


@pytest.fixture(scope="module")
def aae(digits):
    return AdversarialAE(**FAST).fit(digits[0])


def _ks(codes):
    """Mean Kolmogorov-Smirnov distance of each code to N(0, 1)."""
    return np.mean([stats.kstest(c, "norm").statistic for c in codes.T])


def test_codes_follow_the_normal_prior(aae, digits):
    X_train, X_test = digits[0], digits[1]
    codes = aae.transform(X_test)
    assert np.abs(codes.mean(0)).max() < 0.8
    assert 0.6 < codes.std(0).min() and codes.std(0).max() < 1.5
    # the same autoencoder without the adversary has codes far from it
    kw = {k: v for k, v in FAST.items() if k != "adversarial_learning_rate"}
    plain = StackedAE(**kw).fit(X_train)
    assert _ks(codes) < 0.5 * _ks(plain.transform(X_test))


def test_samples_decode_prior_draws_into_digits(aae, digits):
    X_train, _, y_train, _ = digits
    samples = aae.sample(500, random_state=0)
    assert samples.shape == (500, 64) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1
    assert_array_equal(samples, aae.sample(500, random_state=0))
    clf = LogisticRegression(max_iter=2000).fit(X_train, y_train)
    assert len(np.unique(clf.predict(samples))) == 10
    # the decoded codes are draws of the standard normal prior
    prior = aae._sample_codes(2000, np.random.RandomState(0))
    assert abs(prior.mean()) < 0.05 and abs(prior.std() - 1) < 0.05


def test_history_records_the_three_phases(aae):
    history = aae.net_.history
    for term in ("train_reconstruction", "train_discriminator",
                 "train_generator"):
        assert len(history[:, term]) == aae.n_iter_
    assert history[:, "train_loss"] == history[:, "train_reconstruction"]
    assert aae.loss_curve_[-1] < 0.7 * aae.loss_curve_[0]
    # neither side of the game has won outright
    assert 0.05 < history[-1, "train_discriminator"] < 1.0
    # three optimizers: the discriminator's is not the autoencoder's
    net = aae.net_
    assert {"optimizer", "optimizer_discriminator",
            "optimizer_generator"} <= set(net._optimizers)
    assert net.optimizer_discriminator_.param_groups[0]["lr"] == 5e-4
    disc = {id(p) for p in aae.module_.discriminator.parameters()}
    assert not disc & {id(p) for group in net.optimizer_.param_groups
                       for p in group["params"]}


def test_mixture_prior_gathers_codes_around_its_means(digits):
    est = AdversarialAE(**dict(FAST, n_components=2), prior="mixture",
                        prior_components=10).fit(digits[0])
    means = mixture_means(10, 2).numpy()
    # adjacent means are 2 apart (4 standard deviations of a component)
    assert np.linalg.norm(means[0] - means[1]) == pytest.approx(2.0)
    codes = est.transform(digits[1])
    distance = np.linalg.norm(codes[:, None] - means[None], axis=2)
    assert np.mean(distance.min(1) < 1.0) > 0.5
    assert len(np.unique(distance.argmin(1))) >= 4
    draws = est._sample_codes(2000, np.random.RandomState(0))
    nearest = np.linalg.norm(draws[:, None] - means[None], axis=2).argmin(1)
    assert np.bincount(nearest, minlength=10).min() > 150  # equal weights


def test_bad_settings(digits):
    X = digits[0][:100]
    with pytest.raises(ValueError, match="L-BFGS"):
        AdversarialAE(optimizer="lbfgs").fit(X)
    with pytest.raises(ValueError, match="out_activation='sigmoid'"):
        AdversarialAE(loss="bce").fit(X)
    with pytest.raises(ValueError, match="discriminator_layer_sizes"):
        AdversarialAE(discriminator_layer_sizes=(0,)).fit(X)
