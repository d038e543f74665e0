"""AutoencoderImputer: missing values filled in by an autoencoder."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.impute import MissingIndicator
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import (
    HasMethods,
    check_feature_names_in,
    fit_context,
    is_scalar_nan,
)
from ._inner import seed_unseeded
from ._parameters import DeclaredParamsMixin, store_params
from ._regularized import DenoisingAE
from ._training import restored_on_failure

#: The default autoencoder's training budget: about this many rows seen
#: (epochs times rows), 400 epochs at most.
_DEFAULT_ROWS_SEEN, _DEFAULT_MAX_ITER = 1_000_000, 400


def _default_estimator(n_samples=0):
    """The autoencoder of ``estimator=None`` for ``n_samples`` training
    rows (see the class docstring): 400 epochs, or fewer on a table of
    more than 2,500 rows, so that it sees about a million rows."""
    max_iter = min(_DEFAULT_MAX_ITER,
                   max(1, -(-_DEFAULT_ROWS_SEEN // max(n_samples, 1))))
    return DenoisingAE(n_components=32, hidden_layer_sizes=(256,),
                       activation="relu", noise="masking", noise_level=0.25,
                       init="pytorch", max_iter=max_iter, n_iter_no_change=30)


class AutoencoderImputer(DeclaredParamsMixin, TransformerMixin,
                         BaseEstimator):
    """Fill in missing values with an autoencoder's reconstructions.

    ``fit`` standardises each feature on its observed values (unless
    ``standardize=False``) and trains a clone of ``estimator`` on the
    result, missing entries and all: skae's
    autoencoders take the loss over the observed entries only, and see a
    missing entry as the feature's mean. ``transform`` encodes and decodes
    each sample and returns ``X`` with its missing entries replaced by the
    reconstruction, in the input's units; every observed entry is returned
    exactly. An autoencoder that learns to predict some entries from the
    others (a denoising one, which hides a share of the observed entries
    during training) fills a missing entry from the sample's observed ones,
    which :class:`~sklearn.impute.SimpleImputer` cannot. See
    :ref:`missing-values` for when that pays off.

    Parameters
    ----------
    estimator : skae autoencoder, default=None
        The (unfitted) autoencoder; it is cloned and fitted in :meth:`fit`.
        None means ``DenoisingAE(n_components=32, hidden_layer_sizes=(256,),
        activation="relu", noise="masking", noise_level=0.25,
        init="pytorch", max_iter=400, n_iter_no_change=30)``, chosen by
        measurement (:ref:`missing-values`): masking noise hides a quarter
        of the observed entries of each training sample, which the network
        learns to predict from the others. On a table of more than 2,500
        rows it trains for ``ceil(1_000_000 / n_samples)`` epochs at most
        instead of 400 (200 for 5,000 rows), about a million rows seen: a
        large table gives each epoch more steps, and its training time
        would otherwise grow with its rows.
    missing_values : float or int, default=np.nan
        The placeholder of a missing value: ``np.nan`` (also pandas' ``NA``
        of nullable dtypes) or a number such as ``-1``; all its occurrences
        are imputed. With a number, ``X`` must not hold NaN.
    add_indicator : bool, default=False
        Append a :class:`~sklearn.impute.MissingIndicator` of the features
        that had missing values in ``fit`` to the output, as
        :class:`~sklearn.impute.SimpleImputer` does.
    keep_empty_features : bool, default=False
        A feature with no observed value in ``fit`` has nothing to learn
        from: it is left out of the output, or with ``True`` kept and
        filled with 0 (:class:`~sklearn.impute.SimpleImputer`'s rule).
    standardize : bool, default=True
        Standardise each feature on its observed values before the
        autoencoder sees it (and undo it on the output), so that features
        in different units weigh alike in its loss. Set it to False for
        features in one unit, such as the pixels of images, where a rarely
        lit pixel, standardised, would weigh most.
    sample_posterior : bool, default=False
        Draw each imputation from the model's posterior instead of taking
        its most likely reconstruction, so that repeated ``transform``
        calls with different ``random_state`` give multiple imputations.
        Needs an estimator that can draw reconstructions
        (:class:`VariationalAE`).
    random_state : int, RandomState instance or None, default=None
        Seeds the clone's unset ``random_state`` parameters (as
        :class:`AutoencoderOutlierDetector` does) and the draws of
        ``sample_posterior``.

    Attributes
    ----------
    estimator_ : skae autoencoder
        The autoencoder fitted on the standardised features.
    mean_ : ndarray of shape (n_features_in_,)
        Mean of each feature's observed values in ``fit`` (0 with
        ``standardize=False``).
    scale_ : ndarray of shape (n_features_in_,)
        Standard deviation of each feature's observed values (1 where it is
        0, the feature has no observed value, or ``standardize=False``).
    indicator_ : MissingIndicator or None
        The indicator appended to the output with ``add_indicator``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.impute.SimpleImputer : the mean (or median, ...) of each feature.
    sklearn.impute.KNNImputer : the mean of the nearest samples.
    sklearn.impute.IterativeImputer : each feature regressed on the others.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from skae import AutoencoderImputer
    >>> X = load_diabetes().data[:150]
    >>> X_missing = X.copy()
    >>> X_missing[np.random.RandomState(0).rand(*X.shape) < 0.2] = np.nan
    >>> imputer = AutoencoderImputer(random_state=0).fit(X_missing)
    >>> X_filled = imputer.transform(X_missing)
    >>> bool(np.isnan(X_filled).any())
    False
    >>> observed = ~np.isnan(X_missing)
    >>> bool((X_filled[observed] == X_missing[observed]).all())
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "transform", "inverse_transform"]),
                      None],
        "missing_values": [Real],
        "add_indicator": ["boolean"],
        "keep_empty_features": ["boolean"],
        "standardize": ["boolean"],
        "sample_posterior": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, missing_values=np.nan,
                 add_indicator=False, keep_empty_features=False,
                 standardize=True, sample_posterior=False,
                 random_state=None):
        store_params(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = is_scalar_nan(self.missing_values)
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _validate(self, X, reset):
        """``X`` as floats, the placeholder of a missing value as NaN."""
        nan = is_scalar_nan(self.missing_values)
        X = validate_data(self, X, reset=reset, dtype=[np.float64,
                                                       np.float32],
                          ensure_all_finite="allow-nan" if nan else True,
                          copy=not nan)
        if not nan:
            X[X == self.missing_values] = np.nan
        return X

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Standardise the features and fit the autoencoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples with missing values.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted imputer.
        """
        with restored_on_failure(self):
            self._fit(X)
        return self

    def _fit(self, X):
        X = self._validate(X, reset=True)
        observed = ~np.isnan(X)
        keep = observed.any(axis=0)
        estimator = clone(self.estimator if self.estimator is not None
                          else _default_estimator(len(X)))
        if self.sample_posterior and not hasattr(estimator,
                                                 "_draw_reconstructions"):
            raise ValueError(
                f"sample_posterior=True draws imputations from a posterior, "
                f"which {type(estimator).__name__} does not have; use a "
                "VariationalAE, or sample_posterior=False.")
        seed_unseeded(estimator, self.random_state)
        self.mean_, self.scale_ = _observed_moments(X, observed)
        if not self.standardize:
            self.mean_, self.scale_ = (np.zeros_like(self.mean_),
                                       np.ones_like(self.scale_))
        estimator.fit(self._standardised(X)[:, keep])
        self.estimator_, self._keep = estimator, keep
        self.indicator_ = (MissingIndicator(
            error_on_new=False).fit(X) if self.add_indicator else None)

    def _standardised(self, X, keep=slice(None)):
        """``X`` (the features ``keep``) standardised as in ``fit``."""
        return ((X - self.mean_[keep].astype(X.dtype))
                / self.scale_[keep].astype(X.dtype))

    def transform(self, X):
        """Fill in the missing values of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples with missing values (a row may have none, or all).

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features_out)
            ``X`` with its missing entries replaced and its observed
            entries as they were, in its dtype; without the features that
            had no observed value in ``fit`` (unless
            ``keep_empty_features``), and with the indicator's columns
            appended with ``add_indicator``.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        missing = np.isnan(X)
        out = X.copy()
        rows = np.flatnonzero(missing[:, self._keep].any(axis=1))
        if len(rows):
            filled = self._reconstruct(X[rows][:, self._keep])
            block = out[rows][:, self._keep]
            block[missing[rows][:, self._keep]] = filled[
                missing[rows][:, self._keep]]
            out[np.ix_(rows, np.flatnonzero(self._keep))] = block
        out = out if self.keep_empty_features else out[:, self._keep]
        out[np.isnan(out)] = 0.0  # the features never observed in fit
        if self.indicator_ is None:
            return out
        return np.hstack([out, self.indicator_.transform(X).astype(
            out.dtype)])

    def _reconstruct(self, X):
        """Reconstructions of the rows of ``X`` (the kept features), in
        the input's units."""
        Z = self._standardised(X, self._keep)
        if self.sample_posterior:
            Z_hat = self.estimator_._draw_reconstructions(Z,
                                                          self.random_state)
        else:
            Z_hat = self.estimator_.inverse_transform(
                self.estimator_.transform(Z))
        keep = self._keep
        return (np.asarray(Z_hat, dtype=X.dtype)
                * self.scale_[keep].astype(X.dtype)
                + self.mean_[keep].astype(X.dtype))

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: the kept input features, then the
        indicator's.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names (default: ``feature_names_in_``, else
            ``x0, x1, ...``).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = check_feature_names_in(self, input_features)
        kept = names if self.keep_empty_features else names[self._keep]
        if self.indicator_ is None:
            return kept
        return np.concatenate(
            [kept, self.indicator_.get_feature_names_out(names)])


def _observed_moments(X, observed):
    """Mean and standard deviation of each feature's observed values
    (0 and 1 for a feature with none; a standard deviation of 0 is 1)."""
    count = observed.sum(axis=0)
    filled = np.where(observed, X, 0).astype(np.float64)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    centred = np.where(observed, X - mean, 0).astype(np.float64)
    std = np.sqrt((centred ** 2).sum(axis=0) / np.maximum(count, 1))
    return mean, np.where(std > 0, std, 1.0)
