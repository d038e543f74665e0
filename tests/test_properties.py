"""Property-based tests: any input either works or gets a clear error.

For every estimator of ``skae.all_estimators()``, hypothesis draws inputs
of random shapes (one sample and one feature included), dtypes, NaN and
infinity positions, dense, sparse or pandas containers with odd column
names, and tiny ``max_iter``. Each call either works, returning finite
output of the right shape and dtype, or raises a clear ValueError or
TypeError (FloatingPointError for a diverging run); a failed refit leaves
the previous model exactly as it was. NaN are missing values, which every
estimator but PretrainedClassifier takes; a row with no observed value has
no score (a clear ValueError).

CI runs a few examples per estimator (the "ci" profile); run more with
``HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py``.
"""

import copy
import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import skae  # noqa: E402

settings.register_profile(
    "ci", max_examples=8, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow,
                           HealthCheck.function_scoped_fixture])
settings.register_profile(
    "thorough", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow,
                           HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CLEAR_ERRORS = (ValueError, TypeError, FloatingPointError)

#: Small networks; ConvAE reads each row as a 1-D signal so any width works.
SMALL = {
    "ConvAE": dict(image_shape=(1, -1), filters=(2,)),
    "KSparseAE": dict(k=1),
    "VQVAE": dict(n_codes=1),  # hypothesis draws a single sample too
    "AdversarialAE": dict(discriminator_layer_sizes=(4,)),
    "PretrainedClassifier": dict(autoencoder=skae.StackedAE(
        n_components=2, hidden_layer_sizes=(4,), max_iter=1,
        random_state=0)),
}
ESTIMATORS = skae.all_estimators()


def _make(cls, max_iter):
    if cls is skae.AutoencoderOutlierDetector:
        # the detector's training parameters are its autoencoder's
        return cls(autoencoder=_make(skae.StackedAE, max_iter))
    if cls is skae.AutoencoderImputer:
        return cls(estimator=_make(skae.DenoisingAE, max_iter))
    params = dict(max_iter=max_iter, random_state=0, batch_size=4)
    if "n_components" in cls().get_params():
        params["n_components"] = 2
    if "hidden_layer_sizes" in cls().get_params() and cls.__name__ != \
            "PretrainedClassifier":
        params["hidden_layer_sizes"] = (4,)
    return cls(**params, **SMALL.get(cls.__name__, {}))


@st.composite
def inputs(draw):
    n_samples = draw(st.integers(1, 9))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64]))
    if dtype is np.int64:
        elements = st.integers(-20, 20)
    else:
        elements = st.floats(-50, 50, width=32)
    X = draw(hnp.arrays(dtype, (n_samples, n_features), elements=elements))
    if dtype is not np.int64 and draw(st.booleans()):
        # a few NaN or infinite entries at random places
        bad = draw(st.lists(st.tuples(st.integers(0, n_samples - 1),
                                      st.integers(0, n_features - 1)),
                            max_size=2))
        for i, j in bad:
            X[i, j] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    container = draw(st.sampled_from(["numpy", "sparse", "pandas"]))
    if container == "sparse":
        return sp.csr_matrix(X)
    if container == "pandas":
        pd = pytest.importorskip("pandas")
        names = draw(st.sampled_from([
            [f"f{i}" for i in range(n_features)],
            [f"ünï {i}" for i in range(n_features)],
            [f" col-{i}.x " for i in range(n_features)],
            list(range(n_features)),  # integer column names
        ]))
        return pd.DataFrame(X, columns=names)
    return X


def _dense(X):
    if sp.issparse(X):
        return X.toarray()
    return np.asarray(X)


def _expected_dtype(X):
    dtype = _dense(X).dtype
    return np.float64 if dtype == np.float64 else np.float32


def _needs_y(cls):
    """Whether ``cls`` learns from labels (its tags require y)."""
    return cls().__sklearn_tags__().target_tags.required


@pytest.fixture(scope="module")
def reference(digits):
    """Each estimator fitted once on valid data (for the refit check)."""
    X = digits[0][:60, :5]
    fitted = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls in ESTIMATORS:
            y = np.arange(60) % 3 if _needs_y(cls) else None
            fitted[cls.__name__] = _make(cls, 1).fit(X, y)
    return X, fitted


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
@given(X=inputs(), max_iter=st.integers(0, 2))
def test_any_input_works_or_fails_clearly(cls, X, max_iter, reference):
    X_ref, fitted = reference
    est = copy.deepcopy(fitted[cls.__name__])
    before = _output(est, X_ref)
    classifier = cls.__name__ == "PretrainedClassifier"
    detector = cls is skae.AutoencoderOutlierDetector
    inner = {skae.AutoencoderOutlierDetector: "autoencoder__",
             skae.AutoencoderImputer: "estimator__"}.get(cls, "")
    est.set_params(**{inner + "max_iter": max_iter})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X, np.arange(X.shape[0]) % 2 if _needs_y(cls) else None)
        except CLEAR_ERRORS as exc:
            assert str(exc), "an error without a message"
            # the failed refit left the previous model as it was
            assert_array_equal(_output(est, X_ref), before)
            return
        _check_outputs(est, X, classifier, detector)


def _no_row_observed(X):
    return bool(np.isnan(_dense(X).astype(float)).all(axis=1).any())


def _check_outputs(est, X, classifier, detector):
    n = X.shape[0]
    if isinstance(est, skae.AutoencoderImputer):
        out = est.transform(X)
        assert out.shape[0] == n and np.isfinite(out).all()
        return
    if (detector or not classifier) and _no_row_observed(X):
        with pytest.raises(ValueError, match="no observed value"):
            est.score_samples(X)
        return
    if detector:
        scores = est.decision_function(X)
        assert scores.shape == (n,) and np.isfinite(scores).all()
        assert set(np.unique(est.predict(X))) <= {-1, 1}
        return
    if classifier:
        proba = est.predict_proba(X)
        assert proba.shape == (n, len(est.classes_))
        assert np.isfinite(proba).all()
        return
    codes = est.transform(X)
    assert codes.shape == (n, est.n_components)
    assert codes.dtype == _expected_dtype(X)
    assert np.isfinite(codes).all()
    # a conditional autoencoder decodes as a given class
    as_class = {"y": est.classes_[0]} if _needs_y(type(est)) else {}
    back = est.inverse_transform(codes, **as_class)
    assert back.shape == (n, est.n_features_in_)
    assert np.isfinite(back).all()
    scores = est.score_samples(X)
    assert scores.shape == (n,) and np.isfinite(scores).all()


def _output(est, X):
    if hasattr(est, "decision_function"):
        return est.decision_function(X)
    if hasattr(est, "transform"):
        return est.transform(X)
    return est.predict_proba(X)
