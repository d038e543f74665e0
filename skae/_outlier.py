"""AutoencoderOutlierDetector: an autoencoder's scores as an outlier
detector."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import HasMethods, Interval, StrOptions, fit_context
from ._inner import seed_unseeded
from ._parameters import DeclaredParamsMixin, store_params
from ._stacked import StackedAE
from ._training import restored_on_failure

#: Tukey's fence for ``contamination="auto"``: flag the training scores more
#: than this many interquartile ranges below the first quartile.
_AUTO_FENCE = 1.5


class AutoencoderOutlierDetector(DeclaredParamsMixin, OutlierMixin,
                                 BaseEstimator):
    """Outlier detection with an autoencoder's reconstruction error.

    An autoencoder trained on (mostly) normal samples reconstructs samples
    like them well and unusual samples badly. This detector fits a clone of
    ``autoencoder`` and scores samples with the autoencoder's own
    ``score_samples``: the negative reconstruction error for the
    deterministic autoencoders, the evidence lower bound (ELBO) for
    :class:`VariationalAE`. It follows scikit-learn's outlier-detector
    convention (:class:`~sklearn.ensemble.IsolationForest`,
    :class:`~sklearn.neighbors.LocalOutlierFactor`): higher
    :meth:`score_samples` is more normal, :meth:`decision_function` is
    ``score_samples(X) - offset_`` (negative for outliers) and
    :meth:`predict` returns +1 for inliers and -1 for outliers.

    Parameters
    ----------
    autoencoder : skae autoencoder, default=None
        The (unfitted) autoencoder; it is cloned and fitted on ``X`` in
        :meth:`fit`. None means ``StackedAE(batch_size=64, max_iter=100)``:
        fewer, larger steps than ``StackedAE()``, for the few hundred
        samples a detector is often fitted on (see the user guide's
        "Outlier detection"). Any estimator with ``fit``
        and ``score_samples`` (higher = more normal) works; to reuse an
        autoencoder fitted before, wrap it in
        :class:`sklearn.frozen.FrozenEstimator`.
    contamination : float in (0, 0.5] or "auto", default=0.1
        The expected share of outliers in the training data; it only sets
        the threshold ``offset_``, not the scores. A float flags that share
        of the training samples: ``offset_`` is the ``contamination``
        quantile of their scores, as
        :class:`~sklearn.ensemble.IsolationForest` does (but see the Notes
        for new data). ``"auto"`` flags the training samples whose
        score lies more than 1.5 interquartile ranges below the first
        quartile of the training scores (Tukey's fence; for reconstruction
        errors, more than 1.5 IQR above the third quartile). Why not a
        fixed offset, as ``"auto"`` means for IsolationForest (-0.5) and
        LocalOutlierFactor (-1.5): those scores have a scale of their own,
        a reconstruction error or an ELBO does not (it depends on the data's
        units, the number of features and the model), so no constant can
        mean "far from normal". The fence is a rule on the training scores
        that does not assume a share of outliers, is unchanged by rescaling
        the scores, and, being based on quartiles, is not moved by the
        outliers it is looking for (a mean plus three standard deviations
        is).
    random_state : int, RandomState instance or None, default=None
        Seeds the autoencoder, as scikit-learn's ensembles seed theirs: each
        ``random_state`` parameter of the clone that :meth:`fit` trains
        (nested ones too, such as a pipeline step's) that is None gets a
        seed drawn from ``random_state``; a seed the autoencoder already has
        is kept, as :class:`PretrainedClassifier` does. Pass an int for
        the same ``offset_`` and :meth:`predict` from every fit. None leaves
        the autoencoder as it is: the default autoencoder is then
        unseeded, and two fits disagree on a few labels.

    Attributes
    ----------
    autoencoder_ : skae autoencoder
        The autoencoder fitted on ``X``.
    offset_ : float
        The threshold on :meth:`score_samples`: samples scoring below it
        are outliers, ``decision_function(X) = score_samples(X) - offset_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    StackedAE : the default autoencoder; its ``score_samples`` is the
        negative reconstruction error.
    VariationalAE : scores by the evidence lower bound (ELBO).
    sklearn.ensemble.IsolationForest : isolation-based outlier detection.
    sklearn.neighbors.LocalOutlierFactor : density-based outlier detection
        (``novelty=True`` to score new data).
    sklearn.svm.OneClassSVM : kernel-based novelty detection.
    skae.plotting.plot_score_histogram : the scores and ``offset_`` drawn.

    Notes
    -----
    The threshold is set on the training samples, which the autoencoder has
    learned to reconstruct: new normal samples score lower. How much lower
    depends on how well the autoencoder generalises; a large network
    trained long on few samples memorises them (``StackedAE()``
    fitted on 400 MNIST digits of one class scores most held-out digits of
    that class below a ``contamination=0.1`` threshold; see
    ``benchmarks/outlier.py``). For novelty detection, where ``predict``
    should flag about ``contamination`` of new normal samples, set the
    threshold on normal samples the autoencoder was not trained on, with
    the fitted autoencoder frozen::

        detector = AutoencoderOutlierDetector(ae).fit(X_fit)
        calibrated = AutoencoderOutlierDetector(
            FrozenEstimator(detector.autoencoder_),
            contamination=0.1).fit(X_calibration)

    as scikit-learn calibrates a fitted classifier with
    ``CalibratedClassifierCV(FrozenEstimator(clf))``. Early stopping
    (``early_stopping=True`` on the autoencoder) also narrows the gap. The
    ranking that :meth:`score_samples` gives (what a ROC curve measures)
    does not depend on the threshold.

    Scores are the autoencoder's: scale the data as it needs (for example
    with :class:`~sklearn.preprocessing.MinMaxScaler` in a
    :class:`~sklearn.pipeline.Pipeline`), since features on a large scale
    dominate a squared reconstruction error.

    PyOD's detectors use the opposite sign: their ``decision_function`` is
    higher for outliers, and their ``decision_scores_`` on the training set
    are ``-score_samples(X_train)`` here.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.metrics import roc_auc_score
    >>> from skae import AutoencoderOutlierDetector, StackedAE
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> zeros, others = X[y == 0], X[y != 0]
    >>> detector = AutoencoderOutlierDetector(
    ...     StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=50,
    ...               random_state=0),
    ...     contamination=0.05).fit(zeros[:150])
    >>> float((detector.predict(zeros[:150]) == -1).mean())  # 5% of training
    0.053...
    >>> bool((detector.predict(others) == -1).mean() > 0.95)  # other digits
    True
    >>> scores = detector.score_samples(np.vstack([zeros[150:], others]))
    >>> is_zero = np.r_[np.ones(len(zeros) - 150), np.zeros(len(others))]
    >>> bool(roc_auc_score(is_zero, scores) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        "autoencoder": [HasMethods(["fit", "score_samples"]), None],
        "contamination": [StrOptions({"auto"}),
                          Interval(Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(self, autoencoder=None, *, contamination=0.1,
                 random_state=None):
        store_params(self, locals())

    def _autoencoder(self):
        if self.autoencoder is None:
            return StackedAE(batch_size=64, max_iter=100)
        return self.autoencoder

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._autoencoder())
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        # a table's columns (categorical_features) go to the autoencoder
        # as they are
        tags.input_tags.categorical = inner.input_tags.categorical
        tags.input_tags.string = inner.input_tags.string
        tags.non_deterministic = inner.non_deterministic
        return tags

    def _validate(self, X, reset):
        if self.__sklearn_tags__().input_tags.string:
            # the autoencoder encodes the table's columns itself
            return validate_data(self, X, reset=reset, skip_check_array=True)
        return validate_data(
            self, X, reset=reset,
            accept_sparse="csr" if self.__sklearn_tags__().input_tags.sparse
            else False,
            ensure_all_finite=not self.__sklearn_tags__().input_tags.allow_nan,
            dtype=[np.float32, np.float64])

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder on ``X`` and set the threshold ``offset_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training samples, mostly normal (see ``contamination``).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted detector.
        """
        # Bad input or a failing autoencoder must leave the detector as it
        # was (the previous fit's attributes included).
        with restored_on_failure(self):
            self._fit(X)
        return self

    def _fit(self, X):
        X = self._validate(X, reset=True)
        autoencoder = clone(self._autoencoder())
        seed_unseeded(autoencoder, self.random_state)
        autoencoder.fit(X, None)  # (FrozenEstimator.fit requires y)
        scores = np.asarray(autoencoder.score_samples(X), dtype=np.float64)
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                f"The fitted {type(autoencoder).__name__} gives non-finite "
                "scores on its training data (did training diverge?); try a "
                "smaller learning_rate or scale X.")
        if self.contamination == "auto":
            q1, q3 = np.percentile(scores, [25.0, 75.0])
            offset = q1 - _AUTO_FENCE * (q3 - q1)
        else:
            offset = np.percentile(scores, 100.0 * self.contamination)
        self.autoencoder_ = autoencoder
        self.offset_ = float(offset)

    def score_samples(self, X):
        """The autoencoder's score of each sample (lower is more abnormal).

        The negative reconstruction error for the deterministic
        autoencoders, the ELBO for :class:`VariationalAE`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            float64.
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return np.asarray(self.autoencoder_.score_samples(X),
                          dtype=np.float64)

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            float64; below 0 for outliers, 0 or above for inliers.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for an inlier, -1 for an outlier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        is_inlier : ndarray of shape (n_samples,)
            int; -1 where ``decision_function(X) < 0``, else +1.
        """
        decision = self.decision_function(X)
        is_inlier = np.ones(decision.shape[0], dtype=int)
        is_inlier[decision < 0] = -1
        return is_inlier
