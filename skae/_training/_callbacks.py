"""Callbacks the estimators add to their nets, and the rules for the user's.

* :class:`LinearWarmup`: a loss weight of the network that grows linearly
  over the first epochs (the KL warm-up of a variational autoencoder);
* :class:`WeightAveraging`: a running average of the weights, used for
  validation and kept as the fitted network;
* :class:`EpochEndCall`: a method of the network called at the end of each
  epoch (the VQ-VAE's restart of unused codebook rows);
* :func:`check_callbacks`, :func:`named_callbacks`: what ``callbacks``
  may hold and how its entries are named.
"""

import torch
from skorch.callbacks import Callback

#: The eta of polynomial-decay averaging: step t moves the average a
#: fraction (eta + 1) / (t + eta) towards the current weights, so the average
#: covers roughly the last 1 / (eta + 1) of the steps so far.
_ETA = 8


def check_callbacks(callbacks):
    """Raise a TypeError unless ``callbacks`` holds skorch callbacks or
    ``(name, callback)`` pairs."""
    for i, entry in enumerate(callbacks or []):
        callback = entry
        if isinstance(entry, tuple) and len(entry) == 2 \
                and isinstance(entry[0], str):
            callback = entry[1]
        if not (isinstance(callback, Callback)
                or (isinstance(callback, type)
                    and issubclass(callback, Callback))):
            raise TypeError(
                f"callbacks[{i}] is {entry!r} ({type(entry).__name__}); "
                "callbacks must be skorch callbacks (instances of "
                "skorch.callbacks.Callback) or (name, callback) pairs.")


def named_callbacks(callbacks):
    """``(name, callback)`` of ``callbacks``; an unnamed callback is named
    by its class, as skorch names it."""
    if not isinstance(callbacks, (list, tuple)):
        return []  # None, or a wrong value that fit will explain
    return [entry if isinstance(entry, tuple) and len(entry) == 2
            else (type(entry).__name__, entry) for entry in callbacks]


class LinearWarmup(Callback):
    """Set a loss weight of the network at each epoch, growing linearly.

    The network's attribute ``attribute`` is 0 at the first epoch, grows
    linearly to ``value`` over ``epochs`` epochs and stays there (the KL
    annealing of Bowman et al., 2016; Sonderby et al., 2016). Each epoch's
    weight is recorded in the history under ``attribute``. ``start``
    counts the epochs of the training this one continues (a warm start,
    earlier ``partial_fit`` passes).
    """

    def __init__(self, attribute, value=1.0, epochs=0, start=0):
        self.attribute = attribute
        self.value = value
        self.epochs = epochs
        self.start = start

    def weight(self, epoch):
        """Weight of epoch ``epoch`` (0-based, counting previous fits)."""
        if epoch >= self.epochs:
            return self.value
        return self.value * epoch / self.epochs

    def on_epoch_begin(self, net, **kwargs):
        weight = self.weight(self.start + len(net.history) - 1)
        setattr(net.module_, self.attribute, weight)
        net.history.record(self.attribute, weight)


class EpochEndCall(Callback):
    """Call the network's method ``method`` (no arguments) at the end of
    each training epoch, inside the call's random scope, and record what it
    returns in the history under ``name``."""

    def __init__(self, method, name):
        self.method = method
        self.name = name

    def on_epoch_end(self, net, **kwargs):
        net.history.record(self.name, getattr(net.module_, self.method)())


class WeightAveraging(Callback):
    """Polynomial-decay averaging of the weights over the training steps.

    After the t-th optimizer step of a training run, the average ``a``
    moves towards the current weights ``w``:
    ``a <- a + (eta + 1) / (t + eta) * (w - a)`` (Shamir and Zhang, 2013),
    a moving average whose window grows with training: about its last
    ninth with ``eta=8``. Averaging the iterates of a stochastic optimizer
    smooths out their noise, which generalises better than the last
    iterate (Polyak and Juditsky, 1992).

    The held-out split is evaluated with the averaged weights: they are
    swapped in before the first validation batch and swapped out when the
    next epoch begins, so the stopping rule and any callback after this one
    see the weights the validation loss is of, and the stopping rule keeps
    them as the best epoch's. Without a held-out split the average replaces
    the weights when training ends. Buffers (such as batch-norm statistics)
    are not averaged. The average uses the weights' device and dtype and
    reads nothing back to the host.
    """

    #: It uses no per-batch history (see ``TrainingNetMixin``).
    reads_batch_history = False

    def __init__(self, eta=_ETA):
        self.eta = eta

    def initialize(self):
        self._params = None
        self._average = None
        self._raw = None
        self._steps = 0
        return self

    @staticmethod
    def _load(params, values):
        with torch.no_grad():
            for param, value in zip(params, values):
                param.copy_(value)

    def on_train_begin(self, net, **kwargs):
        # the trained parameters, listed once per fit, not once per step
        self._params = [p for p in net.module_.parameters()
                        if p.requires_grad]
        self._average = [p.detach().clone() for p in self._params]
        self._raw = None
        self._steps = 0

    def on_batch_end(self, net, training=False, **kwargs):
        if not training or self._average is None:
            return
        self._steps += 1
        weight = (self.eta + 1) / (self._steps + self.eta)
        with torch.no_grad():
            for average, param in zip(self._average, self._params):
                average.lerp_(param, weight)

    def on_batch_begin(self, net, training=False, **kwargs):
        if training or self._raw is not None or self._average is None:
            return
        # the first validation batch of the epoch: evaluate the average
        self._raw = [p.detach().clone() for p in self._params]
        self._load(self._params, self._average)

    def on_epoch_begin(self, net, **kwargs):
        if self._raw is not None:
            self._load(self._params, self._raw)
            self._raw = None

    def on_train_end(self, net, **kwargs):
        if net.train_split is None and self._steps > 0:
            # no held-out split: the fitted network is the average
            self._load(self._params, self._average)
        # with a held-out split the stopping rule (which ran first) has
        # loaded the best epoch's averaged weights: keep them
        self._params = self._average = self._raw = None
