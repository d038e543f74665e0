import numpy as np
from sklearn.decomposition import PCA

from skae.datasets import load_mnist, make_curved_plane


def test_load_mnist_is_real_mnist_offline():
    bunch = load_mnist()
    assert bunch.data.shape == (5000, 784)
    assert bunch.data.dtype == np.float32
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    assert bunch.images.shape == (5000, 28, 28)
    np.testing.assert_array_equal(bunch.images[7].ravel(), bunch.data[7])
    assert np.bincount(bunch.target).tolist() == [500] * 10
    # digits are centred in the 28x28 frame: the border is (nearly) empty
    assert bunch.images[:, :2, :].mean() < 1e-3
    X, y = load_mnist(return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    X[0, 0] = 5.0  # callers get their own copy
    assert load_mnist(return_X_y=True)[0][0, 0] == 0.0


def test_load_mnist_order_is_shuffled_and_fixed():
    _, y = load_mnist(return_X_y=True)
    # the same order on every machine (numpy's legacy RandomState(0))
    assert y[:10].tolist() == [0, 7, 9, 9, 1, 5, 2, 4, 0, 5]
    # any slice mixes the classes: X[:n] and unshuffled folds are safe
    for start in range(0, 5000, 1000):
        counts = np.bincount(y[start:start + 1000], minlength=10)
        assert counts.min() > 70 and counts.max() < 130


def test_curved_plane_lies_near_a_plane():
    X, t = make_curved_plane(500, random_state=0)
    assert X.shape == (500, 3) and t.shape == (500,)
    pca = PCA(2).fit(X)
    assert pca.explained_variance_ratio_.sum() > 0.97
    np.testing.assert_array_equal(X, make_curved_plane(500, random_state=0)[0])
