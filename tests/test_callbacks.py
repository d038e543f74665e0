"""skorch callbacks as users write them: stateful, named, Optuna's pruning."""

import numpy as np
import pytest
from sklearn.base import clone
from skorch.callbacks import Callback, EarlyStopping

from skae import StackedAE

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
            early_stopping=False, random_state=0)


class Recorder(Callback):
    """Keeps the training loss of every epoch in a list of its own."""

    def __init__(self, losses=None):
        self.losses = losses

    def on_epoch_end(self, net, **kwargs):
        self.losses.append(net.history[-1, "train_loss"])


def test_the_users_callback_object_records_the_fit(digits):
    recorder = Recorder([])
    with open(__file__) as handle:  # a callback that cannot be copied
        holder = Recorder([])
        holder.handle = handle
        est = StackedAE(callbacks=[recorder, ("file", holder)], **FAST)
        est.fit(digits[0])
    assert recorder.losses == est.loss_curve_
    assert holder.losses == est.loss_curve_
    # clone (as a search does) copies the callbacks: the copy records
    copy = clone(StackedAE(callbacks=[Recorder([])], **FAST))
    assert copy.callbacks[0] is not recorder


def test_named_callbacks_take_nested_parameters(digits):
    est = StackedAE(callbacks=[("es", EarlyStopping(monitor="train_loss",
                                                    patience=50))],
                    **FAST)
    assert est.get_params()["callbacks__es__patience"] == 50
    est.set_params(callbacks__es__patience=1, callbacks__es__threshold=1.0)
    assert est.callbacks[0][1].patience == 1
    est.fit(digits[0])
    assert est.n_iter_ < 5  # skorch's EarlyStopping stopped the fit
    with pytest.raises(ValueError, match="callback named 'nope'"):
        est.set_params(callbacks__nope__patience=2)


def test_a_callback_that_needs_a_validation_loss_says_how(digits):
    est = StackedAE(callbacks=[EarlyStopping()], **FAST)
    with pytest.raises(ValueError, match="early_stopping=True"):
        est.fit(digits[0])
    assert not hasattr(est, "net_")
    est.set_params(early_stopping=True).fit(digits[0])
    assert est.n_iter_ >= 1


def test_optuna_prunes_trials_with_skorchs_pruning_callback(digits):
    optuna = pytest.importorskip("optuna")
    integration = pytest.importorskip("optuna_integration")
    X_train, X_test = digits[0], digits[1]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    reported = []

    def objective(trial):
        lr = trial.suggest_float("learning_rate", 1e-5, 3e-2, log=True)
        pruning = integration.SkorchPruningCallback(trial, "train_loss")
        est = StackedAE(n_components=8, hidden_layer_sizes=(32,),
                        max_iter=8, learning_rate=lr, random_state=0,
                        callbacks=[pruning])
        est.fit(X_train)
        reported.append(len(trial.storage.get_trial(
            trial._trial_id).intermediate_values))
        return -est.score(X_test)

    study = optuna.create_study(
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2,
                                           n_warmup_steps=2))
    study.optimize(objective, n_trials=8)
    states = [t.state for t in study.trials]
    assert reported and reported[0] == 8  # every epoch reached optuna
    assert states.count(optuna.trial.TrialState.PRUNED) >= 1
    assert study.best_value < np.mean((X_test - X_train.mean(0)) ** 2)


def test_batch_callbacks_see_every_step(digits):
    # a step skips skorch's per-batch events when nothing listens; a
    # callback that does (gradient clipping, a per-batch score) gets every
    # one, and skorch's per-batch history entries with them
    from skorch.callbacks import BatchScoring

    class CountGradients(Callback):
        def initialize(self):
            self.calls = 0
            return self

        def on_grad_computed(self, net, named_parameters, **kwargs):
            self.calls += 1

    def constant(net, X=None, y=None):
        return 1.0

    counter = CountGradients()
    est = StackedAE(n_components=4, hidden_layer_sizes=(16,), max_iter=2,
                    batch_size=100, early_stopping=False, random_state=0,
                    callbacks=[("count", counter),
                               ("score", BatchScoring(constant,
                                                      on_train=True))])
    est.fit(digits[0])
    n_batches = -(-len(digits[0]) // 100)
    history = est.net_.history
    assert [len(row["batches"]) for row in history] == [n_batches] * 2
    assert history[-1, "constant"] == 1.0
    assert history[-1, "batches", -1, "train_loss"] > 0
    assert counter.calls == 2 * n_batches
    # without them, empty per-batch entries (skorch's Checkpoint indexes
    # them) and no per-batch value
    plain = StackedAE(n_components=4, hidden_layer_sizes=(16,), max_iter=2,
                      batch_size=100, early_stopping=False,
                      random_state=0).fit(digits[0])
    assert [row["batches"] for row in plain.net_.history] == [
        [{}] * n_batches] * 2
