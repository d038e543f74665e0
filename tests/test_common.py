"""scikit-learn's own estimator checks on every skae estimator."""

import inspect
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import skae
from user_modules import MLPDecoder, MLPEncoder

#: Small, fast settings for the checks: tiny layers and few epochs. The
#: checks' data are small (tens of samples, a handful of features).
FAST = dict(max_iter=5, batch_size=16, random_state=0)
FAST_BY_CLASS = {
    "StackedAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    # its own full-batch L-BFGS: with batch_size=16 each epoch made up to
    # 7 L-BFGS steps of up to 20 evaluations (26 s of checks, now ~9 s);
    # tests/test_linear.py trains mini-batch L-BFGS
    "LinearAE": dict(n_components=1, batch_size="auto"),
    "DenoisingAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "SparseAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "ContractiveAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "KSparseAE": dict(n_components=3, hidden_layer_sizes=(8,), k=1),
    "WinnerTakeAllAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "PretrainedClassifier": dict(
        autoencoder=skae.StackedAE(n_components=3, hidden_layer_sizes=(8,),
                                   **FAST),
        learning_rate=1e-2),
    # (1, -1): each row is a 1-D signal, so every width the checks use works
    # (a square image is inferred only with image_shape=None; test_conv.py)
    "ConvAE": dict(n_components=3, image_shape=(1, -1), filters=(4, 8)),
    "VariationalAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "IWAE": dict(n_components=3, hidden_layer_sizes=(8,),
                 n_importance_samples=3),
    "BetaTCVAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "WAEMMD": dict(n_components=3, hidden_layer_sizes=(8,)),
    "VampPriorVAE": dict(n_components=3, hidden_layer_sizes=(8,),
                         n_pseudo_inputs=5),
    "ConditionalVAE": dict(n_components=3, hidden_layer_sizes=(8,)),
    "ConditionalAdversarialAE": dict(n_components=3, hidden_layer_sizes=(8,),
                                     discriminator_layer_sizes=(8,)),
    # the checks fit on as few as 10 samples; n_codes may not exceed them
    "VQVAE": dict(n_components=3, hidden_layer_sizes=(8,), n_codes=4),
    # the user's own module classes, with a module argument
    "CustomAE": dict(n_components=3, encoder=MLPEncoder, decoder=MLPDecoder,
                     encoder__hidden=6),
    "AdversarialAE": dict(n_components=3, hidden_layer_sizes=(8,),
                          discriminator_layer_sizes=(8,)),
    # an unseeded autoencoder: the detector's own random_state seeds it
    "AutoencoderImputer": dict(
        estimator=skae.DenoisingAE(n_components=3, hidden_layer_sizes=(8,),
                                   noise="masking", **FAST)),
    "AutoencoderOutlierDetector": dict(
        autoencoder=skae.StackedAE(n_components=3, hidden_layer_sizes=(8,),
                                   max_iter=5, batch_size=16)),
}

#: Mini-batch training: a sample of weight 2 and the same sample twice make
#: different batches (and a different number of steps), so the two networks
#: differ; scikit-learn expects the same failure of its own mini-batch
#: estimators (MLPRegressor, SGDRegressor). tests/test_sample_weight.py
#: checks what weights do mean: a weight of 0 drops a sample, a constant
#: weight changes nothing.
WEIGHTS_ARE_NOT_REPEATS = {
    name: "mini-batch training: weight 2 is not the same batches as the "
          "sample twice (see tests/test_sample_weight.py)"
    for name in ("check_sample_weight_equivalence",
                 "check_sample_weight_equivalence_on_dense_data",
                 "check_sample_weight_equivalence_on_sparse_data")
}

#: Checks a class is expected to fail, with the reason next to each.
EXPECTED_FAILED_CHECKS = {
    "PretrainedClassifier": {
        "check_classifiers_classes": (
            "ends with labels {-1, 1}, and -1 marks an unlabeled sample in "
            "sklearn.semi_supervised's convention, which the check exempts "
            "only for sklearn's own semi-supervised classifiers (by name); "
            "tests/test_classifier.py runs its string and object label parts"),
    },
}


def fast_instance(cls, **overrides):
    """``cls`` with the fast settings that apply to it (an outlier detector
    takes them through its autoencoder)."""
    params = inspect.signature(cls).parameters
    fast = {name: value for name, value in {**FAST, **overrides}.items()
            if name in params}
    return cls(**{**fast, **FAST_BY_CLASS.get(cls.__name__, {})})


#: Every estimator is checked again with mixed precision: every precision
#: the CPU supports, bfloat16 (float16 needs CUDA). The imputer and the
#: outlier detector take it through their autoencoder.
MIXED_PRECISION = "bfloat16"


def _mixed_precision_instance(cls):
    params = inspect.signature(cls).parameters
    if "precision" in params:
        return fast_instance(cls, precision=MIXED_PRECISION)
    inner = next(name for name in ("estimator", "autoencoder")
                 if name in params)
    estimator = fast_instance(cls)
    autoencoder = estimator.get_params()[inner]
    return estimator.set_params(
        **{inner: autoencoder.set_params(precision=MIXED_PRECISION)})


def _instances():
    for cls in skae.all_estimators():
        yield fast_instance(cls)
    for cls in skae.all_estimators():
        yield _mixed_precision_instance(cls)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@parametrize_with_checks(
    list(_instances()),
    expected_failed_checks=lambda est: {
        **EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
        **(WEIGHTS_ARE_NOT_REPEATS
           if "sample_weight" in inspect.signature(est.fit).parameters
           else {})},
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_public_estimator_is_in_all_estimators():
    """A public estimator class anywhere in skae is exported and so checked
    above: none is defined and forgotten."""
    import importlib
    import inspect
    import pkgutil

    from sklearn.base import BaseEstimator
    from skorch import NeuralNet

    found = set()
    for info in pkgutil.walk_packages(skae.__path__, "skae."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                    and not issubclass(obj, NeuralNet)  # the training loops
                    and obj.__module__.startswith("skae")
                    and not name.startswith("_")
                    and "__init__" in vars(obj)):
                found.add(obj)
    assert found, "no estimator found: the scan is broken"
    assert found == set(skae.all_estimators())
