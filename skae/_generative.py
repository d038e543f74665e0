"""Generative autoencoders beyond the VAE: IWAE, VampPriorVAE and
BetaTCVAE (variants of :class:`VariationalAE`) and WAEMMD."""

from numbers import Integral, Real

from ._architecture import MLPAutoencoderMixin
from ._base import BaseAutoencoder
from ._compat import Interval
from ._parameters import store_params
from ._sampling import PriorSamplingMixin
from ._variational import VariationalAE
from .nn import IWAEMLP, WAEMLP, BetaTCMLP, VampPriorMLP


class IWAE(VariationalAE):
    """Importance-weighted autoencoder (Burda et al., 2016).

    A :class:`VariationalAE` trained on a tighter bound than the ELBO:
    each training sample draws ``n_importance_samples`` codes ``z_k`` from
    q(z|x) and the loss is ``-log mean_k p(x|z_k) p(z_k) / q(z_k|x)``.
    More draws make the bound tighter and let the posterior be less
    accurate, usually for a better log-likelihood, at ``k`` times the
    decoder's cost (and, for large ``k``, with noisier gradients for the
    encoder: Rainforth et al., 2018). ``beta`` multiplies ``log p(z_k) -
    log q(z_k|x)`` in each weight. ``score_samples`` stays the ELBO,
    :meth:`log_likelihood` the importance-weighted estimate of log p(x).

    Parameters
    ----------
    n_importance_samples : int, default=5
        Codes drawn from q(z|x) for each sample in training (k). 1 trains
        on the ELBO (with the KL divergence estimated from the draw).

    Attributes
    ----------
    module_ : skae.nn.IWAEMLP
        The trained network.
    net_ : skae._net.AutoencoderNet
        The skorch net that trained it. Its ``history`` records, per epoch,
        ``train_loss`` (the negative importance-weighted bound),
        ``train_reconstruction`` (-log p(x|z), the mean over the draws),
        ``train_latent`` (log q(z|x) - log p(z), the mean over the draws)
        and ``kl_weight``.

    See Also
    --------
    VariationalAE : trained on the ELBO.
    VampPriorVAE : a learned mixture prior, also trainable on this bound.

    References
    ----------
    Burda, Y., Grosse, R. and Salakhutdinov, R. (2016). Importance weighted
    autoencoders. ICLR.

    Rainforth, T., Kosiorek, A. R., Le, T. A., Maddison, C. J., Igl, M.,
    Wood, F. and Teh, Y. W. (2018). Tighter variational bounds are not
    necessarily better. ICML.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import IWAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> iwae = IWAE(n_components=8, hidden_layer_sizes=(64,),
    ...             n_importance_samples=5, likelihood="bernoulli",
    ...             max_iter=10, random_state=0).fit(X / 16)
    >>> iwae.transform(X[:3] / 16).shape
    (3, 8)
    >>> bound = iwae.log_likelihood(X[:100] / 16, n_importance_samples=50)
    >>> bool(bound.mean() > iwae.score(X[:100] / 16))  # tighter than ELBO
    True
    """

    _network = IWAEMLP

    _parameter_constraints = {
        "n_importance_samples": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_components=32, *, n_importance_samples=5,
                 hidden_layer_sizes=(256,), activation="elu",
                 likelihood="gaussian", output_scale="learned", beta=1.0,
                 kl_warmup=0, binarize_input="auto", average=True, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping="auto", validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None,
                 sampler_components=10, sampler="prior"):
        store_params(self, locals())

    def _network_options(self):
        return {"n_importance_samples": self.n_importance_samples}


class VampPriorVAE(IWAE):
    """Variational autoencoder with a VampPrior (Tomczak and Welling, 2018).

    The prior over codes is learned with the rest: the mixture ``p(z) =
    mean_k q(z|u_k)`` of the encoder's posteriors at ``n_pseudo_inputs``
    pseudo-inputs ``u_k``, trainable points in data space
    (``module_.pseudo_inputs``). A multimodal prior that follows the data
    leaves fewer holes between the codes than N(0, I), for better
    log-likelihoods and samples. The KL divergence, which has no closed
    form, is estimated with the drawn codes. :meth:`sample` decodes draws
    of the mixture; ``score_samples`` (the ELBO) and
    :meth:`log_likelihood` use its density. Trained on the ELBO by
    default; ``n_importance_samples > 1`` trains it on the IWAE bound.

    Parameters
    ----------
    n_pseudo_inputs : int, default=500
        Pseudo-inputs, the components of the prior mixture.
    n_importance_samples : int, default=1
        Codes drawn from q(z|x) for each sample in training (k): 1 trains
        on the ELBO, more on the importance-weighted bound of :class:`IWAE`.

    Attributes
    ----------
    module_ : skae.nn.VampPriorMLP
        The trained network; ``module_.pseudo_inputs`` holds the
        pseudo-inputs.

    See Also
    --------
    VariationalAE : the standard normal prior.
    IWAE : the importance-weighted bound with the standard normal prior.

    References
    ----------
    Tomczak, J. M. and Welling, M. (2018). VAE with a VampPrior. AISTATS.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VampPriorVAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vamp = VampPriorVAE(n_components=8, hidden_layer_sizes=(64,),
    ...                     n_pseudo_inputs=50, likelihood="bernoulli",
    ...                     max_iter=10, random_state=0).fit(X / 16)
    >>> vamp.sample(5, random_state=0).shape
    (5, 64)
    >>> vamp.log_likelihood(X[:3] / 16).shape
    (3,)
    """

    _network = VampPriorMLP

    _parameter_constraints = {
        "n_pseudo_inputs": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_components=32, *, n_pseudo_inputs=500,
                 n_importance_samples=1, hidden_layer_sizes=(256,),
                 activation="elu", likelihood="gaussian",
                 output_scale="learned", beta=1.0, kl_warmup=0,
                 binarize_input="auto", average=True, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping="auto", validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None,
                 sampler_components=10, sampler="prior"):
        store_params(self, locals())

    def _network_options(self):
        return {**super()._network_options(),
                "n_pseudo_inputs": self.n_pseudo_inputs}


class BetaTCVAE(VariationalAE):
    """beta-TCVAE: a variational autoencoder that penalises the total
    correlation of its codes (Chen et al., 2018).

    The KL divergence of the ELBO is split into the mutual information
    between samples and codes, the total correlation of the codes (how far
    the aggregate posterior q(z) is from the product of its marginals) and
    the KL divergence of each code dimension from the prior; ``beta``
    weighs the total correlation alone. A ``beta`` above 1 favours codes
    whose dimensions are independent (disentangled factors) without
    pushing each posterior to the prior as a beta-VAE's ``beta`` does. The
    densities of q(z) and of its marginals are estimated on each
    mini-batch by minibatch-weighted sampling, with the paper's gradients
    (see :class:`skae.nn.BetaTCMLP`): the three terms add up to the
    estimate of the KL divergence from the drawn codes, while each
    recorded term is biased (the total correlation upwards); larger
    batches estimate them better. The penalty acts on codes drawn from the
    posteriors; the posterior means that ``transform`` returns are not
    always less correlated. ``score_samples`` is the ELBO (the true one,
    of weight 1).

    Parameters
    ----------
    beta : float, default=6.0
        Weight of the total correlation term (1 gives the ELBO back, up to
        its estimate).
    kl_warmup : int, default=0
        Epochs over which the weight of the total correlation grows linearly
        from 0 to ``beta``. These epochs do not count towards the stopping
        rule. The weight of each epoch is recorded in ``net_.history`` as
        ``kl_weight``.

    Attributes
    ----------
    module_ : skae.nn.BetaTCMLP
        The trained network.
    net_ : skae._net.AutoencoderNet
        The skorch net that trained it. Its ``history`` records, per epoch,
        ``train_loss``, ``train_reconstruction`` (-log p(x|z)),
        ``train_mutual_information``, ``train_total_correlation``,
        ``train_dimensionwise_kl``, ``train_latent`` (the analytic KL
        divergence, for comparison) and ``kl_weight``.

    See Also
    --------
    VariationalAE : its ``beta`` weighs the whole KL divergence (beta-VAE).

    References
    ----------
    Chen, R. T. Q., Li, X., Grosse, R. and Duvenaud, D. (2018). Isolating
    sources of disentanglement in variational autoencoders. NeurIPS.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import BetaTCVAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> tcvae = BetaTCVAE(n_components=4, hidden_layer_sizes=(64,), beta=6.0,
    ...                   likelihood="bernoulli", max_iter=10,
    ...                   random_state=0).fit(X / 16)
    >>> tcvae.transform(X[:3] / 16).shape
    (3, 4)
    >>> "train_total_correlation" in tcvae.net_.history[-1]  # per epoch
    True
    """

    _network = BetaTCMLP

    def __init__(self, n_components=32, *, beta=6.0,
                 hidden_layer_sizes=(256,), activation="elu",
                 likelihood="gaussian", output_scale="learned", kl_warmup=0,
                 binarize_input="auto", average=True, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping="auto", validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None,
                 sampler_components=10, sampler="prior"):
        store_params(self, locals())


class WAEMMD(PriorSamplingMixin, MLPAutoencoderMixin, BaseAutoencoder):
    """Wasserstein autoencoder with an MMD penalty (Tolstikhin et al., 2018).

    A deterministic autoencoder (encoder ``n_features ->
    *hidden_layer_sizes -> n_components``, mirrored decoder, linear code
    layer) whose codes, as a whole, are matched to the prior N(0, I): the
    loss adds to the reconstruction the maximum mean discrepancy between
    each batch's codes and as many draws of the prior (inverse
    multiquadratic kernel). Each code stays a point, not a distribution as
    in a VAE, so reconstructions stay sharp, while :meth:`sample` decodes
    draws of the prior. ``score_samples`` is the negative reconstruction
    error. The MMD of each epoch is recorded in ``net_.history`` as
    ``train_mmd``.

    Parameters
    ----------
    mmd_weight : float, default=10.0
        Weight of the MMD penalty, the paper's ``lambda`` (10 for MNIST):
        the penalty is weighed against the reconstruction loss summed over
        the features (the loss itself, ``loss``, averages them, so the
        penalty's factor in it is ``mmd_weight / n_features``). 0 trains a
        plain autoencoder.

    Attributes
    ----------
    module_ : skae.nn.WAEMLP
        The trained network.

    See Also
    --------
    AdversarialAE : matches the codes to a prior with a discriminator.
    VariationalAE : matches each posterior to the prior.

    References
    ----------
    Tolstikhin, I., Bousquet, O., Gelly, S. and Schoelkopf, B. (2018).
    Wasserstein auto-encoders. ICLR.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import WAEMMD
    >>> X, _ = load_digits(return_X_y=True)
    >>> wae = WAEMMD(n_components=8, hidden_layer_sizes=(64,), max_iter=10,
    ...              random_state=0).fit(X / 16)
    >>> wae.transform(X[:3] / 16).shape
    (3, 8)
    >>> wae.sample(5, random_state=0).shape
    (5, 64)
    """

    _parameter_constraints = {
        "mmd_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=32, *, mmd_weight=10.0,
                 hidden_layer_sizes=(256,), activation="elu",
                 code_activation="identity", out_activation="identity",
                 loss="mse", tied_weights=False, init="pytorch",
                 alpha=0.0, batch_size="auto", max_iter=200,
                 learning_rate=1e-3, learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None,
                 sampler_components=10, sampler="prior"):
        store_params(self, locals())

    def _build_module(self, n_features):
        return WAEMLP(n_features, mmd_weight=self.mmd_weight,
                      **self._module_kwargs())
