"""skae.onnx: skl2onnx converts pipelines with skae's autoencoders into one
ONNX graph that onnxruntime runs, with transform's results.

One fitted network per family (those of test_export.py), in float32 and
float64; the inverse_transform option; a StackedAE + LogisticRegression
and a VariationalAE + KMeans pipeline on MNIST's held-out digits; and the
errors: an encoder torch.export cannot trace, an opset below 18, integer
input, the wrong width.
"""

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from torch import nn

import skae
from skae import CustomAE, StackedAE, VariationalAE, stack
from test_export import FAMILIES, _stacked_pair
from user_modules import MLPDecoder, MLPEncoder

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

import skae.onnx  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

#: The families of test_export.py, plus a CustomAE (the user's own
#: modules). DenoisingAE, SparseAE and ContractiveAE have the dense family's
#: network; test_every_autoencoder_is_registered covers their registration.
MORE = {
    "custom": lambda: CustomAE(MLPEncoder, MLPDecoder, n_components=3,
                               max_iter=2, random_state=0),
}


@pytest.fixture(scope="module", autouse=True)
def registered():
    return skae.onnx.register_converters()


@pytest.fixture(scope="module")
def X():
    from sklearn.datasets import load_digits
    return (load_digits().data[:300] / 16).astype(np.float32)


def _fitted(family, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few iterations, on purpose
        if family == "stack":
            return stack(_stacked_pair().fit(X))
        return {**FAMILIES, **MORE}[family]().fit(X)


def _run(onx, inputs):
    session = ort.InferenceSession(onx.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: inputs})


def _to_onnx(model, inputs, **kwargs):
    from skl2onnx import to_onnx
    return to_onnx(model, inputs[:1], **kwargs)


def test_every_autoencoder_is_registered(registered):
    # the autoencoders; not the imputer (no converter yet) nor the detector
    expected = {cls for cls in skae.all_estimators()
                if hasattr(cls, "inverse_transform")}
    assert set(registered) == expected
    assert skae.AutoencoderOutlierDetector not in registered
    assert skae.onnx.register_converters() == registered  # again: the same


@pytest.mark.parametrize("family", sorted({**FAMILIES, **MORE}))
def test_each_family_gives_transforms_codes(family, X):
    ae = _fitted(family, X)
    onx = _to_onnx(ae, X)
    (codes,) = _run(onx, X)
    assert codes.dtype == np.float32 and codes.shape == (len(X),
                                                         ae.n_components)
    assert_allclose(codes, ae.transform(X), rtol=0, atol=1e-5)
    assert len(_run(onx, X[:1])[0]) == 1  # any number of rows


@pytest.mark.parametrize("family", ["dense", "variational", "conv-resize"])
def test_float64_input_gives_float64_codes(family, X):
    """ELU runs through exact float64 operators (onnxruntime has no float64
    ELU); convolutions and resizing run in float32 inside the graph
    (onnxruntime has no float64 kernels for them)."""
    ae = _fitted(family, X)
    X64 = X.astype(np.float64)
    (codes,) = _run(_to_onnx(ae, X64), X64)
    assert codes.dtype == np.float64
    atol = 1e-6 if family.startswith("conv") else 1e-12
    assert_allclose(codes, ae.transform(X64), rtol=0, atol=atol)


@pytest.mark.parametrize("family", ["dense", "conv-resize"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inverse_transform_option_gives_the_decoder(family, dtype, X):
    ae = _fitted(family, X)
    codes = ae.transform(X.astype(dtype))
    onx = _to_onnx(ae, codes, options={id(ae): {"inverse_transform": True}})
    (reconstructions,) = _run(onx, codes)
    assert reconstructions.dtype == dtype
    assert reconstructions.shape == X.shape
    assert_allclose(reconstructions, ae.inverse_transform(codes), rtol=0,
                    atol=1e-5)


def test_stacked_ae_and_logistic_regression_pipeline(mnist):
    X_train, X_test, y_train, _ = mnist
    pipe = Pipeline([
        ("ae", StackedAE(n_components=16, hidden_layer_sizes=(64,),
                         max_iter=8, random_state=0)),
        ("clf", LogisticRegression(max_iter=300)),
    ]).fit(X_train, y_train)
    onx = _to_onnx(pipe, X_test, options={id(pipe[-1]): {"zipmap": False}})
    labels, probabilities = _run(onx, X_test)
    assert_array_equal(labels, pipe.predict(X_test))  # all 1,000 digits
    assert_allclose(probabilities, pipe.predict_proba(X_test), rtol=0,
                    atol=1e-5)
    # one graph: the network's weights and the classifier's, nothing else
    assert {node.domain for node in onx.graph.node} <= {"", "ai.onnx.ml"}
    # in float64 too
    X64 = X_test.astype(np.float64)
    labels, _ = _run(_to_onnx(pipe, X64, options={
        id(pipe[-1]): {"zipmap": False}}), X64)
    assert_array_equal(labels, pipe.predict(X64))


def test_variational_ae_and_kmeans_pipeline(mnist):
    X_train, X_test = mnist[0], mnist[1]
    pipe = Pipeline([
        ("vae", VariationalAE(n_components=8, hidden_layer_sizes=(64,),
                              max_iter=5, random_state=0)),
        ("kmeans", KMeans(n_clusters=10, n_init=1, random_state=0)),
    ]).fit(X_train)
    labels, distances = _run(_to_onnx(pipe, X_test), X_test)
    assert_array_equal(labels, pipe.predict(X_test))
    assert_allclose(distances, pipe.transform(X_test), rtol=1e-5, atol=1e-5)
    (codes,) = _run(_to_onnx(pipe[0], X_test), X_test)
    assert_allclose(codes, pipe[0].transform(X_test), rtol=0, atol=1e-5)


class _Branching(nn.Module):
    """An encoder whose forward branches in Python on the data's values:
    torch.export cannot trace it."""

    def __init__(self, n_features, n_components):
        super().__init__()
        self.linear = nn.Linear(n_features, n_components)

    def forward(self, x):
        codes = self.linear(x)
        return codes if codes.sum() > 0 else -codes


def test_an_encoder_that_does_not_trace_raises_a_clear_error(X):
    ae = CustomAE(_Branching, MLPDecoder, n_components=3, max_iter=1,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ae.fit(X)
    with pytest.raises(RuntimeError, match="CustomAE cannot be converted to "
                       "ONNX: torch.onnx.export failed on its encoder") as info:
        _to_onnx(ae, X)
    assert info.value.__cause__ is not None


def test_bad_opsets_dtypes_and_widths_are_refused(X):
    from skl2onnx.common.data_types import Int64TensorType

    ae = _fitted("linear", X)
    with pytest.raises(RuntimeError, match="target_opset >= 18"):
        _to_onnx(ae, X, target_opset=17)
    with pytest.raises(TypeError, match="float32 or float64 input"):
        _to_onnx(ae, X.astype(np.int64))
    with pytest.raises(ValueError, match="rows of 64 values"):
        _to_onnx(ae, X[:, :10])
    assert Int64TensorType  # (the type skl2onnx infers for int64 arrays)
    with pytest.raises(TypeError, match="autoencoder classes"):
        skae.onnx.register_converters([LogisticRegression])


def test_the_opset_is_the_one_asked_for(X):
    ae = _fitted("linear", X)
    for opset in (18, 21):
        onx = _to_onnx(ae, X, target_opset=opset)
        assert {o.domain: o.version for o in onx.opset_import}[""] == opset
        assert_allclose(_run(onx, X)[0], ae.transform(X), rtol=0, atol=1e-5)


def test_an_unfitted_autoencoder_is_not_converted(X):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        _to_onnx(StackedAE(), X)


def test_torch_default_dtype_and_threads_are_untouched(X):
    threads = torch.get_num_threads()
    _to_onnx(_fitted("linear", X), X)
    assert torch.get_default_dtype() == torch.float32
    assert torch.get_num_threads() == threads
