"""Validation rules that several estimators share: values of parameters that
scikit-learn's constraints cannot express, and the range of the data."""

from numbers import Integral


def positive_ints(value, name):
    """A parameter holding one or several positive integers, as a list.

    ``hidden_layer_sizes``, ``filters`` and the like: an int is one layer, a
    sequence several (possibly none).
    """
    values = [value] if isinstance(value, Integral) else list(value)
    if not all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1
               for v in values):
        raise ValueError(
            f"{name} must be positive integers; got {value!r}.")
    return [int(v) for v in values]


def check_unit_interval(X, what, alternative="loss='mse'"):
    """Raise a ValueError unless the values of ``X`` (dense or sparse) lie
    in [0, 1], which ``what`` needs; suggest ``alternative``."""
    data = X.data if hasattr(X, "tocsr") else X
    if data.size and (data.min() < 0 or data.max() > 1):
        raise ValueError(
            f"{what} needs X in [0, 1]; got values in [{data.min():g}, "
            f"{data.max():g}]. Scale X, for example with MinMaxScaler, or use "
            f"{alternative}."
        )
