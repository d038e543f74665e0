"""encoder_module / decoder_module: each half alone, scriptable and exportable.

One estimator per network family (dense, tied, greedy stack, k-sparse,
winner-take-all, variational, adversarial, convolutional with and without
resizing, a stack() of two autoencoders): the modules hold only their half's
parameters, reproduce transform / inverse_transform, and survive
``torch.jit.script``, ``torch.export.export`` and ONNX export with a dynamic
batch axis (run with onnxruntime).
"""

import logging
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.pipeline import make_pipeline

from skae import (
    AdversarialAE,
    ConvAE,
    KSparseAE,
    LinearAE,
    StackedAE,
    VariationalAE,
    WinnerTakeAllAE,
    stack,
)
from skae.nn import Decoder, Encoder

TINY = dict(max_iter=3, random_state=0)


def _stacked_pair():
    pipe = make_pipeline(StackedAE(16, hidden_layer_sizes=(), **TINY),
                         StackedAE(4, hidden_layer_sizes=(), **TINY))
    return pipe


FAMILIES = {
    "linear": lambda: LinearAE(4, **TINY),
    "dense": lambda: StackedAE(4, hidden_layer_sizes=(16,), **TINY),
    "tied": lambda: StackedAE(4, hidden_layer_sizes=(16,), tied_weights=True,
                              **TINY),
    "greedy": lambda: StackedAE(4, hidden_layer_sizes=(16,),
                                pretraining="greedy", pretraining_max_iter=2,
                                **TINY),
    "ksparse": lambda: KSparseAE(8, k=3, hidden_layer_sizes=(16,), **TINY),
    "wta": lambda: WinnerTakeAllAE(8, hidden_layer_sizes=(16,), **TINY),
    "variational": lambda: VariationalAE(4, hidden_layer_sizes=(16,), **TINY),
    "adversarial": lambda: AdversarialAE(4, hidden_layer_sizes=(16,), **TINY),
    "conv": lambda: ConvAE(4, image_shape=(1, 8, 8), filters=(4,), **TINY),
    "conv-resize": lambda: ConvAE(4, image_shape=(1, 8, 8), filters=(4,),
                                  resize=(6, 6), **TINY),
    "stack": "stack",
}


@pytest.fixture(scope="module")
def X():
    from sklearn.datasets import load_digits
    return (load_digits().data[:300] / 16).astype(np.float32)


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def fitted(request, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few iterations, on purpose
        if FAMILIES[request.param] == "stack":
            return stack(_stacked_pair().fit(X))
        return FAMILIES[request.param]().fit(X)


def _run(module, array):
    with torch.no_grad():
        return module(torch.from_numpy(array)).numpy()


def test_each_half_reproduces_the_estimator(fitted, X):
    codes = fitted.transform(X)
    encoder, decoder = fitted.encoder_module(), fitted.decoder_module()
    assert isinstance(encoder, Encoder) and isinstance(decoder, Decoder)
    assert not encoder.training and not decoder.training
    assert_allclose(_run(encoder, X), codes, rtol=1e-5, atol=1e-6)
    assert_allclose(_run(decoder, codes), fitted.inverse_transform(codes),
                    rtol=1e-5, atol=1e-6)
    # float64 (and the estimator's float64 path) work too
    assert_allclose(_run(encoder, X.astype(np.float64)), codes,
                    rtol=1e-4, atol=1e-5)
    assert_allclose(_run(encoder.double(), X.astype(np.float64)),
                    fitted.transform(X.astype(np.float64)),
                    rtol=1e-10, atol=1e-12)


def test_each_half_holds_only_its_own_parameters(fitted):
    encoder, decoder = fitted.encoder_module(), fitted.decoder_module()
    network = {id(p) for p in fitted.module_.parameters()}
    own = [p for m in (encoder, decoder) for p in m.parameters()]
    assert not network & {id(p) for p in own}  # copies, not shared
    assert all(k.startswith("steps.") for k in encoder.state_dict())
    assert len(encoder.layers()) >= 1


def test_dense_halves_have_the_parameters_of_their_layers(X):
    # 64 -> 16 -> 4 and back; a tied decoder gets its transposed weights
    for tied in (False, True):
        ae = StackedAE(4, hidden_layer_sizes=(16,), tied_weights=tied,
                       **{**TINY, "max_iter": 1})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one epoch, on purpose
            ae.fit(X)
        encoder, decoder = ae.encoder_module(), ae.decoder_module()
        assert sum(p.numel() for p in encoder.parameters()) == (
            64 * 16 + 16 + 16 * 4 + 4)
        assert sum(p.numel() for p in decoder.parameters()) == (
            4 * 16 + 16 + 16 * 64 + 64)
        assert [tuple(layer.weight.shape) for layer in encoder.layers()] == [
            (16, 64), (4, 16)]


def test_each_half_scripts_and_exports(fitted, X):
    codes = fitted.transform(X)
    recon = fitted.inverse_transform(codes)
    batch = torch.export.Dim("batch")
    for module, inputs, expected in [
        (fitted.encoder_module(), X, codes),
        (fitted.decoder_module(), codes, recon),
    ]:
        with warnings.catch_warnings():
            # torch 2.13 deprecates TorchScript; users still deploy with it
            warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated",
                                    DeprecationWarning)
            scripted = torch.jit.script(module)
        assert_allclose(_run(scripted, inputs), expected, rtol=1e-5,
                        atol=1e-6)
        program = torch.export.export(
            module, (torch.from_numpy(inputs[:5]),),
            dynamic_shapes=({0: batch},))
        assert_allclose(_run(program.module(), inputs), expected, rtol=1e-5,
                        atol=1e-6)


def test_encoder_exports_to_onnx_with_a_dynamic_batch(fitted, X, tmp_path):
    pytest.importorskip("onnxscript")
    ort = pytest.importorskip("onnxruntime")
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    codes = fitted.transform(X)
    for module, inputs, expected, name in [
        (fitted.encoder_module(), X, codes, "encoder"),
        (fitted.decoder_module(), codes, fitted.inverse_transform(codes),
         "decoder"),
    ]:
        path = tmp_path / f"{name}.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's own notices
            torch.onnx.export(
                module, (torch.from_numpy(inputs[:5]),), path, dynamo=True,
                dynamic_shapes=({0: torch.export.Dim("batch")},),
                verbose=False)
        session = ort.InferenceSession(str(path))
        feed = session.get_inputs()[0].name
        for n in (1, 37, len(inputs)):
            (out,) = session.run(None, {feed: inputs[:n]})
            assert_allclose(out, expected[:n], rtol=1e-4, atol=1e-5)


def test_encoder_module_is_independent_of_the_estimator(fitted, X):
    before = fitted.transform(X[:5])
    encoder = fitted.encoder_module()
    with torch.no_grad():
        for p in encoder.parameters():
            p.zero_()
    assert_allclose(fitted.transform(X[:5]), before)


def test_unfitted_estimator_has_no_modules():
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        StackedAE().encoder_module()
    with pytest.raises(NotFittedError):
        StackedAE().decoder_module()
