"""Model files: skae.save / skae.load run no code and round-trip exactly;
pickles stay small; skorch's checkpoints work on skae nets."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from skorch.callbacks import Checkpoint, LoadInitState

import skae
from skae import LinearAE, PretrainedClassifier, StackedAE
from skae._conditional import ConditionalMixin
from test_common import fast_instance
from user_modules import MLPDecoder, MLPEncoder

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")


def _labels(cls, y):
    """``y`` for the estimators that learn from labels, else None."""
    needs = cls is PretrainedClassifier or issubclass(cls, ConditionalMixin)
    return y if needs else None


def _fitted(cls, X, y):
    est = fast_instance(cls, batch_size=64)
    return est.fit(X, _labels(cls, y))


def _outputs(est, X):
    if hasattr(est, "predict_proba"):
        return [est.predict_proba(X)]
    if not hasattr(est, "transform"):  # an outlier detector
        return [est.score_samples(X), est.decision_function(X),
                est.predict(X)]
    if not hasattr(est, "inverse_transform"):  # the imputer
        X = X.copy()
        X[::3, ::5] = np.nan
        return [est.transform(X)]
    codes = est.transform(X)
    # a conditional autoencoder decodes as a given class
    as_class = ({"y": est.classes_[-1]} if isinstance(est, ConditionalMixin)
                else {})
    return [codes, est.inverse_transform(codes, **as_class),
            est.score_samples(X),
            est.sample(7, random_state=0)]


def _round_trip(est):
    buffer = io.BytesIO()
    skae.save(est, buffer)
    buffer.seek(0)
    # CustomAE's file names its module classes; load builds only those given
    return skae.load(buffer, modules=[MLPEncoder, MLPDecoder])


@pytest.mark.parametrize("cls", skae.all_estimators(),
                         ids=lambda cls: cls.__name__)
def test_every_estimator_round_trips_bit_identically(cls, digits):
    X, X_test, y, _ = digits
    est = _fitted(cls, X[:300], y[:300])
    loaded = _round_trip(est)
    assert type(loaded) is cls
    assert loaded.get_params(deep=False).keys() == \
        est.get_params(deep=False).keys()
    for a, b in zip(_outputs(est, X_test), _outputs(loaded, X_test)):
        assert_array_equal(a, b)
    # ... and so does a warm-started model, and its pickle
    if "warm_start" in est.get_params():
        est.set_params(warm_start=True, max_iter=2).fit(
            X[:300], _labels(cls, y[:300]))
        assert est.n_iter_ > 2
        for restored in (_round_trip(est), pickle.loads(pickle.dumps(est))):
            assert restored.n_iter_ == est.n_iter_
            for a, b in zip(_outputs(est, X_test), _outputs(restored,
                                                              X_test)):
                assert_array_equal(a, b)


def test_stack_results_round_trip(digits):
    X, X_test = digits[0], digits[1]
    pipe = Pipeline([
        ("ae1", StackedAE(16, hidden_layer_sizes=(), max_iter=3,
                          random_state=0)),
        ("ae2", StackedAE(4, hidden_layer_sizes=(), max_iter=3,
                          random_state=0)),
    ]).fit(X)
    stacked = skae.stack(pipe)
    loaded = _round_trip(stacked)
    for a, b in zip(_outputs(stacked, X_test), _outputs(loaded, X_test)):
        assert_array_equal(a, b)
    # fine-tuned, it still loads as the chain it is
    stacked.set_params(warm_start=True, max_iter=2).fit(X)
    assert_array_equal(_round_trip(stacked).transform(X_test),
                       stacked.transform(X_test))


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch skae-was-exploited",))


def test_load_params_rejects_a_file_that_would_run_code(digits, tmp_path,
                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    ae = StackedAE(n_components=4, hidden_layer_sizes=(8,), max_iter=1,
                   random_state=0).fit(digits[0])
    evil = tmp_path / "evil.pt"
    torch.save({"encoder.0.weight": _Evil()}, evil)
    with pytest.raises(pickle.UnpicklingError):
        ae.net_.load_params(f_params=str(evil))
    assert not (tmp_path / "skae-was-exploited").exists()


def test_skorch_checkpoint_and_resume_work(digits, tmp_path):
    X = digits[0]
    checkpoint = Checkpoint(dirname=str(tmp_path), monitor="train_loss_best")

    def fit():
        return StackedAE(n_components=4, hidden_layer_sizes=(16,),
                         max_iter=3, random_state=0,
                         callbacks=[checkpoint, LoadInitState(checkpoint)]
                         ).fit(X)

    first = fit()
    resumed = fit()  # starts from the checkpoint of the first fit
    assert len(resumed.net_.history) == 6
    assert resumed.score(X) > first.score(X)
    # a swapped checkpoint file that would run code is refused
    torch.save({"x": _Evil()}, tmp_path / "params.pt")
    with pytest.raises(pickle.UnpicklingError):
        fit()


@pytest.fixture(scope="module")
def model_file(digits):
    ae = StackedAE(n_components=4, hidden_layer_sizes=(8,), max_iter=2,
                   random_state=0).fit(digits[0])
    buffer = io.BytesIO()
    skae.save(ae, buffer)
    return buffer.getvalue()


def _rewrite(data, edit):
    """The model file with its manifest changed by ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "skae.json":
                manifest = json.loads(content)
                edit(manifest)
                content = json.dumps(manifest)
            target.writestr(item, content)
    out.seek(0)
    return out


@pytest.mark.parametrize("edit, match", [
    (lambda m: m.update(format_version=99), "format version 99"),
    (lambda m: m["estimator"].update({"class": "PCA"}),
     "not one of skae's estimators"),
    (lambda m: m["estimator"].update({"class": "system"}),
     "not one of skae's estimators"),
    (lambda m: m["estimator"]["params"].update(hidden_layer_sizes={
        "tuple": [9]}), "do not match"),
    (lambda m: m.update(format="other"), "not a skae model file"),
])
def test_load_refuses_files_it_cannot_trust(model_file, edit, match):
    with pytest.raises(ValueError, match=match):
        skae.load(_rewrite(model_file, edit))


def test_load_refuses_truncated_and_foreign_files(model_file, digits):
    with pytest.raises(ValueError, match="not a skae model file"):
        skae.load(io.BytesIO(model_file[:len(model_file) // 2]))
    with pytest.raises(ValueError, match="not a skae model file"):
        skae.load(io.BytesIO(pickle.dumps(LinearAE())))
    # an array that would need pickle is refused by allow_pickle=False
    source = zipfile.ZipFile(io.BytesIO(model_file))
    name = next(n for n in source.namelist() if n.endswith(".npy"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == name:
                buffer = io.BytesIO()
                np.save(buffer, np.array([_Evil()], dtype=object),
                        allow_pickle=True)
                content = buffer.getvalue()
            target.writestr(item, content)
    out.seek(0)
    with pytest.raises(ValueError):
        skae.load(out)


def test_a_model_fitted_on_a_gpu_loads_on_the_cpu(model_file):
    if torch.cuda.is_available():
        pytest.skip("a GPU is available")

    def on_cuda(manifest):
        manifest["estimator"]["params"]["device"] = "cuda"

    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded = skae.load(_rewrite(model_file, on_cuda))
    assert loaded.device == "cuda"
    assert next(loaded.module_.parameters()).device.type == "cpu"
    assert loaded.transform(np.zeros((2, 64), np.float32)).shape == (2, 4)


def test_callbacks_are_not_saved_and_say_so(digits):
    ae = StackedAE(n_components=4, hidden_layer_sizes=(8,), max_iter=1,
                   callbacks=[Checkpoint(dirname="unused", monitor=None)],
                   random_state=0)
    with pytest.warns(UserWarning, match="callbacks are not saved"):
        loaded = _round_trip(ae)
    assert loaded.callbacks is None


@pytest.mark.parametrize("est", [
    LinearAE(n_components=32, random_state=0),
    StackedAE(n_components=32, hidden_layer_sizes=(128,), max_iter=20,
              random_state=0),
], ids=["LinearAE", "StackedAE"])
def test_files_hold_little_more_than_the_weights(est, mnist):
    # 500 rows (2,000 before: 12.5 s for LinearAE's fit, now ~4 s): the
    # rows (1.5 MB) or the optimizer's state (L-BFGS keeps two
    # weight-sized vectors per step, Adam two per weight) would still be
    # more than the weights (204 kB for LinearAE, 840 kB for StackedAE)
    # and the codes (128 kB) together
    X = mnist[0][:500]
    est = clone(est).fit(X)
    weights = sum(t.numel() * t.element_size()
                  for t in est.module_.state_dict().values())
    codes = est._sampler_codes.nbytes
    buffer = io.BytesIO()
    skae.save(est, buffer)
    for size in (len(pickle.dumps(est)), len(buffer.getvalue())):
        # measured 1.049 (pickle) and 1.026 (skae.save) for LinearAE,
        # 1.020 and 1.009 for StackedAE
        assert size <= 1.2 * (weights + codes), (size, weights, codes)
    # warm start still works without the optimizer's state
    restored = pickle.loads(pickle.dumps(est))
    restored.set_params(warm_start=True, max_iter=2).fit(X)
    assert restored.n_iter_ == est.n_iter_ + 2
