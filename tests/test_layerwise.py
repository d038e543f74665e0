"""Greedy layer-wise pretraining in StackedAE and skae.stack."""

import itertools
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from skae import LinearAE, StackedAE, stack
from skae.nn import Corruption, MLPAutoencoder

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

# alpha=0: the setting the comparisons below were measured with
FAST = dict(learning_rate=1e-2, early_stopping=False, alpha=0.0,
            random_state=0)


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


def _baseline(X_train, X_test):
    return float(np.mean((X_test - X_train.mean(0)) ** 2))


def test_greedy_stage_alone_is_comparable_with_end_to_end(digits):
    X_train, X_test, _, _ = digits
    kw = dict(n_components=16, hidden_layer_sizes=(48,), **FAST)
    end_to_end = StackedAE(max_iter=30, **kw).fit(X_train)
    greedy = StackedAE(pretraining="greedy", pretraining_max_iter=30,
                       max_iter=0, **kw).fit(X_train)
    # max_iter=0 keeps the greedy result as is
    assert greedy.n_iter_ == 0 and greedy.loss_curve_ == []
    assert len(greedy.pretraining_loss_curves_) == 2
    for curve in greedy.pretraining_loss_curves_:
        assert len(curve) == 30 and curve[-1] < 0.5 * curve[0]
    assert end_to_end.pretraining_loss_curves_ is None
    mse_greedy, mse_e2e = _mse(greedy, X_test), _mse(end_to_end, X_test)
    # measured: greedy 0.0200, end-to-end 0.0165, all-mean baseline 0.108
    assert mse_greedy < 0.25 * _baseline(X_train, X_test)
    assert mse_greedy < 1.5 * mse_e2e
    # fine-tuning the greedy stack beats both (a warm start continues the
    # fit without pretraining again)
    curves = greedy.pretraining_loss_curves_
    greedy.set_params(warm_start=True, max_iter=30).fit(X_train)
    assert greedy.n_iter_ == 30 and greedy.pretraining_loss_curves_ is curves
    assert _mse(greedy, X_test) < min(mse_greedy, mse_e2e)


def _runs(events):
    """Run-length groups of (layer, training) with call and row counts."""
    return [(layer, training, len(group), sum(rows for *_, rows in group))
            for (layer, training), group in itertools.groupby(
                events, key=lambda e: e[:2])
            for group in [list(group)]]


def test_greedy_evaluates_each_frozen_layer_once_per_stage(digits):
    X = digits[0]
    n = len(X)
    events = []

    class Recorded(StackedAE):
        def _build_module(self, n_features):
            module = super()._build_module(n_features)
            for i, layer in enumerate(module.encoder):
                layer.register_forward_hook(
                    lambda m, args, out, i=i: events.append(
                        (i, m.training, args[0].shape[0])))
            return module

    epochs, batch = 4, 100
    Recorded(n_components=8, hidden_layer_sizes=(32, 16), pretraining="greedy",
             pretraining_max_iter=epochs, max_iter=0, batch_size=batch,
             **FAST).fit(X)
    steps = epochs * -(-n // batch)  # training batches of one stage
    evals = -(-n // 1024)  # evaluation batches over the whole data
    runs = _runs(events)
    assert runs[:5] == [
        (0, True, steps, epochs * n),  # stage 1 trains layer 0, per batch
        (0, False, evals, n),  # then evaluates it once on every sample
        (1, True, steps, epochs * n),  # stage 2: layer 0 is never called
        (1, False, evals, n),
        (2, True, steps, epochs * n),  # stage 3: neither layer 0 nor 1
    ]
    # what follows is the codes kept for sample(): one pass through all
    assert all(not training for _, training, *_ in runs[5:])


def test_greedy_keeps_tied_weights_tied(digits):
    X_train, X_test, _, _ = digits
    est = StackedAE(n_components=16, hidden_layer_sizes=(48,), tied_weights=True,
                    pretraining="greedy", pretraining_max_iter=20, max_iter=0,
                    **FAST).fit(X_train)
    module = est.module_
    assert module.decoder[-1].weight.data_ptr() == module.encoder[0].weight.data_ptr()
    assert module.decoder[0].weight.data_ptr() == module.encoder[1].weight.data_ptr()
    assert _mse(est, X_test) < 0.25 * _baseline(X_train, X_test)


class _MaskingAE(StackedAE):
    """A StackedAE subclass adding input corruption, as a denoising one."""

    def _module_kwargs(self):
        return {**super()._module_kwargs(),
                "corruption": Corruption("masking", 0.3)}


def test_greedy_corrupts_the_input_of_every_stage(digits):
    widths = []

    class Recorded(_MaskingAE):
        def _build_module(self, n_features):
            module = super()._build_module(n_features)
            module.corruption.register_forward_hook(
                lambda m, args, out: widths.append(
                    (args[0].shape[1], m.training)))
            return module

    Recorded(n_components=8, hidden_layer_sizes=(32,), pretraining="greedy",
             pretraining_max_iter=2, max_iter=2, batch_size=200,
             **FAST).fit(digits[0])
    per_epoch = -(-len(digits[0]) // 200)
    # stage 1 corrupts the pixels, stage 2 the first layer's outputs (a
    # stacked denoising autoencoder), fine-tuning the pixels again
    assert [w for w, training in widths if training] == (
        [64] * 2 * per_epoch + [32] * 2 * per_epoch + [64] * 2 * per_epoch)


class _PenalisedNet(MLPAutoencoder):
    def loss_terms(self, out, target):
        terms = super().loss_terms(out, target)
        terms["loss"] = terms["loss"] + out["code"].abs().mean()
        return terms


class _PenalisedAE(StackedAE):
    def _build_module(self, n_features):
        return _PenalisedNet(n_features, **self._module_kwargs())


def test_greedy_refuses_networks_whose_loss_is_not_layer_wise(digits):
    est = _PenalisedAE(n_components=8, hidden_layer_sizes=(16,), max_iter=2,
                       pretraining="greedy", **FAST)
    with pytest.raises(ValueError, match=r"not available for _PenalisedAE.*"
                       r"loss_terms.*pretraining='none'"):
        est.fit(digits[0])
    assert not hasattr(est, "module_")
    est.set_params(pretraining="none").fit(digits[0])


@pytest.fixture(scope="module")
def two_step_pipeline(digits):
    X_train = digits[0]
    return Pipeline([
        ("ae1", StackedAE(n_components=32, hidden_layer_sizes=(), max_iter=15,
                          **FAST)),
        ("ae2", StackedAE(n_components=8, hidden_layer_sizes=(), max_iter=15,
                          **FAST)),
    ]).fit(X_train)


def test_stack_round_trip(two_step_pipeline, digits):
    X_train, X_test, _, _ = digits
    pipe = two_step_pipeline
    ae = stack(pipe)
    assert isinstance(ae, StackedAE)
    assert (ae.n_components, ae.hidden_layer_sizes) == (8, (32,))
    assert ae.n_features_in_ == 64
    codes = ae.transform(X_test)
    assert_array_equal(codes, pipe.transform(X_test))
    assert_allclose(ae.transform(X_test.astype(np.float64)),
                    pipe.transform(X_test.astype(np.float64)), rtol=1e-12)
    # decodes through both decoders, as the pipeline's inverse_transform
    assert_allclose(ae.inverse_transform(codes), pipe.inverse_transform(codes),
                    rtol=1e-6, atol=1e-7)
    assert ae.score(X_test) == pytest.approx(-_mse(ae, X_test), rel=1e-5)
    assert ae.pretraining_loss_curves_ == [pipe["ae1"].loss_curve_,
                                           pipe["ae2"].loss_curve_]
    # a list works as the pipeline does (float32 results of a 5-row batch
    # may differ from those of a 400-row one in the last bits)
    assert_allclose(stack([pipe["ae1"], pipe["ae2"]]).transform(X_test[:5]),
                    codes[:5], rtol=1e-5, atol=1e-6)
    assert ae.sample(3, random_state=0).shape == (3, 64)
    restored = pickle.loads(pickle.dumps(ae))
    assert_array_equal(restored.transform(X_test), codes)


def test_stack_is_independent_and_fine_tunes_end_to_end(two_step_pipeline,
                                                       digits):
    X_train, X_test, _, _ = digits
    pipe = two_step_pipeline
    ae = stack(pipe)
    before = _mse(ae, X_test)
    ae.set_params(warm_start=True, max_iter=10).fit(X_train)
    assert ae.n_iter_ == 10
    assert _mse(ae, X_test) < before
    # the pipeline's autoencoders are untouched
    assert_array_equal(stack(pipe).transform(X_test), pipe.transform(X_test))
    # clone + fit trains a plain StackedAE of the same shape from scratch
    fresh = clone(ae).set_params(warm_start=False, max_iter=2).fit(X_train)
    assert [layer.out_features for layer in fresh.module_.encoder] == [32, 8]


def test_stack_rejects_what_it_cannot_stack(digits):
    X = digits[0]
    a = LinearAE(n_components=8, max_iter=2).fit(X)
    b = StackedAE(n_components=4, hidden_layer_sizes=(), max_iter=2,
                  random_state=0).fit(X)
    with pytest.raises(ValueError, match="fitted on 64 features.*"
                       "n_components=8"):
        stack([a, b])
    with pytest.raises(NotFittedError):
        stack([a, StackedAE()])
    with pytest.raises(TypeError, match="step 1 is PCA"):
        from sklearn.decomposition import PCA
        stack([a, PCA(2).fit(a.transform(X))])
    with pytest.raises(ValueError, match="at least one"):
        stack([])
