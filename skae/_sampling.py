"""Sampling capabilities: where the codes that :meth:`sample` decodes come
from. Put a mixin before :class:`skae._base.BaseAutoencoder` in the bases.

* :class:`MixtureSamplingMixin`: a density fitted to training codes
  (deterministic autoencoders: ex-post density estimation), a Gaussian
  mixture or a second, small variational autoencoder (two-stage VAE);
* :class:`PriorSamplingMixin`: the prior the network was trained to match
  (variational and adversarial autoencoders), or, on request, a density
  of their training codes as above;
* :class:`CodebookSamplingMixin`: the frequencies of the training codes'
  rows of a codebook (vector-quantised autoencoders).
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state

from ._compat import Interval, StrOptions
from ._training import random_scope

#: Training codes kept for the density of ``sample`` (a Gaussian mixture of
#: a few components needs no more).
_MAX_SAMPLER_CODES = 2_000

#: The second stage of ``sampler="two_stage"``: a small VariationalAE of the
#: standardised codes, whose code has as many dimensions as they do (Dai and
#: Wipf, 2019), and a Gaussian decoder of learned scale.
_SECOND_STAGE = dict(hidden_layer_sizes=(128, 128), likelihood="gaussian",
                     output_scale="learned", batch_size=128,
                     learning_rate=3e-3, max_iter=300, early_stopping=True,
                     n_iter_no_change=20)


def fit_second_stage(codes, random_state):
    """The second-stage VAE of a two-stage sampler, fitted to ``codes``
    (float64, standardised by the caller) with the seed ``random_state``."""
    from ._variational import VariationalAE

    vae = VariationalAE(n_components=codes.shape[1], **_SECOND_STAGE,
                        random_state=random_state)
    with warnings.catch_warnings():
        # a density of the codes, not a model the user trains: sampling
        # should not warn that it stopped at max_iter
        warnings.simplefilter("ignore", ConvergenceWarning)
        return vae.fit(codes.astype(np.float32))


class MixtureSamplingMixin:
    """Sample by decoding draws of a density fitted to training codes.

    ``fit`` keeps the codes of (up to 2,000 of) the training samples; the
    density (a Gaussian mixture, or a second-stage VAE) is fitted to them
    on the first call of :meth:`sample` and cached in ``sampler_``, so
    ``fit`` pays nothing for it.

    Parameters
    ----------
    sampler_components : int, default=10
        Components of the Gaussian mixture fitted to the training codes,
        from which :meth:`sample` draws (ex-post density estimation, Ghosh
        et al. 2020); used only with ``sampler="gaussian_mixture"``.
    sampler : {"gaussian_mixture", "two_stage"}, default="gaussian_mixture"
        The density of the training codes that :meth:`sample` draws from:
        a Gaussian mixture of ``sampler_components`` full-covariance
        components, or ``"two_stage"``, a second, small
        :class:`VariationalAE` (two hidden layers of 128 units, a code as
        wide as ``n_components``, a Gaussian decoder of learned scale)
        trained on the standardised codes, whose samples are the codes
        (the two-stage VAE of Dai and Wipf, 2019, as pythae's
        ``TwoStageVAESampler``). The second stage follows curved or
        clustered codes that a few Gaussians cover poorly; it costs a VAE
        fit of up to 2,000 codes (a few seconds on a CPU) at the first
        :meth:`sample` instead of a mixture's fraction of a second.

    Attributes
    ----------
    sampler_ : sklearn.mixture.GaussianMixture or VariationalAE
        The density of the codes, fitted on the first call of
        :meth:`sample`: the Gaussian mixture, or the second-stage VAE of
        the standardised codes.
    """

    _parameter_constraints = {
        "sampler_components": [Interval(Integral, 1, None, closed="left")],
        "sampler": [StrOptions({"gaussian_mixture", "two_stage"})],
    }

    #: A variant that leaves ``sampler`` out of its signature (and a model
    #: file saved before it existed) samples from the Gaussian mixture.
    @property
    def _sampler_kind(self):
        return vars(self).get("sampler", "gaussian_mixture")

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
        if "_sampler_codes" in vars(source):
            self.__dict__.pop("sampler_", None)
            self._sampler_codes = source._sampler_codes
            self._sampler_seed = source._sampler_seed
            return
        rng = check_random_state(self.random_state)
        samples = source.sample(_MAX_SAMPLER_CODES, random_state=rng)
        self._set_sampler_codes(
            np.asarray(source.transform(samples), dtype=np.float64), rng)

    def _code_scale(self):
        """Mean and standard deviation of the kept training codes, which
        the second stage models standardised."""
        codes = self._sampler_codes
        std = codes.std(0)
        return codes.mean(0), np.where(std > 0, std, 1.0)

    def _density(self):
        if "sampler_" not in self.__dict__:
            codes = self._sampler_codes
            if self._sampler_kind == "two_stage":
                mean, std = self._code_scale()
                self.sampler_ = fit_second_stage((codes - mean) / std,
                                                 self._sampler_seed)
                return self.sampler_
            self.sampler_ = GaussianMixture(
                min(self.sampler_components, len(codes)),
                covariance_type="full", reg_covar=1e-4,
                random_state=self._sampler_seed,
            ).fit(codes)
        return self.sampler_

    def _sample_codes(self, n_samples, rng):
        density = self._density()
        if self._sampler_kind == "two_stage":
            # a draw of the second stage's density: its decoder's mean
            # plus its Gaussian noise, whose learned scale stays well above
            # 0 on a few thousand codes (without it the draws would be
            # too concentrated)
            mean, std = self._code_scale()
            drawn = density.sample(n_samples, random_state=rng)
            scale = float(density.module_.log_scale.exp())
            drawn = drawn + scale * rng.standard_normal(drawn.shape)
            return mean + std * drawn
        gmm = density
        counts = rng.multinomial(n_samples, gmm.weights_)
        codes = np.vstack([
            rng.multivariate_normal(mean, cov, size=count)
            for mean, cov, count in zip(gmm.means_, gmm.covariances_, counts)
        ])
        return codes[rng.permutation(n_samples)]


class PriorSamplingMixin(MixtureSamplingMixin):
    """Sample by decoding draws of the prior the codes were trained to
    match (``module_.sample_prior``), or of a density fitted to the
    training codes after training.

    Parameters
    ----------
    sampler : {"prior", "gaussian_mixture", "two_stage"}, default="prior"
        Where the codes that :meth:`sample` decodes come from. ``"prior"``:
        the prior the network was trained to match; nothing is fitted
        after training. ``"gaussian_mixture"`` or ``"two_stage"``: a
        density of the codes (posterior means) of up to 2,000 training
        samples, as for the deterministic autoencoders: a Gaussian mixture
        of ``sampler_components`` components, or a second, small
        :class:`VariationalAE` of the codes, fitted at the first
        :meth:`sample` (the two-stage VAE of Dai and Wipf, 2019, who
        designed it for variational autoencoders whose codes leave parts
        of the prior uncovered). ``fit`` keeps those codes only when
        ``sampler`` is not ``"prior"``: set it before fitting.
    """

    _parameter_constraints = {
        "sampler": [StrOptions({"prior", "gaussian_mixture", "two_stage"})],
    }

    #: A variant that leaves ``sampler`` out of its signature (and a model
    #: file saved before it existed) samples from the prior.
    @property
    def _sampler_kind(self):
        return vars(self).get("sampler", "prior")

    def _finish_fit(self, X, rng):
        if self._sampler_kind == "prior":
            for name in ("_sampler_codes", "_sampler_seed", "sampler_"):
                self.__dict__.pop(name, None)
        else:
            super()._finish_fit(X, rng)

    def _sample_codes(self, n_samples, rng):
        kind = self._sampler_kind
        if kind == "prior":
            with random_scope(rng):
                codes = self.module_.sample_prior(n_samples)
            return codes.detach().cpu().numpy().astype(np.float64)
        if "_sampler_codes" not in vars(self):
            raise ValueError(
                f"sampler={kind!r} draws from a density of the training "
                "codes, which this estimator was fitted without (it was "
                "fitted with sampler='prior'). Fit it again with "
                f"sampler={kind!r}.")
        return super()._sample_codes(n_samples, rng)


class CodebookSamplingMixin:
    """Discrete codes: rows of the network's ``codebook``, one for each of
    the code's ``n_groups`` parts, and sampling by decoding rows drawn from
    their frequencies among the training codes.

    The network gives ``codebook`` (a tensor of shape (n_codes, n_components
    // n_groups)) and ``code_indices(x)`` (indices of shape (n,
    n_groups)); ``fit`` ends by counting the rows of
    each part of the training samples (after ``partial_fit``, of the latest
    chunk).

    :meth:`sample` draws each part's row independently from that part's
    frequencies: a factorised prior over the indices, which ignores how
    the parts' rows go together (the paper fits an autoregressive prior,
    PixelCNN, to the indices instead). With ``n_groups=1`` it draws whole
    training codes' rows.

    Attributes
    ----------
    code_frequencies_ : ndarray of shape (n_groups, n_codes)
        Share of the training samples whose part ``g`` is quantised to
        each row of the codebook (each row of the array sums to 1): the
        prior over indices that :meth:`sample` draws from.
    n_groups_ : int
        Parts of each code, each quantised to one row.
    """

    def _finish_fit(self, X, rng):
        index = self._map_batches(X, "code_indices", np.int64)
        self.n_groups_ = index.shape[1]
        n_codes = self.module_.codebook.shape[0]
        counts = np.stack([np.bincount(part, minlength=n_codes)
                           for part in index.T])
        self.code_frequencies_ = counts / counts.sum(1, keepdims=True)

    def _sample_codes(self, n_samples, rng):
        frequencies = self.code_frequencies_
        index = np.stack([rng.choice(len(p), n_samples, p=p)
                          for p in frequencies], axis=1)
        codebook = self.module_.codebook.detach().cpu().numpy()
        return codebook[index].reshape(
            n_samples, index.shape[1] * codebook.shape[1])

    def transform_indices(self, X):
        """Index of the codebook row of each part of each sample of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to encode.

        Returns
        -------
        indices : ndarray of shape (n_samples, n_groups)
            Rows of ``module_.codebook`` (int64), one for each part of the
            code: ``transform(X)`` is
            ``module_.codebook[indices].reshape(len(X), -1)``.
        """
        return self._map_batches(self._validate_X(X), "code_indices",
                                 np.int64)
