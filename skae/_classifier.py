"""PretrainedClassifier: unsupervised pretraining for scarce labels."""

import contextlib
import copy
import functools
from numbers import Integral, Real

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import _EVAL_BATCH_SIZE
from ._checks import positive_ints
from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    fit_context,
    safe_indexing,
)
from ._corruption import NoiseParamsMixin
from ._parameters import store_params
from ._stacked import StackedAE
from ._training import (
    ClassifierNet,
    HoldoutSplit,
    NetTrainingMixin,
    TrainingData,
    map_batches,
)
from .nn import ACTIVATIONS, ClassifierObjective, EncoderClassifier


def _unlabeled(y):
    """Mask of the samples labeled -1 (unlabeled, as sklearn.semi_supervised).

    String labels cannot be -1, so with them every sample is labeled.
    """
    y = np.asarray(y)
    if y.dtype.kind in "biufO":
        return np.asarray(y == -1, dtype=bool).reshape(y.shape)
    return np.zeros(y.shape, dtype=bool)


class PretrainedClassifier(NoiseParamsMixin, NetTrainingMixin, ClassifierMixin,
                           BaseEstimator):
    """Neural network classifier on an autoencoder's pretrained encoder.

    ``fit`` first trains ``autoencoder`` on all of ``X`` without labels
    (unsupervised pretraining), then puts dense layers and a softmax layer on
    top of its encoder and trains the whole network on the labeled samples,
    fine-tuning the encoder unless it is frozen. Samples labeled ``-1`` are
    unlabeled, as in :mod:`sklearn.semi_supervised`. This is the
    "unsupervised pretraining" of Géron's *Hands-On Machine Learning*
    (ch. 15) for a large data set with few labels. The network is trained
    by a skorch ``NeuralNetClassifier`` (``net_``) with the cross-entropy
    loss on the labeled samples.

    The unlabeled samples take part in the classifier stage too, through a
    consistency term (the Pi-model of Laine & Aila, "Temporal Ensembling
    for Semi-Supervised Learning", 2017): every training input is
    corrupted by ``noise``, and the loss adds ``consistency`` times the
    squared distance between the class probabilities of two corruptions
    of each sample, so the classifier learns to give nearby samples, labeled
    or not, the same class. An epoch then passes over every sample, the
    labeled ones repeated to about as many as the unlabeled ones.
    ``consistency=0`` and ``noise=None`` give the plain fine-tuning on the
    labeled samples of the tutorial.

    Parameters
    ----------
    autoencoder : skae autoencoder, default=None
        The (unfitted) autoencoder to pretrain, for example
        ``StackedAE(n_components=150, hidden_layer_sizes=(300,),
        pretraining="greedy")``; it is cloned, and fitted on all of ``X``.
        None means ``StackedAE()``. When its ``random_state`` is None, the
        clone gets one drawn from ``random_state``. An autoencoder with
        ``max_iter=0`` (and no pretraining) leaves the encoder at its random
        initialisation: the same network without pretraining. To reuse an
        autoencoder fitted before (on more unlabeled data, or once for
        several classifiers), wrap it in ``sklearn.frozen.FrozenEstimator``.
    hidden_layer_sizes : tuple of int, default=()
        Dense layers between the code and the softmax layer; ``()`` puts the
        softmax layer directly on the code.
    activation : {"elu", "relu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="elu"
        Activation of those dense layers.
    freeze : {"none", "all"} or int, default="none"
        Encoder layers left as pretrained: ``"none"`` fine-tunes the whole
        encoder, ``"all"`` trains only the layers on top of it, an int ``n``
        freezes the lowest ``n`` encoder layers (the input side). Freezing
        suits very few labels.
    consistency : float, default=1.0
        Weight of the consistency term: the squared distance between the
        class probabilities of two corruptions of a sample, summed over the
        classes, averaged over the batch, labeled samples included. It uses
        the unlabeled samples; 0 trains on the labeled samples alone.
        Needs ``noise``.
    noise : {"gaussian", "masking", "salt_pepper"} or None, \
default="gaussian"
        Corruption of the classifier's training inputs (the same kinds as
        :class:`DenoisingAE`'s): ``"gaussian"`` adds N(0, noise_level^2)
        noise to every input; ``"masking"`` sets a random fraction
        ``noise_level`` of the inputs to 0; ``"salt_pepper"`` sets that
        fraction to 0 or 1 and needs X in [0, 1]. None trains on the inputs
        as they are (and needs ``consistency=0``). Predictions never
        corrupt their input.
    noise_level : float, default=0.3
        Standard deviation of the Gaussian noise (in the units of X: 0.3
        suits pixels in [0, 1] and standardised features), or the fraction
        of inputs corrupted by the other two.
    alpha : float, default=0.0
        L2 penalty on the weights of the classifier network.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` gives about 40 steps per epoch
        (``n // 40`` clipped to [16, 200], ``n`` the rows of an epoch).
    max_iter : int, default=200
        Maximum number of epochs: passes over the labeled samples, or with
        ``consistency`` and unlabeled samples over every sample (the
        labeled ones repeated).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the labeled samples, stop when
        their loss stops improving and keep the best epoch's parameters.
    validation_fraction : float, default=0.1
        Share of the labeled samples held out when ``early_stopping=True``.
    random_state : int, RandomState instance or None, default=None
        Seeds the classifier's initialisation and shuffling (and the
        autoencoder's when its own ``random_state`` is None). torch's global
        random state is neither read nor changed.
    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Where to train the classifier (the autoencoder has its own
        ``device``).
    callbacks : list of skorch callbacks, default=None
        Extra callbacks for the classifier's skorch training loop.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (without -1).
    autoencoder_ : skae autoencoder
        The autoencoder fitted on all of ``X``; its network is left as
        pretrained.
    encoder_ : torch.nn.Module
        The classifier's trained encoder (fine-tuned unless frozen), a
        :class:`skae.nn.Encoder`: maps a float32 batch to codes.
    module_ : skae.nn.EncoderClassifier
        The trained network (``encoder_`` and ``module_.head``).
    net_ : skae._net.ClassifierNet
        The skorch ``NeuralNetClassifier`` that trained it.
    loss_curve_ : list of float
        Training cross-entropy per epoch.

    See Also
    --------
    StackedAE : the autoencoder to pretrain; ``encoder_module()`` gives its
        encoder for networks of your own.
    sklearn.neural_network.MLPClassifier : the same kind of network trained
        from random initialisation.
    sklearn.semi_supervised.SelfTrainingClassifier : another way to use
        unlabeled samples (labeled -1).

    Notes
    -----
    Because ``-1`` marks unlabeled samples, ``-1`` cannot be a class label
    (as for :mod:`sklearn.semi_supervised`); scikit-learn's
    ``check_classifiers_classes`` check, which ends with the labels
    ``{-1, 1}``, fails for that reason. String labels are never unlabeled.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import PretrainedClassifier, StackedAE
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> y_semi = np.where(np.arange(len(y)) < 200, y, -1)  # 200 labels
    >>> clf = PretrainedClassifier(
    ...     StackedAE(n_components=16, hidden_layer_sizes=(32,), max_iter=10),
    ...     max_iter=20, random_state=0).fit(X, y_semi)
    >>> clf.classes_
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> clf.predict_proba(X[:2]).shape
    (2, 10)
    >>> bool(clf.score(X[200:], y[200:]) > 0.6)
    True
    """

    #: The skorch net class that trains the network.
    _net_class = ClassifierNet

    _parameter_constraints: dict = {
        "autoencoder": [HasMethods(["fit", "encoder_module"]), None],
        "hidden_layer_sizes": ["array-like", Integral],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "freeze": [StrOptions({"none", "all"}),
                   Interval(Integral, 0, None, closed="left")],
        "consistency": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, autoencoder=None, *, hidden_layer_sizes=(),
                 activation="elu", freeze="none", consistency=1.0,
                 noise="gaussian", noise_level=0.3, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, device="cpu",
                 precision="float32", callbacks=None):
        store_params(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Pretrain the autoencoder on ``X``, then train the classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, labeled and unlabeled.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks an unlabeled sample (numeric labels
            only), used by the autoencoder stage alone.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        # Bad input or a diverging run must leave the estimator as it was.
        with self._restored_on_failure():
            self._train(self._training_data(X, y, reset=True))
        return self

    def _training_data(self, X, y, classes=None, reset=True):
        """``X`` and ``y`` validated, as ``TrainingData`` whose ``labels``
        are class indices (-1: unlabeled); sets ``classes_``."""
        X, y = validate_data(self, X, y, reset=reset, accept_sparse="csr",
                             dtype=[np.float32, np.float64])
        labeled = ~_unlabeled(y)
        self.classes_ = self._classes(y[labeled], classes, reset)
        unknown = np.setdiff1d(y[labeled], self.classes_)
        if len(unknown):
            raise ValueError(
                f"y holds labels {unknown.tolist()[:5]} that are not in "
                f"classes={self.classes_.tolist()}.")
        targets = np.full(len(y), -1, dtype=np.int64)
        targets[labeled] = np.searchsorted(self.classes_, y[labeled])
        if reset:
            self._check_noise(X)  # before the autoencoder's long fit
        return TrainingData(X, labels=targets)

    def _classes(self, labels, classes, reset):
        """The classes of a fit (those of ``labels``) or of a
        ``partial_fit`` stream (``classes``, required on the first call)."""
        if classes is None and not reset:
            return self.classes_
        if classes is not None:
            classes = np.unique(np.asarray(classes))
            check_classification_targets(classes)
            if not reset and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the classes of "
                    f"the first call to partial_fit, "
                    f"{self.classes_.tolist()}.")
            if len(classes) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; got "
                    f"classes={classes.tolist()}.")
            return classes
        if not len(labels):
            raise ValueError(
                f"{type(self).__name__} needs labeled samples; every label is "
                "-1 (unlabeled). To learn from X alone, fit the autoencoder.")
        check_classification_targets(labels)
        classes = np.unique(labels)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs labeled samples of at least 2 "
                f"classes; got 1 class ({classes[0]!r}).")
        return classes

    def _check_noise(self, X):
        if self.consistency > 0 and self.noise is None:
            raise ValueError(
                f"consistency={self.consistency} compares the class "
                "probabilities of two corruptions of each sample, so it needs "
                "noise; set noise (for example 'gaussian'), or consistency=0 "
                "to train on the labeled samples alone.")
        self._check_noise_level()
        self._check_noise_range(X)

    # -- the training path's hooks ---------------------------------------
    _net_class = ClassifierNet

    _kept_when_interrupted = (
        "the classifier keeps what it learned so far (its layers on the "
        "encoder are untrained if the autoencoder was interrupted)")

    def _objective(self):
        return functools.partial(ClassifierObjective,
                                 consistency=self.consistency,
                                 corruption=self._corruption())

    def _net_kwargs(self):
        # skorch's predictions (the validation accuracy) name the classes
        return {"classes": list(range(len(self.classes_)))}

    def _before_training(self, data, context):
        """Fit a clone of ``autoencoder`` on all of ``X`` (a new training
        only); its seed is the call's first draw when it has none."""
        if context.continues:
            return
        autoencoder = clone(self.autoencoder if self.autoencoder is not None
                            else StackedAE())
        seed = context.random.draw_seed()
        if autoencoder.get_params(deep=False).get("random_state", 0) is None:
            autoencoder.set_params(random_state=seed)
        # a Ctrl-C in the autoencoder's fit ends this one too
        autoencoder.fit(data.X, None)  # (FrozenEstimator.fit requires y)
        self.autoencoder_ = autoencoder

    def _new_module(self, data, context):
        """The classification network on a copy of the fitted encoder (or
        a copy of the fitted network, for a pass after ``fit``)."""
        if context.continues:
            return copy.deepcopy(self.module_)
        hidden = positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")
        encoder = self.autoencoder_.encoder_module()
        self._frozen_parameters(encoder)  # validates freeze
        return EncoderClassifier(
            encoder, self.autoencoder_.n_components, hidden,
            len(self.classes_), self.activation).to(context.device)

    def _uses_unlabeled(self, targets):
        """Whether the classifier trains on the unlabeled rows too."""
        return self.consistency > 0 and bool((targets < 0).any())

    def _training_rows(self, targets, held_out=None):
        """Row indices of one training pass: the labeled rows or, when
        the unlabeled rows take part (``consistency``), every row with the
        labeled ones repeated to about as many as the unlabeled ones, so
        that the cross-entropy is not drowned by the consistency term.
        ``held_out`` rows (validation) are left out. None without labeled
        rows (a ``partial_fit`` chunk: it trains nothing)."""
        labeled = np.flatnonzero(targets >= 0)
        if held_out is not None:
            labeled = np.setdiff1d(labeled, held_out)
        if not len(labeled) or not self._uses_unlabeled(targets):
            return labeled
        unlabeled = np.flatnonzero(targets < 0)
        repeats = max(1, round(len(unlabeled) / len(labeled)))
        return np.concatenate([np.tile(labeled, repeats), unlabeled])

    def _split(self, data, context):
        """The training rows, and with unlabeled rows and
        ``early_stopping`` a held-out split of the labeled rows alone."""
        targets = data.fields["labels"]
        n_labeled = int((targets >= 0).sum())
        if context.partial or not self._uses_unlabeled(targets) \
                or not self._holds_out(n_labeled):
            return data.take(self._training_rows(targets)), None
        labeled = np.flatnonzero(targets >= 0)
        _, valid = HoldoutSplit(self.validation_fraction).split_rows(
            n_labeled, what="labeled samples")
        held_out = labeled[valid.numpy()]
        return (data.take(self._training_rows(targets, held_out)),
                data.take(held_out))

    @contextlib.contextmanager
    def _frozen(self, module):
        """The frozen encoder layers (``freeze``) do not train in the block;
        their optimizer leaves them out."""
        frozen = self._frozen_parameters(module.encoder)
        for p in frozen:
            p.requires_grad_(False)
        try:
            yield
        finally:
            for p in frozen:  # frozen for training only
                p.requires_grad_(True)

    @fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y, classes=None):
        """One pass of the classifier's training over the labeled rows of
        ``X``, continuing the previous passes.

        The first call fits the autoencoder on all of ``X`` (its own
        ``fit``: pretraining needs the unlabeled data at once) and builds
        the classifier on its encoder; every call, the first included,
        then trains the classifier one epoch on the chunk (its labeled rows,
        and with ``consistency`` its unlabeled rows too, the labeled ones
        repeated as in ``fit``), keeping the optimizer's state between
        calls, as ``MLPClassifier.partial_fit`` does. A chunk without
        labeled rows trains nothing. There is no stopping rule and no
        held-out split.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data, labeled and unlabeled.
        y : array-like of shape (n_samples,)
            Class labels; ``-1`` marks an unlabeled sample.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole stream. Required on the first call
            (a chunk may lack some classes), ignored when equal later.

        Returns
        -------
        self : object
            The classifier, trained one more pass.
        """
        with self._restored_on_failure():
            first = not hasattr(self, "net_")
            if first and classes is None:
                raise ValueError(
                    "classes must be given on the first call to partial_fit: "
                    "every class of the stream (a chunk may lack some).")
            self._train(self._training_data(X, y, classes, reset=first),
                        partial=True)
        return self

    def _rebuild_module(self):
        encoder = self.autoencoder_.encoder_module()
        return EncoderClassifier(
            encoder, self.autoencoder_.n_components,
            positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes"),
            len(self.classes_), self.activation)

    @property
    def encoder_(self):
        """The classifier's trained encoder (``module_.encoder``)."""
        return self.module_.encoder

    def _frozen_parameters(self, encoder):
        if self.freeze == "none" or self.freeze == 0:
            return []
        if self.freeze == "all":
            return list(encoder.parameters())
        try:
            layers = encoder.layers()
        except (AttributeError, NotImplementedError):
            raise ValueError(
                f"freeze={self.freeze} needs an autoencoder whose network "
                "lists its encoder layers; "
                f"{type(self.autoencoder_).__name__}'s "
                "does not. "
                "Use freeze='all' or freeze='none'."
            ) from None
        if self.freeze > len(layers):
            raise ValueError(
                f"freeze={self.freeze}, but the encoder of "
                f"{type(self.autoencoder_).__name__} has {len(layers)} "
                "layers; "
                f"freeze at most {len(layers)} (or use freeze='all')."
            )
        return [p for layer in layers[:self.freeze]
                for p in layer.parameters()]

    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr",
                          dtype=[np.float32, np.float64])
        out = map_batches(self.module_, X, self.net_.device,
                          batch_size=_EVAL_BATCH_SIZE,
                          precision=getattr(self.net_, "precision", None))
        return out.astype(np.float64)

    def predict_proba(self, X):
        """Class probabilities of the samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to classify.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return softmax(self._logits(X), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of the samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose log-probabilities are computed.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; computed from the logits,
            so tiny probabilities keep their logarithm.
        """
        return log_softmax(self._logits(X), axis=1)

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose classes are predicted.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels among ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[logits.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy on the labeled samples of ``X`` (labels -1 are skipped).

        Skipping unlabeled samples lets ``cross_val_score`` and
        ``GridSearchCV`` score partially labeled folds.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples; rows labeled -1 are skipped.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        keep = ~_unlabeled(np.asarray(y).ravel())
        if not keep.all():
            if not keep.any():
                raise ValueError("Every label is -1 (unlabeled); nothing to "
                                 "score.")
            index = np.flatnonzero(keep)
            X = safe_indexing(X, index)
            y = safe_indexing(y, index)
            if sample_weight is not None:
                sample_weight = safe_indexing(sample_weight, index)
        return super().score(X, y, sample_weight=sample_weight)
