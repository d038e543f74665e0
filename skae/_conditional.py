"""Conditional autoencoders: trained on class labels, they generate and
decode samples of a requested class (:class:`ConditionalVAE`,
:class:`ConditionalAdversarialAE`)."""

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from ._adversarial import AdversarialAE
from ._checks import check_positive_int
from ._compat import Interval
from ._parameters import store_params
from ._variational import VariationalAE
from .nn import ConditionalAdversarialMLP, ConditionalVariationalMLP


class ConditionalMixin:
    """Class labels for an autoencoder whose decoder takes the code
    followed by the one-hot class (``module_.condition``).

    ``fit(X, y)`` requires ``y`` (any labels scikit-learn's classifiers
    accept; every sample labeled: -1, the semi-supervised mark of an
    unlabeled sample, is refused) and sets ``classes_`` and
    ``class_prior_``. The first ``partial_fit`` call fixes the classes:
    its chunk must hold every class; later chunks may not add one. The
    batches carry the field ``labels``, the class indices.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    class_prior_ : ndarray of shape (n_classes,)
        Share of each class among the training samples (of the first
        ``partial_fit`` chunk): the classes :meth:`sample` draws without
        ``y``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _training_data(self, X, y, sample_weight, reset):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the "
                "target y is None: the class of each sample.")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if y.dtype.kind in "iuf" and np.any(y == -1):
            raise ValueError(
                f"y holds -1, which marks an unlabeled sample "
                "(sklearn.semi_supervised's convention); "
                f"{type(self).__name__} needs the class of every sample. "
                "Drop the unlabeled samples, or encode the classes otherwise.")
        if reset:
            self.classes_, counts = np.unique(y, return_counts=True)
            self.class_prior_ = counts / counts.sum()
        return super()._training_data(X, y, sample_weight, reset)

    def _network_options(self):
        return {**super()._network_options(), "n_classes": len(self.classes_)}

    def _build_attributes(self):
        return {**super()._build_attributes(), "classes_": self.classes_}

    def _batch_fields(self, X, y=None):
        check_consistent_length(X, y)
        return {"labels": self._class_indices(y, X.shape[0])}

    def _class_indices(self, y, n_samples):
        """Indices in ``classes_`` of the labels ``y`` (one label for all,
        or one per sample)."""
        y = np.asarray(y)
        labels = np.full(n_samples, y.item()) if y.ndim == 0 else y.ravel()
        if len(labels) != n_samples:
            raise ValueError(f"y has {len(labels)} labels for {n_samples} "
                             "samples; give one label or one per sample.")
        index = np.searchsorted(self.classes_, labels)
        index = np.minimum(index, len(self.classes_) - 1)
        unseen = self.classes_[index] != labels
        if np.any(unseen):
            raise ValueError(
                f"y holds labels {np.unique(labels[unseen]).tolist()[:5]} "
                f"that are not among the classes of the training data, "
                f"{self.classes_.tolist()}.")
        return index.astype(np.int64)

    def _decode_as(self, Z, index, random_state=None):
        """Decode the codes ``Z`` as the classes of indices ``index``
        (``random_state`` for what :meth:`sample` draws)."""
        one_hot = np.eye(len(self.classes_), dtype=Z.dtype)[index]
        return self._decoded(
            self._map_batches(np.hstack([Z, one_hot]), "decode"),
            random_state)

    def inverse_transform(self, X, y=None):
        """Decode codes as samples of the classes ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, for example the output of :meth:`transform`.
        y : label or array-like of shape (n_samples,)
            The class of every sample (one label), or of each; required.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
            The decoded samples, in the dtype of the codes.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float32, np.float64],
                        input_name="codes")
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"inverse_transform expects codes with n_components="
                f"{self.n_components} columns; got {Z.shape[1]} columns.")
        if y is None:
            raise ValueError(
                f"{type(self).__name__}.inverse_transform needs y, the class "
                "to decode the codes as (one label, or one per code).")
        return self._decode_as(Z, self._class_indices(y, Z.shape[0]))

    def sample(self, n_samples=1, y=None, random_state=None):
        """Generate samples of the classes ``y``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.
        y : label or array-like of shape (n_samples,), default=None
            The class of every sample (one label), or of each; None draws
            the classes with the frequencies of the training labels
            (``class_prior_``).
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            Generated samples (float32).
        """
        check_is_fitted(self)
        check_positive_int(n_samples, "n_samples")
        rng = check_random_state(random_state)
        index = (rng.choice(len(self.classes_), n_samples,
                            p=self.class_prior_) if y is None
                 else self._class_indices(y, n_samples))
        codes = self._sample_codes(n_samples, rng).astype(np.float32)
        return self._decode_as(codes, index, rng)


class ConditionalVAE(ConditionalMixin, VariationalAE):
    """Conditional variational autoencoder (Sohn et al., 2015; Kingma et
    al., 2014).

    A :class:`VariationalAE` whose decoder also takes the class of each
    sample: ``fit(X, y)`` learns p(x | z, c) with the code z drawn from the
    encoder's q(z|x) and c the one-hot label. By default the encoder does
    not see the label, so :meth:`transform` needs none: it returns the
    posterior means, codes of the style that the decoder completes with a
    class. The KL term rewards codes that leave out what the label says,
    but a large code may still carry it, and then the decoder learns to
    ignore the label and samples follow ``y`` less. Two options keep the
    class out of the code: ``class_adversary_weight`` trains the encoder
    against a classifier of its codes, and ``conditional_encoder`` gives
    the encoder the label as well (measurements in the Notes; a smaller
    ``n_components`` or a ``beta`` above 1 also help, at a cost in ELBO).
    :meth:`sample` decodes prior draws as the requested classes
    (``sample(n, y=3)``), :meth:`inverse_transform` decodes codes as any
    class (``inverse_transform(transform(X), y=k)`` redraws ``X`` as class
    ``k``). ``score_samples`` is the ELBO of ``log mean_c p(x|c)``, the
    classes equally likely, and :meth:`log_likelihood` its importance
    estimate. The classifier tags are not set: it predicts no label.

    Parameters
    ----------
    conditional_encoder : bool, default=False
        Give the encoder the class too: q(z|x, c), the encoder of Sohn et
        al. (2015), whose first layer takes the one-hot label after the
        sample. :meth:`transform` still needs no label: it returns the
        mean of the posterior mixture ``sum_c p(c|x) q(z|x, c)``, with
        ``p(c|x)`` from the ELBO of ``x`` given each class at that class's
        posterior mean (the classes equally likely), at the cost of
        decoding each sample once per class. The scores use each class's
        own posterior. ``encoder_module`` is not available (the encoder
        takes the class). Alone it leaves much of the class in the code;
        with ``class_adversary_weight`` it keeps the ELBO of the plain
        model (Notes).
    class_adversary_weight : float, default=0.0
        Train a small classifier of the codes (one hidden layer of 128
        units, ``module_.class_adversary``) to tell the class of each
        training sample from its code, and the encoder to defeat it with
        this weight: the classifier's cross-entropy reaches the encoder's
        gradient multiplied by ``-class_adversary_weight`` (a gradient
        reversal, as the Fader networks of Lample et al., 2017). The code
        then leaves the class to the label, and samples follow ``y``. 0
        turns it off. The cross-entropy is recorded per epoch in
        ``net_.history`` as ``train_class_adversary`` (``log n_classes``
        when the codes tell nothing of the class); the validation loss
        leaves it out. The weight counts against the ELBO in nats per
        sample: 5 suits MNIST's 784 Bernoulli pixels; a stronger weight
        costs ELBO (Notes).

    Attributes
    ----------
    module_ : skae.nn.ConditionalVariationalMLP
        The trained network; its decoder takes ``n_components + n_classes``
        inputs (the code, then the one-hot class).

    See Also
    --------
    VariationalAE : the same without labels.
    PretrainedClassifier : learns to predict the labels.

    Notes
    -----
    The share of samples read as their class with each option, and what
    the options cost in held-out ELBO, are measured on MNIST in the user
    guide (:ref:`choosing`). With ``conditional_encoder``, fits take
    about 10% longer and :meth:`transform` decodes each sample once per
    class.

    References
    ----------
    Sohn, K., Lee, H. and Yan, X. (2015). Learning structured output
    representation using deep conditional generative models. NeurIPS.

    Kingma, D. P., Rezende, D. J., Mohamed, S. and Welling, M. (2014).
    Semi-supervised learning with deep generative models. NeurIPS.

    Lample, G., Zeghidour, N., Usunier, N., Bordes, A., Denoyer, L. and
    Ranzato, M. (2017). Fader networks: manipulating images by sliding
    attributes. NeurIPS.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConditionalVAE
    >>> X, y = load_digits(return_X_y=True)
    >>> cvae = ConditionalVAE(n_components=4, hidden_layer_sizes=(64,),
    ...                       likelihood="bernoulli", max_iter=10,
    ...                       random_state=0).fit(X / 16, y)
    >>> cvae.sample(5, y=3, random_state=0).shape  # five threes
    (5, 64)
    >>> codes = cvae.transform(X[:2] / 16)
    >>> cvae.inverse_transform(codes, y=[7, 7]).shape  # redrawn as sevens
    (2, 64)
    """

    _network = ConditionalVariationalMLP

    _parameter_constraints = {
        "conditional_encoder": ["boolean"],
        "class_adversary_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", likelihood="gaussian",
                 output_scale="learned", beta=1.0, kl_warmup=0,
                 conditional_encoder=False, class_adversary_weight=0.0,
                 binarize_input="auto", average=True, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping="auto", validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None):
        store_params(self, locals())

    def _network_options(self):
        return {**super()._network_options(),
                "conditional_encoder": self.conditional_encoder,
                "class_adversary_weight": self.class_adversary_weight}


class ConditionalAdversarialAE(ConditionalMixin, AdversarialAE):
    """Label-conditioned adversarial autoencoder (Makhzani et al., 2016).

    An :class:`AdversarialAE` whose decoder also takes the class of each
    sample, as in the paper's section "Incorporating label information in
    the adversarial regularization" (its supervised adversarial
    autoencoder): ``fit(X, y)`` trains the decoder on the code followed by
    the one-hot label, and the discriminator matches the codes alone to
    the ``prior``. The label need not be in the code, so the code keeps
    the style (the slant, the thickness of a digit) and :meth:`transform`
    needs no label. :meth:`sample` decodes prior draws as the requested
    classes (``sample(n, y=3)``), :meth:`inverse_transform` decodes codes
    as any class (``inverse_transform(transform(X), y=k)`` redraws ``X``
    as class ``k`` in its style). ``score_samples`` is the negative
    reconstruction error of each sample decoded as the class that
    reconstructs it best. The decoder's first layer has weights of its own
    for the class, so it cannot be tied to the encoder (there is no
    ``tied_weights``). The classifier tags are not set: it predicts no
    label.

    Parameters
    ----------

    Attributes
    ----------
    module_ : skae.nn.ConditionalAdversarialMLP
        The trained network; its decoder takes ``n_components + n_classes``
        inputs (the code, then the one-hot class).

    See Also
    --------
    AdversarialAE : the same without labels.
    ConditionalVAE : the variational counterpart.

    References
    ----------
    Makhzani, A., Shlens, J., Jaitly, N., Goodfellow, I. and Frey, B.
    (2016). Adversarial autoencoders. ICLR workshop; arXiv:1511.05644.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConditionalAdversarialAE
    >>> X, y = load_digits(return_X_y=True)
    >>> caae = ConditionalAdversarialAE(
    ...     n_components=4, hidden_layer_sizes=(64,),
    ...     discriminator_layer_sizes=(32,), max_iter=10,
    ...     random_state=0).fit(X / 16, y)
    >>> caae.sample(5, y=3, random_state=0).shape  # five threes
    (5, 64)
    >>> codes = caae.transform(X[:2] / 16)
    >>> caae.inverse_transform(codes, y=[7, 7]).shape  # redrawn as sevens
    (2, 64)
    """

    _network = ConditionalAdversarialMLP

    #: the first decoder layer also takes the class: no weight tying
    tied_weights = False

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", code_activation="identity",
                 out_activation="identity", loss="mse",
                 init="variance_scaling", prior="normal",
                 prior_components=10, discriminator_layer_sizes=(256, 256),
                 alpha=0.0, batch_size="auto", max_iter=200,
                 learning_rate=1e-3, learning_rate_schedule="adaptive",
                 adversarial_learning_rate=2e-4, optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu", precision="float32",
                 categorical_features=None,
                 callbacks=None):
        store_params(self, locals())
