"""LinearAE learns PCA's principal subspace."""

import numpy as np
import pytest
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA

from skae import LinearAE

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


def test_mini_batch_lbfgs_takes_a_step_per_batch_and_learns(digits):
    """An explicit batch_size gives L-BFGS mini-batches (tests/test_common.py
    checks LinearAE with its full batch)."""
    from skorch.callbacks import Callback

    class CountSteps(Callback):
        def initialize(self):
            self.steps = 0
            return self

        def on_batch_begin(self, net, training=False, **kwargs):
            self.steps += training

    X_train, X_test, _, _ = digits
    pca = PCA(n_components=10).fit(X_train)
    mse_pca = np.mean((pca.inverse_transform(pca.transform(X_test))
                       - X_test) ** 2)
    counter = CountSteps()
    ae = LinearAE(n_components=10, batch_size=256, max_iter=3,
                  callbacks=[counter], random_state=0).fit(X_train)
    assert counter.steps == 3 * 6  # 1,397 rows in batches of 256
    mse_ae = np.mean((ae.inverse_transform(ae.transform(X_test))
                      - X_test) ** 2)
    # measured 1.13 (1.09 / 1.11 at seeds 1 / 2; untrained 14-16)
    assert mse_ae < 1.25 * mse_pca


def test_weight_penalty_keeps_pca_on_held_out_data_wider_than_the_sample():
    """625 pixels, 80 training faces: the encoder's weights along pixel
    directions the training faces do not span get no gradient; without a
    penalty they keep their random start and new faces reach them."""
    from skae.datasets import load_faces

    X = load_faces(source="lfw_subset").data
    X_train, X_test = X[:80], X[80:]
    pca = PCA(n_components=16).fit(X_train)
    mse_pca = np.mean((pca.inverse_transform(pca.transform(X_test))
                       - X_test) ** 2)

    def held_out(**params):
        ae = LinearAE(n_components=16, random_state=0, **params).fit(X_train)
        return np.mean((ae.inverse_transform(ae.transform(X_test))
                        - X_test) ** 2) / mse_pca

    # measured (seeds 0-2): 1.002-1.005 with the default alpha=1e-4,
    # 1.13-1.17 without
    assert held_out() < 1.02
    assert held_out(alpha=0.0) > 1.05


def test_lbfgs_with_a_weight_penalty():
    """L-BFGS takes no weight_decay: the penalty alpha / 2 * |W|^2 is in
    its loss, and shrinks the weights."""
    from sklearn.datasets import load_digits

    from skae import PretrainedClassifier, StackedAE

    X, y = load_digits(return_X_y=True)
    X = X / 16
    norms = []
    for alpha in (0.0, 1e-2):
        ae = LinearAE(n_components=8, alpha=alpha, random_state=0).fit(X)
        norms.append(sum(float(p.detach().pow(2).sum())
                         for p in ae.module_.parameters() if p.ndim > 1))
    assert norms[1] < 0.8 * norms[0]
    # StackedAE's default alpha=1e-5 with L-BFGS, and the classifier
    StackedAE(optimizer="lbfgs", max_iter=3, random_state=0).fit(X)
    clf = PretrainedClassifier(StackedAE(max_iter=2, random_state=0),
                               optimizer="lbfgs", alpha=1e-3, max_iter=3,
                               random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.5
