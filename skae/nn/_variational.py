"""Variational autoencoder network (Kingma and Welling, 2014)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._base import Autoencoder
from ._halves import dense_steps
from ._layers import init_linear, make_activation, make_layer
from ._losses import observed_mean, observed_weight, weighted_mean
from ._random import rand_like, randn, randn_like

#: Observation models of :class:`VariationalMLP`.
LIKELIHOODS = ("bernoulli", "gaussian")

_LOG_2PI = math.log(2 * math.pi)

#: Bound on |log-variance| of the posterior: sigma stays within
#: [exp(-7.5), exp(7.5)] = [5.5e-4, 1.8e3], so exp never overflows on badly
#: scaled input, and the soft bound keeps gradients alive.
_MAX_LOG_VAR = 15.0

#: Smallest standard deviation of the Gaussian likelihood.
_MIN_SCALE = 1e-3

#: Weight of each batch in the running average of a fitted output scale.
_SCALE_MOMENTUM = 0.1


class VariationalMLP(Autoencoder):
    """Fully connected variational autoencoder with a Gaussian posterior.

    The encoder maps ``x`` through ``hidden_layer_sizes`` to the mean ``mu``
    and the log-variance ``gamma = log(sigma^2)`` of the posterior
    q(z|x) = N(mu, diag(sigma^2)) (the faster-converging variant of
    Géron's *Hands-On Machine Learning*;
    ``gamma`` passes through a soft bound to [-15, 15]);
    training decodes the reparameterised draw ``z = mu + sigma * eps``
    through the mirrored decoder. The prior is N(0, I).

    All log-likelihoods are in nats, summed over the features of a sample.

    Parameters
    ----------
    n_features, hidden_layer_sizes
        As :class:`MLPAutoencoder`.
    n_components : int
        Dimension of the latent code.
    activation : str
        Activation of the hidden layers (a key of ``skae.nn.ACTIVATIONS``).
    likelihood : {"bernoulli", "gaussian"}
        p(x|z): independent Bernoulli pixels with the decoder's logits
        (data in [0, 1]), or independent Gaussians around the decoder's
        output with one standard deviation shared by all features.
    output_scale : float or None
        The Gaussian's standard deviation. None fits it: training uses the
        maximum-likelihood scale of each batch, the root mean squared error
        (the "optimal sigma" of Rybkin et al., 2021), and keeps a running
        average of its log in the buffer ``log_scale`` for evaluation.
        Ignored for ``"bernoulli"``.
    kl_weight : float
        Weight of the latent loss in the training loss (``beta``; a warm-up
        callback may change it between epochs).
    mask_input : bool
        As :class:`MLPAutoencoder`: the input ends with the mask of the
        values the network may know.
    binarize_input : bool
        In training mode, encode a random binary version of each batch
        (feature ``x`` in [0, 1] becomes 1 with probability ``x``, drawn
        from the current call's generator) instead of the batch itself;
        the loss still reconstructs the batch. Evaluation encodes the
        batch as it is.
    """

    loss_term_names = ("reconstruction", "latent")

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation="elu", likelihood="gaussian", output_scale=None,
                 kl_weight=1.0, binarize_input=False, mask_input=False):
        if likelihood not in LIKELIHOODS:
            raise ValueError(
                f"Unknown likelihood {likelihood!r}; use one of "
                f"{LIKELIHOODS}.")
        super().__init__(
            loss="bce" if likelihood == "bernoulli" else "mse",
            out_activation=("sigmoid" if likelihood == "bernoulli"
                            else "identity"),
        )
        self.likelihood = likelihood
        self.kl_weight = kl_weight
        self.binarize_input = binarize_input
        self.n_features = n_features
        self.mask_input = mask_input
        sizes = [n_features, *hidden_layer_sizes]
        inputs = [n_features * (2 if mask_input else 1), *sizes[1:-1]]
        self.encoder = nn.ModuleList(
            make_layer(nn.Linear, a, b, activation=activation)
            for a, b in zip(inputs, sizes[1:])
        )
        # mean and log-variance heads in one layer, with small weights so
        # that q(z|x) starts near the prior N(0, I) (a noisy, far-off start
        # costs held-out ELBO)
        self.posterior_head = make_layer(
            nn.Linear, sizes[-1] if hidden_layer_sizes else inputs[0],
            2 * n_components, activation="identity")
        with torch.no_grad():
            self.posterior_head.weight.mul_(1e-2)
        back = [n_components, *reversed(sizes)]
        self.decoder = nn.ModuleList(
            make_layer(nn.Linear, a, b, activation=activation)
            for a, b in zip(back[:-1], back[1:])
        )
        init_linear(self.decoder[-1], "identity")
        self.activation = make_activation(activation)
        self.n_components = n_components
        self.fit_scale = likelihood == "gaussian" and output_scale is None
        scale = 1.0 if output_scale is None else float(output_scale)
        self.register_buffer("log_scale", torch.tensor(math.log(scale)))

    # -- the two halves -------------------------------------------------
    def posterior(self, x):
        """Mean and log-variance of q(z|x)."""
        for layer in self.encoder:
            x = self.activation(layer(x))
        mean, log_var = self.posterior_head(x).chunk(2, dim=-1)
        return mean, _MAX_LOG_VAR * torch.tanh(log_var / _MAX_LOG_VAR)

    def encode(self, x):
        """The posterior mean (deterministic codes for ``transform``)."""
        return self.posterior(x)[0]

    def decode_logits(self, code):
        *hidden, last = self.decoder
        for layer in hidden:
            code = self.activation(layer(code))
        return last(code)

    def encoder_steps(self):
        head = self.posterior_head
        mean = nn.Linear(head.in_features, self.n_components,
                         device=head.weight.device, dtype=head.weight.dtype)
        with torch.no_grad():
            mean.weight.copy_(head.weight[:self.n_components])
            mean.bias.copy_(head.bias[:self.n_components])
        return dense_steps([*self.encoder, mean], self.activation,
                           nn.Identity())

    def decoder_steps(self):
        return dense_steps(list(self.decoder), self.activation,
                           self.output_activation())

    def sample_prior(self, n_samples):
        """``n_samples`` draws from the prior N(0, I) (torch's generator)."""
        ref = self.posterior_head.weight
        return randn(n_samples, self.n_components, device=ref.device,
                           dtype=ref.dtype)

    # -- densities --------------------------------------------------------
    def log_likelihood(self, logits, x, log_scale=None, mask=None):
        """log p(x|z) per sample; ``logits`` may have extra leading dims.
        ``log_scale`` replaces the Gaussian's ``log_scale`` buffer; with
        ``mask`` (True where observed), of the observed features only."""
        if self.likelihood == "bernoulli":
            per_feature = -F.binary_cross_entropy_with_logits(
                logits, x.expand_as(logits), reduction="none")
        else:
            if log_scale is None:
                log_scale = self.log_scale
            scale = log_scale.clamp(min=math.log(_MIN_SCALE))

            def gaussian(mean, value):
                return -0.5 * (((value - mean) * torch.exp(-scale)).square()
                               + _LOG_2PI) - scale

            if self.table is None:
                per_feature = gaussian(logits, x)
            else:  # the numeric columns' Gaussians and the categories
                per_feature = self.table.log_likelihood(
                    logits, x.expand_as(logits), gaussian)
        if mask is not None:
            per_feature = per_feature * self.loss_mask(mask)
        return per_feature.sum(-1)

    @staticmethod
    def kl_divergence(mean, log_var):
        """KL(q(z|x) || N(0, I)) per sample: the latent loss."""
        return 0.5 * (log_var.exp() + mean.square() - 1 - log_var).sum(-1)

    def log_prior(self, codes):
        """log p(z) of ``codes`` (any leading dims): the standard normal."""
        return -0.5 * (codes.square() + _LOG_2PI).sum(-1)

    def latent_divergence(self, mean, log_var, codes, noise):
        """KL(q(z|x) || p(z)) per sample, given the codes ``mu + sigma *
        noise`` of shape (n, n_draws, n_components): the analytic value
        (the draws are for priors without one)."""
        return self.kl_divergence(mean, log_var)

    @staticmethod
    def log_posterior(noise, log_var):
        """log q(z|x) of the codes ``mu + sigma * noise`` (noise of shape
        (n, n_draws, n_components), log_var of shape (n, n_components))."""
        return -0.5 * (noise.square() + log_var[:, None] + _LOG_2PI).sum(-1)

    # -- training -------------------------------------------------------
    def training_posterior(self, x):
        """q(z|x) of a training batch: of its binary draws with
        ``binarize_input`` in training mode, else of ``x`` itself."""
        if self.training and self.binarize_input:
            return self.posterior((rand_like(x) < x).to(x.dtype))
        return self.posterior(x)

    def forward(self, x):
        mean, log_var = self.training_posterior(x)
        code = mean + torch.exp(0.5 * log_var) * randn_like(mean)
        return {"code": code, "mean": mean, "log_var": log_var,
                "logits": self.decode_logits(code)}

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """Negative ELBO: reconstruction (-log p(x|z)) plus weighted latent
        loss, both averaged over the batch (weighted by ``sample_weight``
        when given). With ``mask`` (missing values) the likelihood is that of
        the observed features, and a sample with none observed carries no
        weight."""
        weight = (sample_weight if mask is None
                  else observed_weight(mask, sample_weight))
        log_scale = None
        if self.fit_scale:
            log_scale = self._batch_log_scale(out, target, weight, mask)
        rec = -weighted_mean(
            self.log_likelihood(out["logits"], target, log_scale, mask),
            weight)
        latent = weighted_mean(
            self.kl_divergence(out["mean"], out["log_var"]), weight)
        return {"loss": rec + self.kl_weight * latent,
                "reconstruction": rec, "latent": latent}

    def _batch_log_scale(self, out, target, weight, mask):
        """The maximum-likelihood log scale of the batch (the root mean
        squared error), which also moves the running ``log_scale``; of
        the numeric columns of a :attr:`table`."""
        squares = (target - out["logits"]).square()
        if self.table is not None:
            if not self.table.n_numeric:
                return self.log_scale
            squares = squares[..., :self.table.n_numeric]
            mask = None if mask is None else mask[..., :self.table.n_numeric]
        if mask is not None:
            mse = weighted_mean(observed_mean(squares, mask), weight)
        elif weight is None:
            mse = squares.mean()
        else:
            mse = weighted_mean(squares.flatten(1).mean(1), weight)
        log_scale = 0.5 * torch.log(mse.clamp(min=_MIN_SCALE ** 2))
        if self.training:
            with torch.no_grad():
                self.log_scale.lerp_(log_scale, _SCALE_MOMENTUM)
        return log_scale

    # -- evaluation with given noise ------------------------------------
    def _draws(self, x, noise, mask=None):
        """Codes ``mu + sigma * noise`` of each row of ``x``, ``noise`` of
        shape (n, n_draws, n_components); returns the posterior, the codes,
        the noise in ``x``'s dtype and log p(x|z) of shape (n, n_draws) (of
        the observed features, with ``mask``)."""
        noise = noise.to(x.device, x.dtype)
        mean, log_var = self.posterior(x)
        codes, logits = self.decode_draws(mean, log_var, noise)
        return (mean, log_var, codes, noise, self.log_likelihood(
            logits, self.target(x)[:, None],
            mask=None if mask is None else mask[:, None]))

    def decode_draws(self, mean, log_var, noise):
        """Codes ``mu + sigma * noise`` (noise of shape (n, n_draws,
        n_components)) and their decoder logits (n, n_draws, n_features)."""
        codes = mean[:, None] + torch.exp(0.5 * log_var)[:, None] * noise
        logits = self.decode_logits(codes.flatten(0, 1)).view(
            *codes.shape[:2], -1)
        return codes, logits

    def elbo(self, x, noise, mask=None):
        """Per-sample ELBO: the mean of log p(x|z) over the codes drawn with
        ``noise`` minus the analytic KL divergence (of the observed
        features, with ``mask``)."""
        mean, log_var, codes, noise, log_lik = self._draws(x, noise, mask)
        return log_lik.mean(1) - self.latent_divergence(mean, log_var, codes,
                                                        noise)

    def importance_log_likelihood(self, x, noise, mask=None):
        """Importance-weighted estimate of log p(x) (Burda et al., 2016) with
        q(z|x) as proposal and the draws of ``noise`` as importance samples
        (of the observed features, with ``mask``)."""
        mean, log_var, codes, noise, log_lik = self._draws(x, noise, mask)
        log_w = (log_lik + self.log_prior(codes)
                 - self.log_posterior(noise, log_var))
        return torch.logsumexp(log_w, 1) - math.log(log_w.shape[1])

    def draw_reconstruction(self, x):
        """A draw of p(x|z) with z drawn from q(z|x), for each row of ``x``
        (from the current call's generator): the imputations of multiple
        imputation."""
        mean, log_var = self.posterior(x)
        code = mean + torch.exp(0.5 * log_var) * randn_like(mean)
        logits = self.decode_logits(code)
        if self.likelihood == "bernoulli":
            return (rand_like(logits) < logits.sigmoid()).to(logits.dtype)
        scale = self.log_scale.clamp(min=math.log(_MIN_SCALE)).exp()
        return logits + scale * randn_like(logits)

    def reconstruction_error(self, x, mask=None):
        """Negative log-likelihood of ``x`` (of its observed features, with
        ``mask``) decoded from its posterior mean."""
        return -self.log_likelihood(self.decode_logits(self.encode(x)),
                                    self.target(x), mask=mask)
