"""CustomAE: the user's own torch encoder and decoder, as an estimator."""

import io
import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV, KFold

import skae
from skae import CustomAE, PretrainedClassifier
from skae.nn import FillMissing
from user_modules import MLPDecoder, MLPEncoder

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(max_iter=5, random_state=0)


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


def test_user_modules_learn_a_better_code_than_pca(digits):
    X_train, X_test = digits[0], digits[1]
    ae = CustomAE(MLPEncoder, MLPDecoder, n_components=8,
                  encoder__hidden=128, decoder__hidden=128, max_iter=100,
                  learning_rate=3e-3, random_state=0).fit(X_train)
    pca = PCA(8).fit(X_train)
    pca_mse = float(np.mean((pca.inverse_transform(pca.transform(X_test))
                             - X_test) ** 2))
    assert _mse(ae, X_test) < 0.9 * pca_mse
    assert ae.module_.encoder.hidden.out_features == 128
    assert ae.transform(X_test).shape == (len(X_test), 8)
    assert ae.sample(3, random_state=0).shape == (3, X_train.shape[1])
    assert ae.score(X_test) == pytest.approx(-_mse(ae, X_test), rel=1e-5)


def test_module_arguments_are_parameters(digits):
    X = digits[0][:400]
    ae = CustomAE(MLPEncoder, MLPDecoder, n_components=4, encoder__hidden=6,
                  **FAST)
    assert ae.get_params()["encoder__hidden"] == 6
    ae.set_params(encoder__hidden=12, decoder__hidden=10)
    assert clone(ae).get_params()["decoder__hidden"] == 10
    ae.fit(X)
    assert ae.module_.encoder.hidden.out_features == 12
    assert ae.module_.decoder.hidden.out_features == 10
    assert "encoder__hidden=12" in repr(ae)
    search = GridSearchCV(ae, {"encoder__hidden": [4, 32]},
                          cv=KFold(2, shuffle=True, random_state=0)).fit(X)
    assert search.best_estimator_.module_.encoder.hidden.out_features == \
        search.best_params_["encoder__hidden"]


def test_same_random_state_same_model_and_torch_rng_untouched(digits):
    X = digits[0][:300]
    state = torch.get_rng_state()
    a = CustomAE(MLPEncoder, MLPDecoder, n_components=4, **FAST).fit(X)
    assert torch.equal(torch.get_rng_state(), state)
    b = CustomAE(MLPEncoder, MLPDecoder, n_components=4, **FAST).fit(X)
    assert_array_equal(a.transform(X), b.transform(X))
    c = CustomAE(MLPEncoder, MLPDecoder, n_components=4,
                 **{**FAST, "random_state": 1}).fit(X)
    assert not np.allclose(a.transform(X), c.transform(X))


def test_instances_are_copied_not_trained(digits):
    X = digits[0][:300]
    encoder = MLPEncoder(X.shape[1], 4)
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    ae = CustomAE(encoder, MLPDecoder(4, X.shape[1]), n_components=4,
                  **FAST).fit(X)
    assert ae.encoder is encoder
    for key, value in encoder.state_dict().items():
        assert torch.equal(value, before[key])
    assert not torch.equal(ae.module_.encoder.hidden.weight,
                           encoder.hidden.weight)


def test_default_modules_make_a_linear_autoencoder(digits):
    X_train, X_test = digits[0], digits[1]
    ae = CustomAE(n_components=8, max_iter=300, learning_rate=1e-2,
                  early_stopping=False, random_state=0).fit(X_train)
    assert isinstance(ae.module_.encoder, torch.nn.Linear)
    pca = PCA(8).fit(X_train)
    pca_mse = float(np.mean((pca.inverse_transform(pca.transform(X_test))
                             - X_test) ** 2))
    # a linear autoencoder can at best match PCA
    assert pca_mse * 0.98 < _mse(ae, X_test) < pca_mse * 1.15


def test_clear_errors(digits):
    X = digits[0][:100]
    with pytest.raises(ValueError, match=r"codes of shape \(2, 4\).*"
                                         r"n_components=3"):
        CustomAE(MLPEncoder, MLPDecoder, n_components=3,
                 encoder__n_components=4, **FAST).fit(X)
    with pytest.raises(ValueError, match="encoder fails on a batch"):
        CustomAE(MLPEncoder(10, 4), MLPDecoder, n_components=4,
                 **FAST).fit(X)
    with pytest.raises(ValueError, match="instance, so encoder__"):
        CustomAE(MLPEncoder(64, 4), encoder__hidden=3, n_components=4,
                 **FAST).fit(X)
    with pytest.raises(TypeError, match="encoder__<name>"):
        CustomAE(hidden=3, **FAST).fit(X)
    with pytest.raises(TypeError, match="Could not build encoder"):
        CustomAE(MLPEncoder, encoder__depth=3, **FAST).fit(X)
    with pytest.raises(ValueError, match="encoder"):
        CustomAE(encoder="mlp", **FAST).fit(X)
    est = CustomAE(MLPEncoder, MLPDecoder, n_components=3, **FAST)
    with pytest.raises(ValueError):
        est.set_params(encoder__n_components=4).fit(X)
    assert not hasattr(est, "module_")  # nothing half-fitted


def test_save_load_pickle_and_modules(digits, tmp_path):
    X, X_test = digits[0][:300], digits[1]
    ae = CustomAE(MLPEncoder, MLPDecoder, n_components=4, encoder__hidden=5,
                  **FAST).fit(X)
    path = tmp_path / "custom.skae"
    skae.save(ae, path)
    loaded = skae.load(path, modules=[MLPEncoder, MLPDecoder])
    assert loaded.get_params()["encoder__hidden"] == 5
    assert_array_equal(loaded.transform(X_test), ae.transform(X_test))
    with pytest.raises(ValueError, match=r"user_modules\.MLP(En|De)coder.*modules="):
        skae.load(path)
    assert_array_equal(pickle.loads(pickle.dumps(ae)).transform(X_test),
                       ae.transform(X_test))
    with pytest.raises(TypeError, match="torch module instance"):
        skae.save(CustomAE(MLPEncoder(64, 4), n_components=4,
                           **FAST).fit(X), io.BytesIO())


def test_partial_fit_and_standalone_halves(digits):
    X, X_test = digits[0], digits[1]
    ae = CustomAE(MLPEncoder, MLPDecoder, n_components=4, random_state=0)
    for chunk in np.array_split(X, 4):
        ae.partial_fit(chunk)
    assert ae.n_iter_ == 4
    encoder, decoder = ae.encoder_module(), ae.decoder_module()
    # the fill of missing values, then the user's module
    assert isinstance(encoder.steps[0], FillMissing)
    assert isinstance(encoder.steps[1], MLPEncoder)
    with torch.no_grad():
        codes = encoder(torch.from_numpy(X_test)).numpy()
        recon = decoder(torch.from_numpy(codes)).numpy()
    assert_allclose(codes, ae.transform(X_test), rtol=1e-5, atol=1e-6)
    assert_allclose(recon, ae.inverse_transform(codes), rtol=1e-5, atol=1e-6)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated",
                                DeprecationWarning)
        scripted = torch.jit.script(encoder)
    assert_allclose(scripted(torch.from_numpy(X_test)).detach().numpy(),
                    codes, rtol=1e-5, atol=1e-6)


def test_pretrained_classifier_fine_tunes_custom_modules(digits):
    X, X_test, y, y_test = digits
    ae = CustomAE(MLPEncoder, MLPDecoder, n_components=16,
                  encoder__hidden=64, decoder__hidden=64, max_iter=30,
                  learning_rate=1e-2, random_state=0)
    clf = PretrainedClassifier(ae, freeze=1, max_iter=30, learning_rate=1e-2,
                               random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) > 0.8
    # the user's encoder is one module; its layers are found inside it
    pretrained = clf.autoencoder_.encoder_module().layers()
    tuned = clf.encoder_.layers()
    assert len(tuned) == 2
    assert torch.equal(pretrained[0].weight, tuned[0].weight)  # frozen
    assert not torch.equal(pretrained[1].weight, tuned[1].weight)
