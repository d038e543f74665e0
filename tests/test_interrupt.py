"""Ctrl-C ends the whole fit and keeps what was trained; a diverging loss
fails and restores the estimator; scores do not overflow silently."""

import signal

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from skorch.callbacks import Callback

from skae import PretrainedClassifier, StackedAE
from skae._training import AutoencoderNet

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(n_components=4, hidden_layer_sizes=(16,), random_state=0)


class CtrlC(Callback):
    """Send a real SIGINT to this process at the end of epoch ``at``."""

    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.at:
            signal.raise_signal(signal.SIGINT)


def test_ctrl_c_ends_the_fit_and_keeps_a_usable_model(digits):
    X = digits[0]
    handler = signal.getsignal(signal.SIGINT)
    with pytest.warns(UserWarning, match="interrupted .* after 3 epochs"):
        ae = StackedAE(max_iter=100, callbacks=[CtrlC(3)], **SMALL).fit(X)
    assert ae.n_iter_ == 3
    assert ae.transform(X[:5]).shape == (5, 4)
    assert signal.getsignal(signal.SIGINT) is handler
    # warm start continues from there
    ae.set_params(warm_start=True, max_iter=2, callbacks=None).fit(X)
    assert ae.n_iter_ == 5


def test_ctrl_c_in_a_greedy_stage_starts_no_further_stage(digits,
                                                          monkeypatch):
    X = digits[0]
    original = AutoencoderNet.on_epoch_begin

    def on_epoch_begin(self, net, **kwargs):
        original(self, net, **kwargs)
        # Ctrl-C as the third epoch of the first greedy stage begins
        if net.max_epochs == 7 and len(net.history) == 3:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(AutoencoderNet, "on_epoch_begin", on_epoch_begin)
    with pytest.warns(UserWarning, match="interrupted .* after 2 epochs"):
        ae = StackedAE(pretraining="greedy", pretraining_max_iter=7,
                       max_iter=50, **SMALL).fit(X)
    # the first stage stopped at 2 epochs; no second stage, no fine-tuning
    assert [len(curve) for curve in ae.pretraining_loss_curves_] == [2]
    assert ae.n_iter_ == 0
    assert ae.transform(X[:3]).shape == (3, 4)


@pytest.mark.filterwarnings("ignore:StackedAE.fit was interrupted")
def test_ctrl_c_in_the_autoencoder_ends_the_classifier_fit(digits):
    X, _, y, _ = digits
    autoencoder = StackedAE(max_iter=50, callbacks=[CtrlC(2)], **SMALL)
    with pytest.warns(UserWarning, match="PretrainedClassifier.fit was "
                      "interrupted"):
        clf = PretrainedClassifier(autoencoder, max_iter=30,
                                   random_state=0).fit(X, y)
    assert clf.autoencoder_.n_iter_ == 2
    assert clf.n_iter_ == 0  # the classifier did not train
    assert clf.predict(X[:4]).shape == (4,)


def test_a_huge_finite_loss_is_divergence(digits):
    X = digits[0]
    ae = StackedAE(max_iter=5, **SMALL).fit(X)
    codes = ae.transform(X)
    state = dict(vars(ae))
    ae.set_params(learning_rate=1e3)
    with pytest.raises(FloatingPointError, match="diverged"):
        ae.fit(X)
    assert all(vars(ae)[k] is v for k, v in state.items()
               if k != "learning_rate")
    assert_array_equal(ae.transform(X), codes)


def test_scores_do_not_overflow_float32(digits):
    X = digits[0]
    ae = StackedAE(max_iter=2, **SMALL).fit(X)
    huge = (X[:5] * 1e20).astype(np.float32)  # squared errors beyond 3e38
    scores = ae.score_samples(huge)
    assert np.isfinite(scores).all()
    assert (scores < -1e38).all()
    assert np.isfinite(ae.score(huge))


def test_a_diverging_partial_fit_pass_leaves_the_model_as_it_was(digits):
    X = digits[0]
    ae = StackedAE(**SMALL)
    ae.partial_fit(X[:500])
    ae.partial_fit(X[500:1000])
    net = ae.net_
    weights = {k: v.clone() for k, v in ae.module_.state_dict().items()}
    moments = {k: {n: t.clone() for n, t in s.items()}
               for k, s in net.optimizer_.state_dict()["state"].items()}
    curve, n_epochs = list(ae.loss_curve_), len(net.history)
    codes = ae.transform(X[:50])
    # squared errors beyond float32's range: the pass's loss is not finite
    with pytest.raises(FloatingPointError, match="diverged"):
        ae.partial_fit(X[1000:] * 1e20)
    # the pass trained a copy: network, Adam's moments, curves and history
    # are exactly those of before the call
    assert ae.net_ is net and len(net.history) == n_epochs
    for key, value in ae.module_.state_dict().items():
        assert torch.equal(value, weights[key])
    state = net.optimizer_.state_dict()["state"]
    assert all(torch.equal(state[k][n], t) for k, s in moments.items()
               for n, t in s.items())
    assert ae.loss_curve_ == curve and ae.n_iter_ == 2
    assert_array_equal(ae.transform(X[:50]), codes)
    # and the next pass goes on from there
    ae.partial_fit(X[1000:])
    assert ae.n_iter_ == 3
