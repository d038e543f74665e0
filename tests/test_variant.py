"""A new variant is one network and one short estimator subclass.

This file defines two autoencoders that skae does not ship, the way
CONTRIBUTING.md describes, with no edit anywhere else: one trained on the
mean absolute error (another reconstruction loss), and one whose loss adds
a term of each sample computed from a per-sample field of its own (a new
batch field). It checks that each is a complete skae estimator:
scikit-learn's checks, the docstring rules, pickling, sample weights, a
``score`` that is its own loss; ``tests/test_distributed.py`` trains the
second under torchrun.
"""

import inspect
import pickle
from numbers import Real

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.sparse import issparse
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae._architecture import MLPLayersMixin
from skae._base import BaseAutoencoder
from skae._compat import Interval
from skae._parameters import store_params
from skae._sampling import MixtureSamplingMixin
from skae.nn import MLPAutoencoder, weighted_mean
from test_common import WEIGHTS_ARE_NOT_REPEATS
from test_docstrings import check_docstring

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")


# -- the variant: everything below up to the tests ----------------------
class L1Net(MLPAutoencoder):
    """An MLP autoencoder whose reconstruction loss is the absolute error."""

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         activation=activation, code_activation=activation,
                         loss="l1")

    def elementwise_loss(self, logits, target):
        return (self.activate_output(logits) - target).abs()


class L1AE(MixtureSamplingMixin, MLPLayersMixin, BaseAutoencoder):
    """Autoencoder trained on the mean absolute error, robust to outliers.

    Parameters
    ----------

    Attributes
    ----------
    module_ : L1Net
        The trained network.

    See Also
    --------
    StackedAE : the same network trained on the squared error.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, _ = load_digits(return_X_y=True)
    >>> L1AE(n_components=4, max_iter=2).fit(X / 16).transform(X[:2]).shape
    (2, 4)
    """

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", alpha=0.0, batch_size="auto",
                 max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu", callbacks=None,
                 sampler_components=10):
        store_params(self, locals())

    def _build_module(self, n_features):
        return L1Net(n_features, self._hidden_sizes(), self.n_components,
                     self.activation)
# -- end of the variant ----------------------------------------------------


# -- the second variant: a per-sample term fed by a batch field ---------------
class NormNet(MLPAutoencoder):
    """An MLP autoencoder whose loss also pulls the norm of each code
    towards the norm of its sample (``input_norm``, a batch field)."""

    loss_term_names = ("reconstruction", "norm")

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation, norm_weight):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         activation=activation)
        self.norm_weight = norm_weight

    def loss_terms(self, out, target, sample_weight=None, mask=None,
                   input_norm=None):
        terms = super().loss_terms(out, target, sample_weight, mask)
        gap = (out["code"].norm(dim=1) - input_norm).square()
        norm = weighted_mean(gap, sample_weight)  # a term of each sample
        terms["loss"] = terms["loss"] + self.norm_weight * norm
        terms["norm"] = norm
        return terms


class NormAE(MixtureSamplingMixin, MLPLayersMixin, BaseAutoencoder):
    """Autoencoder whose codes keep the norms of their samples.

    Parameters
    ----------
    norm_weight : float, default=1.0
        Weight of the squared gap between the norms of a code and of its
        sample in the loss.

    Attributes
    ----------
    module_ : NormNet
        The trained network.

    See Also
    --------
    StackedAE : the same network without the norm term.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, _ = load_digits(return_X_y=True)
    >>> NormAE(n_components=4, max_iter=2).fit(X / 16).transform(X[:2]).shape
    (2, 4)
    """

    _parameter_constraints = {
        "norm_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=32, *, norm_weight=1.0,
                 hidden_layer_sizes=(256,), activation="elu", alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu", callbacks=None,
                 sampler_components=10):
        store_params(self, locals())

    def _build_module(self, n_features):
        return NormNet(n_features, self._hidden_sizes(), self.n_components,
                       self.activation, self.norm_weight)

    def _batch_fields(self, X, y=None):  # ndarray, CSR or on disk; NaN
        blocks = (X[i:i + 4096] for i in range(0, X.shape[0], 4096))
        norms = [np.sqrt(np.nansum(np.square(  # over the observed values
            b.toarray() if issparse(b) else b), axis=1)) for b in blocks]
        return {"input_norm": np.concatenate(norms).astype(np.float32)}
# -- end of the second variant ------------------------------------------------


FAST = dict(n_components=3, hidden_layer_sizes=(8,), max_iter=5,
            batch_size=16, random_state=0)


@pytest.mark.parametrize("cls", [L1AE, NormAE])
def test_the_variant_is_short(cls):
    # the estimator's code, its docstring aside, in at most 40 lines
    source = inspect.getsource(cls)
    start = source.index('"""')
    end = source.index('"""', start + 3) + 3
    code = [line for line in (source[:start] + source[end:]).splitlines()
            if line.strip()]
    assert len(code) <= 40, len(code)


@parametrize_with_checks([L1AE(**FAST), NormAE(**FAST)],
                         expected_failed_checks=lambda est:
                         WEIGHTS_ARE_NOT_REPEATS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", [L1AE, NormAE])
def test_docstring_is_assembled(cls):
    check_docstring(cls)


def _norm_gap(ae, X):
    return np.mean((np.linalg.norm(ae.transform(X), axis=1)
                    - np.linalg.norm(X, axis=1)) ** 2)


def test_the_batch_field_reaches_the_loss_term(digits):
    X, X_test, y, y_test = digits
    settings = dict(n_components=8, hidden_layer_sizes=(32,), max_iter=15,
                    batch_size=64, random_state=0)
    with_term = NormAE(norm_weight=1.0, **settings).fit(X)
    without = NormAE(norm_weight=0.0, **settings).fit(X)
    # the term is trained and recorded per epoch, beside the reconstruction
    history = with_term.net_.history
    assert len(history[:, "train_norm"]) == with_term.n_iter_
    assert _norm_gap(with_term, X_test) < 0.1 * _norm_gap(without, X_test)
    # the field and the term follow sample_weight: a weight of 0 drops a
    # sample from both (the digits 5-9 are not learned)
    low = (y < 5).astype(np.float32)
    weighted = NormAE(**settings).fit(X, sample_weight=low)
    seen, unseen = X_test[y_test < 5], X_test[y_test >= 5]
    assert -weighted.score(unseen) > -with_term.score(unseen)
    assert -weighted.score(seen) < -with_term.score(seen)
    # partial_fit and early stopping carry the field too
    ae = NormAE(**settings)
    for rows in np.array_split(np.arange(len(X)), 3):
        ae.partial_fit(X[rows])
    assert len(ae.net_.history[:, "train_norm"]) == 3
    held = NormAE(early_stopping=True, **settings).fit(X)
    assert len(held.net_.history[:, "valid_norm"]) == held.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_score_is_its_own_loss_and_pickles(digits):
    X_train, X_test, _, _ = digits
    ae = L1AE(n_components=8, hidden_layer_sizes=(32,), max_iter=10,
              random_state=0).fit(X_train)
    reconstruction = ae.inverse_transform(ae.transform(X_test))
    mae = np.abs(reconstruction - X_test).mean(axis=1)
    assert_allclose(ae.score_samples(X_test), -mae, rtol=1e-5, atol=1e-6)
    assert ae.score(X_test) == pytest.approx(-mae.mean(), rel=1e-5)
    assert ae.module_.loss == "l1"
    # training minimised the same loss: the last epoch's loss is the mean
    # absolute error on the training data (up to the last step's change)
    train_mae = np.abs(ae.inverse_transform(ae.transform(X_train))
                       - X_train).mean()
    assert ae.loss_curve_[-1] == pytest.approx(train_mae, rel=0.05)
    restored = pickle.loads(pickle.dumps(ae))
    assert_array_equal(restored.transform(X_test), ae.transform(X_test))
    assert restored.sample(3, random_state=0).shape == (3, 64)
