"""Mixed tables: numeric and categorical columns (``categorical_features``).

:class:`TableColumnsMixin` gives the fully connected autoencoders
scikit-learn's ``categorical_features`` (as ``HistGradientBoosting*``): the
estimator encodes a table's rows for its network as ``[numeric columns,
standardised; one-hot block of each categorical column]``, gives the
network the :class:`skae.nn.TableLayout` of those columns (a softmax and a
cross-entropy for each categorical column, see its notes for how the two
kinds of loss are weighed), and turns the network's output back into the
table's columns and dtypes in ``inverse_transform`` and ``sample``.
"""

import math
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, validate_data

from ._compat import StrOptions
from ._training import is_row_array
from .nn import TableLayout

#: Most categories a categorical column may have: more distinct values are
#: almost surely a numeric column declared categorical by mistake.
MAX_CATEGORIES = 1000

#: The fitted attributes of the table's encoding.
_TABLE_ATTRIBUTES = ("is_categorical_", "categories_", "numeric_mean_",
                     "numeric_scale_", "feature_dtypes_")

#: Parameters whose value needs data in [0, 1], which a table is not.
_UNIT_INTERVAL_PARAMS = (("loss", "bce"), ("out_activation", "sigmoid"),
                         ("likelihood", "bernoulli"), ("binarize_input", True))


def _is_frame(X):
    return hasattr(X, "iloc") and hasattr(X, "dtypes")


def _categorical_dtype(dtype):
    """Whether ``"from_dtype"`` takes a column of ``dtype`` as categorical:
    pandas categoricals, strings (object or string dtype) and booleans."""
    kind = getattr(dtype, "kind", "O")
    name = str(dtype)
    return name == "category" or kind in "OSUb" or name in (
        "string", "str", "boolean")


def _missing(values):
    """Where the object array ``values`` is missing (None, NaN, pd.NA)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas comes with the tables
        return np.array([v is None or (isinstance(v, float) and v != v)
                         for v in values], dtype=bool)
    return np.asarray(pd.isna(values), dtype=bool)


def _column_name(names, j):
    return repr(str(names[j])) if names is not None else str(j)


def _sorted_categories(values):
    """The distinct values, sorted (by their text when they do not
    compare, as strings mixed with numbers)."""
    distinct = list(dict.fromkeys(values.tolist()))
    try:
        distinct.sort()
    except TypeError:
        distinct.sort(key=repr)
    return distinct


def _as_array(categories):
    """Categories as a numpy array that :func:`skae.save` stores: numbers
    and booleans in their dtype, strings as an object array."""
    if all(isinstance(c, str) for c in categories):
        return np.array(categories, dtype=object)
    return np.asarray(categories)


class TableColumnsMixin:
    """Categorical columns of a table, reconstructed as categories.

    Parameters
    ----------
    categorical_features : {"from_dtype"} or array-like of int, bool or \
str, default=None
        The categorical columns of ``X`` (``HistGradientBoostingRegressor``'s
        meaning): None, every column is numeric (and ``X`` is used as it
        is); ``"from_dtype"``, the columns of a pandas DataFrame with a
        categorical, string, object or boolean dtype; or the columns'
        indices, a boolean mask over the columns, or their names (with a
        DataFrame). Given any value but None, the estimator models a mixed
        table (see :ref:`mixed-tables`): numeric columns are standardised
        inside (the mean and scale are fitted attributes, undone on
        output) and reconstructed with their squared error, each
        categorical column (numbers, strings or booleans) is one-hot
        inside and reconstructed by a softmax with a cross-entropy, each
        column counting once in the loss; ``inverse_transform`` and
        ``sample`` return the most likely (drawn, for ``sample``) category
        of each categorical column, as a DataFrame with ``X``'s columns and
        dtypes when ``X`` was one. A missing value of either kind (NaN,
        None) is left out of the loss; a category that ``fit`` did not see
        is treated as missing, with a warning (``OneHotEncoder``'s
        ``handle_unknown="warn"``, a missing value rather than zeros).
        Needs ``loss="mse"``, an identity output and a Gaussian likelihood.

    Attributes
    ----------
    is_categorical_ : ndarray of shape (n_features_in_,), dtype=bool
        Which columns are categorical (only with ``categorical_features``).
    categories_ : list of ndarray
        The categories of each categorical column, in the order of the
        columns (the categories a pandas categorical declares, else the
        distinct values ``fit`` saw, sorted).
    numeric_mean_ : ndarray of shape (n_numeric,)
        Mean of each numeric column, subtracted inside.
    numeric_scale_ : ndarray of shape (n_numeric,)
        Standard deviation of each numeric column (1 for a constant one),
        by which it is divided inside.
    feature_dtypes_ : list of str or None
        The dtype of each column of the DataFrame ``fit`` was given (what
        ``inverse_transform`` and ``sample`` return), None for an array.
    """

    _parameter_constraints = {
        "categorical_features": [None, StrOptions({"from_dtype"}),
                                 "array-like"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self._categorical_param() is not None:
            tags.input_tags.categorical = True
            tags.input_tags.string = True
            tags.input_tags.sparse = False
        return tags

    # -- whether the estimator models a table -----------------------------
    def _categorical_param(self):
        # (an estimator without the parameter models no table)
        return getattr(self, "categorical_features", None)

    def _is_table(self):
        """Whether the fitted estimator encodes its input as a table."""
        return getattr(self, "is_categorical_", None) is not None

    def _network_width(self):
        if not self._is_table():
            return super()._network_width()
        return self._layout().n_features

    def _layout(self):
        return TableLayout(
            int(np.sum(~self.is_categorical_)),
            [len(c) for c in self.categories_])

    def _prepare_module(self, module):
        module = super()._prepare_module(module)
        if self._is_table():
            module.table = self._layout()
        return module

    def _validate_input(self, X, reset):
        if reset and self._categorical_param() is None:
            for name in _TABLE_ATTRIBUTES:  # a previous fit's table
                vars(self).pop(name, None)
        if not (self._is_table() or (reset and self._categorical_param()
                                     is not None)):
            return super()._validate_input(X, reset)
        return self._encode_table(X, reset)

    # -- the table in -----------------------------------------------------
    def _encode_table(self, X, reset):
        """``X``'s rows as the network's input (float32): the standardised
        numeric columns, then each categorical column's one-hot block (all
        NaN where the category is missing or unseen)."""
        if sp.issparse(X) or is_row_array(X):
            raise ValueError(
                f"categorical_features={self._categorical_param()!r} "
                "needs a table in memory (a pandas DataFrame or a dense "
                f"array); got a {type(X).__name__}. Load the rows, or set "
                "categorical_features=None for numeric data.")
        frame = _is_frame(X)
        if frame:
            if X.shape[0] < 1:
                raise ValueError(
                    f"Found array with 0 sample(s) (shape={X.shape}) while "
                    "a minimum of 1 is required.")
        else:
            X = check_array(X, dtype=None, ensure_all_finite=False,
                            estimator=self)
        # a warm start keeps the encoding the network was trained on
        refit = reset and not (self.warm_start and hasattr(self, "net_")
                               and self._is_table())
        validate_data(self, X, reset=reset, skip_check_array=True)
        names = getattr(self, "feature_names_in_", None)
        columns = ([X.iloc[:, j] for j in range(X.shape[1])] if frame
                   else [X[:, j] for j in range(X.shape[1])])
        if refit:
            self._check_table_params()
            fitted = self._fit_encoding(X, columns, names, frame)
        else:
            fitted = {name: getattr(self, name) for name in
                      _TABLE_ATTRIBUTES}
        out = self._one_hot(columns, names, fitted)
        if refit:
            vars(self).update(fitted)
        return out

    def _check_table_params(self):
        for param, value in _UNIT_INTERVAL_PARAMS:
            current = getattr(self, param, None)
            if current is value or (isinstance(value, str)
                                    and current == value):
                raise ValueError(
                    f"{param}={value!r} models values in [0, 1], but with "
                    f"categorical_features={self._categorical_param()!r} "
                    f"{type(self).__name__} models a table (standardised "
                    "numeric columns and categories, each with its own "
                    f"loss). Leave {param} at its default, or set "
                    "categorical_features=None.")

    def _categorical_mask(self, X, names, frame):
        """The mask of the categorical columns that
        ``categorical_features`` describes."""
        spec, n = self._categorical_param(), X.shape[1]
        if isinstance(spec, str):  # "from_dtype"
            if not frame:
                raise ValueError(
                    "categorical_features='from_dtype' reads which columns "
                    "are categorical from a pandas DataFrame's dtypes; X is "
                    f"a {type(X).__name__}. Pass a DataFrame, or give the "
                    "categorical columns' indices or a boolean mask.")
            return np.array([_categorical_dtype(d) for d in X.dtypes])
        return self._listed_columns(np.asarray(spec), names, n)

    def _listed_columns(self, spec, names, n):
        """The mask of the columns that the list ``spec`` gives by index,
        by mask or by name."""
        if spec.ndim != 1:
            raise ValueError(
                "categorical_features must be 'from_dtype' or a 1-D list "
                f"of column indices, booleans or names; got shape "
                f"{spec.shape}.")
        mask = np.zeros(n, dtype=bool)
        if spec.size == 0:
            return mask
        if spec.dtype.kind == "b":
            if spec.size != n:
                raise ValueError(
                    f"categorical_features is a boolean mask of "
                    f"{spec.size} values, but X has {n} columns.")
            return spec.copy()
        if spec.dtype.kind in "iu":
            bad = spec[(spec < 0) | (spec >= n)]
            if bad.size:
                raise ValueError(
                    f"categorical_features has the index {bad[0]}, out of "
                    f"range for X's {n} columns (0 to {n - 1}).")
            mask[spec] = True
            return mask
        if spec.dtype.kind in "OU" and all(isinstance(v, str) for v in spec):
            if names is None:
                raise ValueError(
                    "categorical_features gives column names, but X has no "
                    "column names; pass a DataFrame, or the columns' "
                    "indices.")
            unknown = sorted(set(spec) - set(names))
            if unknown:
                raise ValueError(
                    f"categorical_features names {unknown}, which are not "
                    f"columns of X (its columns: {list(names)}).")
            return np.isin(names, spec)
        raise ValueError(
            "categorical_features must be 'from_dtype', or a list of column "
            "indices (int), a boolean mask or column names (str); got "
            f"{self._categorical_param()!r}.")

    def _fit_encoding(self, X, columns, names, frame):
        """The table's fitted attributes, from the columns of ``fit``."""
        is_categorical = self._categorical_mask(X, names, frame)
        categories, means, scales = [], [], []
        for j, column in enumerate(columns):
            if not is_categorical[j]:
                values = self._numeric_values(column, names, j)
                seen = values[~np.isnan(values)]
                mean = float(seen.mean()) if seen.size else 0.0
                scale = float(seen.std()) if seen.size else 1.0
                means.append(mean)
                scales.append(scale if scale > 0 and math.isfinite(scale)
                              else 1.0)
                continue
            categories.append(self._column_categories(column, names, j))
        dtypes = None
        if frame:
            dtypes = [("ordered_category" if str(d) == "category"
                       and d.ordered else str(d)) for d in X.dtypes]
        return {"is_categorical_": is_categorical,
                "categories_": categories,
                "numeric_mean_": np.array(means, dtype=np.float64),
                "numeric_scale_": np.array(scales, dtype=np.float64),
                "feature_dtypes_": dtypes}

    def _column_categories(self, column, names, j):
        """The categories of the categorical column ``j``."""
        if str(getattr(column, "dtype", None)) == "category":
            found = list(column.cat.categories)
        else:
            values = np.asarray(column, dtype=object)
            values = values[~_missing(values)]
            self._check_hashable(values, names, j)
            found = _sorted_categories(values)
        if len(found) > MAX_CATEGORIES:
            raise ValueError(
                f"Column {_column_name(names, j)} is declared categorical "
                f"but has {len(found)} distinct values; a categorical "
                f"column may have at most {MAX_CATEGORIES} categories. "
                "Leave it out of categorical_features to model it as a "
                "number.")
        if not found:
            raise ValueError(
                f"Column {_column_name(names, j)} is declared categorical "
                "but has no observed value in X.")
        return _as_array(found)

    @staticmethod
    def _check_hashable(values, names, j):
        try:
            set(values.tolist())
        except TypeError:
            kinds = sorted({type(v).__name__ for v in values.tolist()
                            if not isinstance(v, numbers.Number)
                            and not isinstance(v, str)})
            raise ValueError(
                f"Column {_column_name(names, j)} is declared categorical "
                f"but holds values that are not hashable ({', '.join(kinds)})"
                "; categories must be numbers, strings or booleans.") from None

    @staticmethod
    def _numeric_values(column, names, j):
        try:
            if hasattr(column, "to_numpy"):
                values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                values = np.asarray(column, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"Column {_column_name(names, j)} is not numeric (it holds "
                "values such as "
                f"{np.asarray(column, dtype=object)[:3].tolist()}); declare "
                "it in categorical_features.") from None
        if np.isinf(values).any():
            raise ValueError(
                f"Column {_column_name(names, j)} has infinite values; "
                "replace them (NaN marks a missing value).")
        return values

    def _one_hot(self, columns, names, fitted):
        is_categorical = fitted["is_categorical_"]
        numeric = [j for j in range(len(columns)) if not is_categorical[j]]
        blocks = []
        unseen = {}
        for c, j in enumerate(np.flatnonzero(is_categorical)):
            categories = fitted["categories_"][c]
            values = np.asarray(columns[j], dtype=object)
            missing = _missing(values)
            index = {category: i for i, category in
                     enumerate(categories.tolist())}
            self._check_hashable(values[~missing], names, j)
            codes = np.array([-1 if m else index.get(v, -2)
                              for v, m in zip(values.tolist(), missing)],
                             dtype=np.int64)
            if (codes == -2).any():
                unseen[_column_name(names, j)] = values[codes == -2][0]
            block = np.zeros((len(values), len(categories)), np.float32)
            seen = codes >= 0
            block[np.flatnonzero(seen), codes[seen]] = 1
            block[~seen] = np.nan
            blocks.append(block)
        if unseen:
            found = ", ".join(f"{k} ({v!r})" for k, v in unseen.items())
            warnings.warn(
                "Found categories that fit did not see, treated as missing "
                f"values: {found}.", UserWarning, stacklevel=4)
        values = [self._numeric_values(columns[j], names, j) for j in numeric]
        n = len(columns[0])
        numbers_ = (np.column_stack(values) if values
                    else np.zeros((n, 0)))
        numbers_ = ((numbers_ - fitted["numeric_mean_"])
                    / fitted["numeric_scale_"]).astype(np.float32)
        return np.hstack([numbers_, *blocks])

    # -- the table out ----------------------------------------------------
    def _numeric_noise_scale(self):
        """Standard deviation of the noise of a sampled numeric column, on
        the standardised scale (the decoder's likelihood), or None to
        return the decoder's mean."""
        return None

    def _decoded(self, X, random_state=None):
        X = super()._decoded(X, random_state)
        if not self._is_table():
            return X
        layout = self._layout()
        n_numeric = layout.n_numeric
        numeric = X[:, :n_numeric].astype(np.float64)
        rng = None
        if random_state is not None:
            rng = check_random_state(random_state)
            scale = self._numeric_noise_scale()
            if scale is not None:
                numeric = numeric + scale * rng.standard_normal(
                    numeric.shape)
        numeric = numeric * self.numeric_scale_ + self.numeric_mean_
        picked = []
        for (a, b), categories in zip(layout.blocks, self.categories_):
            probabilities = X[:, a:b].astype(np.float64)
            if rng is None:
                index = probabilities.argmax(1)
            else:
                cumulative = probabilities.cumsum(1)
                u = rng.random_sample(len(X)) * cumulative[:, -1]
                index = np.minimum((cumulative < u[:, None]).sum(1),
                                   b - a - 1)
            picked.append(categories[index])
        return self._table_output(numeric, picked)

    def _table_output(self, numeric, picked):
        """The columns in their order and kinds: a DataFrame with the
        fitted dtypes when ``fit`` had one (or with pandas output), else an
        array (float if every category is a number)."""
        columns, n, c = [], 0, 0
        for categorical in self.is_categorical_:
            if categorical:
                columns.append(picked[c])
                c += 1
            else:
                columns.append(numeric[:, n])
                n += 1
        pandas_output = getattr(self, "_sklearn_output_config", {}).get(
            "transform") == "pandas"
        if self.feature_dtypes_ is None and not pandas_output:
            if all(col.dtype.kind in "biuf" for col in columns):
                return np.column_stack(columns).astype(np.float64)
            return np.column_stack([col.astype(object) for col in columns])
        import pandas as pd

        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(len(columns))]
        dtypes = self.feature_dtypes_ or [None] * len(columns)
        data, c = {}, 0
        for name, column, dtype, categorical in zip(
                names, columns, dtypes, self.is_categorical_):
            if categorical:
                categories = self.categories_[c]
                c += 1
            data[name] = _restore_dtype(
                column, dtype, categories if categorical else None)
        return pd.DataFrame(data)


def _restore_dtype(values, dtype, categories):
    """``values`` as a pandas Series of the column's fitted ``dtype``."""
    import pandas as pd

    if dtype in ("category", "ordered_category"):
        return pd.Categorical(values, categories=categories,
                              ordered=dtype == "ordered_category")
    series = pd.Series(values)
    if dtype is None:
        return series
    try:
        if categories is None and pd.api.types.is_integer_dtype(dtype):
            return series.round().astype(dtype)
        return series.astype(dtype)
    except (TypeError, ValueError):  # a dtype that cannot hold the values
        return series
