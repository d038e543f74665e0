"""Regularized autoencoders: denoising, sparse, contractive, k-sparse and
winner-take-all.

Each is a fully connected autoencoder, as :class:`StackedAE`, with one more
constraint on what the code may learn: corrupted inputs, a sparsity or
contraction penalty, or a rule that keeps few coding units active. Each
adds its own parameters and picks its network in :mod:`skae.nn`.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._architecture import MLPAutoencoderMixin
from ._base import _EVAL_BATCH_SIZE, BaseAutoencoder
from ._checks import check_positive_int
from ._compat import Interval, StrOptions
from ._corruption import CorruptionMixin
from ._greedy import GreedyPretrainingMixin
from ._missing import column_range
from ._parameters import store_params
from ._sampling import MixtureSamplingMixin
from ._training import random_scope
from .nn import (
    NOISES,
    ContractiveMLPAutoencoder,
    KSparseMLPAutoencoder,
    MLPAutoencoder,
    SparseMLPAutoencoder,
    WinnerTakeAllMLPAutoencoder,
)
from .nn._random import rand
from .nn._regularized import SPARSITY_PENALTIES


class DenoisingAE(CorruptionMixin, GreedyPretrainingMixin,
                  MLPAutoencoderMixin, BaseAutoencoder):
    """Denoising autoencoder: learns to reconstruct clean inputs from
    corrupted ones.

    A fully connected autoencoder, as :class:`StackedAE`, whose training
    input is corrupted afresh at every batch while the loss compares the
    reconstruction with the clean input (Vincent et al. 2008, 2010; the
    denoising autoencoders of Géron, *Hands-On Machine Learning*, ch. 15).
    The corruption draws from the estimator's own random stream (seeded by
    ``random_state``) and happens in training only: :meth:`transform`,
    :meth:`inverse_transform` and :meth:`score` see the input as given.
    :meth:`denoise` reconstructs noisy inputs, and :meth:`sample` generates
    by the corrupt-then-reconstruct Markov chain of Bengio et al. (2013).

    Parameters
    ----------

    Attributes
    ----------
    module_ : skae.nn.MLPAutoencoder
        The trained network; ``module_.corruption`` is its
        :class:`skae.nn.Corruption`.

    See Also
    --------
    StackedAE : the same autoencoder trained on clean inputs.
    SparseAE, ContractiveAE : other regularized autoencoders.

    References
    ----------
    .. [1] P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol,
       "Extracting and composing robust features with denoising
       autoencoders", ICML 2008.
    .. [2] Y. Bengio, L. Yao, G. Alain and P. Vincent, "Generalized
       denoising auto-encoders as generative models", NeurIPS 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenoisingAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> ae = DenoisingAE(n_components=16, hidden_layer_sizes=(64,),
    ...                  noise="gaussian", noise_level=0.2, max_iter=10,
    ...                  random_state=0).fit(X)
    >>> noisy = np.clip(X + np.random.RandomState(0).normal(0, 0.2, X.shape),
    ...                 0, 1)
    >>> ae.denoise(noisy).shape
    (1797, 64)
    >>> ae.sample(3, random_state=0).shape
    (3, 64)
    """

    _parameter_constraints = {
        "noise": [StrOptions(set(NOISES))],
    }

    def __init__(self, n_components=32, *, noise="gaussian", noise_level=0.2,
                 hidden_layer_sizes=(256,), activation="elu",
                 code_activation=None, out_activation="identity", loss="mse",
                 tied_weights=False, init="variance_scaling",
                 pretraining="none",
                 pretraining_max_iter=20, alpha=0.0, batch_size="auto",
                 max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None):
        store_params(self, locals())

    def _build_module(self, n_features):
        return MLPAutoencoder(n_features, **self._module_kwargs(),
                              corruption=self._corruption())

    def _finish_fit(self, X, rng):
        # the chain starts from uniform noise over the training data's range
        low, high = column_range(X)
        self._chain_low = np.ravel(low).astype(np.float32)
        self._chain_high = np.ravel(high).astype(np.float32)

    def sample(self, n_samples=1, random_state=None, n_steps=50):
        """Generate samples by the denoising Markov chain.

        Bengio et al. (2013): starting from uniform noise over the range of
        the training data, each of ``n_steps`` steps corrupts the current
        samples with the training corruption (``noise``, ``noise_level``)
        and reconstructs them, clipped to the training data's range of each
        feature (without the clipping, the errors of an unbounded decoder,
        ``out_activation="identity"``, compound along the chain). The
        chain's stationary distribution approximates the data distribution;
        the samples are the last reconstructions (the means of the
        reconstruction distribution, rather than draws from it).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples (independent chains).
        random_state : int, RandomState instance or None, default=None
            Seed of the starting noise and of the corruptions.
        n_steps : int, default=50
            Corrupt-then-reconstruct steps of each chain.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            The last reconstruction of each chain (float32).
        """
        check_is_fitted(self)
        check_positive_int(n_samples, "n_samples")
        check_positive_int(n_steps, "n_steps")
        module = self.module_
        module.eval()
        ones = torch.ones(len(self._chain_low), device=self.net_.device)
        device = self.net_.device
        low = torch.as_tensor(self._chain_low, device=device)
        high = torch.as_tensor(self._chain_high, device=device)
        out = []
        with random_scope(random_state), torch.no_grad():
            for start in range(0, n_samples, _EVAL_BATCH_SIZE):
                n = min(_EVAL_BATCH_SIZE, n_samples - start)
                x = low + (high - low) * rand(n, len(low), device=device)
                for _ in range(n_steps):
                    if module.mask_input:  # all observed, then hidden
                        x = torch.cat([x, ones.expand_as(x)], dim=-1)
                    x = module.decode(module.encode(
                        module.corrupt_input(x, always=True)))
                    # an unbounded decoder's errors compound along the chain
                    x = torch.clamp(x, low, high)
                out.append(x)
        return self._decoded(torch.cat(out).cpu().numpy(),
                             check_random_state(random_state))


class SparseAE(MixtureSamplingMixin, MLPAutoencoderMixin,
               BaseAutoencoder):
    """Sparse autoencoder: a penalty keeps each coding unit mostly inactive.

    A fully connected autoencoder, as :class:`StackedAE`, whose loss adds
    ``sparsity_weight`` times a penalty on the gap between
    ``sparsity_target`` and the mean activation of each coding unit over
    the batch (the sparse autoencoders of Géron, *Hands-On Machine
    Learning*, ch. 15). With the KL divergence and a sigmoid code, the
    mean activation of each
    unit over the samples ends up near ``sparsity_target``, so the codes
    may be overcomplete (``n_components > n_features``). The penalty
    constrains the mean only: a unit may be weakly active on most samples
    rather than active on a few and exactly 0 on the others (for exact
    zeros, see :class:`KSparseAE` and :class:`WinnerTakeAllAE`). The
    penalty is recorded per epoch in ``net_.history`` as
    ``train_sparsity``, next to ``train_reconstruction``.

    Parameters
    ----------
    n_components : int, default=32
        Size of the code; larger than the number of features for an
        overcomplete code (Géron's example uses 1,000 units on MNIST).
    sparsity_target : float, default=0.1
        Target mean activation of each coding unit, in (0, 1).
    sparsity_weight : float, default=0.2
        Weight of the sparsity penalty in the loss.
    sparsity_penalty : {"kl", "l1", "mse"}, default="kl"
        Distance between the target and each unit's mean activation over a
        batch (the mean absolute activation for ``"l1"`` and ``"mse"``),
        summed over the units. ``"kl"``: the KL divergence between
        Bernoulli distributions of those means; it needs a code
        in (0, 1), so ``code_activation="sigmoid"``. ``"l1"``: the absolute
        difference. ``"mse"``: the squared difference, whose gradient
        vanishes near the target (why Géron prefers the KL divergence).

    Attributes
    ----------
    module_ : skae.nn.SparseMLPAutoencoder
        The trained network.

    See Also
    --------
    KSparseAE : keeps exactly ``k`` active units per sample.
    WinnerTakeAllAE : keeps each unit active for a fraction of a batch.
    StackedAE : the same autoencoder without the penalty.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import SparseAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = SparseAE(n_components=100, hidden_layer_sizes=(),
    ...               sparsity_target=0.1, max_iter=10, random_state=0)
    >>> codes = ae.fit_transform(X / 16)  # an overcomplete code
    >>> codes.shape
    (1797, 100)
    >>> len(ae.net_.history[:, "train_sparsity"])  # one value per epoch
    10
    """

    _parameter_constraints = {
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "sparsity_penalty": [StrOptions(set(SPARSITY_PENALTIES))],
    }

    def __init__(self, n_components=32, *, sparsity_target=0.1,
                 sparsity_weight=0.2, sparsity_penalty="kl",
                 code_activation="sigmoid", hidden_layer_sizes=(256,),
                 activation="elu", out_activation="identity", loss="mse",
                 tied_weights=False,
                 init="variance_scaling",
                 alpha=0.0, batch_size="auto", max_iter=200,
                 learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    def _module_kwargs(self):
        kwargs = super()._module_kwargs()
        if self.sparsity_penalty == "kl" and kwargs["code_activation"] not in (
                "sigmoid", "logistic"):
            raise ValueError(
                f"sparsity_penalty='kl' treats mean activations as "
                f"probabilities, so it needs code_activation='sigmoid'; got "
                f"code_activation={kwargs['code_activation']!r}. Use "
                "code_activation='sigmoid', or sparsity_penalty='l1' or "
                "'mse'."
            )
        return dict(kwargs, sparsity_target=self.sparsity_target,
                    sparsity_weight=self.sparsity_weight,
                    sparsity_penalty=self.sparsity_penalty)

    def _build_module(self, n_features):
        return SparseMLPAutoencoder(n_features, **self._module_kwargs())


class ContractiveAE(MixtureSamplingMixin, MLPAutoencoderMixin,
                    BaseAutoencoder):
    """Contractive autoencoder: codes that change little around the data.

    A fully connected autoencoder, as :class:`StackedAE`, whose loss adds a
    penalty on the squared Frobenius
    norm of the encoder's Jacobian (the derivatives of the code with respect
    to the input), averaged over the batch (Rifai et al. 2011). The code
    becomes insensitive to most directions of input space and stays
    sensitive along the data's manifold. The norm is recorded per epoch in
    ``net_.history`` as ``train_contraction``.

    The loss is Rifai et al.'s, ``sum_features(reconstruction) +
    contraction_weight * ||J||_F^2``, divided by ``n_features`` (skae's
    reconstruction loss is a mean over the features), so that
    ``contraction_weight`` is their lambda whatever the number of features.

    How the penalty is computed depends on the encoder:

    * one layer (``hidden_layer_sizes=()``, the paper's setting): exactly,
      in closed form, ``sum_j s'(a_j)^2 ||W_j||^2`` for the code
      ``h = s(W x + b)``; it costs little more than a plain autoencoder;
    * hidden layers, ``n_projections`` an int: an unbiased stochastic
      estimate, the mean of ``||J^T u||^2`` over ``n_projections`` random
      standard normal vectors ``u`` in code space (Hutchinson's trace
      estimator), each a backward pass through the encoder; training costs
      about twice a StackedAE's per projection;
    * hidden layers, ``n_projections=None``: exactly, from the full
      Jacobian (``n_components`` backward passes, batched).

    Parameters
    ----------
    contraction_weight : float, default=0.1
        Weight of the Jacobian penalty (Rifai et al.'s lambda): larger
        values give codes less sensitive to the input and worse
        reconstructions.
    n_projections : int or None, default=1
        Random projections per sample and batch of the estimate used for
        encoders with hidden layers (more projections, less variance, more
        time); None computes the exact penalty. Unused by one-layer
        encoders, whose penalty is always exact.
    code_activation : str or None, default="sigmoid"
        Activation of the coding layer (a name accepted by ``activation``);
        Rifai et al. use the sigmoid.

    Attributes
    ----------
    module_ : skae.nn.ContractiveMLPAutoencoder
        The trained network; ``module_.jacobian_norm(x)`` gives the exact
        squared Jacobian norm of a batch of samples (a float32 tensor).

    See Also
    --------
    DenoisingAE : robustness to input noise by corruption instead.
    StackedAE : the same autoencoder without the penalty.

    References
    ----------
    .. [1] S. Rifai, P. Vincent, X. Muller, X. Glorot and Y. Bengio,
       "Contractive auto-encoders: explicit invariance during feature
       extraction", ICML 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ContractiveAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = ContractiveAE(n_components=16, hidden_layer_sizes=(),
    ...                    contraction_weight=0.1, max_iter=10,
    ...                    random_state=0).fit(X / 16)
    >>> ae.transform(X[:5] / 16).shape
    (5, 16)
    >>> "train_contraction" in ae.net_.history[-1]
    True
    """

    _parameter_constraints = {
        "contraction_weight": [Interval(Real, 0, None, closed="left")],
        "n_projections": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, n_components=32, *, contraction_weight=0.1,
                 n_projections=1, code_activation="sigmoid",
                 hidden_layer_sizes=(256,), activation="elu",
                 out_activation="identity", loss="mse", tied_weights=False,
                 init="variance_scaling",
                 alpha=0.0, batch_size="auto", max_iter=200,
                 learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    def _build_module(self, n_features):
        return ContractiveMLPAutoencoder(
            n_features, **self._module_kwargs(),
            contraction_weight=self.contraction_weight,
            n_projections=self.n_projections)


class KSparseAE(MixtureSamplingMixin, MLPAutoencoderMixin,
                BaseAutoencoder):
    """k-sparse autoencoder: each code keeps only its ``k`` largest units.

    Makhzani and Frey (2013): after the coding layer (linear by default, as
    in the paper), the ``k`` largest units of each sample are kept and the
    others set to 0, in training; the reconstruction, and so the gradient,
    uses those ``k`` units only. :meth:`transform` (and
    :meth:`inverse_transform` of its codes, :meth:`score`) keeps the
    ``round(transform_k_factor * k)`` largest units instead: the paper's
    test-time rule, which keeps a few more units than in training
    (its ``alpha``; here ``alpha`` is the L2 penalty, as in scikit-learn).

    Parameters
    ----------
    k : int or "auto", default="auto"
        Units kept per sample in training; at most ``n_components``.
        ``"auto"`` keeps a quarter of them, at least one:
        ``max(1, n_components // 4)``, 8 of the default 32.
    transform_k_factor : float, default=1.0
        Factor (at least 1) on ``k`` for the units kept by
        :meth:`transform`: ``round(transform_k_factor * k)``, at most
        ``n_components`` (the paper's ``alpha``, chosen by cross-validation
        there, e.g. on a linear classifier's accuracy).
    code_activation : str or None, default="identity"
        Activation of the coding layer before the selection (a name
        accepted by ``activation``).
    tied_weights : bool, default=True
        Share each decoder weight with the transpose of its encoder weight,
        as the paper does. Tying keeps most units in use: with free weights
        many coding units never reach the ``k`` largest and stop learning.

    Attributes
    ----------
    module_ : skae.nn.KSparseMLPAutoencoder
        The trained network.

    See Also
    --------
    WinnerTakeAllAE : sparsity across the batch instead of per sample.
    SparseAE : sparsity by a penalty on the mean activations.

    References
    ----------
    .. [1] A. Makhzani and B. Frey, "k-Sparse Autoencoders", ICLR 2014
       (arXiv:1312.5663).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skae import KSparseAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = KSparseAE(n_components=64, k=10, transform_k_factor=2,
    ...                hidden_layer_sizes=(), max_iter=10,
    ...                random_state=0).fit(X / 16)
    >>> np.count_nonzero(ae.transform(X[:3] / 16), axis=1)
    array([20, 20, 20])
    """

    _parameter_constraints = {
        "k": [Interval(Integral, 1, None, closed="left"),
              StrOptions({"auto"})],
        "transform_k_factor": [Interval(Real, 1, None, closed="left")],
    }

    def __init__(self, n_components=32, *, k="auto", transform_k_factor=1.0,
                 code_activation="identity", hidden_layer_sizes=(256,),
                 activation="elu", out_activation="identity", loss="mse",
                 tied_weights=True, init="variance_scaling",
                 alpha=0.0, batch_size="auto", max_iter=200,
                 learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    def _k(self):
        """``k``, with ``"auto"`` resolved for ``n_components``."""
        if self.k == "auto":
            return max(1, self.n_components // 4)
        return self.k

    def _transform_k(self):
        transform_k = int(round(self.transform_k_factor * self._k()))
        if transform_k > self.n_components:
            raise ValueError(
                f"KSparseAE keeps round(transform_k_factor * k) = "
                f"{transform_k} units in transform, more than "
                f"n_components={self.n_components}. Lower k (now {self._k()}) "
                f"or transform_k_factor (now {self.transform_k_factor}), or "
                "raise n_components."
            )
        return transform_k

    def _build_module(self, n_features):
        if self._k() > self.n_components:
            raise ValueError(
                f"k={self.k} units cannot be kept out of n_components="
                f"{self.n_components}; lower k or raise n_components.")
        return KSparseMLPAutoencoder(
            n_features, **self._module_kwargs(), k=self._k(),
            transform_k=self._transform_k())


class WinnerTakeAllAE(MixtureSamplingMixin, MLPAutoencoderMixin,
                      BaseAutoencoder):
    """Winner-take-all autoencoder with lifetime sparsity.

    Makhzani and Frey (2015), fully connected WTA: in training, each coding
    unit keeps only its largest ``sparsity_rate`` fraction of activations
    across the mini-batch (at least one sample) and the rest are set to 0,
    so that every unit specialises in a few samples.

    A batch rule cannot apply to one sample, so :meth:`transform` uses a
    threshold per unit instead (``sparse_transform=True``): the running
    average, over the training batches, of the smallest activation the
    unit kept. Each unit then fires for about ``sparsity_rate`` of the
    samples, and :meth:`inverse_transform` and :meth:`score` decode codes
    like those the decoder was trained on. ``sparse_transform=False``
    returns the dense codes, as the paper does for its classification
    features.

    Parameters
    ----------
    sparsity_rate : float, default=0.2
        Fraction of each batch for which a coding unit stays active in
        training, in (0, 1]. Each unit keeps ``ceil(sparsity_rate *
        batch_size)`` samples, so a sample has about ``sparsity_rate *
        n_components`` active units: the paper's 5% suits its codes of
        1,000 units or more; small codes need a larger rate.
    sparse_transform : bool, default=True
        Threshold the codes of :meth:`transform` (and so of
        :meth:`score`) by the running per-unit thresholds learned in
        training; False returns the dense codes of the coding layer.
    code_activation : str or None, default="identity"
        Activation of the coding layer before the selection (a name
        accepted by ``activation``). The selection is the code's
        non-linearity; with a linear coding layer every unit's winners
        pass gradient, so no unit stops learning. With ``"relu"`` (the
        paper's), a unit whose activations are all negative on the data
        stops learning for good.

    Attributes
    ----------
    module_ : skae.nn.WinnerTakeAllMLPAutoencoder
        The trained network; ``module_.thresholds`` holds the per-unit
        thresholds of :meth:`transform`.

    See Also
    --------
    KSparseAE : sparsity per sample instead of across the batch.
    SparseAE : sparsity by a penalty on the mean activations.

    References
    ----------
    .. [1] A. Makhzani and B. Frey, "Winner-take-all autoencoders",
       NeurIPS 2015.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import WinnerTakeAllAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = WinnerTakeAllAE(n_components=64, sparsity_rate=0.1,
    ...                      hidden_layer_sizes=(128,), max_iter=10,
    ...                      random_state=0).fit(X / 16)
    >>> codes = ae.transform(X / 16)
    >>> codes.shape
    (1797, 64)
    >>> float((codes != 0).mean()) < 0.2  # about sparsity_rate
    True
    """

    _parameter_constraints = {
        "sparsity_rate": [Interval(Real, 0, 1, closed="right")],
        "sparse_transform": ["boolean"],
    }

    def __init__(self, n_components=32, *, sparsity_rate=0.2,
                 sparse_transform=True, code_activation="identity",
                 hidden_layer_sizes=(256,), activation="elu",
                 out_activation="identity", loss="mse", tied_weights=False,
                 init="variance_scaling",
                 alpha=0.0, batch_size="auto", max_iter=200,
                 learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    def _build_module(self, n_features):
        return WinnerTakeAllMLPAutoencoder(
            n_features, **self._module_kwargs(),
            sparsity_rate=self.sparsity_rate,
            sparse_eval=self.sparse_transform)
