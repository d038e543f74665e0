"""skae.interpolate: decoded straight lines between codes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

from skae import StackedAE, interpolate

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def ae(digits):
    return StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=20,
                     learning_rate=1e-2, random_state=0).fit(digits[0])


def test_path_runs_from_one_reconstruction_to_the_other(ae, digits):
    X = digits[1]
    path = interpolate(ae, X[0], X[1], n_steps=5)
    assert path.shape == (5, 64) and path.dtype == np.float32
    ends = ae.inverse_transform(ae.transform(X[:2]))
    assert_allclose(path[[0, -1]], ends, rtol=1e-5, atol=1e-6)
    # the middle point decodes the middle of the two codes
    codes = ae.transform(X[:2])
    middle = ae.inverse_transform(codes.mean(0, keepdims=True))[0]
    assert_allclose(path[2], middle, rtol=1e-5, atol=1e-6)
    # a non-linear decoder does not simply cross-fade the two images
    fade = 0.5 * (ends[0] + ends[1])
    assert np.abs(path[2] - fade).max() > 1e-2


def test_many_pairs_at_once_match_one_pair_at_a_time(ae, digits):
    X = digits[1].astype(np.float64)
    paths = interpolate(ae, X[:3], X[3:6], n_steps=4)
    assert paths.shape == (3, 4, 64) and paths.dtype == np.float64
    for i in range(3):
        assert_allclose(paths[i], interpolate(ae, X[i], X[i + 3], n_steps=4),
                        rtol=1e-6, atol=1e-8)


def test_with_pca_the_path_is_the_straight_line_in_input_space(digits):
    X = digits[1]
    pca = PCA(n_components=10).fit(digits[0])
    path = interpolate(pca, X[0], X[1], n_steps=6)
    ends = pca.inverse_transform(pca.transform(X[:2]))
    t = np.linspace(0, 1, 6)[:, None]
    assert_allclose(path, (1 - t) * ends[0] + t * ends[1], rtol=1e-4,
                    atol=1e-5)


def test_bad_arguments(ae, digits):
    X = digits[1]
    with pytest.raises(ValueError, match="n_steps"):
        interpolate(ae, X[0], X[1], n_steps=1)
    with pytest.raises(ValueError, match="same shape"):
        interpolate(ae, X[:2], X[:3])
    with pytest.raises(ValueError, match="64 features"):
        interpolate(ae, X[0, :10], X[1, :10])
    with pytest.raises(NotFittedError):
        interpolate(StackedAE(), X[0], X[1])
