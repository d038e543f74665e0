"""The training parameters every estimator that trains a network has."""

from numbers import Integral, Real

import numpy as np
import torch

from .._compat import Interval, StrOptions
from .._parameters import DeclaredParamsMixin
from ._callbacks import check_callbacks, named_callbacks

#: Optimizers by name; any ``torch.optim.Optimizer`` subclass works too.
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "lbfgs": torch.optim.LBFGS,
}


class TrainingParamsMixin(DeclaredParamsMixin):
    """Declares the training parameters, and the nested parameters of the
    user's callbacks (``callbacks__<name>__<parameter>``, as in skorch).

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
        plateau that smaller steps get past no longer ends the fit (see
        :ref:`choosing`). ``"constant"`` keeps ``learning_rate``
        throughout, as the TensorFlow tutorials do. L-BFGS chooses its own
        steps, and ``partial_fit`` never changes the rate.
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
        often sits on a plateau in its first epochs.
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
    precision : {"float32", "bfloat16", "float16"}, default="float32"
        The arithmetic of the network's layers in training and inference.
        ``"float32"`` throughout, bit-reproducible with ``random_state``;
        or mixed precision (torch's autocast): the matrix products in
        ``"bfloat16"`` or ``"float16"`` while the weights, the optimizer's
        state, the losses, the stopping rule's sums and every output stay
        float32 (outputs keep the input's dtype). ``"bfloat16"`` runs on
        the CPU, fast where it has AMX or AVX-512 BF16 units (see
        :ref:`precision`), and on GPUs; ``"float16"`` needs CUDA and scales
        the loss (``torch.amp.GradScaler``); the CPU refuses it. Float64
        input is computed in float64 whatever the precision.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks for the skorch training loop, for example
        ``skorch.callbacks.Checkpoint``.
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
        "precision": [StrOptions({"float32", "bfloat16", "float16"})],
        "callbacks": [list, None],
    }

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        if deep:
            # skorch's nested names: callbacks__<name>__<parameter>
            for name, callback in named_callbacks(self.callbacks):
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
        named = dict(named_callbacks(self.callbacks))
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
        _reject_bools(self)
        check_callbacks(self.callbacks)

    def _optimizer_class(self):
        if isinstance(self.optimizer, str):
            return OPTIMIZERS[self.optimizer]
        if not issubclass(self.optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer={self.optimizer!r} is not a torch.optim.Optimizer "
                f"subclass; pass one, or a name among {sorted(OPTIMIZERS)}."
            )
        return self.optimizer

    def _uses_lbfgs(self):
        """Whether the optimizer is L-BFGS (full-batch steps chosen by a
        line search: no learning-rate schedule, no weight averaging, no
        alternating phases)."""
        return issubclass(self._optimizer_class(), torch.optim.LBFGS)


def _reject_bools(estimator):
    """Raise a ValueError for a bool given to a numeric parameter.

    scikit-learn's ``Interval`` constraints accept ``True`` as the integer 1
    (bool is an Integral); for ``n_components=True`` that is a slip, not a
    choice.
    """
    for name, constraints in estimator._parameter_constraints.items():
        value = getattr(estimator, name)
        numeric = any(isinstance(c, Interval) for c in constraints)
        if isinstance(value, (bool, np.bool_)) and numeric \
                and "boolean" not in constraints \
                and "verbose" not in constraints:
            raise ValueError(
                f"The {name!r} parameter of {type(estimator).__name__} must "
                f"be a number, not a bool; got {value!r}.")
