"""Conditional networks: a decoder that also takes the class of each
sample, in a variational autoencoder (Sohn et al., 2015) and an
adversarial one (Makhzani et al., 2016)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._adversarial import AdversarialMLP
from ._layers import make_activation, make_layer
from ._losses import weighted_mean
from ._random import rand_like, randn_like
from ._variational import VariationalMLP

_LOG_2PI = math.log(2 * math.pi)

#: Hidden units of the class adversary of :class:`ConditionalVariationalMLP`.
_ADVERSARY_UNITS = 128


class _ReverseGradient(torch.autograd.Function):
    """The identity, whose gradient is multiplied by ``-weight``."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.weight = weight
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.weight * grad, None


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

    The decoder models p(x|z, c) and takes the code followed by the
    one-hot class, ``n_components + n_classes`` inputs (``decode`` and
    ``decode_logits`` take such rows: see :meth:`condition`). The encoder
    is the :class:`VariationalMLP`'s, q(z|x), without the class, or with
    ``conditional_encoder`` q(z|x, c), whose first layer also takes the
    one-hot class after the input (Sohn et al., 2015). Training batches
    carry the field ``labels`` (class indices). The scores that have no
    class (``elbo``, ``importance_log_likelihood``,
    ``reconstruction_error``) are of the mixture ``p(x) = mean_c p(x|c)``,
    the classes equally likely; so is the posterior that ``encode`` takes
    the mean of when the encoder needs a class.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, activation, **kwargs
        As :class:`VariationalMLP`.
    n_classes : int
        Number of classes.
    conditional_encoder : bool
        Whether the encoder also takes the class: q(z|x, c).
    class_adversary_weight : float
        With a positive weight, a small classifier of the training codes
        (one hidden layer of 128 units), ``class_adversary``, learns to
        predict the class from the code, and the encoder learns to defeat
        it: the gradient of its cross-entropy reaches the encoder
        multiplied by ``-class_adversary_weight`` (a gradient reversal, as
        Lample et al.'s 2017 Fader networks), so the code leaves the class
        to the label. The training loss adds the cross-entropy, recorded
        as the term ``class_adversary`` (``log n_classes`` when the code
        tells nothing of the class); evaluation losses do not.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation="elu", n_classes=2, conditional_encoder=False,
                 class_adversary_weight=0.0, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         activation=activation, **kwargs)
        self.condition_decoder(n_components, n_classes, activation)
        self.conditional_encoder = conditional_encoder
        self.class_adversary_weight = class_adversary_weight
        if class_adversary_weight > 0:
            self.loss_term_names = (*self.loss_term_names, "class_adversary")
            self.class_adversary = nn.Sequential(
                make_layer(nn.Linear, n_components, _ADVERSARY_UNITS,
                           activation=activation),
                make_activation(activation),
                make_layer(nn.Linear, _ADVERSARY_UNITS, n_classes))
        if not conditional_encoder:
            return
        # the first layer that sees the input also takes the one-hot class
        if len(self.encoder):
            first = self.encoder[0]
            self.encoder[0] = make_layer(
                nn.Linear, first.in_features + n_classes, first.out_features,
                activation=activation)
        else:
            head = self.posterior_head
            self.posterior_head = make_layer(
                nn.Linear, head.in_features + n_classes, head.out_features)
            with torch.no_grad():  # starts near the prior, as the VAE's
                self.posterior_head.weight.mul_(1e-2)

    def posterior_given(self, x, labels):
        """Mean and log-variance of q(z|x, c) for the classes of indices
        ``labels`` (of q(z|x) without ``conditional_encoder``)."""
        if self.conditional_encoder:
            x = self.condition(x, labels)
        return self.posterior(x)

    def training_posterior(self, x, labels=None):
        """As :meth:`VariationalMLP.training_posterior`, given the batch's
        class indices ``labels``."""
        if self.training and self.binarize_input:
            x = (rand_like(x) < x).to(x.dtype)
        return self.posterior_given(x, labels)

    def class_posteriors(self, x):
        """Mean and log-variance of the posterior given each class, each of
        shape (n, n_classes, n_components)."""
        n = x.shape[0]
        if not self.conditional_encoder:
            mean, log_var = self.posterior(x)
            shape = (n, self.n_classes, self.n_components)
            return mean[:, None].expand(shape), log_var[:, None].expand(shape)
        labels = torch.arange(self.n_classes, device=x.device)
        return self.posterior_given(
            x[:, None].expand(n, self.n_classes, x.shape[-1]),
            labels[None].expand(n, self.n_classes))

    def encode(self, x):
        """The posterior mean: with ``conditional_encoder``, the mean of the
        mixture ``sum_c p(c|x) q(z|x, c)``, with ``p(c|x)`` proportional to
        the ELBO of ``x`` given ``c`` at the posterior mean (exponentiated),
        the classes equally likely a priori."""
        if not self.conditional_encoder:
            return super().encode(x)
        noise = torch.zeros(x.shape[0], 1, self.n_components,
                            dtype=x.dtype, device=x.device)
        mean, log_var, _, _, log_lik = self._class_draws(x, noise)
        weight = torch.softmax(
            log_lik[:, :, 0] - self.kl_divergence(mean, log_var), 1)
        return (weight[:, :, None] * mean).sum(1)

    def encoder_steps(self):
        if self.conditional_encoder:
            raise NotImplementedError(
                "This encoder also takes the class (conditional_encoder="
                "True) and its transform mixes the posteriors of every "
                "class: it is not one stack of layers to export.")
        return super().encoder_steps()

    def forward(self, x, labels):
        mean, log_var = self.training_posterior(x, labels)
        code = mean + torch.exp(0.5 * log_var) * randn_like(mean)
        return {"code": code, "mean": mean, "log_var": log_var,
                "logits": self.decode_logits(self.condition(code, labels))}

    def batch_loss(self, input, sample_weight=None, labels=None, **fields):
        """The loss terms of a training batch whose ``labels`` are the class
        indices of its samples."""
        out = self(input, labels)
        if sample_weight is not None:
            fields["sample_weight"] = sample_weight
        terms = self.loss_terms(out, self.target(input), **fields)
        if self.class_adversary_weight > 0:
            logits = self.class_adversary(_ReverseGradient.apply(
                out["code"], self.class_adversary_weight))
            terms["class_adversary"] = weighted_mean(
                F.cross_entropy(logits, labels, reduction="none"),
                sample_weight)
            if self.training:
                terms["loss"] = terms["loss"] + terms["class_adversary"]
        return terms

    def _class_draws(self, x, noise, mask=None):
        """The posterior given each class (means and log-variances of shape
        (n, n_classes, n_components)), its codes ``mu + sigma * noise``
        (noise of shape (n, n_draws, n_components)) of shape (n, n_classes,
        n_draws, n_components), the noise in ``x``'s dtype, and log p(x|z,
        c) of each class and code, of shape (n, n_classes, n_draws)."""
        noise = noise.to(x.device, x.dtype)
        mean, log_var = self.class_posteriors(x)
        codes = (mean[:, :, None]
                 + torch.exp(0.5 * log_var)[:, :, None] * noise[:, None])
        n, c, k, d = codes.shape
        labels = torch.arange(self.n_classes, device=x.device)
        every = self.condition(codes, labels[None, :, None].expand(n, c, k))
        logits = self.decode_logits(every.flatten(0, 2)).view(n, c, k, -1)
        log_lik = self.log_likelihood(
            logits, self.target(x)[:, None, None],
            mask=None if mask is None else mask[:, None, None])
        return mean, log_var, codes, noise, log_lik

    def elbo(self, x, noise, mask=None):
        """Per-sample lower bound of ``log mean_c p(x|c)``: the log of the
        mean over the classes of ``exp(ELBO(x | c))``."""
        mean, log_var, codes, noise, log_lik = self._class_draws(x, noise,
                                                                 mask)
        per_class = log_lik.mean(2) - self.kl_divergence(mean, log_var)
        return torch.logsumexp(per_class, 1) - math.log(self.n_classes)

    def importance_log_likelihood(self, x, noise, mask=None):
        """Importance-weighted estimate of ``log mean_c p(x|c)`` with the
        draws of ``noise`` from q(z|x) (from q(z|x, c) for each class with
        ``conditional_encoder``)."""
        mean, log_var, codes, noise, log_lik = self._class_draws(x, noise,
                                                                 mask)
        log_q = -0.5 * (noise[:, None].square() + log_var[:, :, None]
                        + _LOG_2PI).sum(-1)
        log_w = log_lik + self.log_prior(codes) - log_q
        return (torch.logsumexp(log_w.flatten(1), 1)
                - math.log(log_w.shape[1] * log_w.shape[2]))

    def reconstruction_error(self, x, mask=None):
        """``-log mean_c p(x | z_c, c)`` at the posterior means ``z_c``."""
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
