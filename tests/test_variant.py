"""A new variant is one network and one short estimator subclass.

This file defines an autoencoder trained on the mean absolute error (not
shipped with skae) the way CONTRIBUTING.md describes, with no edit anywhere
else, and checks that it is a complete skae estimator: scikit-learn's
checks, the docstring rules, pickling, and a ``score`` that is its own loss.
"""

import inspect
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae._architecture import MLPLayersMixin
from skae._base import BaseAutoencoder
from skae._parameters import store_params
from skae._sampling import MixtureSamplingMixin
from skae.nn import MLPAutoencoder

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


FAST = dict(n_components=3, hidden_layer_sizes=(8,), max_iter=5,
            batch_size=16, random_state=0)


def test_the_variant_is_short():
    # the estimator's code, its docstring aside, in at most 40 lines
    source = inspect.getsource(L1AE)
    start = source.index('"""')
    end = source.index('"""', start + 3) + 3
    code = [line for line in (source[:start] + source[end:]).splitlines()
            if line.strip()]
    assert len(code) <= 40, len(code)


@parametrize_with_checks([L1AE(**FAST)],
                         expected_failed_checks=lambda est:
                         WEIGHTS_ARE_NOT_REPEATS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_docstring_is_assembled():
    check_docstring(L1AE)


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
