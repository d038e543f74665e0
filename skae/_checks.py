"""Validation rules that several estimators share: values of parameters that
scikit-learn's constraints cannot express, and the range of the data."""

import warnings
from numbers import Integral

import numpy as np


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
    """Raise a ValueError unless the observed values of ``X`` (dense, sparse
    or on disk; NaN are missing) lie in [0, 1], which ``what`` needs;
    suggest ``alternative``."""
    from ._missing import observed_range

    bounds = observed_range(X) if X.shape[0] and X.shape[1] else None
    if bounds is not None and (bounds[0] < 0 or bounds[1] > 1):
        raise ValueError(
            f"{what} needs X in [0, 1]; got values in [{bounds[0]:g}, "
            f"{bounds[1]:g}]. Scale X, for example with MinMaxScaler, or use "
            f"{alternative}."
        )


def check_positive_int(value, name):
    """Raise a ValueError unless ``value`` is a positive int (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, Integral) \
            or value < 1:
        raise ValueError(
            f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def preferred_float_dtype(X):
    """The float dtypes to validate ``X`` into, preferred first.

    float32 (training runs in float32) unless the input is float64, which
    keeps float64 (transformers preserve the dtype): a pandas frame of
    nullable ``Float64`` or of 8-byte numbers counts as float64, as it does
    for PCA.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "__iter__"):
        try:
            kinds = [getattr(d, "numpy_dtype", d) for d in dtypes]
            if kinds and all(np.dtype(k) == np.float64 for k in kinds):
                return [np.float64, np.float32]
        except TypeError:
            pass
    return [np.float32, np.float64]


def validate_row_array(estimator, X, reset):
    """Validate a 2-D array on disk (``np.memmap``, h5py, zarr) without
    loading it: what ``validate_data`` checks, reading the array once in
    blocks for non-finite values. Returns a :class:`skae._data.RowArray`
    that reads rows as float64 when the array is float64, float32 otherwise.
    """
    from ._training import RowArray

    shape = tuple(X.shape)
    if len(shape) != 2:
        raise ValueError(
            f"Expected a 2D array, got an array on disk of shape {shape}. "
            "Reshape it to (n_samples, n_features).")
    if np.dtype(X.dtype).kind not in "fiu":
        raise ValueError(
            f"The array on disk has dtype {X.dtype}; skae needs numbers "
            "(float or integer).")
    if shape[0] < 1 or shape[1] < 1:
        raise ValueError(
            f"Found array with shape {shape}: at least one sample and one "
            "feature are required.")
    name = type(estimator).__name__
    if not reset and shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {shape[1]} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input.")
    dtype = np.float64 if np.dtype(X.dtype) == np.float64 else np.float32
    rows = RowArray(X, dtype)
    rows.scan()
    if reset:
        estimator.n_features_in_ = shape[1]
        estimator.__dict__.pop("feature_names_in_", None)
    return rows


def validate_sample_weight(sample_weight, X):
    """``sample_weight`` for the rows of ``X`` as a float32 array, or None.

    Accepts what scikit-learn's estimators accept (a sequence, a pandas
    Series, a scalar for every sample); weights must be finite,
    non-negative and not all zero.
    """
    if sample_weight is None:
        return None
    from ._compat import check_sample_weight

    weight = check_sample_weight(sample_weight, X, dtype=np.float32)
    if not np.isfinite(weight).all():
        raise ValueError("sample_weight must be finite; it holds NaN or "
                         "infinite values.")
    if (weight < 0).any():
        raise ValueError(
            f"sample_weight must be non-negative; got {weight.min():g}. A "
            "sample that should not count gets the weight 0.")
    if not weight.sum() > 0:
        raise ValueError("sample_weight is 0 for every sample, so there is "
                         "nothing to learn from; give some samples a "
                         "positive weight.")
    return weight


#: A column whose standard deviation is this many times the median column's
#: dominates a squared error summed over the columns (see warn_unscaled).
UNSCALED_RATIO = 30


def warn_unscaled(X, estimator):
    """Warn when the columns of the dense table ``X`` (at most 1,000
    columns: images are not checked) are on very different scales, which
    one squared error over all of them learns badly.

    Measured on the numeric columns of the Palmer penguins (millimetres,
    grams, years; largest standard deviation 145 times the median one):
    a StackedAE with 2 codes reconstructs them no better than their means
    (standardised RMSE 1.00-1.05) from the raw columns, against 0.21-0.45
    after a StandardScaler. Images (digits 1.5, MNIST 2.1) stay far below
    the threshold.
    """
    if (not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[0] < 2
            or not 2 <= X.shape[1] <= 1000):
        return
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        std = np.nanstd(X, axis=0)
    std = std[np.isfinite(std) & (std > 0)]
    if std.size < 2:
        return
    ratio = std.max() / np.median(std)
    if ratio <= UNSCALED_RATIO:
        return
    name = type(estimator).__name__
    inside = ("; or set categorical_features (to the categorical "
              "columns, 'from_dtype' for a DataFrame, or [] for none), which "
              "standardises the numeric columns inside"
              if "categorical_features" in estimator.get_params() else "")
    warnings.warn(
        f"The columns of X are on very different scales: one has a standard "
        f"deviation {ratio:.0f} times the median column's. {name} "
        "reconstructs every column with one squared error, which the "
        "largest columns then dominate, and the others are barely learned. "
        f"Standardise X first, as in make_pipeline(StandardScaler(), "
        f"{name}()){inside}.", UserWarning, stacklevel=5)
