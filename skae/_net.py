"""Training: a skorch ``NeuralNet`` that feeds in-memory tensors to a network.

This module owns the fit loop, batching, the device, the callbacks, the
history and the stopping rule. It knows nothing of scikit-learn's input
validation: it receives a float32 array that is already clean.
"""

import copy
import math

import numpy as np
import torch
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import (
    Callback, EpochScoring, EpochTimer, PassthroughScoring, PrintLog,
    ProgressBar,
)
from skorch.utils import TeeGenerator

from ._data import TensorData, as_dataset, iter_rows, numpy_dtype
from .nn._noise import corrupt
from .nn._random import randperm, replay_point


#: Device types skae trains on, and how torch tells whether one is there.
_DEVICE_TYPES = {
    "cpu": lambda: True,
    "cuda": lambda: torch.cuda.is_available(),
    "mps": lambda: (hasattr(torch.backends, "mps")
                    and torch.backends.mps.is_available()),
    "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available(),
}


def _accelerator():
    """torch's current accelerator (CUDA, MPS, XPU, ...), or None."""
    accelerator = getattr(torch, "accelerator", None)
    if accelerator is not None:
        if accelerator.is_available():
            return accelerator.current_accelerator()
        return None
    for kind in ("cuda", "mps", "xpu"):  # torch < 2.6
        if _DEVICE_TYPES[kind]():
            return torch.device(kind)
    return None


def resolve_device(device):
    """Turn ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"auto"`` ...
    into a ``torch.device``, or explain why it cannot be used.

    ``"auto"`` picks torch's accelerator (CUDA, MPS or XPU) when there is one
    and the CPU otherwise. This is the only place where skae decides where
    tensors live.
    """
    if isinstance(device, torch.device):
        resolved = device
    elif device == "auto":
        resolved = _accelerator() or torch.device("cpu")
    else:
        try:
            resolved = torch.device(device)
        except (RuntimeError, TypeError):
            resolved = None
        if resolved is None or resolved.type not in _DEVICE_TYPES:
            raise ValueError(
                f"device={device!r} is not a device skae can train on; use "
                "'cpu', 'cuda' (or 'cuda:N'), 'mps', 'xpu' or 'auto'."
            ) from None
    if resolved.type not in _DEVICE_TYPES:
        raise ValueError(
            f"device={device!r} is not a device skae can train on; use "
            "'cpu', 'cuda' (or 'cuda:N'), 'mps', 'xpu' or 'auto'.")
    if not _DEVICE_TYPES[resolved.type]():
        raise ValueError(
            f"device={device!r} asks for {resolved.type.upper()}, but torch "
            f"{torch.__version__} sees no such device here. Use "
            "device='cpu', or device='auto' to take an accelerator when "
            "there is one."
        )
    return resolved


def process_group():
    """``(rank, world_size)`` of torch.distributed's default process group
    when one of several processes is initialised (``torchrun``), else None.
    """
    dist = torch.distributed
    if not (dist.is_available() and dist.is_initialized()):
        return None
    size = dist.get_world_size()
    return (dist.get_rank(), size) if size > 1 else None


def broadcast_module(module):
    """Give every process rank 0's parameters and buffers."""
    for tensor in module.state_dict().values():
        torch.distributed.broadcast(tensor, src=0)


def _all_reduce_mean(tensors):
    """Average ``tensors`` in place across the processes, in one call."""
    flat = torch.cat([t.reshape(-1) for t in tensors])
    torch.distributed.all_reduce(flat)
    flat /= torch.distributed.get_world_size()
    offset = 0
    for t in tensors:
        t.copy_(flat[offset:offset + t.numel()].view_as(t))
        offset += t.numel()


class BatchIterator:
    """Mini-batches of a dataset of :mod:`skae._data`, reshuffled at every
    pass.

    Shuffling draws from the current call's generator
    (:mod:`skae.nn._random`), seeded from the estimator's ``random_state``.
    Each batch is a pair ``(X_batch, y_batch)`` as skorch expects, with
    ``y_batch=None`` when the data have no targets.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        return self.dataset.batches(self.batch_size, self.shuffle)


def map_batches(module, X, device, method=None, batch_size=1024,
                out="numpy", **kwargs):
    """Apply ``module`` (or ``module.<method>``) to ``X`` batch by batch.

    The module runs in evaluation mode without gradients. Float64 input is
    evaluated by a float64 copy of the module, so that float64 results do not
    depend on how the samples are batched (float32 GEMM results can differ
    in the last bits between batch sizes). ``X`` is read batch by batch and
    never copied whole (an array on disk is read ahead in a background
    thread); the numpy output is allocated once and filled batch by batch.

    Parameters
    ----------
    module : torch.nn.Module
    X : ndarray, scipy CSR matrix, torch.Tensor or RowArray
    device : torch.device
        Where ``module`` lives.
    method : str or None, default=None
        Name of the module's method to apply; None calls the module.
    batch_size : int, default=1024
    out : {"numpy", "tensor"}, default="numpy"
        Return a host ndarray, or a tensor on ``device``.
    **kwargs
        Passed to the method with every batch (tensors among them are the
        method's to move to the batch's device and dtype).

    Returns
    -------
    out : ndarray or torch.Tensor
        The outputs of all samples, in order.
    """
    if X.dtype in (np.float64, torch.float64):
        module = copy.deepcopy(module).double()
    module.eval()
    fn = module if method is None else getattr(module, method)
    dtype = next(module.parameters()).dtype
    np_dtype = numpy_dtype(dtype)
    result, parts = None, []
    with torch.no_grad():
        for start, rows in iter_rows(X, batch_size):
            if isinstance(rows, torch.Tensor):
                xb = rows.to(device, dtype)
            else:
                rows = np.ascontiguousarray(rows, dtype=np_dtype)
                if not rows.flags.writeable:  # torch wants writable memory
                    rows = rows.copy()
                xb = torch.from_numpy(rows).to(device)
            yb = fn(xb, **kwargs)
            if out == "tensor":
                parts.append(yb)
                continue
            yb = yb.cpu().numpy()
            if result is None:
                result = np.empty((X.shape[0], *yb.shape[1:]), yb.dtype)
            result[start:start + len(yb)] = yb
        if result is None and not parts:  # no rows: the output's width
            empty = torch.zeros((0, X.shape[1]), dtype=dtype, device=device)
            parts.append(fn(empty, **kwargs))
            result = parts[0].cpu().numpy()
    if out == "tensor":
        return torch.cat(parts)
    return result


class HoldoutSplit:
    """Hold out a random ``fraction`` of the samples for validation.

    Used as skorch's ``train_split`` when ``early_stopping=True``.
    """

    def __init__(self, fraction):
        self.fraction = fraction

    def __call__(self, dataset, y=None, **fit_params):
        train, valid = self.split_rows(len(dataset))
        return dataset.subset(train), dataset.subset(valid)

    def split_rows(self, n, what="samples"):
        """Random ``(train, valid)`` row indices (tensors) of ``n`` rows."""
        n_valid = max(1, int(round(self.fraction * n)))
        if n - n_valid < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.fraction} of the {n} {what}, which leaves "
                f"{n - n_valid} to train on. Lower validation_fraction, or "
                "set early_stopping=False."
            )
        order = randperm(n)
        return order[n_valid:], order[:n_valid]


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
        self._record_learning_rate(net)
        loss = net.history[-1, self.monitor]
        if self._initial is None:
            # the untrained network's loss: its first batch
            self._initial = getattr(net, "initial_loss_", None)
            batches = net.history[0, "batches"]
            if self._initial is None:
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
        if len(net.history) <= self.burn_in:
            return
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
        if self._n_bad >= self.n_iter_no_change:
            if (self.n_lr_decays_ < self.max_decays
                    and self._lower_learning_rate(net)):
                self._n_bad = 0
                return
            self.converged_ = True
            raise KeyboardInterrupt  # skorch's way to end the fit loop

    def _record_learning_rate(self, net):
        """The step size of the epoch's (first) optimizer, in the history
        as ``learning_rate``."""
        optimizer = getattr(net, net._optimizers[0] + "_")
        net.history.record("learning_rate",
                           float(optimizer.param_groups[0]["lr"]))

    def _lower_learning_rate(self, net):
        """Multiply the rates of the net's optimizers by ``lr_factor``;
        whether any was lowered (L-BFGS alone: no, so training stops)."""
        lowered = False
        for name in net._optimizers:
            optimizer = getattr(net, name + "_")
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


#: Stands for ``module_`` in a pickled net whose ``module`` is the same.
_SAME_AS_MODULE_ = "<skae: the same network as module_>"


class TensorBatchesMixin:
    """What skae's skorch nets share, mixed in before a skorch net class.

    Batches are slices of tensors in memory (:class:`TensorData`,
    :class:`BatchIterator`); ``weight_decay`` applies to weights (parameters
    with two or more dimensions) only, not biases; parameters that do not
    require gradients (frozen layers) are left out of the optimizer.

    Parameters
    ----------
    module : torch.nn.Module
        An instantiated network.
    weight_decay : float
        L2 penalty coefficient on weights (the estimator's ``alpha``).
    **kwargs
        Passed to the skorch net.
    """

    def __init__(self, module, *args, weight_decay=0.0, distributed=False,
                 **kwargs):
        kwargs.setdefault("iterator_train", BatchIterator)
        kwargs.setdefault("iterator_valid", BatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("dataset", TensorData)
        super().__init__(module, *args, **kwargs)
        self.weight_decay = weight_decay
        self.distributed = distributed

    def sync_gradients(self, optimizer):
        """Data-parallel training (``distributed=True``): average the
        gradients of ``optimizer``'s parameters over the processes, as
        ``DistributedDataParallel`` does, in one all-reduce per step."""
        if not self.distributed:
            return
        grads = [p.grad for group in optimizer.param_groups
                 for p in group["params"] if p.grad is not None]
        if grads:
            _all_reduce_mean(grads)

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            *self._scoring_callbacks(),
        ]
        if self.verbose:
            # the learning rate is in the history, not in the printed table
            callbacks.append(("print_log",
                              PrintLog(keys_ignored=["learning_rate"])))
        if self.verbose and self.verbose > 1:
            callbacks.append(("progress_bar", ProgressBar()))
        return callbacks

    def _scoring_callbacks(self):
        """Callbacks that record the epoch's scores, before the log."""
        return [
            ("train_loss", PassthroughScoring(name="train_loss",
                                              on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
        ]

    def initialize_optimizer(self, triggered_directly=None):
        params = [p for _, p in self.get_all_learnable_params()]
        self.optimizer_ = self.make_optimizer(params)
        return self

    def make_optimizer(self, params, weight_decay=None, lr=None):
        """A new optimizer of the net's class and settings over ``params``.

        Parameters that do not require gradients are left out;
        ``weight_decay`` (the net's by default) applies to weights only;
        ``lr`` overrides the net's learning rate. Nets that train parts of
        the module in separate phases call this from
        ``initialize_optimizer`` once per part.
        """
        params = [p for p in params if p.requires_grad]
        if weight_decay is None:
            weight_decay = self.weight_decay
        self._loss_weight_decay = 0.0
        if weight_decay and isinstance(self.optimizer, type) and issubclass(
                self.optimizer, torch.optim.LBFGS):
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
        return self.optimizer(params, **kwargs)

    def _step_optimizer(self, step_fn):
        """L-BFGS evaluates the loss several times per step and its line
        search compares the values: each evaluation replays the step's
        random draws (corruption noise, reparameterisation samples), so
        that it sees one function, not a new draw every time."""
        if step_fn is not None and any(
                isinstance(getattr(self, name + "_"), torch.optim.LBFGS)
                for name in self._optimizers):
            restore, evaluate = replay_point(), step_fn

            def step_fn():
                restore()
                return evaluate()
        return super()._step_optimizer(step_fn)

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

    def get_dataset(self, X, y=None):
        return as_dataset(X, self.device, y=y)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        kwargs.setdefault("batch_size", self.batch_size)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        return getattr(self, prefix)(dataset, **kwargs)

    def __getstate__(self):
        # skae hands skorch an instantiated network, so ``module`` (the
        # argument) is ``module_`` (the trained network); skorch pickles
        # the two apart, which would store the weights twice.
        same = self.__dict__.get("module") is self.__dict__.get("module_")
        state = super().__getstate__()
        if same:
            state["module"] = _SAME_AS_MODULE_
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(self.module, str) and self.module == _SAME_AS_MODULE_:
            self.module = self.module_

    def _train_mode(self, training=True):
        """Put the module in training or evaluation mode, skipping the
        recursive ``module.train()`` walk when the mode is already right
        (once per batch it costs about 2% of an epoch)."""
        if self.module_.training != training:
            self.module_.train(training)


class NetworkLoss(torch.nn.Module):
    """The criterion of :class:`AutoencoderNet`, which has none of its own.

    The network computes its loss terms itself
    (:meth:`skae.nn.Autoencoder.loss_terms`); this stateless module stands
    in for skorch's criterion so that skorch's checkpoints (``Checkpoint``,
    ``LoadInitState``, ``save_params``) save and load it like any other.
    """

    def forward(self, *args, **kwargs):
        raise RuntimeError(
            "An autoencoder's loss comes from its network's loss_terms; "
            "this criterion is never called.")


class AutoencoderNet(TensorBatchesMixin, NeuralNet):
    """skorch net that trains an :class:`skae.nn.Autoencoder` on its input.

    Differences from a plain ``NeuralNet``: the target is the input itself;
    the module returns a dict of loss terms, each recorded in the history
    per batch and per epoch (``train_reconstruction``, ``valid_sparsity``,
    ...); batches are slices of tensors in memory; ``weight_decay`` applies
    to weights (parameters with two or more dimensions) only, not biases
    (:class:`TensorBatchesMixin`).

    Parameters
    ----------
    module : skae.nn.Autoencoder
        An instantiated network.
    weight_decay : float
        L2 penalty coefficient on weights (the estimator's ``alpha``).
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    def __init__(self, module, *args, weight_decay=0.0, **kwargs):
        kwargs.setdefault("criterion", NetworkLoss)
        super().__init__(module, *args, weight_decay=weight_decay, **kwargs)

    def _scoring_callbacks(self):
        # run_single_epoch records the epoch's losses itself
        return []

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._first_loss = None

    def _record_terms(self, terms, prefix):
        """Keep the loss terms of the step (detached, on the device) for
        the epoch's means; the first evaluation of an L-BFGS step counts."""
        if self._step_terms is None:
            self._step_terms = {name: value.detach()
                                for name, value in terms.items()}

    def run_single_epoch(self, iterator, training, prefix, step_fn,
                         **fit_params):
        """One pass over ``iterator``, recording each loss term's mean
        over the epoch (``train_loss``, ``train_reconstruction``, ...).

        The terms are summed on the device and read back once per epoch,
        not once per batch: a host synchronisation per step stalls a GPU
        and costs time on the CPU too. Per-batch values go to the history
        only with ``verbose > 1`` (the progress bar shows them).
        """
        if iterator is None:
            return
        per_batch = self.verbose is not None and self.verbose > 1
        sums, n_rows, n_batches = None, 0, 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            self._step_terms = None
            step = step_fn(batch, **fit_params)
            terms = self._step_terms or {"loss": step["loss"].detach()}
            size = len(batch[0])
            # a batch counts by its rows, or by its samples' total weight
            weight = size if batch[1] is None else batch[1].to(
                torch.float64).sum()
            stacked = torch.stack([v.to(torch.float64) for v in
                                   terms.values()]) * weight
            sums = stacked if sums is None else sums + stacked
            if training and self._first_loss is None:
                self._first_loss = terms["loss"]
            if per_batch:
                for name, value in terms.items():
                    self.history.record_batch(f"{prefix}_{name}",
                                              value.item())
                self.history.record_batch(f"{prefix}_batch_size", size)
            self.notify("on_batch_end", batch=batch, training=training,
                        **step)
            n_rows += weight
            n_batches += 1
        self.history.record(f"{prefix}_batch_count", n_batches)
        if sums is None:
            return
        first = (self._first_loss if training
                 and isinstance(self._first_loss, torch.Tensor) else None)
        extra = torch.stack([torch.zeros_like(sums[0]) + n_rows,
                             torch.zeros_like(sums[0]) if first is None
                             else first.detach().to(sums.dtype)])
        if self.distributed:
            # every process records the means over all processes' rows, so
            # the stopping rule decides the same everywhere
            packed = torch.cat([sums, extra])
            torch.distributed.all_reduce(packed)
            sums, extra = packed[:-2], packed[-2:]
            extra[1] /= torch.distributed.get_world_size()
        values = torch.cat([sums / extra[0], extra[1:]]).tolist()
        for name, value in zip(terms, values):  # the epoch's one sync
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

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.batch_loss_terms(y_pred, (X, y_true))["loss"]

    def batch_loss_terms(self, out, batch):
        """The network's loss terms of ``batch``, an ``(X, sample_weight)``
        pair (the weights are the dataset's targets; None: unweighted)."""
        Xi, weight = batch
        if weight is None:
            return self.module_.loss_terms(out, Xi)
        return self.module_.loss_terms(out, Xi, sample_weight=weight)

    def infer(self, x, **fit_params):
        # batches are already tensors on the device (TensorData)
        return self.module_(x, **fit_params)

    def train_step(self, batch, **fit_params):
        if isinstance(self.optimizer_, torch.optim.LBFGS):
            return super().train_step(batch, **fit_params)
        # One backward pass per step: skip skorch's closure machinery, which
        # only L-BFGS needs (a few percent of a small network's epoch).
        self.optimizer_.zero_grad()
        step = self.train_step_single(batch, **fit_params)
        self.notify("on_grad_computed",
                    named_parameters=TeeGenerator(
                        self.get_all_learnable_params()),
                    batch=batch, training=True)
        self.optimizer_.step()
        return step

    def train_step_single(self, batch, **fit_params):
        self._train_mode(True)
        Xi, _ = batch
        out = self.infer(Xi, **fit_params)
        terms = self.batch_loss_terms(out, batch)
        penalty = self.weight_penalty()
        loss = terms["loss"] if penalty is None else terms["loss"] + penalty
        loss.backward()
        self._record_terms(terms, "train")
        if self.distributed:
            self.sync_gradients(self.optimizer_)
            # the loss of all processes' batches: what L-BFGS's line search
            # compares, identical in every process
            loss = loss.detach().clone()
            _all_reduce_mean([loss])
        return {"loss": loss, "y_pred": out}

    def validation_step(self, batch, **fit_params):
        self._train_mode(False)
        Xi, _ = batch
        with torch.no_grad():
            out = self.infer(Xi, **fit_params)
            terms = self.batch_loss_terms(out, batch)
        self._record_terms(terms, "valid")
        return {"loss": terms["loss"], "y_pred": out}


class ClassifierNet(TensorBatchesMixin, NeuralNetClassifier):
    """skorch classifier net whose module returns class logits.

    The loss is the cross-entropy of the logits (``predict_proba`` applies
    the softmax) over the labeled samples of a batch; the targets are class
    indices ``0 .. n_classes - 1``, and ``-1`` for an unlabeled sample.
    With ``noise`` every training batch is corrupted afresh; with
    ``consistency`` above 0 the loss adds that weight times the squared
    distance between the class probabilities of two corruptions of each
    sample, labeled or not (the Pi-model of Laine & Aila 2017; the second
    corruption's probabilities are the target, without gradient).
    Batches, weight decay and frozen parameters as :class:`AutoencoderNet`
    (:class:`TensorBatchesMixin`).

    Parameters
    ----------
    module : torch.nn.Module
        An instantiated network returning logits.
    weight_decay : float
        L2 penalty coefficient on weights (the estimator's ``alpha``).
    consistency : float
        Weight of the consistency term (0: none).
    noise : str or None
        Corruption of the training inputs, a kind of
        :class:`skae.nn.Corruption` (None: none).
    noise_level : float
        Its standard deviation or corrupted fraction.
    **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`.
    """

    def __init__(self, module, *args, weight_decay=0.0, consistency=0.0,
                 noise=None, noise_level=0.0, **kwargs):
        kwargs.setdefault("criterion", torch.nn.CrossEntropyLoss)
        # per-sample losses: get_loss averages them over the labeled rows
        kwargs.setdefault("criterion__reduction", "none")
        super().__init__(module, *args, weight_decay=weight_decay, **kwargs)
        self.consistency = consistency
        self.noise = noise
        self.noise_level = noise_level

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # the mean over the labeled rows, without a host sync: a batch may
        # hold no labeled row (its loss is then the consistency term alone)
        labeled = y_true >= 0
        losses = self.criterion_(y_pred, y_true.clamp(min=0))
        loss = (losses * labeled).sum() / labeled.sum().clamp(min=1)
        penalty = self.weight_penalty() if training else None
        return loss if penalty is None else loss + penalty

    def _corrupt(self, X):
        return X if self.noise is None else corrupt(X, self.noise,
                                                    self.noise_level)

    def train_step_single(self, batch, **fit_params):
        self._train_mode(True)
        Xi, yi = batch
        y_pred = self.infer(self._corrupt(Xi), **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if self.consistency:
            with torch.no_grad():
                target = torch.softmax(
                    self.infer(self._corrupt(Xi), **fit_params), dim=1)
            gap = torch.softmax(y_pred, dim=1) - target
            loss = loss + self.consistency * gap.pow(2).sum(dim=1).mean()
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def _scoring_callbacks(self):
        callbacks = super()._scoring_callbacks()
        if self.train_split:
            callbacks.append(("valid_acc", EpochScoring(
                "accuracy", name="valid_acc", lower_is_better=False)))
        return callbacks
