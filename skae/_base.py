"""The scikit-learn side of every autoencoder: :class:`BaseAutoencoder`.

A variant composes :class:`BaseAutoencoder` with the private mixins of its
architecture (``_architecture.py``) and capabilities (``_sampling.py``,
``_corruption.py``, ``_greedy.py``), lists its parameters in an explicit
``__init__`` that stores them (:func:`store_params`), declares the
constraints and descriptions of the parameters it introduces, and
implements :meth:`BaseAutoencoder._build_module`. Validation, the random
state, building and training the skorch net, batching, ``transform``,
``inverse_transform``, ``sample`` and scoring live here once.
"""

import copy
import inspect
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    validate_data,
)

from ._checks import (
    check_positive_int,
    preferred_float_dtype,
    validate_row_array,
    validate_sample_weight,
    warn_unscaled,
)
from ._compat import Interval, fit_context
from ._dask import dask_blockwise
from ._missing import check_scorable, has_missing, observed_means
from ._training import (
    AutoencoderNet,
    NetTrainingMixin,
    TrainingData,
    is_row_array,
    map_batches,
    process_group,
)
from .nn import Encoder, FillMissing

#: Batch size for transform, inverse_transform and scoring.
_EVAL_BATCH_SIZE = 1024


class BaseAutoencoder(NetTrainingMixin, ClassNamePrefixFeaturesOutMixin,
                      TransformerMixin, BaseEstimator):
    """Base class for skae's autoencoders. Not for direct use.

    Subclasses implement ``_build_module(n_features)``, which returns an
    :class:`skae.nn.Autoencoder`, and ``_sample_codes(n_samples, rng)`` (or
    take it from a sampling mixin). Other hooks, all optional:
    ``_validate_input(X, reset)``, ``_check_data_range(X)``,
    ``_batch_fields(X, y)``, ``_pretrain(module, data, context)``,
    ``_finish_fit(X, rng)``, and the training hooks of
    :class:`skae._training.NetTrainingMixin` (``_net_class``,
    ``_callbacks(context)``, ``_net_kwargs()``,
    ``_burn_in_epochs(context)``).

    Parameters
    ----------
    n_components : int, default=32
        Size of the code.
    warm_start : bool, default=False
        Continue training the previous fit's network (with a new optimizer).

    Attributes
    ----------
    module_ : skae.nn.Autoencoder
        The trained network.
    net_ : skorch.NeuralNet
        The skorch net that trained it (its ``history`` holds every epoch).
    fill_values_ : ndarray of shape (n_features_in_,)
        What the network sees in place of a missing value (NaN) of each
        feature: the mean of the feature's observed values in the data of
        ``fit`` (or of the first ``partial_fit`` chunk). Training takes the
        loss over the observed entries only (see :ref:`missing-values`).
    missing_indicator_ : bool
        Whether the network's encoder also sees which values are missing
        (the mask of the observed values follows them at its input): the
        fully connected autoencoders do when the data of their first fit
        have missing values.
    """

    _net_class = AutoencoderNet

    #: Whether the network can see the mask of the observed values
    #: (``mask_input``), which the estimator then gives it when it trains on
    #: missing values.
    _mask_input = False

    @property
    def _network_sees_mask(self):
        """The ``mask_input`` of the network :meth:`_build_module` builds:
        set by the first fit on data with missing values."""
        return getattr(self, "missing_indicator_", False)

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
    }

    # ------------------------------------------------------------------
    # hooks for subclasses
    def _build_module(self, n_features):
        """Return a new :class:`skae.nn.Autoencoder` for ``n_features``."""
        raise NotImplementedError

    def _check_data_range(self, X):
        """Reject data the loss cannot model (fit and scoring call it).

        Mixins with such a rule extend it and call ``super()``.
        """

    def _batch_fields(self, X, y=None):
        """Per-sample fields of the training batches besides the input and
        ``sample_weight``, by name (default: none; ``y`` is ignored). Each
        is an array with one row per sample of ``X`` (an ndarray, a CSR
        matrix or an array on disk, sliceable by rows); the network's
        ``batch_loss`` receives the batch's rows of it as a keyword
        argument of the same name (and by default passes it on to
        ``loss_terms``). A variant that learns from ``y`` (labels to
        condition on) validates and encodes it here."""
        return {}

    def _network_width(self):
        """Width of the network's input (a table's one-hot is wider)."""
        return self.n_features_in_

    def _prepare_module(self, module):
        """A new network given what it takes from the fitted attributes
        (a table's layout); every network built goes through here."""
        return module

    def _decoded(self, X, random_state=None):
        """``decode``'s output as returned (``random_state`` when sampling:
        a table's categories are drawn)."""
        return X

    def _sample_codes(self, n_samples, rng):
        """Draw ``n_samples`` codes with the numpy generator ``rng``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define what its codes are drawn "
            "from; give it a sampling mixin or override _sample_codes.")

    # ------------------------------------------------------------------
    @property
    def _n_features_out(self):
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.target_tags.required = False
        return tags

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse rows are densified batch by batch.
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the training loss: each sample's
            reconstruction error (and its own penalty terms, such as the
            VAE's KL divergence) counts in proportion to its weight, as in
            ``MLPRegressor``. Non-negative, not all zero; None weighs all
            samples equally. Terms of a whole batch (a sparsity target on
            the batch's mean activations, the adversarial game) and what
            :meth:`sample` draws from are not weighted.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # Bad input or a diverging run must leave the estimator as it was.
        with self._restored_on_failure():
            self._train(self._training_data(X, y, sample_weight,
                                            reset=True))
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """One pass of training over ``X``, continuing the previous passes.

        For data that come in chunks or do not fit in memory: each call
        runs one epoch (one pass of mini-batches) over ``X``, as
        ``MLPRegressor.partial_fit`` runs one iteration; the network and
        the optimizer's state (Adam's moments) carry over to the next call.
        The first call builds the network; a call after :meth:`fit`
        continues the fitted network with a new optimizer. There is no
        stopping rule and no held-out split (``max_iter``, ``tol``,
        ``n_iter_no_change`` and ``early_stopping`` apply to :meth:`fit`
        only); loop over the chunks as many times as you want epochs.
        Schedules count passes across calls (the KL warm-up of
        :class:`VariationalAE`). What :meth:`sample` draws from is fitted
        to the codes of the latest chunk. A pass that fails (bad input, a
        diverging loss) leaves the model as it was before the call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data (an ``np.memmap``, h5py or zarr array
            is read by blocks, as in :meth:`fit`).
        y : None
            Ignored; present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the chunk in this pass's loss, as in
            :meth:`fit`; None weighs all samples equally.

        Returns
        -------
        self : object
            The estimator, trained one more pass.
        """
        with self._restored_on_failure():
            self._check_partial_fit()
            data = self._training_data(X, y, sample_weight,
                                       reset=not hasattr(self, "net_"))
            self._train(data, partial=True)
        return self

    def _check_partial_fit(self):
        """Refuse a ``partial_fit`` pass that cannot be made."""
        if process_group() is not None:
            raise ValueError(
                "partial_fit trains on the chunk of this process only, and "
                "would leave the processes of the torch.distributed group "
                "with different models. Use fit, which shares the rows among "
                "the processes and averages their gradients.")

    def _training_data(self, X, y, sample_weight, reset):
        """``X``, ``sample_weight`` and the variant's own fields (from ``y``
        where it learns from it) validated, as ``TrainingData``."""
        warm = reset and self.warm_start and hasattr(self, "net_")
        width_before = self._network_width() if warm else None
        X = self._validate_input(X, reset=reset)
        sample_weight = validate_sample_weight(sample_weight, X)
        if warm and X.shape[1] != width_before:
            raise ValueError(
                f"warm_start=True continues the previous fit, whose network "
                f"took {width_before} inputs; X gives {X.shape[1]}. Set "
                "warm_start=False to fit from scratch."
            )
        self._check_data_range(X)
        if reset:
            warn_unscaled(X, self)
        missing = has_missing(X)
        if (reset and not warm) or not hasattr(self, "fill_values_"):
            self.fill_values_ = observed_means(X)
            self.missing_indicator_ = missing and self._mask_input
        return TrainingData(
            X, fill=self.fill_values_ if missing else None,
            sample_weight=sample_weight, **self._batch_fields(X, y))

    def _new_module(self, data, context):
        """The network of a new training: the previous one continued (a
        warm start; a copy, so a failed fit leaves it as it was), else a
        new one."""
        n_features = data.X.shape[1]
        if context.continues and not context.partial:
            module = self._warm_module(n_features)
        elif context.continues:  # the first pass after fit
            module = copy.deepcopy(self.module_)
        else:
            module = self._prepare_module(self._build_module(n_features))
        if data.fill is not None:
            self._check_masks(module)
        return module.to(context.device)

    def _check_masks(self, module):
        """Refuse missing values for a network whose loss takes no mask."""
        params = inspect.signature(module.loss_terms).parameters.values()
        if not any(p.name == "mask" or p.kind is p.VAR_KEYWORD
                   for p in params):
            raise ValueError(
                f"X has missing values (NaN), but {type(self).__name__}'s "
                f"network ({type(module).__name__}) takes no mask of the "
                "observed entries in its loss_terms, so it would learn the "
                "filled-in values as data. Impute X first (for example with "
                "skae.AutoencoderImputer), or give loss_terms a mask "
                "argument.")

    def _warm_module(self, n_features):
        """The network a warm start continues: the current parameters'
        network, holding the previous fit's weights.

        Rebuilding (rather than copying ``module_``) lets parameters that do
        not change the architecture, such as a penalty weight or a noise
        level, take effect. A network of another kind than the one the
        parameters build (for example the result of :func:`skae.stack`) is
        continued as it is.
        """
        previous = self.module_
        module = self._prepare_module(self._build_module(n_features))
        if type(module) is not type(previous):
            return copy.deepcopy(previous)
        try:
            module.load_state_dict(previous.state_dict())
        except RuntimeError as exc:
            raise ValueError(
                "warm_start=True continues the previous network, but the "
                "parameters now describe a different architecture (for "
                "example another n_components or hidden_layer_sizes). Set "
                f"warm_start=False to fit from scratch. ({exc})"
            ) from None
        return module

    def _adopt(self, module, n_features_in, feature_names_in=None):
        """Make this estimator a fitted one around the trained ``module``,
        without training (as :func:`skae.stack` does): the net that holds
        it, and the fitted attributes ``fit`` sets, of zero epochs."""
        device = next(module.parameters()).device
        self.n_features_in_ = n_features_in
        if feature_names_in is not None:
            self.feature_names_in_ = feature_names_in
        self._set_fitted(self._attach_net(module, device))
        return self

    def _build_attributes(self):
        """The fitted attributes :meth:`_build_module` reads besides the
        parameters (a ConvAE's ``image_shape_``)."""
        return {"n_features_in_": self.n_features_in_}

    def _rebuild_module(self):
        return self._prepare_module(
            self._build_module(self._network_width()))

    def sample(self, n_samples=1, random_state=None):
        """Generate new samples by decoding codes drawn from a density.

        The density is the model's (see :ref:`choosing-sampler`): one
        fitted to the training codes for the deterministic autoencoders
        (``sampler``), the prior for the variational and adversarial ones,
        the codebook's frequencies for :class:`VQVAE`. With
        ``categorical_features``, categories are drawn from the softmax
        (and a VAE's numbers from its likelihood).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in_)
            Generated samples (float32; a table's columns and dtypes with
            ``categorical_features``).
        """
        check_is_fitted(self)
        check_positive_int(n_samples, "n_samples")
        rng = check_random_state(random_state)
        codes = self._sample_codes(n_samples, rng).astype(np.float32)
        return self._decoded(self._map_batches(codes, "decode"), rng)

    def encoder_module(self):
        """A copy of the trained encoder alone, as a ``torch.nn.Module``.

        Its ``forward`` maps a batch of shape (n, n_features_in_) to the
        codes, as :meth:`transform` (missing values, NaN, are replaced by
        ``fill_values_`` first; the batch is cast to the module's
        dtype, float32; call ``.double()`` on the module to compute in
        float64). It holds the encoder's parameters only, is on the CPU in
        evaluation mode and is independent of the estimator: use it to build
        your own networks on the learned features, or to deploy them with
        ``torch.jit.script``, ``torch.export.export`` or
        ``torch.onnx.export`` (the batch axis may be dynamic).

        Returns
        -------
        encoder : skae.nn.Encoder
            ``encoder.layers()`` lists its linear and convolution layers,
            input side first.

        See Also
        --------
        decoder_module : the decoder alone.

        Examples
        --------
        >>> import torch
        >>> from sklearn.datasets import load_digits
        >>> from skae import StackedAE
        >>> X = load_digits().data / 16
        >>> ae = StackedAE(n_components=4, hidden_layer_sizes=(32,),
        ...                max_iter=5,
        ...                random_state=0).fit(X)
        >>> encoder = ae.encoder_module()
        >>> [layer.weight.shape for layer in encoder.layers()]
        [torch.Size([32, 64]), torch.Size([4, 32])]
        >>> with torch.no_grad():
        ...     codes = encoder(torch.from_numpy(X[:3])).numpy()
        >>> bool(abs(codes - ae.transform(X[:3])).max() < 1e-5)
        True
        >>> program = torch.export.export(
        ...     encoder, (torch.zeros(2, 64),),
        ...     dynamic_shapes=({0: torch.export.Dim("batch")},))
        """
        check_is_fitted(self)
        encoder = self.module_.encoder_module().cpu()
        fill = getattr(self, "fill_values_", None)
        if fill is None:
            return encoder
        # missing values are filled in as transform fills them
        return Encoder([FillMissing(fill, self.module_.mask_input),
                        *encoder.steps]).eval()

    def decoder_module(self):
        """A copy of the trained decoder alone, as a ``torch.nn.Module``.

        Its ``forward`` maps a batch of codes of shape (n, n_components)
        to reconstructions in input space, as :meth:`inverse_transform`
        (output activation included); otherwise as :meth:`encoder_module`.

        Returns
        -------
        decoder : skae.nn.Decoder
        """
        check_is_fitted(self)
        return self.module_.decoder_module().cpu()

    # ------------------------------------------------------------------
    def _map_batches(self, X, method, dtype=None,
                     batch_size=_EVAL_BATCH_SIZE, **kwargs):
        """Apply ``module_.<method>`` to ``X`` batch by batch, in eval mode.

        ``kwargs`` are passed to the method with every batch (tensors among
        them are the method's to move to the batch's device and dtype).

        Training runs in float32 (its layers in the net's autocast dtype
        with ``precision``, as here); float64 input is evaluated by a
        float64 copy of the network, so that float64 results do not
        depend on how the samples are batched (float32 GEMM results can
        differ in the last bits between batch sizes). The output has the
        dtype of ``X`` unless ``dtype`` is given.
        """
        fill = self._missing_fill() if has_missing(X) else None
        out = map_batches(self.module_, X, self.net_.device, method,
                          batch_size, fill=fill,
                          precision=getattr(self.net_, "precision", None),
                          # decode takes codes, not the network's input
                          mask_input=False if method == "decode" else None,
                          **kwargs)
        return out.astype(dtype or X.dtype, copy=False)

    def _missing_fill(self):
        fill = getattr(self, "fill_values_", None)
        if fill is None:
            raise ValueError(
                f"X has missing values (NaN), but this {type(self).__name__}"
                " was fitted by a version of skae that did not record what "
                "replaces them; fit it again.")
        return fill

    def _check_scorable(self, X):
        check_scorable(X)

    def _validate_input(self, X, reset):
        """Validate ``X`` for fit (``reset=True``) or for a fitted model.

        Every method that takes samples goes through here. Returns a 2-D
        float array or CSR matrix of width ``n_features_in_``. Override to
        accept other layouts (for example, flatten image arrays before
        calling the parent) or to derive fitted attributes from the input.
        """
        if is_row_array(X):
            # an array on disk: validated by blocks, never loaded whole
            return validate_row_array(self, X, reset)
        return validate_data(self, X, reset=reset, accept_sparse="csr",
                             dtype=preferred_float_dtype(X),
                             ensure_all_finite="allow-nan")

    def _validate_X(self, X):
        check_is_fitted(self)
        return self._validate_input(X, reset=False)

    @dask_blockwise("n_components")
    def transform(self, X):
        """Encode ``X``: the codes of the samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            In the dtype of ``X`` (float32 or float64).
        """
        X = self._validate_X(X)
        return self._map_batches(X, "encode")

    @dask_blockwise("n_features_in_")
    def inverse_transform(self, X):
        """Decode codes back to input space, as ``PCA.inverse_transform``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, for example the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
            The reconstructions, in the dtype of the codes.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=[np.float32, np.float64],
                        input_name="codes")
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"inverse_transform expects codes with n_components="
                f"{self.n_components} columns (the output of transform); got "
                f"{Z.shape[1]} columns."
            )
        return self._decoded(self._map_batches(Z, "decode"))

    @dask_blockwise(None)
    def score_samples(self, X):
        """Negative reconstruction error of each sample.

        The error is the network's training loss of the clean sample, per
        sample (``module_.reconstruction_error``; for the built-in losses,
        the mean over features, over the observed features when the sample
        has missing values); higher is better, so low values flag
        anomalies. A row with no observed value has no error: it is
        refused (ValueError).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        X = self._validate_X(X)
        self._check_data_range(X)
        self._check_scorable(X)
        scores = -self._map_batches(X, "reconstruction_error", np.float64,
                                    pass_mask=True)
        overflow = np.flatnonzero(~np.isfinite(scores))
        if len(overflow) and X.dtype == np.float32:
            # errors beyond float32's range: those rows again in float64
            scores[overflow] = -self._map_batches(
                X[overflow].astype(np.float64), "reconstruction_error",
                pass_mask=True)
        if not np.isfinite(scores).all():
            warnings.warn(
                f"The reconstruction error of {np.sum(~np.isfinite(scores))} "
                "samples is not finite even in float64; their scores are "
                "-inf. Scale X as for training.", RuntimeWarning)
        return scores

    def score(self, X, y=None, sample_weight=None):
        """Mean of :meth:`score_samples` over ``X`` (higher is better): the
        negative reconstruction error, or the ELBO in nats per sample for
        :class:`VariationalAE`.

        Lets ``GridSearchCV`` and ``cross_val_score`` select an autoencoder
        without labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose scores are averaged.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean.

        Returns
        -------
        score : float
        """
        scores = self.score_samples(X)
        if sample_weight is None:
            return float(np.mean(scores))
        return float(np.average(
            scores, weights=validate_sample_weight(sample_weight, scores)))
