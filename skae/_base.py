"""The scikit-learn side: one base class for every autoencoder estimator.

A variant subclasses :class:`BaseAutoencoder`, lists its parameters in
``__init__`` (storing them untouched), extends ``_parameter_constraints``
and implements :meth:`BaseAutoencoder._build_module`. Validation, the random
state, building the skorch net, batching, ``transform``, ``inverse_transform``
and scoring live here once.
"""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._net import (
    AutoencoderNet,
    Convergence,
    HoldoutSplit,
    map_batches,
    resolve_device,
)
from ._random import seeded_torch
from .nn import Encoder

#: Optimizers by name; any ``torch.optim.Optimizer`` subclass works too.
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "lbfgs": torch.optim.LBFGS,
}

#: Training codes kept for the density of ``sample`` (a Gaussian mixture of
#: a few components needs no more).
_MAX_SAMPLER_CODES = 2_000

#: Batch size for transform, inverse_transform and scoring.
_EVAL_BATCH_SIZE = 1024


class NetModuleMixin:
    """``module_`` of an estimator whose fitted skorch net is ``net_``."""

    @property
    def module_(self):
        """The trained network: the skorch net's ``module_``.

        A property rather than a second attribute so that the two stay one
        object after pickling (skorch pickles its modules separately).
        """
        return self.net_.module_

    @module_.setter
    def module_(self, module):
        self.net_.module_ = module


class BaseAutoencoder(NetModuleMixin, ClassNamePrefixFeaturesOutMixin,
                      TransformerMixin, BaseEstimator):
    """Base class for skae's autoencoders. Not for direct use.

    Subclasses implement ``_build_module(n_features)``, which returns an
    :class:`skae.nn.Autoencoder`, and may override ``_check_data_range(X)``
    and ``_validate_input(X, reset)``.
    The parameters shared by every autoencoder are documented in
    :class:`StackedAE`.
    """

    #: The skorch net class that trains the network.
    _net_class = AutoencoderNet

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"),
                       StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [str, torch.device],
        "callbacks": [list, None],
        "sampler_components": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_components=32, *, alpha=0.0, batch_size="auto",
                 max_iter=200, learning_rate=1e-3, optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu", callbacks=None,
                 sampler_components=10):
        self.n_components = n_components
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.device = device
        self.callbacks = callbacks
        self.sampler_components = sampler_components

    # ------------------------------------------------------------------
    # hooks for subclasses
    def _build_module(self, n_features):
        """Return a new :class:`skae.nn.Autoencoder` for ``n_features``."""
        raise NotImplementedError

    def _pretrain(self, module, X, device):
        """Train ``module`` in place before the main training (default: no).

        Called by ``fit`` (not on a warm start) with the new network on
        ``device`` and the validated ``X``, under the estimator's seeded
        torch random state; ``StackedAE`` trains its layers greedily here.
        """

    def _check_data_range(self, X):
        """Reject data the loss cannot model (fit and scoring call it)."""
        if getattr(self, "loss", "mse") == "bce":
            _check_unit_interval(X, "loss='bce'")

    # ------------------------------------------------------------------
    @property
    def _n_features_out(self):
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.target_tags.required = False
        return tags

    def _optimizer_class(self):
        if isinstance(self.optimizer, str):
            return OPTIMIZERS[self.optimizer]
        if not issubclass(self.optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer={self.optimizer!r} is not a torch.optim.Optimizer "
                f"subclass; pass one, or a name among {sorted(OPTIMIZERS)}."
            )
        return self.optimizer

    def _make_net(self, module, device, n_samples):
        optimizer = self._optimizer_class()
        extra = {}
        if issubclass(optimizer, torch.optim.LBFGS):
            # full batch by default; one epoch is one L-BFGS step
            auto_batch_size = n_samples
            extra["optimizer__line_search_fn"] = "strong_wolfe"
        else:
            auto_batch_size = _auto_batch_size(n_samples)
        batch_size = (auto_batch_size if self.batch_size == "auto"
                      else min(self.batch_size, n_samples))
        convergence = Convergence(
            monitor="valid_loss" if self.early_stopping else "train_loss",
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            restore_best=self.early_stopping,
        )
        user_callbacks = copy.deepcopy(list(self.callbacks or []))
        return self._net_class(
            module,
            optimizer=optimizer,
            lr=self.learning_rate,
            weight_decay=self.alpha,
            max_epochs=self.max_iter,
            batch_size=batch_size,
            train_split=(HoldoutSplit(self.validation_fraction)
                         if self.early_stopping else None),
            callbacks=[("convergence", convergence), *user_callbacks],
            verbose=self.verbose,
            device=str(device),
            torch_load_kwargs={"weights_only": False},
            **extra,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse rows are densified batch by batch.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # Bad input or a diverging run must leave the estimator as it was.
        state = dict(self.__dict__)
        try:
            self._fit(X)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise
        return self

    def _fit(self, X):
        warm = self.warm_start and hasattr(self, "module_")
        n_features_before = getattr(self, "n_features_in_", None)
        X = self._validate_input(X, reset=True)
        if warm and X.shape[1] != n_features_before:
            raise ValueError(
                f"warm_start=True continues the previous fit, which had "
                f"{n_features_before} features; X has {X.shape[1]}. Set "
                "warm_start=False to fit from scratch."
            )
        self._check_data_range(X)
        device = resolve_device(self.device)
        with seeded_torch(self.random_state, device):
            module = (self._warm_module(X.shape[1]) if warm
                      else self._build_module(X.shape[1])).to(device)
            if not warm:
                self._pretrain(module, X, device)
            net = self._make_net(module, device, X.shape[0])
            with warnings.catch_warnings():
                # skorch warns when it is handed an initialised module.
                warnings.filterwarnings("ignore", module="skorch")
                net.fit(X)
        self._set_fitted(net, previous=self if warm else None)
        self._fit_sampler(X)

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
        module = self._build_module(n_features)
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

    def _fit_sampler(self, X):
        """Prepare the density that :meth:`sample` draws codes from.

        Deterministic autoencoders keep (up to 2,000 of) their training
        codes; the Gaussian mixture is fitted to them on the first call of
        :meth:`sample` and cached in ``sampler_``, so ``fit`` pays nothing
        for it. Generative variants override this and :meth:`_sample_codes`
        (their prior is the density).
        """
        self.__dict__.pop("sampler_", None)
        rng = check_random_state(self.random_state)
        keep = np.arange(X.shape[0])
        if len(keep) > _MAX_SAMPLER_CODES:
            keep = np.sort(rng.choice(keep, _MAX_SAMPLER_CODES, replace=False))
        self._sampler_codes = self._map_batches(X[keep], "encode", np.float64)
        self._sampler_seed = rng.randint(2**31)

    def _density(self):
        if "sampler_" not in self.__dict__:
            codes = self._sampler_codes
            self.sampler_ = GaussianMixture(
                min(self.sampler_components, len(codes)),
                covariance_type="full", reg_covar=1e-4,
                random_state=self._sampler_seed,
            ).fit(codes)
        return self.sampler_

    def _sample_codes(self, n_samples, rng):
        """Draw ``n_samples`` codes with the numpy generator ``rng``."""
        gmm = self._density()
        counts = rng.multinomial(n_samples, gmm.weights_)
        codes = np.vstack([
            rng.multivariate_normal(mean, cov, size=count)
            for mean, cov, count in zip(gmm.means_, gmm.covariances_, counts)
        ])
        return codes[rng.permutation(n_samples)]

    def sample(self, n_samples=1, random_state=None):
        """Generate new samples by decoding codes drawn from a density.

        Codes are drawn from a Gaussian mixture of ``sampler_components``
        components fitted to the training codes (on the first call, then
        cached as ``sampler_``) and decoded with :meth:`inverse_transform`.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            Generated samples (float32).
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(
                f"n_samples must be a positive integer; got {n_samples!r}.")
        rng = check_random_state(random_state)
        codes = self._sample_codes(n_samples, rng).astype(np.float32)
        return self._map_batches(codes, "decode")

    def encoder_module(self):
        """A copy of the trained encoder as a ``torch.nn.Module``.

        Its ``forward`` maps a float32 batch of shape (n, n_features_in_) to
        the codes, as :meth:`transform`; use it to build your own networks
        on the learned features. The copy is independent of the estimator.

        Returns
        -------
        encoder : skae.nn.Encoder
        """
        check_is_fitted(self)
        return Encoder(copy.deepcopy(self.module_).cpu())

    def _set_fitted(self, net, previous=None):
        history = net.history
        convergence = dict(net.callbacks_)["convergence"]
        losses = [float(v) for v in history[:, "train_loss"]] if history else []
        self.net_ = net
        self.loss_curve_ = (previous.loss_curve_ if previous else []) + losses
        self.n_iter_ = len(self.loss_curve_)
        if self.early_stopping:
            scores = [-float(v) for v in history[:, "valid_loss"]] if history else []
            self.validation_scores_ = (
                (previous.validation_scores_ or []) if previous else []) + scores
            self.best_validation_score_ = -convergence.best_loss_
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = convergence.best_loss_
        if self.max_iter and not convergence.converged_ \
                and len(history) == self.max_iter:
            warnings.warn(
                f"{type(self).__name__} reached max_iter={self.max_iter} "
                "epochs and the loss was still improving; increase max_iter "
                "or tol.",
                ConvergenceWarning,
            )

    # ------------------------------------------------------------------
    def _map_batches(self, X, method, dtype=None,
                     batch_size=_EVAL_BATCH_SIZE, **kwargs):
        """Apply ``module_.<method>`` to ``X`` batch by batch, in eval mode.

        ``kwargs`` are passed to the method with every batch (tensors among
        them are the method's to move to the batch's device and dtype).

        Training runs in float32; float64 input is evaluated by a float64
        copy of the network, so that float64 results do not depend on how
        the samples are batched (float32 GEMM results can differ in the last
        bits between batch sizes). The output has the dtype of ``X`` unless
        ``dtype`` is given.
        """
        out = map_batches(self.module_, X, self.net_.device, method,
                          batch_size, **kwargs).cpu().numpy()
        return out.astype(dtype or X.dtype, copy=False)

    def _validate_input(self, X, reset):
        """Validate ``X`` for fit (``reset=True``) or for a fitted model.

        Every method that takes samples goes through here. Returns a 2-D
        float array or CSR matrix of width ``n_features_in_``. Override to
        accept other layouts (for example, flatten image arrays before
        calling the parent) or to derive fitted attributes from the input.
        """
        return validate_data(self, X, reset=reset, accept_sparse="csr",
                             dtype=[np.float32, np.float64])

    def _validate_X(self, X):
        check_is_fitted(self)
        return self._validate_input(X, reset=False)

    def transform(self, X):
        """Encode ``X``: the codes of the samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            In the dtype of ``X`` (float32 or float64).
        """
        X = self._validate_X(X)
        return self._map_batches(X, "encode")

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
        return self._map_batches(Z, "decode")

    def score_samples(self, X):
        """Negative reconstruction error of each sample.

        The error is the training loss (``loss``, the mean over features) of
        the clean sample; higher is better, so low values flag anomalies.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        X = self._validate_X(X)
        self._check_data_range(X)
        return -self._map_batches(X, "reconstruction_error",
                                  np.float64)

    def score(self, X, y=None):
        """Mean negative reconstruction error of ``X`` (higher is better).

        Lets ``GridSearchCV`` and ``cross_val_score`` select an autoencoder
        without labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))


def _auto_batch_size(n_samples):
    """``batch_size="auto"``: about ten steps per epoch, between 16 and 200.

    ``MLPRegressor``'s ``min(200, n_samples)`` would give small data sets a
    single step per epoch, so they would need thousands of epochs.
    """
    return min(n_samples, 200, max(16, n_samples // 10))


def _check_unit_interval(X, what, alternative="loss='mse'"):
    data = X.data if hasattr(X, "tocsr") else X
    if data.size and (data.min() < 0 or data.max() > 1):
        raise ValueError(
            f"{what} needs X in [0, 1]; got values in [{data.min():g}, "
            f"{data.max():g}]. Scale X, for example with MinMaxScaler, or use "
            f"{alternative}."
        )
