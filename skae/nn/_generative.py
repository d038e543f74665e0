"""Generative variants: the variational autoencoder's network with other
objectives (IWAE, beta-TCVAE) and another prior (VampPrior), and the
Wasserstein autoencoder's."""

import math

import torch
from torch import nn

from ._losses import observed_weight, weighted_mean
from ._mlp import MLPAutoencoder
from ._random import randint, randn
from ._variational import _LOG_2PI, VariationalMLP

#: Codes whose mixture prior density is evaluated at once (bounds the
#: (codes, components) matrix of a VampPrior).
_PRIOR_CHUNK = 4096

#: Scales of the inverse multiquadratic kernel of the MMD, times
#: ``2 * n_components`` (Tolstikhin et al., 2018).
_IMQ_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


class IWAEMLP(VariationalMLP):
    """Variational network trained on the importance-weighted bound.

    Training draws ``n_importance_samples`` codes ``z_k`` of q(z|x) for each
    sample and maximises ``log mean_k p(x|z_k) p(z_k) / q(z_k|x)`` (Burda et
    al., 2016), a bound on log p(x) tighter than the ELBO for k > 1 (the
    single-draw ELBO for k = 1). ``kl_weight`` multiplies ``log p(z_k) -
    log q(z_k|x)`` in each weight (1 gives the bound itself).

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`VariationalMLP`.
    n_importance_samples : int
        Codes drawn for each sample in training (k).
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 n_importance_samples=1, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        if n_importance_samples < 1:
            raise ValueError("n_importance_samples must be at least 1; got "
                             f"{n_importance_samples!r}.")
        self.n_importance_samples = n_importance_samples

    def forward(self, x):
        mean, log_var = self.training_posterior(x)
        noise = randn(x.shape[0], self.n_importance_samples,
                      self.n_components, dtype=mean.dtype, device=mean.device)
        codes, logits = self.decode_draws(mean, log_var, noise)
        return {"code": codes[:, 0], "codes": codes, "noise": noise,
                "mean": mean, "log_var": log_var, "logits": logits}

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """Negative importance-weighted bound, averaged over the batch
        (weighted by ``sample_weight``); ``reconstruction`` and ``latent``
        are -log p(x|z) and log q(z|x) - log p(z) averaged over the draws.
        With ``mask``, of the observed features."""
        weight = (sample_weight if mask is None
                  else observed_weight(mask, sample_weight))
        target = target[:, None]
        if mask is not None:
            mask = mask[:, None].expand_as(out["logits"])
        log_scale = None
        if self.fit_scale:
            log_scale = self._batch_log_scale(out, target, weight, mask)
        log_lik = self.log_likelihood(out["logits"], target, log_scale, mask)
        latent = (self.log_posterior(out["noise"], out["log_var"])
                  - self.log_prior(out["codes"]))
        log_w = log_lik - self.kl_weight * latent
        bound = (torch.logsumexp(log_w, 1)
                 - math.log(self.n_importance_samples))
        return {"loss": -weighted_mean(bound, weight),
                "reconstruction": -weighted_mean(log_lik.mean(1), weight),
                "latent": weighted_mean(latent.mean(1), weight)}


class VampPriorMLP(IWAEMLP):
    """Variational network whose prior is the VampPrior (Tomczak and
    Welling, 2018): the mixture ``p(z) = mean_k q(z|u_k)`` of the
    posteriors of ``n_pseudo_inputs`` learned pseudo-inputs ``u_k``
    (the parameter ``pseudo_inputs``, in data space).

    The KL divergence has no closed form: training and the ELBO estimate
    it with the drawn codes.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, n_importance_samples, \
**kwargs
        As :class:`IWAEMLP`.
    n_pseudo_inputs : int
        Components of the prior.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 n_pseudo_inputs=500, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        ref = self.posterior_head.weight
        # small random inputs (Tomczak and Welling: N(0.05, 0.01))
        self.pseudo_inputs = nn.Parameter(0.05 + 0.01 * randn(
            n_pseudo_inputs, n_features, dtype=ref.dtype, device=ref.device))

    def prior_components(self):
        """Means and log-variances of the prior's components, each of shape
        (n_pseudo_inputs, n_components)."""
        u = self.pseudo_inputs
        if self.mask_input:  # the pseudo-inputs are fully observed
            u = torch.cat([u, torch.ones_like(u)], 1)
        return self.posterior(u)

    def log_prior(self, codes):
        """log p(z) under the mixture, for ``codes`` of any leading dims.

        Each component's quadratic form is expanded into matrix products
        (``z^2 . 1/sigma^2 - 2 z . mu/sigma^2 + ...``), in float64 so that
        the expansion loses no precision, by chunks of codes.
        """
        means, log_vars = (t.double() for t in self.prior_components())
        precision = torch.exp(-log_vars)
        scaled = means * precision
        const = (means * scaled + log_vars + _LOG_2PI).sum(1)
        flat = codes.reshape(-1, codes.shape[-1]).double()
        parts = []
        for start in range(0, flat.shape[0], _PRIOR_CHUNK):
            z = flat[start:start + _PRIOR_CHUNK]
            quad = z.square() @ precision.T - 2 * z @ scaled.T
            parts.append(torch.logsumexp(-0.5 * (quad + const), 1))
        log_p = torch.cat(parts) - math.log(means.shape[0])
        return log_p.to(codes.dtype).view(codes.shape[:-1])

    def latent_divergence(self, mean, log_var, codes, noise):
        """KL(q(z|x) || p(z)) per sample, estimated as the mean of
        log q(z|x) - log p(z) over the drawn codes."""
        return (self.log_posterior(noise, log_var)
                - self.log_prior(codes)).mean(1)

    def sample_prior(self, n_samples):
        """``n_samples`` draws of the mixture: a uniformly chosen
        component's Gaussian each (the current call's generator)."""
        means, log_vars = self.prior_components()
        pick = randint(means.shape[0], (n_samples,), device=means.device)
        return means[pick] + torch.exp(0.5 * log_vars[pick]) * randn(
            n_samples, self.n_components, dtype=means.dtype,
            device=means.device)


class BetaTCMLP(VariationalMLP):
    """Variational network whose latent loss is split into three terms
    (Chen et al., 2018): the index-code mutual information ``E[log q(z|x)
    - log q(z)]``, the total correlation ``E[log q(z) - sum_d log
    q(z_d)]`` and the dimension-wise KL ``E[sum_d log q(z_d) - log
    p(z_d)]``; ``kl_weight`` (``beta``) weighs the total correlation only.

    The densities of the aggregate posterior q(z) and of its marginals at
    each drawn code are estimated on the batch by minibatch-weighted
    sampling: ``log q(z_i) ~ log sum_j w_j q(z_i|x_j) - log sum_j w_j``,
    with the batch's sample weights ``w`` (1 without). The paper also
    subtracts the log of the training set's size N; a constant, it changes
    no gradient, but it shifts the recorded terms (the total correlation
    by ``(n_components - 1) log N``), so it is left out here.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`VariationalMLP`.
    """

    loss_term_names = ("reconstruction", "latent", "mutual_information",
                       "total_correlation", "dimensionwise_kl")

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """The reconstruction, the three terms of the latent loss (each
        averaged over the batch, weighted by ``sample_weight``) and the
        analytic KL divergence (``latent``, recorded, not minimised)."""
        terms = super().loss_terms(out, target, sample_weight, mask)
        weight = (sample_weight if mask is None
                  else observed_weight(mask, sample_weight))
        split = self.kl_decomposition(out["code"], out["mean"],
                                      out["log_var"], weight)
        mi, tc, dim_kl = (weighted_mean(term, weight) for term in split)
        terms.update(loss=terms["reconstruction"] + mi + self.kl_weight * tc
                     + dim_kl, mutual_information=mi, total_correlation=tc,
                     dimensionwise_kl=dim_kl)
        return terms

    @staticmethod
    def kl_decomposition(code, mean, log_var, weight=None):
        """Per-sample mutual information, total correlation and
        dimension-wise KL terms of the codes ``code`` drawn from the
        posteriors ``(mean, log_var)`` of a batch (estimated as described
        above); they add up to ``log q(z|x) - log p(z)``."""
        # log q(z_i,d | x_j) for every pair of the batch: (i, j, d)
        log_q = -0.5 * ((code[:, None] - mean[None]).square()
                        * torch.exp(-log_var[None]) + log_var[None]
                        + _LOG_2PI)
        if weight is None:
            weight = torch.ones_like(code[:, 0])
        tiny = torch.finfo(code.dtype).tiny
        log_w = torch.log(weight.to(code.dtype).clamp(min=tiny))
        norm = torch.log(weight.to(code.dtype).sum().clamp(min=tiny))
        log_qz = torch.logsumexp(log_q.sum(2) + log_w, 1) - norm
        log_prod = (torch.logsumexp(log_q + log_w[None, :, None], 1)
                    - norm).sum(1)
        log_qzx = torch.diagonal(log_q.sum(2))
        log_pz = -0.5 * (code.square() + _LOG_2PI).sum(1)
        return log_qzx - log_qz, log_qz - log_prod, log_prod - log_pz


class WAEMLP(MLPAutoencoder):
    """Deterministic MLP autoencoder whose codes are pulled towards the
    prior N(0, I) by a maximum mean discrepancy (WAE-MMD, Tolstikhin et
    al., 2018).

    The loss adds ``mmd_weight / n_features`` times the unbiased estimate
    of MMD^2 between the batch's codes and as many draws of the prior, with
    the inverse multiquadratic kernel ``sum_s C_s / (C_s + |z - z'|^2)``,
    ``C_s = 2 * n_components * s`` for the paper's scales ``s`` from 0.1
    to 10. Dividing by ``n_features`` makes ``mmd_weight`` the paper's
    ``lambda`` for a reconstruction cost summed over the features (the
    reconstruction term is their mean).

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`MLPAutoencoder`.
    mmd_weight : float
        Weight of the MMD term (``lambda``).
    """

    loss_term_names = ("reconstruction", "mmd")

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 mmd_weight=10.0, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        self.mmd_weight = mmd_weight
        self.n_components = n_components

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """The reconstruction loss plus the weighted MMD term (samples
        weighted by ``sample_weight``; with ``mask``, a sample with nothing
        observed is left out)."""
        terms = super().loss_terms(out, target, sample_weight, mask)
        weight = (sample_weight if mask is None
                  else observed_weight(mask, sample_weight))
        codes = out["code"]
        mmd = self.mmd(codes, self.sample_prior(codes.shape[0]), weight)
        terms["loss"] = (terms["loss"]
                         + self.mmd_weight / self.n_features * mmd)
        terms["mmd"] = mmd
        return terms

    def mmd(self, codes, draws, weight=None):
        """Unbiased estimate of MMD^2 between ``codes`` (weighted by
        ``weight``) and ``draws``, with the inverse multiquadratic
        kernel."""
        if weight is None:
            weight = torch.ones_like(codes[:, 0])
        weight = weight.to(codes.dtype)
        # the denominators' floor: with the smallest normal number (whose
        # reciprocal nears float32's largest), a batch with no pair of codes
        # (one sample) trained to NaN codes
        tiny = torch.finfo(codes.dtype).eps
        pairs = weight[:, None] * weight[None]
        pairs = pairs - torch.diag(torch.diagonal(pairs))
        n = draws.shape[0]
        within_codes = (self._kernel(codes, codes) * pairs).sum() \
            / pairs.sum().clamp(min=tiny)
        within_draws = self._kernel(draws, draws).fill_diagonal_(0).sum() \
            / max(n * (n - 1), 1)
        across = (weight @ self._kernel(codes, draws)).sum() \
            / (weight.sum() * n).clamp(min=tiny)
        return within_codes + within_draws - 2 * across

    def _kernel(self, a, b):
        distances = (a.square().sum(1)[:, None] + b.square().sum(1)[None]
                     - 2 * a @ b.T).clamp(min=0)
        base = 2.0 * self.n_components
        return sum(base * s / (base * s + distances) for s in _IMQ_SCALES)

    def sample_prior(self, n_samples):
        """``n_samples`` draws of the prior N(0, I) (the current call's
        generator)."""
        ref = self.encoder[0].weight
        return randn(n_samples, self.n_components, dtype=ref.dtype,
                     device=ref.device)
