"""Training: everything between validated data and a trained network.

The estimators (``skae/_base.py``, ``skae/_classifier.py``) validate their
input into a :class:`TrainingData` and call the one fit path of
:class:`NetTrainingMixin`; this package runs the rest with skorch, the only
place in skae that imports it:

* ``_params``: the training parameters every estimator shares;
* ``_fit``: the fit path (``fit`` and ``partial_fit`` passes), the skorch
  net it builds and the fitted attributes it sets;
* ``_context``: the state of one call (random source, device, process
  group, Ctrl-C guard), passed down as one object;
* ``_data``, ``_rows``: training data, data sources and batches with
  named fields; arrays on disk read by rows;
* ``_nets``: the skorch nets, which call the network's training objective
  (``skae.nn._objective``);
* ``_convergence``, ``_callbacks``: the stopping rule, the loss-weight
  warm-up and weight averaging;
* ``_inference``: a network applied batch by batch without gradients;
* ``_device``, ``_interrupt``: devices, process groups and Ctrl-C.
"""

from ._callbacks import EpochEndCall, LinearWarmup, WeightAveraging
from ._context import (
    FitContext,
    RandomSource,
    random_scope,
    restored_on_failure,
)
from ._data import Batch, HoldoutSplit, TrainingData
from ._device import process_group, resolve_device
from ._fit import NetTrainingMixin
from ._inference import map_batches
from ._nets import AutoencoderNet, ClassifierNet, PhasedNet
from ._rows import RowArray, is_row_array, iter_rows, rows_per_block

__all__ = [
    "AutoencoderNet",
    "Batch",
    "ClassifierNet",
    "EpochEndCall",
    "FitContext",
    "HoldoutSplit",
    "LinearWarmup",
    "NetTrainingMixin",
    "PhasedNet",
    "RandomSource",
    "RowArray",
    "TrainingData",
    "WeightAveraging",
    "is_row_array",
    "iter_rows",
    "map_batches",
    "process_group",
    "random_scope",
    "resolve_device",
    "restored_on_failure",
    "rows_per_block",
]
