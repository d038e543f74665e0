"""Mixed precision: ``precision="bfloat16"`` (torch's autocast) on the CPU,
float16 on CUDA only."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

import skae
from skae import AdversarialAE, StackedAE, VariationalAE

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(n_components=8, hidden_layer_sizes=(64,), max_iter=15,
            batch_size=64, random_state=0)


class LayerDtypes(Callback):
    """Records the dtype of the first linear layer's outputs in training."""

    def initialize(self):
        self.seen = set()
        return self

    def on_train_begin(self, net, **kwargs):
        layer = next(m for m in net.module_.modules()
                     if isinstance(m, torch.nn.Linear))
        layer.register_forward_hook(
            lambda module, args, out: self.seen.add(out.dtype)
            if module.training else None)


@pytest.mark.parametrize("cls", [StackedAE, VariationalAE, AdversarialAE])
def test_bfloat16_runs_inside_the_layers_in_training(cls, digits):
    X = digits[0][:300]
    seen = {}
    for precision in ("float32", "bfloat16"):
        spy = LayerDtypes()
        est = cls(**{**FAST, "max_iter": 2}, precision=precision,
                  callbacks=[spy]).fit(X)
        seen[precision] = spy.seen
        # the weights and the recorded losses stay float32
        assert {p.dtype for p in est.module_.parameters()} == {
            torch.float32}
        assert np.isfinite(est.loss_curve_).all()
    assert seen == {"float32": {torch.float32},
                    "bfloat16": {torch.bfloat16}}


def test_outputs_keep_the_input_dtype(digits):
    X_train, X_test = digits[0][:400], digits[1][:50]
    est = VariationalAE(**FAST, precision="bfloat16").fit(X_train)
    for dtype in (np.float32, np.float64):
        X = X_test.astype(dtype)
        codes = est.transform(X)
        assert codes.dtype == dtype
        assert est.inverse_transform(codes).dtype == dtype
        assert est.score_samples(X).dtype == np.float64
    assert est.sample(5, random_state=0).dtype == np.float32


def test_bfloat16_learns_as_well_as_float32(digits):
    X_train, X_test = digits[0], digits[1]
    errors = {p: -StackedAE(**{**FAST, "max_iter": 40}, precision=p)
              .fit(X_train).score(X_test) for p in ("float32", "bfloat16")}
    # measured (seeds 0, 1, 2): 0.01937, 0.01904, 0.02008 in float32 and
    # 0.05% more in bfloat16 each time
    assert errors["bfloat16"] < 1.05 * errors["float32"]


def test_float16_on_the_cpu_is_refused_before_anything_changes(digits):
    X = digits[0][:100]
    est = StackedAE(**FAST, precision="float16")
    with pytest.raises(ValueError, match="needs CUDA.*'bfloat16'"):
        est.fit(X)
    with pytest.raises(NotFittedError):
        est.transform(X)
    fitted = StackedAE(**{**FAST, "max_iter": 2}).fit(X)
    before = fitted.transform(X)
    fitted.set_params(precision="float16", warm_start=True)
    with pytest.raises(ValueError, match="float16"):
        fitted.fit(X)
    assert_allclose(fitted.transform(X), before)
    with pytest.raises(ValueError, match="precision"):
        StackedAE(precision="half").fit(X)


def test_a_bfloat16_model_saved_and_loaded_transforms_in_float32(
        digits, tmp_path):
    X_train, X_test = digits[0][:300], digits[1][:50]
    est = StackedAE(**{**FAST, "max_iter": 3}, precision="bfloat16").fit(
        X_train)
    path = tmp_path / "model.skae"
    skae.save(est, path)
    loaded = skae.load(path)
    assert loaded.precision == "bfloat16"
    codes = loaded.transform(X_test)
    assert codes.dtype == np.float32
    assert_allclose(codes, est.transform(X_test), rtol=1e-5, atol=1e-6)
    # the same weights in float32 arithmetic: within bfloat16's rounding
    exact = clone(est).set_params(precision="float32")
    exact.fit(X_train[:20])
    exact.module_.load_state_dict(est.module_.state_dict())
    assert_allclose(exact.transform(X_test), codes, atol=0.1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
def test_mixed_precision_on_cuda(precision, digits):
    X_train, X_test = digits[0], digits[1]
    errors = {}
    for p in ("float32", precision):
        est = StackedAE(**{**FAST, "max_iter": 40}, device="cuda",
                        precision=p).fit(X_train)
        errors[p] = -est.score(X_test)
        assert est.transform(X_test).dtype == np.float32
    assert errors[precision] < 1.05 * errors["float32"]
