"""ConvAE: image shapes, the decoder's exact sizes, quality and denoising."""

import pickle

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.decomposition import PCA

from skae import ConvAE
from skae.nn import ConvAutoencoder

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

TINY = dict(n_components=4, filters=(4, 8), max_iter=2, random_state=0)


def _mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


def _psnr(clean, estimate):
    """Peak signal-to-noise ratio (dB) of images in [0, 1]."""
    return float(10 * np.log10(1.0 / np.mean((estimate - clean) ** 2)))


@pytest.fixture(scope="module")
def mnist_small(mnist):
    """1,000 MNIST training digits and 500 held out."""
    X_train, X_test, _, _ = mnist
    return X_train[:1000], X_test[:500]


@pytest.fixture(scope="module")
def tiny(digits):
    return ConvAE(**TINY).fit(digits[0])


def test_square_images_are_inferred_and_3d_4d_arrays_accepted(tiny, digits):
    X = digits[1]
    assert tiny.image_shape_ == (1, 8, 8)
    assert tiny.n_features_in_ == 64
    codes = tiny.transform(X)
    assert codes.shape == (len(X), 4)
    assert_array_equal(tiny.transform(X.reshape(-1, 8, 8)), codes)
    assert_array_equal(tiny.transform(X.reshape(-1, 1, 8, 8)), codes)
    assert tiny.score(X.reshape(-1, 8, 8)) == tiny.score(X)
    # fitting on the images gives the same model as on the flat rows
    from_images = ConvAE(**TINY).fit(digits[0].reshape(-1, 8, 8))
    assert from_images.image_shape_ == (1, 8, 8)
    assert_array_equal(from_images.transform(X), codes)
    rec = tiny.inverse_transform(codes)
    assert rec.shape == X.shape and 0 <= rec.min() and rec.max() <= 1
    assert tiny.sample(5, random_state=0).shape == (5, 64)


def test_image_shape_parameter_and_clear_errors(digits):
    X = digits[0][:100]
    # channels: a (2, 4, 8) image is 64 features too
    est = ConvAE(image_shape=(2, 4, 8), **TINY).fit(X)
    assert est.image_shape_ == (2, 4, 8)
    assert est.module_.encoder[0].in_channels == 2
    assert ConvAE(image_shape=(4, -1), **TINY).fit(X).image_shape_ == (1, 4, 16)
    assert ConvAE(image_shape=(1, -1), **TINY).fit(X[:, :10]).image_shape_ \
        == (1, 1, 10)
    # non-square rows without image_shape
    with pytest.raises(ValueError, match="10 features are not a square"):
        ConvAE(**TINY).fit(X[:, :10])
    with pytest.raises(ValueError, match=r"holds 49 pixels but X has 64"):
        ConvAE(image_shape=(7, 7), **TINY).fit(X)
    with pytest.raises(ValueError, match="not a multiple of 5"):
        ConvAE(image_shape=(5, -1), **TINY).fit(X)
    with pytest.raises(ValueError, match=r"\(H, W\) or \(C, H, W\)"):
        ConvAE(image_shape=(64,), **TINY).fit(X)
    with pytest.raises(ValueError, match="disagrees with image_shape"):
        ConvAE(image_shape=(4, 16), **TINY).fit(X.reshape(-1, 8, 8))
    with pytest.raises(ValueError, match="5 dimensions"):
        ConvAE(**TINY).fit(X.reshape(-1, 1, 1, 8, 8))
    fitted = ConvAE(**TINY).fit(X)
    with pytest.raises(ValueError, match=r"images of shape \(1, 4, 16\)"):
        fitted.transform(X.reshape(-1, 4, 16))
    with pytest.raises(ValueError, match="64 features"):
        fitted.transform(X[:, :49])


@pytest.mark.parametrize("params, match", [
    (dict(kernel_size=4), "kernel_size must be odd"),
    (dict(strides=(2, 1, 1)), "strides must be one positive int or 2"),
    (dict(filters=()), "at least one layer"),
    (dict(filters=(4, 0)), "filters must be positive"),
    (dict(resize=(4,)), r"resize must be \(height, width\)"),
    (dict(noise="masking", noise_level=1.0), "must be below 1"),
    (dict(loss="bce", out_activation="identity"), "out_activation='sigmoid'"),
])
def test_bad_parameters_raise_and_leave_the_estimator_untouched(
        tiny, digits, params, match):
    est = pickle.loads(pickle.dumps(tiny))
    codes = est.transform(digits[1])
    est.set_params(**params)
    with pytest.raises(ValueError, match=match):
        est.fit(digits[0])
    assert est.n_iter_ == tiny.n_iter_
    assert_array_equal(est.transform(digits[1]), codes)


def test_salt_and_pepper_needs_pixels_in_the_unit_interval(digits):
    est = ConvAE(noise="salt_pepper", noise_level=0.1, **TINY)
    with pytest.raises(ValueError, match=r"noise='salt_pepper' needs X in"):
        est.fit(digits[0] * 16)
    assert est.fit(digits[0]).module_.corruption.noise == "salt_pepper"


def test_warm_start_needs_the_same_image_shape(digits):
    X = digits[0][:100]
    est = ConvAE(warm_start=True, **TINY).fit(X)
    est.fit(X)
    assert est.n_iter_ == 2 * TINY["max_iter"]
    est.set_params(image_shape=(4, 16))
    with pytest.raises(ValueError, match="warm_start"):
        est.fit(X)
    assert est.image_shape_ == (1, 8, 8)


@pytest.mark.parametrize("image_shape, strides, resize", [
    ((1, 28, 28), (2, 1, 1, 1), None),
    ((1, 25, 25), (2, 2, 2, 1), None),
    ((3, 7, 9), (3, 2, 1, 1), None),
    ((1, 1, 10), (2, 2, 1, 1), None),
    ((1, 25, 25), (2, 1, 1, 1), (16, 16)),
    ((2, 30, 20), (2, 2, 1, 1), (15, 9)),
])
def test_decoder_restores_every_size(image_shape, strides, resize):
    torch.manual_seed(0)
    net = ConvAutoencoder(image_shape, (4, 4, 8, 8), 5, strides=strides,
                          resize=resize).eval()
    x = torch.rand(3, int(np.prod(image_shape)))
    out = net(x)
    assert out["code"].shape == (3, 5)
    assert out["logits"].shape == x.shape
    # the deepest feature map has the size the strides give, from the
    # (resized) input: ceil(n / s) per layer
    h, w = resize or image_shape[1:]
    for s in strides:
        h, w = -(-h // s), -(-w // s)
    assert net.feature_shape == (8, h, w)


def test_beats_pca_on_mnist_at_the_same_code_size(mnist_small):
    X_train, X_test = mnist_small
    est = ConvAE(16, filters=(16, 32), strides=(2, 2), batch_size=32,
                 max_iter=25, learning_rate=3e-3, random_state=0).fit(X_train)
    pca = PCA(16, random_state=0).fit(X_train)
    assert est.image_shape_ == (1, 28, 28)
    assert _mse(est, X_test) < 0.9 * _mse(pca, X_test)


def test_denoising_mode_removes_gaussian_noise(mnist_small):
    # sigma 0.4 (clipped to [0, 1], as seed 001 clips) gives a clear effect
    # after the test's short training; benchmarks/conv.py compares at 0.2
    X_train, X_test = mnist_small
    rng = np.random.RandomState(0)
    noisy = np.clip(X_test + 0.4 * rng.randn(*X_test.shape), 0, 1)
    noisy = noisy.astype(np.float32)
    kw = dict(n_components=32, filters=(16, 32), strides=(2, 2), batch_size=32,
              max_iter=15, learning_rate=3e-3, random_state=0)
    plain = ConvAE(**kw).fit(X_train)
    denoiser = ConvAE(noise="gaussian", noise_level=0.4, **kw).fit(X_train)
    assert repr(denoiser.module_.corruption) == \
        "Corruption(noise='gaussian', noise_level=0.4)"
    # only training batches are corrupted: transform is deterministic
    assert_array_equal(denoiser.transform(noisy), denoiser.transform(noisy))
    denoised = denoiser.denoise(noisy)
    assert_array_equal(
        denoised, denoiser.inverse_transform(denoiser.transform(noisy)))
    psnr_noisy = _psnr(X_test, noisy)
    psnr_plain = _psnr(X_test, plain.inverse_transform(plain.transform(noisy)))
    psnr_denoiser = _psnr(X_test, denoised)
    assert psnr_denoiser > psnr_noisy + 4
    assert psnr_denoiser > psnr_plain + 1


def test_resize_trains_at_the_reduced_size_and_reconstructs_full_size():
    from skae.datasets import load_faces

    faces = load_faces(source="lfw_subset")
    X_train, X_test = faces.images[:80], faces.data[80:]
    est = ConvAE(16, resize=(16, 16), filters=(16, 32), strides=(2, 1),
                 max_iter=60, random_state=0).fit(X_train)
    assert est.image_shape_ == (1, 25, 25)
    assert est.module_.feature_shape == (32, 8, 8)
    rec = est.inverse_transform(est.transform(X_test))
    assert rec.shape == X_test.shape
    baseline = np.mean((X_test - X_train.reshape(80, -1).mean(0)) ** 2)
    assert _mse(est, X_test) < 0.7 * baseline


def test_batch_norm_off_gives_the_seeds_network(digits):
    est = ConvAE(batch_norm=False, **TINY).fit(digits[0][:100])
    assert est.module_.code_norm is None
    assert not any(isinstance(m, torch.nn.BatchNorm1d)
                   for m in est.module_.modules())
    codes = est.transform(digits[1])
    assert codes.min() > 0 and codes.max() < 1  # sigmoid code
    assert_allclose(est.transform(digits[1].astype(np.float64)), codes,
                    rtol=1e-4, atol=1e-5)
