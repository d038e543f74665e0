"""Pieces shared by the autoencoders that have a prior over their codes."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._random import seeded_torch


class PriorSamplingMixin:
    """``sample`` for autoencoders trained to match a prior (VAE, AAE).

    Their prior is the density of the codes, so nothing is fitted after
    training: :meth:`sample` decodes draws of ``module_.sample_prior``.
    Put it before :class:`BaseAutoencoder` in the bases.
    """

    def _fit_sampler(self, X):
        self.__dict__.pop("sampler_", None)

    def _sample_codes(self, n_samples, rng):
        with seeded_torch(rng, self.net_.device):
            codes = self.module_.sample_prior(n_samples)
        return codes.detach().cpu().numpy().astype(np.float64)

    def sample(self, n_samples=1, random_state=None):
        """Generate new samples by decoding draws from the prior.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            Generated samples (float32): the decoder's mean output for each
            code.
        """
        check_is_fitted(self)
        return super().sample(n_samples, random_state=random_state)


def layer_sizes(value, name):
    """Validate a ``*_layer_sizes`` parameter; return a list of ints."""
    sizes = [value] if isinstance(value, Integral) else list(value)
    if any(not isinstance(s, Integral) or s < 1 for s in sizes):
        raise ValueError(
            f"{name} must be positive integers; got {value!r}.")
    return sizes
