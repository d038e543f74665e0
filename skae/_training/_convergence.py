"""The stopping rule: when training ends, when it tries smaller steps, and
when it has diverged."""

import copy
import math

import torch
from skorch.callbacks import Callback

#: A loss this many times further from 0 than the loss of the untrained
#: network (its first batch) has diverged, even while it is finite.
_DIVERGENCE_FACTOR = 1e3


class Convergence(Callback):
    """Stop when the monitored loss stops improving; fail on a diverging loss.

    After each epoch, the loss counts as improved when it is below the best
    so far by more than ``tol`` times the best (a relative tolerance, so the
    rule works whatever the scale of the data). Training stops after
    ``n_iter_no_change`` epochs without improvement, as ``MLPRegressor``.
    With ``restore_best`` the parameters of the best epoch are loaded at the
    end (early stopping on a validation set). The first ``burn_in`` epochs
    are neither monitored nor counted (for example while a loss weight is
    being annealed, when losses of different epochs are not comparable).

    With ``max_decays`` above 0 the rule first tries smaller steps, as
    scikit-learn's ``learning_rate="adaptive"`` does: up to ``max_decays``
    times, where it would stop it multiplies the learning rate of every
    optimizer of the net by ``lr_factor`` (not L-BFGS's, whose line search
    chooses the step) and starts counting again. So it never stops earlier
    than without the schedule.

    The loss has diverged, and training fails with a FloatingPointError,
    when it is not finite or when it exceeds the loss of the untrained
    network (the first batch) by more than 1,000 times that loss's
    magnitude.

    Attributes
    ----------
    converged_ : bool
        Whether the last training run stopped by this rule.
    best_loss_ : float
    best_epoch_ : int
    n_lr_decays_ : int
        How many times the learning rate was lowered.
    """

    def __init__(self, monitor="train_loss", tol=1e-3, n_iter_no_change=10,
                 restore_best=False, burn_in=0, lr_factor=1.0,
                 max_decays=0):
        self.monitor = monitor
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.restore_best = restore_best
        self.burn_in = burn_in
        self.lr_factor = lr_factor
        self.max_decays = max_decays

    def initialize(self):
        self.on_train_begin(None)
        return self

    def on_train_begin(self, net, **kwargs):
        self.converged_ = False
        self.best_loss_ = math.inf
        self.best_epoch_ = 0
        self._n_bad = 0
        self._best_state = None
        self._initial = None
        self.n_lr_decays_ = 0

    def on_epoch_end(self, net, **kwargs):
        optimizers = net.optimizers()
        net.history.record("learning_rate",
                           float(optimizers[0].param_groups[0]["lr"]))
        loss = net.history[-1, self.monitor]
        self._check_divergence(net, loss)
        if len(net.history) <= self.burn_in:
            return
        self._track(net, loss)
        if self._n_bad < self.n_iter_no_change:
            return
        if self.n_lr_decays_ < self.max_decays and \
                self._lower_learning_rate(optimizers):
            self._n_bad = 0
            return
        self.converged_ = True
        raise KeyboardInterrupt  # skorch's way to end the fit loop

    def _check_divergence(self, net, loss):
        """Raise a FloatingPointError when ``loss`` has diverged from the
        untrained network's (its first batch's) loss."""
        if self._initial is None:
            self._initial = getattr(net, "initial_loss_", None)
            if self._initial is None:
                batches = net.history[0, "batches"]
                self._initial = (batches[0]["train_loss"]
                                 if batches and "train_loss" in batches[0]
                                 else loss)
        diverged = not math.isfinite(loss) or (
            math.isfinite(self._initial)
            and loss - self._initial > _DIVERGENCE_FACTOR * max(
                abs(self._initial), 1e-12))
        if diverged:
            raise FloatingPointError(
                f"The training loss became {loss:g} at epoch "
                f"{len(net.history)} (the untrained network's was "
                f"{self._initial:g}): training diverged. Lower learning_rate "
                f"(now {net.lr:g}) or scale the input, for example with "
                "StandardScaler or MinMaxScaler."
            )

    def _track(self, net, loss):
        """Count the epochs without improvement; keep the best epoch."""
        if math.isfinite(self.best_loss_) and (
                loss > self.best_loss_ - self.tol * abs(self.best_loss_)):
            self._n_bad += 1
        else:
            self._n_bad = 0
        if loss < self.best_loss_:
            self.best_loss_ = loss
            self.best_epoch_ = len(net.history)
            if self.restore_best:
                self._best_state = copy.deepcopy(net.module_.state_dict())

    def _lower_learning_rate(self, optimizers):
        """Multiply the rates of ``optimizers`` by ``lr_factor``; whether
        any was lowered (L-BFGS alone: no, so training stops)."""
        lowered = False
        for optimizer in optimizers:
            if isinstance(optimizer, torch.optim.LBFGS):
                continue
            for group in optimizer.param_groups:
                group["lr"] *= self.lr_factor
            lowered = True
        self.n_lr_decays_ += lowered
        return lowered

    def on_train_end(self, net, **kwargs):
        done = [i for i, row in enumerate(net.history)
                if self.monitor in row]
        if not math.isfinite(self.best_loss_) and done:
            # every epoch was burn-in: the last finished one stands for the
            # run (an interrupted epoch has no loss)
            self.best_loss_ = net.history[done[-1], self.monitor]
            self.best_epoch_ = done[-1] + 1
        if self.restore_best and self._best_state is not None:
            net.module_.load_state_dict(self._best_state)
        self._best_state = None
