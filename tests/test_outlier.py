"""AutoencoderOutlierDetector: sklearn's outlier-detector contract, and
detection of other digits on real MNIST."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderOutlierDetector, StackedAE, VariationalAE

CONVERGENCE = "ignore::sklearn.exceptions.ConvergenceWarning"

#: The digit that plays "normal"; the other nine are the outliers.
NORMAL = 3


def small_ae(**kwargs):
    """A small, seeded StackedAE for MNIST (~1-2 s on one core)."""
    return StackedAE(**{**dict(n_components=16, hidden_layer_sizes=(64,),
                               max_iter=20, random_state=0), **kwargs})


@pytest.fixture(scope="module")
def normal_digits(mnist):
    """Training digits of class NORMAL; held-out digits and inlier labels."""
    X_train, X_test, y_train, y_test = mnist
    return X_train[y_train == NORMAL], X_test, (y_test == NORMAL).astype(int)


@pytest.fixture(scope="module")
def detector(normal_digits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return AutoencoderOutlierDetector(small_ae()).fit(normal_digits[0])


# ----------------------------------------------------------------------
# scikit-learn's checks, the outlier-detector checks included, on the
# detector at its defaults (random_state=None); the checks that need
# reproducible fits seed it with set_params(random_state=0), as they do
# IsolationForest, and it hands a seed to its autoencoder. Only the
# autoencoder's size is made small, through set_params, and it is unseeded.
@pytest.mark.filterwarnings(CONVERGENCE)
@parametrize_with_checks([AutoencoderOutlierDetector().set_params(
    autoencoder=StackedAE(n_components=3, hidden_layer_sizes=(8,),
                          max_iter=5, batch_size=16))])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_random_state_makes_fits_identical(normal_digits):
    X_train, X_test, _ = normal_digits
    X_train = X_train[:200]
    unseeded = small_ae(max_iter=3, random_state=None)
    fits = [AutoencoderOutlierDetector(unseeded, random_state=seed).fit(
        X_train) for seed in (0, 0, 1)]
    first, again, other = (fit.predict(X_test) for fit in fits)
    assert_array_equal(first, again)
    assert fits[0].offset_ == fits[1].offset_
    assert fits[0].autoencoder_.random_state == \
        fits[1].autoencoder_.random_state != fits[2].autoencoder_.random_state
    assert_allclose(fits[0].score_samples(X_test),
                    fits[1].score_samples(X_test))
    assert unseeded.random_state is None  # the given one is not changed
    # the default autoencoder is seeded too
    default = AutoencoderOutlierDetector(random_state=0)
    assert default.fit(X_train[:40]).autoencoder_.random_state is not None
    assert default.autoencoder is None


@pytest.mark.filterwarnings(CONVERGENCE)
def test_random_state_keeps_the_autoencoders_own_seed(normal_digits):
    X = normal_digits[0][:60]
    seeded = AutoencoderOutlierDetector(small_ae(max_iter=1, random_state=7),
                                        random_state=0).fit(X)
    assert seeded.autoencoder_.random_state == 7
    # nested random_state parameters (a pipeline step's) are seeded too
    pipe = AutoencoderOutlierDetector(make_pipeline(
        MinMaxScaler(), small_ae(max_iter=1, random_state=None)),
        random_state=0).fit(X)
    assert pipe.autoencoder_[-1].random_state is not None
    # a RandomState instance gives each fit another seed, as in sklearn
    rng = np.random.RandomState(0)
    est = AutoencoderOutlierDetector(small_ae(max_iter=1, random_state=None),
                                     random_state=rng)
    first = est.fit(X).autoencoder_.random_state
    assert est.fit(X).autoencoder_.random_state != first
    # a frozen autoencoder is left as it is
    frozen = FrozenEstimator(seeded.autoencoder_)
    assert AutoencoderOutlierDetector(frozen, random_state=0).fit(
        X).autoencoder_ is frozen


# ----------------------------------------------------------------------
# detection on real data: one digit is normal, the nine others are outliers
def test_other_digits_score_lower_than_held_out_normal_ones(
        detector, normal_digits):
    X_train, X_test, is_inlier = normal_digits
    auroc = roc_auc_score(is_inlier, detector.score_samples(X_test))
    # measured 0.939 (IsolationForest: 0.842)
    assert auroc > 0.88
    iforest = IsolationForest(random_state=0).fit(X_train)
    assert auroc > roc_auc_score(is_inlier, iforest.score_samples(X_test))


def test_scores_are_the_autoencoders_and_decision_is_shifted(
        detector, normal_digits):
    X_test = normal_digits[1][:50]
    scores = detector.score_samples(X_test)
    assert scores.dtype == np.float64
    assert_allclose(scores, detector.autoencoder_.score_samples(X_test))
    errors = np.mean((detector.autoencoder_.inverse_transform(
        detector.autoencoder_.transform(X_test)) - X_test) ** 2, axis=1)
    assert_allclose(scores, -errors, rtol=1e-4)  # negative reconstruction MSE
    assert_allclose(detector.decision_function(X_test),
                    scores - detector.offset_)
    assert_array_equal(detector.predict(X_test),
                       np.where(scores < detector.offset_, -1, 1))


@pytest.mark.parametrize("contamination", [0.02, 0.1, 0.25])
def test_predict_flags_contamination_of_the_training_set(
        detector, normal_digits, contamination):
    X_train = normal_digits[0]
    est = AutoencoderOutlierDetector(
        FrozenEstimator(detector.autoencoder_),
        contamination=contamination).fit(X_train)
    scores = detector.score_samples(X_train)
    assert est.offset_ == pytest.approx(
        np.percentile(scores, 100 * contamination))
    flagged = np.mean(est.predict(X_train) == -1)
    assert abs(flagged - contamination) <= 1 / len(X_train)


def test_auto_contamination_is_tukeys_fence_on_training_scores(
        detector, normal_digits):
    X_train, X_test, is_inlier = normal_digits
    auto = AutoencoderOutlierDetector(FrozenEstimator(detector.autoencoder_),
                                      contamination="auto").fit(X_train)
    scores = detector.score_samples(X_train)
    q1, q3 = np.percentile(scores, [25, 75])
    assert auto.offset_ == pytest.approx(q1 - 1.5 * (q3 - q1))
    flagged_train = np.mean(auto.predict(X_train) == -1)
    assert 0 < flagged_train < 0.1  # measured 0.028
    # most other digits lie beyond the fence
    assert np.mean(auto.predict(X_test[is_inlier == 0]) == -1) > 0.5


@pytest.mark.filterwarnings(CONVERGENCE)
def test_fit_predict_equals_fit_then_predict(normal_digits):
    X = normal_digits[0][:200]
    est = AutoencoderOutlierDetector(small_ae(max_iter=5), contamination=0.05)
    labels = est.fit_predict(X)
    assert_array_equal(labels, est.fit(X).predict(X))
    assert set(labels) == {-1, 1}
    assert np.sum(labels == -1) == 10


@pytest.mark.filterwarnings(CONVERGENCE)
def test_in_a_pipeline_after_a_scaler(normal_digits):
    X_train, X_test, is_inlier = normal_digits
    raw_train, raw_test = 255 * X_train, 255 * X_test  # pixel values 0..255
    pipe = make_pipeline(MinMaxScaler(), AutoencoderOutlierDetector(
        small_ae(max_iter=10), contamination=0.05))
    labels = pipe.fit_predict(raw_train)
    assert np.mean(labels == -1) == pytest.approx(0.05, abs=1 / len(X_train))
    scaler, detector = pipe[0], pipe[-1]
    assert_allclose(pipe.score_samples(raw_test),
                    detector.score_samples(scaler.transform(raw_test)))
    assert_array_equal(pipe.predict(raw_test),
                       np.where(pipe.decision_function(raw_test) < 0, -1, 1))
    assert roc_auc_score(is_inlier, pipe.score_samples(raw_test)) > 0.85


@pytest.mark.filterwarnings(CONVERGENCE)
def test_variational_autoencoder_scores_by_its_elbo(normal_digits):
    X_train, X_test, is_inlier = normal_digits
    vae = VariationalAE(n_components=8, hidden_layer_sizes=(64,), max_iter=20,
                        random_state=0)
    detector = AutoencoderOutlierDetector(vae, contamination=0.1).fit(X_train)
    assert isinstance(detector.autoencoder_, VariationalAE)
    assert not hasattr(vae, "net_")  # a clone was fitted
    elbo = detector.autoencoder_.score_samples(X_test)
    assert_allclose(detector.score_samples(X_test), elbo)
    assert_allclose(detector.score_samples(X_test[:20]), elbo[:20])
    # measured 0.913
    assert roc_auc_score(is_inlier, elbo) > 0.85
    assert np.mean(detector.predict(X_train) == -1) == pytest.approx(
        0.1, abs=1 / len(X_train))


# ----------------------------------------------------------------------
# parameters, input, state
@pytest.mark.filterwarnings(CONVERGENCE)
def test_default_autoencoder_is_a_stacked_autoencoder():
    X = np.random.RandomState(0).rand(40, 5)
    est = AutoencoderOutlierDetector().fit(X)
    assert est.autoencoder is None
    assert type(est.autoencoder_) is StackedAE
    assert est.autoencoder_.get_params() == StackedAE(
        batch_size=64, max_iter=100).get_params()
    assert est.predict(X).shape == (40,)


@pytest.mark.filterwarnings(CONVERGENCE)
def test_bad_input_leaves_the_detector_as_it_was(normal_digits):
    X = normal_digits[0][:100]
    est = AutoencoderOutlierDetector(small_ae(max_iter=2))
    bad = X.copy()
    bad[0, 0] = np.inf  # (NaN is a missing value, which it takes)
    with pytest.raises(ValueError, match="infinity"):
        est.fit(bad)
    assert not hasattr(est, "offset_") and not hasattr(est, "autoencoder_")
    est.fit(X)
    fitted = dict(est.__dict__)
    with pytest.raises(ValueError, match="infinity"):
        est.fit(bad)
    with pytest.raises(InvalidParameterError, match="contamination"):
        est.set_params(contamination=0.7).fit(X)
    est.set_params(contamination=0.1)
    assert est.__dict__.keys() == fitted.keys()
    assert est.autoencoder_ is fitted["autoencoder_"]
    assert est.offset_ == fitted["offset_"]
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :10])


@pytest.mark.filterwarnings(CONVERGENCE)
def test_an_autoencoder_that_fails_leaves_no_half_fitted_detector():
    class Diverging(StackedAE):
        def score_samples(self, X):
            return np.full(X.shape[0], np.nan)

    X = np.random.RandomState(0).rand(30, 4)
    est = AutoencoderOutlierDetector(Diverging(n_components=2, max_iter=1))
    with pytest.raises(ValueError, match="non-finite"):
        est.fit(X)
    assert not hasattr(est, "offset_") and not hasattr(est, "n_features_in_")


def test_a_fitted_autoencoder_can_be_reused_frozen(detector, normal_digits):
    X_train, X_test, _ = normal_digits
    frozen = AutoencoderOutlierDetector(
        FrozenEstimator(detector.autoencoder_)).fit(X_train)
    assert_allclose(frozen.score_samples(X_test[:30]),
                    detector.score_samples(X_test[:30]))
    assert frozen.offset_ == pytest.approx(detector.offset_)


def test_accepts_sparse_input(detector, normal_digits):
    X_test = normal_digits[1][:20]
    assert_allclose(detector.score_samples(sp.csr_matrix(X_test)),
                    detector.score_samples(X_test), rtol=1e-6)
    assert detector.__sklearn_tags__().input_tags.sparse
    assert detector.__sklearn_tags__().estimator_type == "outlier_detector"


@pytest.mark.filterwarnings(CONVERGENCE)
def test_threshold_calibrated_on_unseen_normal_samples(normal_digits):
    """The recipe of the Notes: fit on one part, set offset_ on another."""
    X_train, X_test, is_inlier = normal_digits
    X_fit, X_calibration = X_train[:300], X_train[300:]
    detector = AutoencoderOutlierDetector(small_ae()).fit(X_fit)
    calibrated = AutoencoderOutlierDetector(
        FrozenEstimator(detector.autoencoder_),
        contamination=0.1).fit(X_calibration)
    assert calibrated.autoencoder_.estimator is detector.autoencoder_
    assert calibrated.offset_ == pytest.approx(np.percentile(
        detector.score_samples(X_calibration), 10))
    new_normal = X_test[is_inlier == 1]
    flagged = np.mean(calibrated.predict(new_normal) == -1)
    assert abs(flagged - 0.1) <= 0.1  # measured 0.16 on 100 digits
