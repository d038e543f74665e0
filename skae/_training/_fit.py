"""The one fit path of every estimator that trains a network.

``fit`` and ``partial_fit`` validate their input into a
:class:`~skae._training._data.TrainingData` and call
:meth:`NetTrainingMixin._train`, which makes the call's
:class:`~skae._training._context.FitContext` and runs, in order:
``_before_training`` (work before the call's torch draws), the network
(a new one, a warm start's, or the previous ``partial_fit`` pass's net),
``_pretrain`` (stages before the whole network trains), the skorch net's
training, the fitted attributes and ``_finish_fit``. A ``partial_fit``
pass is the same path with ``partial=True``: one epoch, no held-out split,
the optimizer's state carried over.
"""

import contextlib
import copy
import warnings

import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import ProgressBar
from skorch.helper import predefined_split
from skorch.history import History

from ..nn._objective import TrainingObjective
from ._context import FitContext, restored_on_failure
from ._convergence import Convergence
from ._data import HoldoutSplit
from ._device import broadcast_module
from ._nets import PhasedNet
from ._params import TrainingParamsMixin

#: ``early_stopping="auto"`` holds out a validation split from this many
#: samples on (100 validation samples at the default fraction).
_AUTO_EARLY_STOPPING_SAMPLES = 1000

#: ``learning_rate_schedule="adaptive"`` multiplies the learning rate by
#: this where the stopping rule would end training ...
_ADAPTIVE_LR_FACTOR = 1 / 3

#: ... at most this many times in a fit.
_ADAPTIVE_LR_DECAYS = 2


class NetTrainingMixin(TrainingParamsMixin):
    """Training parameters, the one fit path, and the fitted attributes.

    Hooks a subclass may override (all optional but ``_new_module``):

    * ``_net_class``: the skorch net class (:mod:`skae._training._nets`);
    * ``_objective()``: builds the training objective around the network
      (``objective(module)``; default :class:`skae.nn.TrainingObjective`);
    * ``_callbacks(context)``: callbacks of its own, after the stopping
      rule;
    * ``_net_kwargs()``: more keyword arguments of the net;
    * ``_burn_in_epochs(context)``: first epochs the stopping rule ignores;
    * ``_before_training(data, context)``: work that comes before the
      call's torch draws (PretrainedClassifier fits its autoencoder);
    * ``_new_module(data, context)``: the network a new training starts
      from, on ``context.device``;
    * ``_pretrain(module, data, context)``: stages before the whole
      network trains; returns the epochs run;
    * ``_split(data, context)``: the training data and a fixed validation
      set (or None: ``early_stopping`` holds out at random);
    * ``_frozen(module)``: a context in which frozen parameters do not
      train;
    * ``_finish_fit(X, rng)``: fitted state derived after training.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (the skorch net's ``module_``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.
    net_ : skorch.NeuralNet
        The skorch net that trained the network (its ``history`` holds every
        epoch).
    loss_curve_ : list of float
        Training loss per epoch.
    best_loss_ : float or None
        Lowest training loss (None with early stopping).
    validation_scores_ : list of float or None
        Negative validation loss per epoch with early stopping, else None.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    n_iter_ : int
        Epochs run.
    """

    #: The skorch net class that trains the network.
    _net_class = None

    #: ``batch_size="auto"`` gives about this many steps per epoch.
    _auto_batch_steps = 40

    @property
    def module_(self):
        """The trained network: the skorch net's ``module_``.

        A property rather than a second attribute so that the two stay one
        object after pickling (skorch pickles its modules separately).
        """
        return self.net_.module_

    @module_.setter
    def module_(self, module):
        self.net_.module_ = module

    # ------------------------------------------------------------------
    # hooks
    def _objective(self):
        return TrainingObjective

    def _callbacks(self, context):
        """``(name, callback)`` pairs of the estimator's own, run after the
        stopping rule and before the user's ``callbacks``."""
        return []

    def _net_kwargs(self):
        """More keyword arguments of the skorch net (``_net_class``)."""
        return {}

    def _burn_in_epochs(self, context):
        """First epochs of this training that the stopping rule ignores
        (for example while a loss weight is annealed)."""
        return 0

    def _before_training(self, data, context):
        """Work before the call's torch draws (default: none)."""

    def _new_module(self, data, context):
        """The network a new training starts from, on ``context.device``."""
        raise NotImplementedError

    def _pretrain(self, module, data, context):
        """Train ``module`` in stages before the whole (default: no);
        returns the number of epochs run."""
        return 0

    def _split(self, data, context):
        """The training data and a fixed validation set (None: with
        ``early_stopping``, hold out ``validation_fraction`` at random)."""
        return data, None

    def _frozen(self, module):
        """A block in which the frozen parameters do not train."""
        return contextlib.nullcontext()

    def _finish_fit(self, X, rng):
        """Fitted state derived from the trained network and the training
        samples ``X`` (a sampler, a scoring seed), with the numpy
        generator ``rng`` of the call."""

    # ------------------------------------------------------------------
    def _restored_on_failure(self):
        """A block after which the estimator is exactly as before it if it
        raises (bad input, a diverging loss, a second Ctrl-C): training
        works on new objects or copies, never in place on the fitted ones,
        and the attributes are put back."""
        return restored_on_failure(self)

    def _train(self, data, *, partial=False):
        """Train on ``data`` (a ``TrainingData``): a fit, or with
        ``partial`` one pass that continues the previous ones."""
        context = self._fit_context(partial)
        with context:
            self._before_training(data, context)
            with context.generators():
                net, train = self._net_and_data(data, context)
                with self._frozen(net.module):
                    self._run(net, train.source(
                        context.device,
                        mask_input=getattr(net.module, "mask_input", False)),
                        context)
        self._set_fitted(net, context.partial)
        self._finish_fit(data.X, context.random.numpy())
        if context.interrupted:
            self._warn_interrupted(context, net)

    def _fit_context(self, partial):
        previous = vars(self).get("net_")
        continues = previous is not None and (
            partial or getattr(self, "warm_start", False))
        device = (previous.device if partial and previous is not None
                  else self.device)
        return FitContext(self.random_state, device, partial=partial,
                          precision=getattr(self, "precision", "float32"),
                          continues=continues,
                          epochs_done=self.n_iter_ if continues else 0)

    def _net_and_data(self, data, context):
        """The net this call trains and its training data (this process's
        share when data-parallel): a copy of the previous ``partial_fit``
        pass's net (its optimizer state included), or a new net around a
        new network, pretrained first when there are stages."""
        previous = vars(self).get("net_")
        module = None
        if context.partial and getattr(previous, "partial_", False):
            net = copy.deepcopy(previous)
        else:
            module = self._new_module(data, context)
            if context.group is not None:
                broadcast_module(module)
        train, valid = self._split(data, context)
        n_samples = max(1, train.n_samples)  # (a chunk without labels: 0)
        if context.group is not None:  # data-parallel: this process's rows
            train = train.shard(*context.group)
        if module is None:
            return net, train
        if not context.continues:
            context.pretrained_epochs = self._pretrain(module, train, context)
        net = self._make_net(module, context, n_samples, valid=valid)
        net.curve_before_ = list(self.loss_curve_) if context.continues \
            else []
        net.scores_before_ = list(self.validation_scores_ or []) \
            if context.continues else []
        return net, train

    # ------------------------------------------------------------------
    def _holds_out(self, n_samples):
        """Whether a fit on ``n_samples`` samples holds out a validation
        split (``early_stopping``, ``"auto"`` resolved by size)."""
        if self.early_stopping == "auto":
            return n_samples >= _AUTO_EARLY_STOPPING_SAMPLES
        return bool(self.early_stopping)

    def _batch_size(self, n_samples, context):
        """The mini-batch size of each process."""
        if self._uses_lbfgs():
            auto = n_samples  # full batch: one epoch is one L-BFGS step
        else:
            auto = _auto_batch_size(n_samples, self._auto_batch_steps)
        batch_size = (auto if self.batch_size == "auto"
                      else min(self.batch_size, n_samples))
        if context.group is not None:  # shared among the processes
            batch_size = max(1, batch_size // context.group[1])
        return batch_size

    def _convergence(self, holdout, context, stage):
        """The stopping rule of a training run."""
        # the first n_iter_no_change epochs of a new mini-batch training
        # are a warm-up (Keras' start_from_epoch): a small code's first
        # plateau would otherwise end the fit before it starts learning
        warm_up = (self.n_iter_no_change if context.epochs_done == 0
                   and not self._uses_lbfgs() else 0)
        return Convergence(
            monitor="valid_loss" if holdout else "train_loss",
            tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            restore_best=holdout,
            burn_in=max(warm_up,
                        0 if stage else self._burn_in_epochs(context)),
            lr_factor=_ADAPTIVE_LR_FACTOR,
            max_decays=(_ADAPTIVE_LR_DECAYS
                        if self.learning_rate_schedule == "adaptive" else 0))

    def _make_net(self, module, context, n_samples, *, max_epochs=None,
                  stage=False, valid=None):
        """The skorch net that trains ``module`` (on ``context.device``) on
        ``n_samples`` samples: ``max_epochs`` epochs at most (None:
        ``max_iter``); a ``stage`` (greedy pretraining) has the stopping
        rule only, without the estimator's and the user's callbacks, which
        watch the training of the whole network; ``valid``, a fixed
        validation set (``TrainingData``)."""
        holdout = valid is not None or (
            self._holds_out(n_samples) and not context.partial)
        callbacks = [("convergence",
                      self._convergence(holdout, context, stage))]
        if not stage:
            # the user's callbacks as given, as skorch uses them: what they
            # record stays theirs (clone copies them for a search)
            callbacks += [*self._callbacks(context),
                          *list(self.callbacks or [])]
        if self.verbose and self.verbose > 1:
            callbacks.insert(0, ("progress_bar", ProgressBar()))
        if context.precision is torch.float16 and (
                self._uses_lbfgs() or issubclass(self._net_class, PhasedNet)):
            raise ValueError(
                f"precision='float16' scales the loss of one optimizer step, "
                f"which {type(self).__name__} with optimizer="
                f"{self.optimizer!r} does not take (an L-BFGS line search, "
                "or alternating phases); use precision='bfloat16', which "
                "needs no scaling, or 'float32'.")
        extra = {"distributed": True} if context.group is not None else {}
        if self._uses_lbfgs():
            extra["optimizer__line_search_fn"] = "strong_wolfe"
        return self._net_class(
            module, objective=self._objective(),
            optimizer=self._optimizer_class(), lr=self.learning_rate,
            weight_decay=self.alpha, batch_size=self._batch_size(
                n_samples, context),
            max_epochs=(1 if context.partial else self.max_iter
                        if max_epochs is None else max_epochs),
            train_split=(predefined_split(valid.source(context.device))
                         if valid is not None else HoldoutSplit(
                             self.validation_fraction) if holdout else None),
            callbacks=callbacks, verbose=self.verbose,
            device=str(context.device), precision=context.precision,
            **extra, **self._net_kwargs())

    def _run(self, net, source, context):
        """``net.fit(source)``, or for a ``partial_fit`` pass one epoch of
        ``net.partial_fit(source)`` keeping the optimizer's state (skorch
        warns when handed an initialised module, which skae always does).
        After a Ctrl-C in this call, or without rows to train on (a
        classifier's chunk without labels), the net is only initialised."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="skorch")
            try:
                if context.interrupted or not len(source):
                    if not net.initialized_:
                        net.initialize()
                elif context.partial:
                    net.partial_fit(source, None, epochs=1)
                else:
                    net.fit(source, None)
            except KeyError as exc:
                self._explain_missing_key(net, exc)
            except KeyboardInterrupt:
                # Ctrl-C outside skorch's epoch loop: keep what was trained
                if not context.interrupted:
                    raise
                if not net.initialized_:
                    net.initialize()
        if context.interrupted and net.history \
                and "train_loss" not in net.history[-1]:
            del net.history[-1]  # the epoch the Ctrl-C cut short
        return net

    def _explain_missing_key(self, net, exc):
        if "valid_" not in str(exc) or net.train_split is not None:
            raise exc
        raise ValueError(
            f"A callback reads the validation loss ({exc}), which "
            f"{type(self).__name__} records only with early_stopping=True "
            "(it holds out validation_fraction of X). Set "
            "early_stopping=True, or let the callback monitor 'train_loss' "
            "(for example EarlyStopping(monitor='train_loss'))."
        ) from None

    # ------------------------------------------------------------------
    def _set_fitted(self, net, partial=False):
        """The fitted attributes of the training that ``net`` ran; its
        curves continue those of the training it continues."""
        history = net.history
        self.net_ = net
        losses = [float(v) for v in history[:, "train_loss"]] \
            if history else []
        self.loss_curve_ = list(getattr(net, "curve_before_", [])) + losses
        self.n_iter_ = len(self.loss_curve_)
        if partial:  # the net and its optimizer carry on to the next pass
            net.partial_ = True
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ \
                else None
            self.validation_scores_ = self.best_validation_score_ = None
            return
        # a fitted network is used for inference: dropout, noise and batch
        # statistics off, whatever the last epoch's step was
        net.module_.eval()
        self._release_optimizer_state()
        convergence = dict(net.callbacks_)["convergence"]
        # None when no epoch ran (max_iter=0, or a network adopted untrained)
        best = convergence.best_loss_ if history else None
        self._set_scores(net, best)
        if self.max_iter and not convergence.converged_ \
                and len(history) == self.max_iter:
            warnings.warn(
                f"{type(self).__name__} reached max_iter={self.max_iter} "
                "epochs and the loss was still improving; increase max_iter "
                "or tol.", ConvergenceWarning)

    def _set_scores(self, net, best):
        """``best_loss_``, or with a held-out split the validation scores."""
        if net.train_split is None:
            self.validation_scores_ = self.best_validation_score_ = None
            self.best_loss_ = best
            return
        history = net.history
        scores = ([-float(v) for v in history[:, "valid_loss"]]
                  if history else [])
        self.validation_scores_ = list(
            getattr(net, "scores_before_", [])) + scores
        self.best_validation_score_ = None if best is None else -best
        self.best_loss_ = None

    def _release_optimizer_state(self):
        """Fresh optimizers for ``net_``: the state of the finished run's
        (Adam's moments, L-BFGS's history) would only continue that run
        and can weigh more than the network. A warm start or a refit
        builds new optimizers anyway."""
        self.net_.initialize_optimizer()

    def _attach_net(self, module, device, history=None):
        """Hold the trained ``module`` in an initialised net that has not
        trained it (:func:`skae.stack`, :func:`skae.load`); ``history``:
        the per-epoch records of its training, if known."""
        precision = getattr(self, "precision", "float32")
        try:
            context = FitContext(None, device, precision=precision,
                                 distributed=False)
        except ValueError as exc:  # a float16 model on the CPU
            warnings.warn(f"{exc} The model computes in float32 here.",
                          UserWarning, stacklevel=3)
            context = FitContext(None, device, distributed=False)
        net = self._make_net(module, context, n_samples=1)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="skorch")
            net.initialize()
        if history is not None:
            net.history = History(history)
        self.net_ = net
        return net

    def _rebuild_module(self):
        """A new network of the fitted architecture, to load weights into
        (:func:`skae.load`)."""
        raise NotImplementedError

    def _warn_interrupted(self, context, net):
        if context.partial:
            epochs, what = self.n_iter_, ("the pass stopped part way; the "
                                          "model keeps what it learned")
        else:
            epochs = context.pretrained_epochs + len(net.history)
            what = self._kept_when_interrupted
        warnings.warn(
            f"{type(self).__name__}.fit was interrupted (Ctrl-C) after "
            f"{epochs} epochs: {what}. Fit again with warm_start=True (where "
            "the estimator has it) to continue.", UserWarning, stacklevel=4)

    #: What an interrupted fit keeps, for its warning.
    _kept_when_interrupted = "the model keeps what it learned so far"


def _auto_batch_size(n_samples, steps=40):
    """``batch_size="auto"``: about ``steps`` steps per epoch, between 16
    and 200.

    ``MLPRegressor``'s ``min(200, n_samples)`` would give small data sets a
    single step per epoch, so they would need thousands of epochs.
    """
    return min(n_samples, 200, max(16, n_samples // steps))
