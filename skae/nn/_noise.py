"""Input corruption for denoising autoencoders (active in training only)."""

import torch
from torch import nn

from ._random import rand_like, randn_like

#: Corruption processes by name.
NOISES = ("gaussian", "masking", "salt_pepper")


def corrupt(x, noise, noise_level, low=0.0, high=1.0):
    """A corrupted copy of the batch ``x`` (see :class:`Corruption`),
    drawn from the current call's generator."""
    if noise == "gaussian":
        return x + noise_level * randn_like(x)
    hit = rand_like(x) < noise_level
    if noise == "masking":
        return x.masked_fill(hit, 0.0)
    salt = rand_like(x) < 0.5
    values = torch.where(salt, torch.full_like(x, high),
                         torch.full_like(x, low))
    return torch.where(hit, values, x)


class Corruption(nn.Module):
    """Corrupt a batch in training mode; the identity in evaluation mode.

    Draws from the current call's generator (:mod:`skae.nn._random`), which
    skae's estimators seed from their ``random_state``, so every batch gets
    fresh noise and runs are reproducible.

    Parameters
    ----------
    noise : {"gaussian", "masking", "salt_pepper"}
        ``"gaussian"`` adds N(0, noise_level^2) noise
        (``X + noise_level * N(0, 1)``); ``"masking"`` sets a random fraction
        ``noise_level`` of the inputs to 0 (Vincent et al.'s masking noise;
        unlike ``nn.Dropout`` the kept inputs are not rescaled);
        ``"salt_pepper"`` sets a fraction ``noise_level`` of the inputs to
        their minimum or maximum (0 or 1 for data in [0, 1]), with equal
        probability.
    noise_level : float
        Standard deviation or corrupted fraction.
    low, high : float
        Values used by ``"salt_pepper"``.
    """

    def __init__(self, noise="gaussian", noise_level=0.2, low=0.0, high=1.0):
        super().__init__()
        if noise not in NOISES:
            raise ValueError(f"Unknown noise {noise!r}; use one of {NOISES}.")
        self.noise = noise
        self.noise_level = noise_level
        self.low = low
        self.high = high

    def corrupt(self, x):
        """Corrupted copy of ``x`` (whatever the mode)."""
        return corrupt(x, self.noise, self.noise_level, self.low, self.high)

    def hide(self, x, seen, always=False):
        """In training mode (or ``always``), corrupt ``x`` and return it
        with ``seen`` (the mask of the entries the network may know, 1 or
        0) updated: masking noise hides the entries it sets to 0. The
        identity otherwise."""
        if not (self.training or always):
            return x, seen
        if self.noise != "masking":
            return self.corrupt(x), seen
        hit = rand_like(x) < self.noise_level
        return x.masked_fill(hit, 0.0), seen.masked_fill(hit, 0.0)

    def forward(self, x):
        return self.corrupt(x) if self.training else x

    def extra_repr(self):
        return f"noise={self.noise!r}, noise_level={self.noise_level}"
