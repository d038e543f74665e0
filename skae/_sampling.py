"""Sampling capabilities: where the codes that :meth:`sample` decodes come
from. Put a mixin before :class:`skae._base.BaseAutoencoder` in the bases.

* :class:`MixtureSamplingMixin`: a Gaussian mixture fitted to training
  codes (deterministic autoencoders: ex-post density estimation);
* :class:`PriorSamplingMixin`: the prior the network was trained to match
  (variational and adversarial autoencoders);
* :class:`CodebookSamplingMixin`: the frequencies of the training codes'
  rows of a codebook (vector-quantised autoencoders).
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


class CodebookSamplingMixin:
    """Discrete codes: rows of the network's ``codebook``, and sampling by
    decoding rows drawn from their frequencies among the training codes.

    The network gives ``codebook`` (a tensor of shape (n_codes,
    n_components)) and ``code_indices(x)``; ``fit`` ends by counting the
    rows of the training samples (after ``partial_fit``, of the latest
    chunk).

    Attributes
    ----------
    code_frequencies_ : ndarray of shape (n_codes,)
        Share of the training samples quantised to each row of the
        codebook: the prior over indices that :meth:`sample` draws from.
    """

    def _finish_fit(self, X, rng):
        counts = np.bincount(self._map_batches(X, "code_indices", np.int64),
                             minlength=self.module_.codebook.shape[0])
        self.code_frequencies_ = counts / counts.sum()

    def _sample_codes(self, n_samples, rng):
        index = rng.choice(len(self.code_frequencies_), n_samples,
                           p=self.code_frequencies_)
        return self.module_.codebook.detach().cpu().numpy()[index]

    def transform_indices(self, X):
        """Index of the codebook row of each sample of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to encode.

        Returns
        -------
        indices : ndarray of shape (n_samples,)
            Rows of ``module_.codebook`` (int64): ``transform(X)`` is
            ``module_.codebook[indices]``.
        """
        return self._map_batches(self._validate_X(X), "code_indices",
                                 np.int64)
