"""skorch nets that train a network through its training objective.

Every net trains ``module_`` (the network the estimator exposes) by calling
its objective (:mod:`skae.nn._objective`): a module whose ``forward`` takes
a :class:`~skae._training._data.Batch`'s fields and returns the named loss
terms. The nets differ only in how a step uses it:

* :class:`AutoencoderNet`: one backward pass and one optimizer step per
  batch (several loss evaluations per step with L-BFGS);
* :class:`PhasedNet`: a step of several phases, each with its own
  optimizer (the adversarial autoencoder);
* :class:`ClassifierNet`: as AutoencoderNet, with skorch's classifier API
  for predictions and its validation accuracy.
"""

import torch
from sklearn.utils.fixes import parse_version
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import Callback
from skorch.utils import TeeGenerator

from ..nn._objective import OUTPUT, TrainingObjective
from ..nn._random import replay_point
from ._data import BatchIterator, TensorData, TrainingData
from ._device import all_reduce_mean, autocast

#: Stands for ``module_`` in a pickled net whose ``module`` is the same.
_SAME_AS_MODULE_ = "<skae: the same network as module_>"

#: Optimizers whose one-kernel ("fused") step skae uses by default.
_FUSED = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)

#: Devices with fused kernels for them (the CPU's from torch 2.4).
_FUSED_DEVICES = {"cuda"} | (
    {"cpu"} if parse_version(torch.__version__).release >= (2, 4) else set())


def _fusable(optimizer, params):
    """Whether ``optimizer`` (a class) over ``params`` (tensors or groups)
    can take its fused step: one kernel for all of a group's parameters
    instead of about ten per parameter, a third of the optimizer's time in
    a small network's step on the CPU. Float32 parameters on a device with
    the kernels only; a subclass or another optimizer keeps torch's
    default, as does a user's ``optimizer__foreach`` or ``__fused``."""
    if optimizer not in _FUSED:
        return False
    tensors = [p for group in params for p in (
        group["params"] if isinstance(group, dict) else [group])]
    return bool(tensors) and all(
        p.dtype == torch.float32 and p.device.type in _FUSED_DEVICES
        for p in tensors)


def _as_float64(values, device):
    """A float64 vector of ``values`` (Python numbers or 0-d tensors)."""
    if all(isinstance(v, (int, float)) for v in values):
        return torch.tensor(values, dtype=torch.float64, device=device)
    return torch.stack([torch.as_tensor(v, dtype=torch.float64,
                                        device=device) for v in values])


class TrainingNetMixin:
    """What skae's skorch nets share, mixed in before a skorch net class.

    Batches are :class:`~skae._training._data.Batch`\\ es of a data source
    in memory or on disk; each training and validation step calls the
    objective, and every loss term it returns is recorded per epoch
    (``train_loss``, ``train_reconstruction``, ``valid_sparsity``, ...).
    ``weight_decay`` applies to weights (parameters with two or more
    dimensions), not biases; parameters that do not require gradients
    (frozen layers) are left out of the optimizer.

    Parameters
    ----------
    module : torch.nn.Module
        An instantiated network.
    objective : callable, default=TrainingObjective
        Builds the training objective around the network:
        ``objective(module)`` is a module whose ``forward(**batch_fields)``
        returns the dict of loss terms.
    weight_decay : float, default=0.0
        L2 penalty coefficient on weights (the estimator's ``alpha``).
    distributed : bool, default=False
        Data-parallel training over the processes of torch.distributed's
        default group: training steps run the objective wrapped in
        ``torch.nn.parallel.DistributedDataParallel``, whose bucketed
        all-reduce of the gradients overlaps the backward pass, and the
        recorded losses are averaged over all processes' rows.
    precision : torch.dtype or None, default=None
        The autocast dtype of the objective's forward pass in training and
        validation (None: float32 throughout); with float16 the loss is
        scaled (``torch.amp.GradScaler``).
    **kwargs
        Passed to the skorch net.
    """

    #: The field that skorch's ``y`` becomes when the net is handed arrays.
    _y_field = "sample_weight"

    def __init__(self, module, *args, objective=TrainingObjective,
                 weight_decay=0.0, distributed=False, precision=None,
                 **kwargs):
        kwargs.setdefault("iterator_train", BatchIterator)
        kwargs.setdefault("iterator_valid", BatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("dataset", TensorData)
        # the epoch's losses are recorded by run_single_epoch itself
        kwargs.setdefault("callbacks__train_loss", None)
        kwargs.setdefault("callbacks__valid_loss", None)
        if not kwargs.get("verbose"):
            kwargs.setdefault("callbacks__print_log", None)
        else:  # the learning rate is in the history, not in the table
            kwargs.setdefault("callbacks__print_log__keys_ignored",
                              ["learning_rate"])
        super().__init__(module, *args, **kwargs)
        self.objective = objective
        self.weight_decay = weight_decay
        self.distributed = distributed
        self.precision = precision

    # -- the objective and the optimizers --------------------------------
    @property
    def objective_(self):
        """The training objective around ``module_``."""
        network, built = self.__dict__.get("_objective", (None, None))
        if built is None or network is not self.module_:
            built = self.objective(self.module_)
            self.__dict__["_objective"] = (self.module_, built)
        return built

    def optimizers(self):
        """The net's optimizers, the main one first."""
        return [self.optimizer_]

    def initialize_optimizer(self, triggered_directly=None):
        params = [p for _, p in self.get_all_learnable_params()]
        self.optimizer_ = self.make_optimizer(params)
        return self

    def make_optimizer(self, params, weight_decay=None, lr=None):
        """A new optimizer of the net's class and settings over ``params``.

        Parameters that do not require gradients are left out;
        ``weight_decay`` (the net's by default) applies to weights only;
        ``lr`` overrides the net's learning rate.
        """
        params = [p for p in params if p.requires_grad]
        if weight_decay is None:
            weight_decay = self.weight_decay
        self._loss_weight_decay = 0.0
        if weight_decay and self._is_lbfgs():
            # L-BFGS takes neither parameter groups nor weight_decay: the
            # penalty goes into the loss its line search compares
            # (weight_penalty), with the gradient Adam's weight_decay adds
            self._loss_weight_decay = weight_decay
        elif weight_decay:
            # weights only, not biases: two groups
            params = [
                {"params": [p for p in params if p.ndim > 1],
                 "weight_decay": weight_decay},
                {"params": [p for p in params if p.ndim <= 1],
                 "weight_decay": 0.0},
            ]
        kwargs = self.get_params_for("optimizer")
        kwargs.setdefault("lr", self.lr)
        if lr is not None:
            kwargs["lr"] = lr
        if "fused" not in kwargs and "foreach" not in kwargs and \
                _fusable(self.optimizer, params):
            kwargs["fused"] = True
        return self.optimizer(params, **kwargs)

    def _is_lbfgs(self):
        return isinstance(self.optimizer, type) and issubclass(
            self.optimizer, torch.optim.LBFGS)

    def weight_penalty(self):
        """``alpha / 2`` times the squared norm of the weights, for an
        optimizer without ``weight_decay`` (L-BFGS; None for the others,
        whose ``weight_decay`` adds its gradient ``alpha * w``)."""
        decay = getattr(self, "_loss_weight_decay", 0.0)
        if not decay:
            return None
        weights = [p for group in self.optimizer_.param_groups
                   for p in group["params"] if p.ndim > 1]
        return 0.5 * decay * sum(p.pow(2).sum() for p in weights)

    def _parallel_objective(self):
        """The objective that training steps call: wrapped in
        ``DistributedDataParallel`` when data-parallel (built on first
        use, and again when the objective is rebuilt), else itself.

        The objective's ``forward`` computes every loss term, so DDP's
        gradient hooks see the whole step. ``find_unused_parameters``
        only for networks whose steps leave parameters out (the phases of
        the adversarial autoencoder; each phase reaches only part of the
        network); the gradients are views of DDP's buckets (no copy);
        buffers are kept as the network keeps them."""
        objective = self.objective_
        if not self.distributed:
            return objective
        wrapped = self.__dict__.get("_ddp")
        if wrapped is None or wrapped.module is not objective:
            wrapped = torch.nn.parallel.DistributedDataParallel(
                objective, broadcast_buffers=False,
                find_unused_parameters=self._partial_steps,
                gradient_as_bucket_view=True)
            self.__dict__["_ddp"] = wrapped
        return wrapped

    #: Whether a step may leave parameters without a gradient (DDP's
    #: ``find_unused_parameters``).
    _partial_steps = False

    # -- precision ---------------------------------------------------------
    def _autocast(self):
        """The block of a forward pass: autocast to ``precision``."""
        return autocast(getattr(self, "precision", None), self.device)

    def _grad_scaler(self):
        """float16's loss scaler (None otherwise), made on first use."""
        if getattr(self, "precision", None) is not torch.float16:
            return None
        scaler = self.__dict__.get("_scaler")
        if scaler is None:
            scaler = torch.amp.GradScaler(torch.device(self.device).type)
            self.__dict__["_scaler"] = scaler
        return scaler

    def _objective_terms(self, batch, training=False, **kwargs):
        """The objective's terms of ``batch`` under the net's autocast;
        through DistributedDataParallel in a data-parallel training step."""
        objective = (self._parallel_objective() if training
                     else self.objective_)
        with self._autocast():
            return objective(**batch.fields, **kwargs)

    # -- steps -------------------------------------------------------------
    def _train_mode(self, training=True):
        """Put the objective (and its network) in training or evaluation
        mode, skipping the recursive walk when the mode is already right
        (once per batch it costs about 2% of an epoch)."""
        objective = self.objective_
        if objective.training != training or \
                self.module_.training != training:
            objective.train(training)

    def _record_terms(self, terms):
        """Keep the loss terms of the step (detached, on the device) for
        the epoch's means; the first evaluation of an L-BFGS step counts."""
        if self._step_terms is None:
            self.__dict__["_step_terms"] = {
                name: value.detach() for name, value in terms.items()
                if name != OUTPUT}

    def _notify_grads(self, batch):
        if self._listens("on_grad_computed"):
            self.notify("on_grad_computed", batch=batch, training=True,
                        named_parameters=TeeGenerator(
                            self.get_all_learnable_params()))

    def _listens(self, event=None):
        """Whether a training step notifies the per-batch ``event``, or
        (``event=None``) records per-batch values in the history; decided
        at the start of training by :meth:`_find_listeners`."""
        listeners = self.__dict__.get("_batch_listeners")
        return listeners is None or listeners[event]

    def _find_listeners(self):
        """A step notifies a per-batch event (skorch's ``on_batch_begin``,
        ``on_grad_computed``, ``on_batch_end``) only when a callback or
        net subclass defines it, and records per-batch values (a host read
        each, and skorch's per-batch history entries) only when something
        may read them: ``verbose > 1`` (the progress bar) or a callback
        other than skae's own that uses per-batch events (such as
        ``BatchScoring``). Otherwise a step skips them, as a plain loop
        would, and only opens the batch's (empty) history entry."""
        events = ("on_batch_begin", "on_batch_end", "on_grad_computed")

        def overrides(obj, base_class, event):
            method = getattr(obj, event, None)
            return getattr(method, "__func__", method) is not getattr(
                base_class, event)

        callbacks = [cb for _, cb in self.callbacks_]
        history = (self.verbose is not None and self.verbose > 1) or any(
            overrides(self, NeuralNet, event) for event in events) or any(
            getattr(cb, "reads_batch_history", True)
            and any(overrides(cb, Callback, event) for event in events)
            for cb in callbacks)
        listeners = {event: history or any(
            overrides(cb, Callback, event) for cb in callbacks)
            for event in events}
        self.__dict__["_batch_listeners"] = {None: history, **listeners}

    def _backward(self, batch):
        """The objective's loss of ``batch`` (plus the L-BFGS weight
        penalty) and its gradients (averaged over the processes by DDP
        when data-parallel); returns the step's ``loss`` and
        ``y_pred``."""
        terms = self._objective_terms(batch, training=True)
        penalty = self.weight_penalty()
        loss = terms["loss"] if penalty is None else terms["loss"] + penalty
        scaler = self._grad_scaler()
        (loss if scaler is None else scaler.scale(loss)).backward()
        if scaler is not None:  # callbacks see the true gradients
            scaler.unscale_(self.optimizer_)
        self._record_terms(terms)
        if self.distributed and self._is_lbfgs():
            # the loss of all processes' batches: what L-BFGS's line search
            # compares, identical in every process
            loss = loss.detach().clone()
            all_reduce_mean([loss])
        return {"loss": loss, "y_pred": terms.get(OUTPUT)}

    def train_step(self, batch, **fit_params):
        self._train_mode(True)
        if isinstance(self.optimizer_, torch.optim.LBFGS):
            return self._line_search_step(batch)
        self.optimizer_.zero_grad()
        step = self._backward(batch)
        self._notify_grads(batch)
        scaler = self._grad_scaler()
        if scaler is None:
            self.optimizer_.step()
        else:  # skips the step when a gradient overflowed float16
            scaler.step(self.optimizer_)
            scaler.update()
        return step

    def _line_search_step(self, batch):
        """An L-BFGS step, which evaluates the loss several times and
        compares the values: each evaluation replays the step's random
        draws (corruption noise, reparameterisation samples), so that the
        line search sees one function, not a new draw every time."""
        restore, steps = replay_point(), []

        def closure():
            restore()
            self.optimizer_.zero_grad()
            steps.append(self._backward(batch))
            self._notify_grads(batch)
            return steps[-1]["loss"]

        self.optimizer_.step(closure)
        return steps[0]

    def validation_step(self, batch, **fit_params):
        self._train_mode(False)
        with torch.no_grad():
            terms = self._objective_terms(batch)
        self._record_terms(terms)
        return {"loss": terms["loss"], "y_pred": terms.get(OUTPUT)}

    def infer(self, x, **fit_params):
        # batches are already tensors on the device
        return self.module_(x, **fit_params)

    # -- epochs ------------------------------------------------------------
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._first_loss = None
        self._find_listeners()

    def run_single_epoch(self, iterator, training, prefix, step_fn,
                         **fit_params):
        """One pass over ``iterator``, recording each loss term's mean
        over the epoch (``train_loss``, ``train_reconstruction``, ...).

        The terms are summed on the device and read back once per epoch,
        not once per batch: a host synchronisation per step stalls a GPU
        and costs time on the CPU too. Per-batch values go to the history
        only when something may read them (see ``_find_listeners``).
        """
        if iterator is None:
            return
        steps, weights = [], []
        for batch in iterator:
            if self._listens("on_batch_begin"):
                self.notify("on_batch_begin", batch=batch, training=training)
            else:  # what the net's own on_batch_begin does: the batch's
                # history entry, which skorch's callbacks index
                self.history.new_batch()
            self.__dict__["_step_terms"] = None
            step = step_fn(batch, **fit_params)
            terms = self._step_terms or {"loss": step["loss"].detach()}
            # a new tensor: keeping the detached terms for the epoch kept
            # step memory alive (tests/test_scale.py, 0.6-0.8x the array)
            steps.append(torch.stack(list(terms.values())))
            names = list(terms)
            weights.append(batch.weight())
            if training and self._first_loss is None:
                self._first_loss = terms["loss"]
            self._record_batch(prefix, terms, batch)
            if self._listens("on_batch_end"):
                self.notify("on_batch_end", batch=batch, training=training,
                            **step)
        self.history.record(f"{prefix}_batch_count", len(steps))
        if steps:
            # each term's weighted sum over the epoch, in float64, in one
            # pass at the end rather than a few small operations a step
            values = torch.stack(steps).to(torch.float64)
            weights = _as_float64(weights, values.device)
            sums = (values * weights[:, None]).sum(0)
            self._record_means(prefix, names, sums, weights.sum(), training)

    def _record_batch(self, prefix, terms, batch):
        """Per-batch values, as skorch records them, when something uses
        the per-batch events (the progress bar of ``verbose > 1``, a
        callback such as ``BatchScoring``); each is a host read."""
        if not self._listens():
            return
        for name, value in terms.items():
            self.history.record_batch(f"{prefix}_{name}", value.item())
        self.history.record_batch(f"{prefix}_batch_size", batch.n_rows)

    def _record_means(self, prefix, names, sums, n_rows, training):
        """Record the epoch's mean of each term, over all processes' rows
        when data-parallel, so the stopping rule decides the same
        everywhere; the epoch's one host synchronisation."""
        first = (self._first_loss if training
                 and isinstance(self._first_loss, torch.Tensor) else None)
        extra = torch.stack([torch.zeros_like(sums[0]) + n_rows,
                             torch.zeros_like(sums[0]) if first is None
                             else first.detach().to(sums.dtype)])
        if self.distributed:
            packed = torch.cat([sums, extra])
            torch.distributed.all_reduce(packed)
            sums, extra = packed[:-2], packed[-2:]
            extra[1] /= torch.distributed.get_world_size()
        values = torch.cat([sums / extra[0], extra[1:]]).tolist()
        for name, value in zip(names, values):
            self._record_epoch(f"{prefix}_{name}", value)
        if first is not None:
            # the loss of the untrained network: its first batch
            self.initial_loss_ = values[-1]
            self._first_loss = False

    def _record_epoch(self, key, value):
        """Record ``key`` of this epoch and whether it is the lowest so far
        (``key + "_best"``, as skorch's scoring callbacks do)."""
        previous = [row[key] for row in self.history[:-1] if key in row]
        self.history.record(key, value)
        self.history.record(f"{key}_best",
                            not previous or value < min(previous))

    # -- data --------------------------------------------------------------
    def get_dataset(self, X, y=None):
        if hasattr(X, "batches"):  # a data source already
            return X
        fields = {} if y is None else {self._y_field: y}
        return TrainingData(X, **fields).source(self.device)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        return getattr(self, prefix)(dataset, **kwargs)

    # -- pickling ------------------------------------------------------------
    def __getstate__(self):
        # skae hands skorch an instantiated network, so ``module`` (the
        # argument) is ``module_`` (the trained network); skorch pickles
        # the two apart, which would store the weights twice. The objective
        # is rebuilt on first use.
        same = self.__dict__.get("module") is self.__dict__.get("module_")
        self.__dict__.pop("_objective", None)
        self.__dict__.pop("_ddp", None)
        state = super().__getstate__()
        if same:
            state["module"] = _SAME_AS_MODULE_
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(self.module, str) and self.module == _SAME_AS_MODULE_:
            self.module = self.module_
        for optimizer in self.optimizers() if self.initialized_ else []:
            if isinstance(optimizer, torch.optim.LBFGS) and \
                    not hasattr(optimizer, "_params"):
                # torch pickles an optimizer's param_groups, not what
                # L-BFGS's __init__ derives from them
                optimizer._params = optimizer.param_groups[0]["params"]
                optimizer._numel_cache = None


class NetworkLoss(torch.nn.Module):
    """The criterion of :class:`AutoencoderNet`, which has none of its own.

    The loss comes from the training objective; this stateless module
    stands in for skorch's criterion so that skorch's checkpoints
    (``Checkpoint``, ``LoadInitState``, ``save_params``) save and load it
    like any other.
    """

    def forward(self, *args, **kwargs):
        raise RuntimeError(
            "An autoencoder's loss comes from its training objective (the "
            "network's batch_loss); this criterion is never called.")


class AutoencoderNet(TrainingNetMixin, NeuralNet):
    """skorch net that trains an :class:`skae.nn.Autoencoder`.

    See :class:`TrainingNetMixin` for what it adds to
    :class:`skorch.NeuralNet` and for its parameters.
    """

    def __init__(self, module, *args, **kwargs):
        kwargs.setdefault("criterion", NetworkLoss)
        super().__init__(module, *args, **kwargs)


class PhasedNet(AutoencoderNet):
    """Trains a network whose step has several phases, each with its own
    optimizer (the adversarial autoencoder's reconstruction, discriminator
    and generator phases).

    The network lists its phases in ``training_phases`` and the parameters
    each updates in ``phase_parameters(phase)``; its objective takes the
    phase as the keyword ``phase``, and what a phase returns under
    ``"carry"`` is passed to the next one as keyword arguments. The first
    phase is the main one: the net's ``lr`` and ``weight_decay`` apply to
    it, its terms are ``train_loss`` and the rest, and the stopping rule
    monitors it; the other phases use ``phase_lr`` and no weight decay, and
    their named terms are recorded beside it. The phases' optimizers share
    the net's class (L-BFGS cannot alternate phases).

    Parameters
    ----------
    module : torch.nn.Module
    phase_lr : float or None, default=None
        Learning rate of the phases after the first (None: the net's).
    **kwargs
        As :class:`AutoencoderNet`.
    """

    # each phase's backward pass reaches only part of the network
    _partial_steps = True

    def __init__(self, module, *args, phase_lr=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.phase_lr = phase_lr

    def _phases(self):
        return self.module_.training_phases

    def initialize_optimizer(self, triggered_directly=None):
        main, *others = self._phases()
        self.optimizer_ = self.make_optimizer(
            self.module_.phase_parameters(main))
        for phase in others:
            setattr(self, f"optimizer_{phase}_", self.make_optimizer(
                self.module_.phase_parameters(phase), weight_decay=0.0,
                lr=self.phase_lr))
        return self

    def optimizers(self):
        return [self.optimizer_] + [getattr(self, f"optimizer_{phase}_")
                                    for phase in self._phases()[1:]]

    def train_step(self, batch, **fit_params):
        self._train_mode(True)
        carry, recorded = {}, {}
        for phase, optimizer in zip(self._phases(), self.optimizers()):
            optimizer.zero_grad()
            terms = self._objective_terms(batch, training=True,
                                          phase=phase, **carry)
            terms["loss"].backward()
            if not recorded:
                self._notify_grads(batch)
            optimizer.step()
            carry = terms.pop("carry", None) or getattr(
                self.objective_, "carry", {})
            recorded.update(terms if not recorded else {
                name: value for name, value in terms.items()
                if name != "loss"})
        if hasattr(self.objective_, "carry"):
            self.objective_.carry = {}  # the step's graph is not kept
        self._record_terms(recorded)
        return {"loss": recorded["loss"].detach(), "y_pred": None}


class ClassifierNet(TrainingNetMixin, NeuralNetClassifier):
    """skorch classifier net whose objective is a
    :class:`skae.nn.ClassifierObjective`.

    Training as :class:`AutoencoderNet`; skorch's classifier API gives the
    predictions (softmax of the logits) and, with a held-out split, the
    validation accuracy ``valid_acc``. Batches carry the class indices
    ``0 .. n_classes - 1`` as ``labels``, -1 for an unlabeled row.
    """

    _y_field = "labels"

    def __init__(self, module, *args, **kwargs):
        # (for the predictions' softmax; the loss is the objective's)
        kwargs.setdefault("criterion", torch.nn.CrossEntropyLoss)
        super().__init__(module, *args, **kwargs)
