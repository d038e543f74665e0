"""Weight averaging: the fitted VariationalAE is an average of its steps."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from skorch.callbacks import Callback

from skae import VariationalAE
from skae._training import WeightAveraging

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(n_components=8, hidden_layer_sizes=(64,), likelihood="bernoulli",
            max_iter=15, learning_rate=3e-3, random_state=0)


def _fake_net(train_split=None):
    module = torch.nn.Linear(3, 2)
    return SimpleNamespace(module_=module, train_split=train_split)


def _set(module, value):
    with torch.no_grad():
        for p in module.parameters():
            p.fill_(value)


def _values(module):
    return np.concatenate([p.detach().numpy().ravel()
                           for p in module.parameters()])


def test_average_follows_polynomial_decay_and_swaps_for_validation():
    net = _fake_net(train_split=None)
    avg = WeightAveraging().initialize()
    _set(net.module_, 0.0)
    avg.on_train_begin(net)
    expected = 0.0
    for step, value in enumerate([1.0, 5.0, -2.0, 3.0, 7.0, 4.0], start=1):
        _set(net.module_, value)  # an optimizer step
        avg.on_batch_end(net, training=True)
        expected += 9 / (step + 8) * (value - expected)
    # validation batches see the average, the next epoch the raw weights
    avg.on_batch_begin(net, training=False)
    assert_allclose(_values(net.module_), expected, rtol=1e-5)
    avg.on_batch_end(net, training=False)  # not a step: no update
    avg.on_batch_begin(net, training=False)
    assert_allclose(_values(net.module_), expected, rtol=1e-5)
    avg.on_epoch_begin(net)
    assert_allclose(_values(net.module_), 4.0)
    # without a held-out split the average is the fitted network
    avg.on_train_end(net)
    assert_allclose(_values(net.module_), expected, rtol=1e-5)


def test_with_a_holdout_the_end_keeps_what_the_stopping_rule_loaded():
    net = _fake_net(train_split=object())
    avg = WeightAveraging().initialize()
    _set(net.module_, 1.0)
    avg.on_train_begin(net)
    _set(net.module_, 3.0)
    avg.on_batch_end(net, training=True)
    _set(net.module_, 2.0)  # e.g. the best epoch's (averaged) weights
    avg.on_train_end(net)
    assert_allclose(_values(net.module_), 2.0)


class _Record(Callback):
    """Copies of the weights at each epoch's start and end."""

    def initialize(self):
        self.begin, self.end = [], []
        return self

    def _copy(self, net):
        return {k: v.clone() for k, v in net.module_.state_dict().items()}

    def on_epoch_begin(self, net, **kwargs):
        self.begin.append(self._copy(net))

    def on_epoch_end(self, net, **kwargs):
        self.end.append(self._copy(net))


def _same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def test_validation_scores_the_average_and_the_best_average_is_kept(digits):
    record = _Record()
    vae = VariationalAE(**FAST, early_stopping=True,
                        callbacks=[record]).fit(digits[0])
    assert "weight_averaging" in dict(vae.net_.callbacks_)
    n = len(vae.net_.history)
    # a user's callback after the averaging sees, at an epoch's end, the
    # averaged weights the validation loss was computed with, and at the
    # next epoch's start the optimizer's own weights: they differ
    assert len(record.end) == n
    assert not any(_same(record.end[e], record.begin[e + 1])
                   for e in range(n - 1))
    # the fitted network is the average of the best validation epoch
    best = int(np.argmin(vae.net_.history[:, "valid_loss"]))
    assert _same(vae.module_.state_dict(), record.end[best])


def test_without_average_the_fitted_network_is_the_optimizers(digits):
    record = _Record()
    vae = VariationalAE(**FAST, early_stopping=False, average=False,
                        callbacks=[record]).fit(digits[0])
    assert "weight_averaging" not in dict(vae.net_.callbacks_)
    assert _same(vae.module_.state_dict(), record.end[-1])
    record = _Record()
    vae.set_params(average=True, callbacks=[record]).fit(digits[0])
    # no held-out split: the average replaces the last step's weights
    assert not _same(vae.module_.state_dict(), record.end[-1])


@pytest.mark.parametrize("how", ["partial_fit", "lbfgs"])
def test_partial_fit_and_lbfgs_do_not_average(how, digits):
    vae = VariationalAE(**FAST)
    if how == "lbfgs":
        vae.set_params(optimizer="lbfgs", max_iter=3).fit(digits[0])
    else:
        vae.partial_fit(digits[0])
    assert "weight_averaging" not in dict(vae.net_.callbacks_)
