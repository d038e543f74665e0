"""Every private scikit-learn API skae uses, in one place.

scikit-learn keeps these names private (a leading underscore, or a private
module) although its own estimators and many third-party ones rely on them;
they may move between releases. Importing them only from here means a
version bump touches this file alone. skorch's private API is not used at
all: skae's nets override its public hooks only.
"""

from sklearn.base import _fit_context as fit_context
from sklearn.utils import _safe_indexing as safe_indexing
from sklearn.utils._missing import is_scalar_nan
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in as check_feature_names_in,
)
from sklearn.utils.validation import (
    _check_sample_weight as check_sample_weight,
)

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "check_feature_names_in",
    "check_sample_weight",
    "fit_context",
    "is_scalar_nan",
    "safe_indexing",
]
