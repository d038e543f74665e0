"""Conditional networks: a decoder that also takes the class of each
sample, in a variational autoencoder (Sohn et al., 2015) and an
adversarial one (Makhzani et al., 2016)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._adversarial import AdversarialMLP
from ._layers import make_layer
from ._random import randn_like
from ._variational import VariationalMLP


class ConditionedDecoderMixin:
    """A decoder whose first layer takes the code followed by the one-hot
    class: ``n_components + n_classes`` inputs."""

    def condition_decoder(self, n_components, n_classes, activation,
                          out_activation="identity", init="variance_scaling"):
        """Replace the first decoder layer by one that also takes the
        one-hot class (the output layer, with ``out_activation``, when the
        decoder has no hidden layer)."""
        self.n_classes = n_classes
        inner = len(self.decoder) > 1
        self.decoder[0] = make_layer(
            nn.Linear, n_components + n_classes, self.decoder[0].out_features,
            activation=activation if inner else out_activation, init=init)

    def condition(self, codes, labels):
        """The decoder's input: ``codes`` (any leading dims) followed by the
        one-hot ``labels`` (class indices of the same leading dims)."""
        one_hot = F.one_hot(labels, self.n_classes).to(codes.dtype)
        return torch.cat([codes, one_hot], -1)


class ConditionalVariationalMLP(ConditionedDecoderMixin, VariationalMLP):
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
        self.condition_decoder(n_components, n_classes, activation)

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


class ConditionalAdversarialMLP(ConditionedDecoderMixin, AdversarialMLP):
    """Adversarial network whose decoder is conditioned on a class: the
    supervised adversarial autoencoder of Makhzani et al. (2016).

    The decoder takes the code followed by the one-hot class, so the
    code is left to carry the style; the discriminator matches the codes
    alone to the prior. Training batches carry the field ``labels`` (class
    indices). Without a class (``reconstruction_error``), a sample is
    decoded as each class and scored with the class that reconstructs it
    best.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`AdversarialMLP` (without tied weights: the first decoder
        layer has inputs of its own for the class).
    n_classes : int
        Number of classes.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 n_classes=2, **kwargs):
        if kwargs.get("tied_weights"):
            raise ValueError("A conditional decoder cannot tie its weights "
                             "to the encoder's; use tied_weights=False.")
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        self.condition_decoder(
            n_components, n_classes, kwargs.get("activation", "elu"),
            kwargs.get("out_activation", "identity"),
            kwargs.get("init", "variance_scaling"))

    def forward(self, x, labels):
        code = self.encode(self.corrupt_input(x))
        return {"code": code,
                "logits": self.decode_logits(self.condition(code, labels))}

    def batch_loss(self, input, sample_weight=None, mask=None, phase=None,
                   codes=None, labels=None):
        """As :meth:`AdversarialMLP.batch_loss`, the decoder given the
        batch's ``labels``; the adversarial phases see the codes only."""
        if phase not in (None, "reconstruction"):
            return super().batch_loss(input, phase=phase, codes=codes)
        terms = (self.loss_terms if phase is None
                 else self.reconstruction_terms)
        return terms(self(input, labels), self.target(input), sample_weight,
                     mask)

    def reconstruction_error(self, x, mask=None):
        """Per-sample reconstruction loss of ``x`` decoded as the class
        that reconstructs it best."""
        code = self.encode(x)
        labels = torch.arange(self.n_classes, device=x.device)
        every = self.condition(
            code[:, None].expand(-1, self.n_classes, -1),
            labels[None].expand(len(code), -1))
        logits = self.decode_logits(every)
        per_element = self.elementwise_loss(
            logits, self.target(x)[:, None].expand_as(logits))
        if mask is None:
            return per_element.mean(-1).amin(1)
        mask = self.loss_mask(mask)[:, None].to(per_element.dtype)
        return ((per_element * mask).sum(-1)
                / mask.sum(-1).clamp(min=1)).amin(1)
