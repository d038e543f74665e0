"""Conditional variational autoencoder's network: a decoder that also
takes the class of each sample (Sohn et al., 2015)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._layers import init_linear, make_layer
from ._random import randn_like
from ._variational import VariationalMLP


class ConditionalVariationalMLP(VariationalMLP):
    """Variational network whose decoder is conditioned on a class.

    The encoder is the :class:`VariationalMLP`'s, q(z|x), without the
    class; the decoder models p(x|z, c) and takes the code followed by the
    one-hot class, ``n_components + n_classes`` inputs (``decode`` and
    ``decode_logits`` take such rows: see :meth:`condition`). Training
    batches carry the field ``labels`` (class indices). The scores that
    have no class (``elbo``, ``importance_log_likelihood``,
    ``reconstruction_error``) are of the mixture ``p(x) = mean_c p(x|c)``,
    the classes equally likely.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, activation, **kwargs
        As :class:`VariationalMLP`.
    n_classes : int
        Number of classes.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation="elu", n_classes=2, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         activation=activation, **kwargs)
        self.n_classes = n_classes
        first = self.decoder[0]
        inner = len(self.decoder) > 1
        layer = make_layer(nn.Linear, n_components + n_classes,
                           first.out_features,
                           activation=activation if inner else "identity")
        if not inner:
            init_linear(layer, "identity")
        self.decoder[0] = layer

    def condition(self, codes, labels):
        """The decoder's input: ``codes`` (any leading dims) followed by the
        one-hot ``labels`` (class indices of the same leading dims)."""
        one_hot = F.one_hot(labels, self.n_classes).to(codes.dtype)
        return torch.cat([codes, one_hot], -1)

    def forward(self, x, labels):
        mean, log_var = self.training_posterior(x)
        code = mean + torch.exp(0.5 * log_var) * randn_like(mean)
        return {"code": code, "mean": mean, "log_var": log_var,
                "logits": self.decode_logits(self.condition(code, labels))}

    def batch_loss(self, input, sample_weight=None, labels=None, **fields):
        """The loss terms of a training batch whose ``labels`` are the class
        indices of its samples."""
        out = self(input, labels)
        if sample_weight is not None:
            fields["sample_weight"] = sample_weight
        return self.loss_terms(out, self.target(input), **fields)

    def _class_draws(self, x, noise, mask=None):
        """As ``_draws``, with log p(x|z, c) for every class: of shape (n,
        n_classes, n_draws)."""
        noise = noise.to(x.device, x.dtype)
        mean, log_var = self.posterior(x)
        codes = mean[:, None] + torch.exp(0.5 * log_var)[:, None] * noise
        n, k, d = codes.shape
        labels = torch.arange(self.n_classes, device=x.device)
        every = self.condition(
            codes[:, None].expand(n, self.n_classes, k, d),
            labels[None, :, None].expand(n, self.n_classes, k))
        logits = self.decode_logits(every.flatten(0, 2)).view(
            n, self.n_classes, k, -1)
        log_lik = self.log_likelihood(
            logits, self.target(x)[:, None, None],
            mask=None if mask is None else mask[:, None, None])
        return mean, log_var, codes, noise, log_lik

    def elbo(self, x, noise, mask=None):
        """Per-sample lower bound of ``log mean_c p(x|c)``: the log of the
        mean over the classes of ``exp(ELBO(x | c))``."""
        mean, log_var, codes, noise, log_lik = self._class_draws(x, noise,
                                                                 mask)
        per_class = log_lik.mean(2) - self.latent_divergence(
            mean, log_var, codes, noise)[:, None]
        return torch.logsumexp(per_class, 1) - math.log(self.n_classes)

    def importance_log_likelihood(self, x, noise, mask=None):
        """Importance-weighted estimate of ``log mean_c p(x|c)`` with the
        draws of ``noise`` from q(z|x)."""
        mean, log_var, codes, noise, log_lik = self._class_draws(x, noise,
                                                                 mask)
        log_w = log_lik + (self.log_prior(codes)
                           - self.log_posterior(noise, log_var))[:, None]
        return (torch.logsumexp(log_w.flatten(1), 1)
                - math.log(log_w.shape[1] * log_w.shape[2]))

    def reconstruction_error(self, x, mask=None):
        """``-log mean_c p(x | z, c)`` at the posterior mean ``z``."""
        noise = torch.zeros(x.shape[0], 1, self.n_components,
                            dtype=x.dtype, device=x.device)
        log_lik = self._class_draws(x, noise, mask)[-1][:, :, 0]
        return math.log(self.n_classes) - torch.logsumexp(log_lik, 1)

    def draw_reconstruction(self, x):
        raise NotImplementedError(
            "A conditional VAE draws reconstructions of a given class; "
            "decode codes with the estimator's inverse_transform(Z, y).")
