"""Sampling capabilities: where the codes that :meth:`sample` decodes come
from. Put a mixin before :class:`skae._base.BaseAutoencoder` in the bases.

* :class:`MixtureSamplingMixin`: a Gaussian mixture fitted to training
  codes (deterministic autoencoders: ex-post density estimation);
* :class:`PriorSamplingMixin`: the prior the network was trained to match
  (variational and adversarial autoencoders).
"""

from numbers import Integral

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state

from ._compat import Interval
from ._training import random_scope

#: Training codes kept for the density of ``sample`` (a Gaussian mixture of
#: a few components needs no more).
_MAX_SAMPLER_CODES = 2_000


class MixtureSamplingMixin:
    """Sample by decoding draws of a Gaussian mixture over training codes.

    ``fit`` keeps the codes of (up to 2,000 of) the training samples; the
    Gaussian mixture is fitted to them on the first call of :meth:`sample`
    and cached in ``sampler_``, so ``fit`` pays nothing for it.

    Parameters
    ----------
    sampler_components : int, default=10
        Components of the Gaussian mixture fitted to the training codes,
        from which :meth:`sample` draws (ex-post density estimation, Ghosh
        et al. 2020).

    Attributes
    ----------
    sampler_ : sklearn.mixture.GaussianMixture
        The density of the codes, fitted on the first call of
        :meth:`sample`.
    """

    _parameter_constraints = {
        "sampler_components": [Interval(Integral, 1, None, closed="left")],
    }

    def _finish_fit(self, X, rng):
        keep = np.arange(X.shape[0])
        if len(keep) > _MAX_SAMPLER_CODES:
            keep = np.sort(rng.choice(keep, _MAX_SAMPLER_CODES, replace=False))
        self._set_sampler_codes(self._map_batches(X[keep], "encode",
                                                  np.float64), rng)

    def _set_sampler_codes(self, codes, rng):
        self.__dict__.pop("sampler_", None)
        self._sampler_codes = codes
        self._sampler_seed = rng.randint(2**31)

    def _adopt_sampler(self, source):
        """Sample as the fitted autoencoder ``source`` does, whose codes are
        this estimator's codes (:func:`skae.stack`): from the same training
        codes, or from the codes of ``source``'s own samples."""
        if isinstance(source, MixtureSamplingMixin):
            self.__dict__.pop("sampler_", None)
            self._sampler_codes = source._sampler_codes
            self._sampler_seed = source._sampler_seed
            return
        rng = check_random_state(self.random_state)
        samples = source.sample(_MAX_SAMPLER_CODES, random_state=rng)
        self._set_sampler_codes(
            np.asarray(source.transform(samples), dtype=np.float64), rng)

    def _density(self):
        if "sampler_" not in self.__dict__:
            codes = self._sampler_codes
            self.sampler_ = GaussianMixture(
                min(self.sampler_components, len(codes)),
                covariance_type="full", reg_covar=1e-4,
                random_state=self._sampler_seed,
            ).fit(codes)
        return self.sampler_

    def _sample_codes(self, n_samples, rng):
        gmm = self._density()
        counts = rng.multinomial(n_samples, gmm.weights_)
        codes = np.vstack([
            rng.multivariate_normal(mean, cov, size=count)
            for mean, cov, count in zip(gmm.means_, gmm.covariances_, counts)
        ])
        return codes[rng.permutation(n_samples)]


class PriorSamplingMixin:
    """Sample by decoding draws of the prior the codes were trained to
    match (``module_.sample_prior``); nothing is fitted after training."""

    def _sample_codes(self, n_samples, rng):
        with random_scope(rng):
            codes = self.module_.sample_prior(n_samples)
        return codes.detach().cpu().numpy().astype(np.float64)
