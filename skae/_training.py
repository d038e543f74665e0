"""What every skae estimator that trains a network shares (the sklearn side).

:class:`NetTrainingMixin` declares the training parameters (learning rate,
epochs, stopping rule, device, ...), describes the skorch net that trains a
network, and turns the finished net into fitted attributes. The
autoencoders (:class:`skae._base.BaseAutoencoder`) and
:class:`skae.PretrainedClassifier` inherit it.
"""

import contextlib
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from ._compat import Interval, StrOptions

from ._checks import check_callbacks, reject_bools
from ._interrupt import InterruptGuard
from ._net import Convergence, HoldoutSplit
from ._parameters import DeclaredParamsMixin
from ._random import random_scope

#: Optimizers by name; any ``torch.optim.Optimizer`` subclass works too.
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "lbfgs": torch.optim.LBFGS,
}


class NetTrainingMixin(DeclaredParamsMixin):
    """Training parameters and the skorch net of an estimator.

    Hooks a subclass may override to describe its net (``_make_net`` builds
    the finished net in one place from them):

    * ``_net_class``: the skorch net class;
    * ``_callbacks(epochs_done, partial)``: callbacks of its own, after the
      stopping rule (``epochs_done``: epochs of the training this net
      continues; ``partial``: a ``partial_fit`` net);
    * ``_net_kwargs()``: more keyword arguments of the net;
    * ``_burn_in_epochs(epochs_done)``: first epochs the stopping rule
      ignores.

    Parameters
    ----------
    alpha : float, default=0.0
        L2 penalty on the weights (``l2_reg`` in the TensorFlow tutorials):
        the optimizer's ``weight_decay``, or with L-BFGS, which has none,
        ``alpha / 2`` times their squared norm added to the loss; biases
        are not penalised.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``n_samples // 40`` clipped to
        [16, 200], about 40 steps per epoch on small data.
    max_iter : int, default=200
        Maximum number of epochs (``n_epochs`` in the TensorFlow tutorials).
    learning_rate : float, default=1e-3
        Step size of the optimizer.
    learning_rate_schedule : {"adaptive", "constant"}, default="adaptive"
        ``"adaptive"`` (scikit-learn's ``MLPRegressor`` meaning, with at
        most two decays): where the stopping rule would end training (no
        improvement for ``n_iter_no_change`` epochs), the learning rate is
        divided by 3 and the count starts again, twice; the third time
        training stops. It never stops earlier than ``"constant"``, and a
        plateau that smaller steps get past no longer ends the fit (on
        MNIST, ``StackedAE(32)`` ends 0.65x PCA's held-out error instead of
        0.72x). ``"constant"`` keeps ``learning_rate`` throughout, as the
        TensorFlow tutorials do. L-BFGS chooses its own steps, and
        ``partial_fit`` never changes the rate.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "lbfgs"} or type, \
default="adam"
        A name, or a ``torch.optim.Optimizer`` subclass.
    early_stopping : bool or "auto", default=False
        Hold out ``validation_fraction`` of the data, stop when its loss stops
        improving and keep the best epoch's parameters. Without it, training
        stops when the training loss stops improving. ``"auto"`` holds out
        when ``fit`` gets at least 1,000 samples (as
        ``HistGradientBoostingRegressor`` decides by size): small data keep
        every sample for training.
    validation_fraction : float, default=0.1
        Share of the data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops. The first
        ``n_iter_no_change`` epochs of a new training (with a mini-batch
        optimizer, not L-BFGS) are a warm-up that is not monitored (as
        ``start_from_epoch`` of Keras' ``EarlyStopping``): a small code
        often sits on a plateau in its first epochs (on the 8x8 digits at 2
        components the fit used to stop there, at 1.01-1.07 x PCA's
        held-out error; now 0.77-0.80 x).
    tol : float, default=1e-3
        Relative improvement of the monitored loss that counts as progress:
        an epoch improves when its loss is below ``best * (1 - tol)``.
    random_state : int, RandomState instance or None, default=None
        Seeds everything random in training (initialisation, shuffling,
        noise). An int gives bit-identical results on the same machine with
        the same number of torch threads (float32 sums depend on how they
        are split), also when fits run concurrently in threads; torch's
        global random state is neither read nor changed.
    verbose : int, default=0
        1 prints a line per epoch with the loss terms, 2 adds a progress bar.
    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Where to train; ``"auto"`` uses a GPU when torch sees one.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks for the skorch training loop, for example
        ``skorch.callbacks.Checkpoint``.

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

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"),
                       StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"adaptive", "constant"})],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "device": [str, torch.device],
        "callbacks": [list, None],
    }

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
    def _callbacks(self, epochs_done=0, partial=False):
        """``(name, callback)`` pairs of the estimator's own, run after the
        stopping rule and before the user's ``callbacks``; ``epochs_done``
        counts the epochs of the training the net continues (a warm start,
        ``partial_fit``); ``partial``: the net of ``partial_fit`` passes."""
        return []

    def _net_kwargs(self):
        """More keyword arguments of the skorch net (``_net_class``)."""
        return {}

    def _burn_in_epochs(self, epochs_done=0):
        """First epochs of this fit that the stopping rule ignores (for
        example while a loss weight is annealed)."""
        return 0

    def _named_callbacks(self):
        """``(name, callback)`` of ``callbacks``; an unnamed callback is
        named by its class, as skorch names it."""
        if not isinstance(self.callbacks, (list, tuple)):
            return []  # None, or a wrong value that fit will explain
        return [entry if isinstance(entry, tuple) and len(entry) == 2
                else (type(entry).__name__, entry)
                for entry in self.callbacks]

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        if deep:
            # skorch's nested names: callbacks__<name>__<parameter>
            for name, callback in self._named_callbacks():
                if hasattr(callback, "get_params"):
                    for key, value in callback.get_params().items():
                        params[f"callbacks__{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set the estimator's parameters, as scikit-learn's ``set_params``;
        ``callbacks__<name>__<parameter>`` sets a parameter of the callback
        named ``<name>`` in ``callbacks`` (a ``(name, callback)`` pair, or
        the callback's class name), as in skorch.

        Parameters
        ----------
        **params : dict
            Parameter names and their new values.

        Returns
        -------
        self : object
            The estimator.
        """
        nested = {key: params.pop(key) for key in list(params)
                  if key.startswith("callbacks__")}
        super().set_params(**params)
        if not nested:
            return self
        named = dict(self._named_callbacks())
        for key, value in nested.items():
            name, _, param = key[len("callbacks__"):].partition("__")
            if name not in named or not param:
                raise ValueError(
                    f"Invalid parameter {key!r}: callbacks__<name>__<param> "
                    f"needs a callback named {name!r} in callbacks; the "
                    f"names are {sorted(named)} (a (name, callback) pair "
                    "names it, else its class name).")
            if not hasattr(named[name], "set_params"):
                raise ValueError(
                    f"Invalid parameter {key!r}: the callback {name!r} has "
                    "no set_params; set its attribute directly.")
            named[name].set_params(**{param: value})
        return self

    def _validate_params(self):
        # scikit-learn's constraints, then what they cannot say
        super()._validate_params()
        reject_bools(self)
        check_callbacks(self.callbacks)

    # ------------------------------------------------------------------
    def _fit_restoring(self, fit, *args):
        """Run ``fit(*args)``; if it raises (bad input, a diverging loss,
        Ctrl-C), restore the estimator exactly as it was, then re-raise."""
        state = dict(self.__dict__)
        try:
            fit(*args)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise
        return self

    @contextlib.contextmanager
    def _interrupt_guard(self):
        """The block of a fit: Ctrl-C ends it (see ``skae._interrupt``)
        and :meth:`_interrupted` tells whether it did."""
        with InterruptGuard() as guard:
            self._fit_guard = guard
            try:
                yield guard
            finally:
                del self._fit_guard

    @contextlib.contextmanager
    def _process_group(self, group):
        """The block of a data-parallel fit: the nets it makes average
        their gradients over the processes of ``group`` (``(rank,
        world_size)``, or None for an ordinary fit)."""
        self._fit_group = group
        try:
            yield
        finally:
            del self._fit_group

    def _interrupted(self):
        """Whether the user pressed Ctrl-C during the running fit."""
        guard = getattr(self, "_fit_guard", None)
        return guard is not None and guard.caught

    def _warn_interrupted(self, epochs, what="the model keeps what it "
                          "learned so far"):
        warnings.warn(
            f"{type(self).__name__}.fit was interrupted (Ctrl-C) after "
            f"{epochs} epochs: {what}. Fit again with warm_start=True (where "
            "the estimator has it) to continue.",
            UserWarning, stacklevel=3)

    def _partial_scope(self, passes):
        """The random scope of the ``partial_fit`` pass after ``passes``
        passes: the first draws what ``fit`` would (the same initial
        network); later ones a new shuffle per pass, repeatable for an
        integer ``random_state``."""
        if passes == 0 or not isinstance(self.random_state, Integral):
            return random_scope(self.random_state)
        seed = np.random.SeedSequence([self.random_state, passes])
        return random_scope(int(seed.generate_state(1)[0] >> 1))

    def _holds_out(self, n_samples):
        """Whether a fit on ``n_samples`` samples holds out a validation
        split (``early_stopping``, ``"auto"`` resolved by size)."""
        if self.early_stopping == "auto":
            return n_samples >= _AUTO_EARLY_STOPPING_SAMPLES
        return bool(self.early_stopping)

    def _optimizer_class(self):
        if isinstance(self.optimizer, str):
            return OPTIMIZERS[self.optimizer]
        if not issubclass(self.optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer={self.optimizer!r} is not a torch.optim.Optimizer "
                f"subclass; pass one, or a name among {sorted(OPTIMIZERS)}."
            )
        return self.optimizer

    def _make_net(self, module, device, n_samples, *, max_epochs=None,
                  stage=False, partial=False, epochs_done=0):
        """The skorch net that trains ``module`` on ``n_samples`` samples.

        Parameters
        ----------
        module : torch.nn.Module
            The network, already on ``device``.
        device : torch.device
        n_samples : int
            Number of training samples (for ``batch_size="auto"``).
        max_epochs : int or None, default=None
            Epochs at most; None is ``max_iter``.
        stage : bool, default=False
            A stage that trains part of the network (greedy pretraining):
            the stopping rule only, without the estimator's and the user's
            callbacks, which watch the training of the whole network.
        partial : bool, default=False
            A net for ``partial_fit``: one pass per call, no held-out
            split (as ``MLPRegressor.partial_fit``).
        epochs_done : int, default=0
            Epochs of the training this net continues.
        """
        optimizer = self._optimizer_class()
        extra = {}
        if issubclass(optimizer, torch.optim.LBFGS):
            # full batch by default; one epoch is one L-BFGS step
            auto_batch_size = n_samples
            extra["optimizer__line_search_fn"] = "strong_wolfe"
        else:
            auto_batch_size = _auto_batch_size(n_samples,
                                               self._auto_batch_steps)
        batch_size = (auto_batch_size if self.batch_size == "auto"
                      else min(self.batch_size, n_samples))
        group = getattr(self, "_fit_group", None)
        if group is not None:
            # the batch is shared among the processes
            batch_size = max(1, batch_size // group[1])
            extra["distributed"] = True
        holdout = self._holds_out(n_samples) and not partial
        convergence = Convergence(
            monitor="valid_loss" if holdout else "train_loss",
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            restore_best=holdout,
            # the first n_iter_no_change epochs of a new mini-batch training
            # are a warm-up (Keras' start_from_epoch): a small code's first
            # plateau would otherwise end the fit before it starts learning
            burn_in=max(self.n_iter_no_change if epochs_done == 0
                        and not issubclass(optimizer, torch.optim.LBFGS)
                        else 0,
                        0 if stage else self._burn_in_epochs(epochs_done)),
            lr_factor=_ADAPTIVE_LR_FACTOR,
            max_decays=(_ADAPTIVE_LR_DECAYS
                        if self.learning_rate_schedule == "adaptive" else 0),
        )
        callbacks = [("convergence", convergence)]
        if not stage:
            # the user's callbacks as given, as skorch uses them: what they
            # record stays theirs (clone copies them for a search)
            callbacks += [*self._callbacks(epochs_done, partial),
                          *list(self.callbacks or [])]
        return self._net_class(
            module,
            optimizer=optimizer,
            lr=self.learning_rate,
            weight_decay=self.alpha,
            max_epochs=(1 if partial else self.max_iter if max_epochs is None
                        else max_epochs),
            batch_size=batch_size,
            train_split=(HoldoutSplit(self.validation_fraction)
                         if holdout else None),
            callbacks=callbacks,
            verbose=self.verbose,
            device=str(device),
            **extra,
            **self._net_kwargs(),
        )

    def _attach_net(self, module, device):
        """Hold the trained ``module`` in an initialised net that has not
        trained it (:func:`skae.stack`, :func:`skae.load`)."""
        net = self._make_net(module, device, n_samples=1)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="skorch")
            net.initialize()
        self.net_ = net
        return net

    def _rebuild_module(self):
        """A new network of the fitted architecture, to load weights into
        (:func:`skae.load`)."""
        raise NotImplementedError

    def _release_optimizer_state(self):
        """Fresh optimizers for ``net_``: the state of the finished run's
        (Adam's moments, L-BFGS's history) would only continue that run
        and can weigh more than the network. A warm start or a refit
        builds new optimizers anyway."""
        self.net_.initialize_optimizer()

    def _train_net(self, net, *args, partial=False):
        """``net.fit(*args)``, or with ``partial`` one more pass of
        ``net.partial_fit(*args)`` keeping the optimizer's state (skorch
        warns when handed an initialised module, which skae always does).

        After a Ctrl-C in this fit the net is only initialised: no further
        training starts.
        """
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="skorch")
            try:
                if self._interrupted():
                    net.initialize()
                elif partial:
                    net.partial_fit(*args, epochs=1)
                else:
                    net.fit(*args)
            except KeyError as exc:
                if "valid_" not in str(exc) or net.train_split is not None:
                    raise
                raise ValueError(
                    f"A callback reads the validation loss ({exc}), which "
                    f"{type(self).__name__} records only with "
                    "early_stopping=True (it holds out validation_fraction "
                    "of X). Set early_stopping=True, or let the callback "
                    "monitor 'train_loss' (for example "
                    "EarlyStopping(monitor='train_loss'))."
                ) from None
            except KeyboardInterrupt:
                # Ctrl-C outside skorch's epoch loop: keep what was trained
                if not self._interrupted():
                    raise
                if not net.initialized_:
                    net.initialize()
        if self._interrupted() and net.history \
                and "train_loss" not in net.history[-1]:
            del net.history[-1]  # the epoch the Ctrl-C cut short
        return net

    def _set_fitted(self, net, previous=None):
        """The fitted attributes of the training that ``net`` ran; with
        ``previous`` (a warm start), its curves continue."""
        history = net.history
        self.net_ = net
        # a fitted network is used for inference: dropout, noise and batch
        # statistics off, whatever the last epoch's step was
        net.module_.eval()
        self._release_optimizer_state()
        convergence = dict(net.callbacks_)["convergence"]
        losses = [float(v) for v in history[:, "train_loss"]] if history else []
        # None when no epoch ran (max_iter=0, or a network adopted untrained)
        best = convergence.best_loss_ if history else None
        self.loss_curve_ = (previous.loss_curve_ if previous else []) + losses
        self.n_iter_ = len(self.loss_curve_)
        if net.train_split is not None:
            scores = ([-float(v) for v in history[:, "valid_loss"]]
                      if history else [])
            self.validation_scores_ = (
                (previous.validation_scores_ or []) if previous else []) + scores
            self.best_validation_score_ = None if best is None else -best
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = best
        if self.max_iter and not convergence.converged_ \
                and len(history) == self.max_iter:
            warnings.warn(
                f"{type(self).__name__} reached max_iter={self.max_iter} "
                "epochs and the loss was still improving; increase max_iter "
                "or tol.",
                ConvergenceWarning,
            )


    def _partial_net(self, module, device, n_samples, epochs_done=0):
        """The net of a ``partial_fit`` pass: the previous pass's, with its
        optimizer state, or a new one around ``module`` (the first pass, or
        the first after ``fit``) whose curves continue ``loss_curve_``."""
        if hasattr(self, "net_") and getattr(self.net_, "partial_", False):
            return self.net_
        net = self._make_net(module, device, n_samples, partial=True,
                             epochs_done=epochs_done)
        net.curve_before_ = list(getattr(self, "loss_curve_", []))
        return net

    def _set_partially_fitted(self, net):
        """The fitted attributes after a ``partial_fit`` pass: the net and
        its optimizer are kept for the next call; the curves cover every
        pass so far."""
        self.net_ = net
        net.partial_ = True
        losses = [float(v) for v in net.history[:, "train_loss"]] \
            if net.history else []
        self.loss_curve_ = list(net.curve_before_) + losses
        self.n_iter_ = len(self.loss_curve_)
        self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None
        self.validation_scores_ = None
        self.best_validation_score_ = None


#: ``early_stopping="auto"`` holds out a validation split from this many
#: samples on (100 validation samples at the default fraction).
_AUTO_EARLY_STOPPING_SAMPLES = 1000


#: ``learning_rate_schedule="adaptive"`` multiplies the learning rate by
#: this where the stopping rule would end training ...
_ADAPTIVE_LR_FACTOR = 1 / 3


#: ... at most this many times in a fit.
_ADAPTIVE_LR_DECAYS = 2


def _auto_batch_size(n_samples, steps=40):
    """``batch_size="auto"``: about ``steps`` steps per epoch, between 16
    and 200.

    ``MLPRegressor``'s ``min(200, n_samples)`` would give small data sets a
    single step per epoch, so they would need thousands of epochs. Ten steps
    (the rule before 2026-11-30) left a digits fit stuck where it starts:
    its stopping rule's 10 epochs were only 100 steps.
    """
    return min(n_samples, 200, max(16, n_samples // steps))
