"""Adversarial autoencoder network (Makhzani et al., 2015)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._layers import make_activation, make_layer
from ._mlp import MLPAutoencoder
from ._random import randint, randn

#: Priors of :class:`AdversarialMLP`.
PRIORS = ("normal", "mixture")

#: Standard deviation of each component of the ``"mixture"`` prior; adjacent
#: means lie ``4 * _MIXTURE_STD`` apart.
_MIXTURE_STD = 0.5


def mixture_means(n_prior_components, n_components):
    """Means of the ``"mixture"`` prior: equally spaced on a circle in the
    first two code dimensions (on a line when the code has one), adjacent
    means 2 apart."""
    k = torch.arange(n_prior_components, dtype=torch.float64)
    means = torch.zeros(n_prior_components, n_components, dtype=torch.float64)
    spacing = 4 * _MIXTURE_STD
    if n_components == 1:
        means[:, 0] = spacing * (k - (n_prior_components - 1) / 2)
    elif n_prior_components > 1:
        radius = spacing / (2 * math.sin(math.pi / n_prior_components))
        angle = 2 * math.pi * k / n_prior_components
        means[:, 0] = radius * torch.cos(angle)
        means[:, 1] = radius * torch.sin(angle)
    return means.float()


class AdversarialMLP(MLPAutoencoder):
    """Deterministic MLP autoencoder plus a discriminator on its codes.

    The discriminator (an MLP ``n_components -> *discriminator_sizes -> 1``
    giving a logit) learns to tell draws of the prior from codes of the
    data; the encoder, as the generator, learns to fool it, so that the
    codes of the data follow the prior (Makhzani et al., 2015). Each
    training step has three phases with their own optimizers
    (``training_phases``, ``phase_parameters``); :meth:`batch_loss` gives
    the loss of each.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, activation, \
code_activation, out_activation, loss, tied_weights, init, mask_input
        As :class:`MLPAutoencoder`; the code layer is linear by default.
    discriminator_sizes : sequence of int
        Hidden layers of the discriminator.
    prior : {"normal", "mixture"}
        N(0, I), or an equal-weight mixture of ``n_prior_components``
        Gaussians of standard deviation 0.5 (see :func:`mixture_means`).
    n_prior_components : int
        Components of the ``"mixture"`` prior.
    """

    loss_term_names = ("reconstruction", "discriminator", "generator")

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation="elu", code_activation="identity",
                 out_activation="identity", loss="mse", tied_weights=False,
                 discriminator_sizes=(256, 256), prior="normal",
                 n_prior_components=10, init="variance_scaling",
                 mask_input=False):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         activation=activation,
                         code_activation=code_activation,
                         out_activation=out_activation, loss=loss,
                         tied_weights=tied_weights, init=init,
                         mask_input=mask_input)
        if prior not in PRIORS:
            raise ValueError(f"Unknown prior {prior!r}; use one of {PRIORS}.")
        self.prior = prior
        self.n_components = n_components
        sizes = [n_components, *discriminator_sizes, 1]
        self.discriminator = nn.Sequential()
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            self.discriminator.append(
                make_layer(nn.Linear, a, b,
                           activation="identity" if last else activation))
            if not last:
                self.discriminator.append(make_activation(activation))
        if prior == "mixture":
            self.register_buffer(
                "prior_means", mixture_means(n_prior_components, n_components))

    def autoencoder_parameters(self):
        """Parameters of the encoder and decoder (the reconstruction phase)."""
        return [p for name, p in self.named_parameters()
                if not name.startswith("discriminator.")]

    def encoder_parameters(self):
        """Parameters of the encoder (the generator of the adversarial
        game)."""
        return list(self.encoder.parameters())

    def sample_prior(self, n_samples):
        """``n_samples`` draws from the prior (torch's generator)."""
        ref = self.encoder[0].weight
        draws = randn(n_samples, self.n_components, device=ref.device,
                            dtype=ref.dtype)
        if self.prior == "normal":
            return draws
        which = randint(len(self.prior_means), (n_samples,),
                              device=ref.device)
        return self.prior_means.to(ref.dtype)[which] + _MIXTURE_STD * draws

    def discriminator_loss(self, codes):
        """Cross-entropy of the discriminator: prior draws are labelled 1,
        the (detached) codes of the data 0."""
        fake = self.discriminator(codes.detach())
        real = self.discriminator(self.sample_prior(len(codes)))
        return 0.5 * (
            F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))

    def generator_loss(self, codes):
        """The encoder's adversarial loss: the discriminator's cross-entropy
        with the codes labelled as prior draws (non-saturating)."""
        fake = self.discriminator(codes)
        return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))

    #: The phases of a training step, each with its own optimizer: the
    #: first is the main loss (see ``batch_loss``).
    training_phases = ("reconstruction", "discriminator", "generator")

    def phase_parameters(self, phase):
        """The parameters that the optimizer of ``phase`` updates."""
        if phase == "reconstruction":
            return self.autoencoder_parameters()
        if phase == "discriminator":
            return list(self.discriminator.parameters())
        return self.encoder_parameters()

    def batch_loss(self, input, sample_weight=None, mask=None, phase=None,
                   codes=None):
        """The loss terms of a batch in one training phase.

        ``phase=None`` (evaluation) gives :meth:`loss_terms`. In training,
        each mini-batch makes three steps, as in Makhzani et al. (2015):
        ``"reconstruction"`` (encoder and decoder on the reconstruction
        loss), then, on the codes of the updated encoder,
        ``"discriminator"`` (tell prior draws from the codes) and
        ``"generator"`` (the encoder makes its codes pass for prior draws).
        The discriminator phase hands its ``codes`` on to the generator
        phase under ``"carry"``, so the encoder runs once for both.
        """
        if phase is None:
            return self.loss_terms(self(input), self.target(input),
                                   sample_weight, mask)
        if phase == "reconstruction":
            return self.reconstruction_terms(self(input), self.target(input),
                                             sample_weight, mask)
        if codes is None:
            codes = self.encode(input)
        if phase == "discriminator":
            loss = self.discriminator_loss(codes)
            return {"loss": loss, "discriminator": loss,
                    "carry": {"codes": codes}}
        loss = self.generator_loss(codes)
        return {"loss": loss, "generator": loss}

    def reconstruction_terms(self, out, target, sample_weight=None,
                             mask=None):
        """The reconstruction phase's terms (``"loss"``,
        ``"reconstruction"``)."""
        return super().loss_terms(out, target, sample_weight, mask)

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """Reconstruction loss (``"loss"``) and, for the record, both
        adversarial losses on the batch's codes."""
        terms = self.reconstruction_terms(out, target, sample_weight, mask)
        terms["discriminator"] = self.discriminator_loss(out["code"])
        terms["generator"] = self.generator_loss(out["code"])
        return terms
