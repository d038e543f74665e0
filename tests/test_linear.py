"""LinearAE learns PCA's principal subspace."""

import numpy as np
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA

from skae import LinearAE
import pytest

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")


def test_linear_ae_matches_pca_on_held_out_digits(digits):
    X_train, X_test, _, _ = digits
    pca = PCA(n_components=10).fit(X_train)
    ae = LinearAE(n_components=10, random_state=0).fit(X_train)

    mse_pca = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    mse_ae = np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2)
    assert mse_ae <= 1.01 * mse_pca

    decoder = ae.module_.decoder[0].weight.detach().numpy()  # (64, 10)
    angles = np.degrees(subspace_angles(decoder, pca.components_.T))
    assert angles.max() < 2.0
    assert ae.n_iter_ < ae.max_iter  # it stopped by itself


def test_linear_codes_are_a_linear_map_of_pca_scores(digits):
    X_train, X_test, _, _ = digits
    pca = PCA(n_components=5).fit(X_train)
    codes = LinearAE(n_components=5, random_state=0).fit(X_train).transform(X_test)
    scores = pca.transform(X_test)
    design = np.c_[codes, np.ones(len(codes))]
    coef, *_ = np.linalg.lstsq(design, scores, rcond=None)
    residual = scores - design @ coef
    assert np.mean(residual ** 2) < 1e-3 * np.mean(scores ** 2)


def test_linear_ae_with_adam_also_gets_close(digits):
    X_train, X_test, _, _ = digits
    pca = PCA(n_components=10).fit(X_train)
    ae = LinearAE(n_components=10, optimizer="adam", learning_rate=1e-2,
                  random_state=0).fit(X_train)
    mse_pca = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    mse_ae = np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2)
    assert mse_ae <= 1.03 * mse_pca
