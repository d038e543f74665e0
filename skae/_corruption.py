"""Denoising: corrupt the training input, reconstruct the clean one."""

from numbers import Real

from ._checks import check_unit_interval
from ._compat import Interval, StrOptions
from .nn import NOISES, Corruption


class NoiseParamsMixin:
    """The ``noise`` and ``noise_level`` parameters: how training inputs
    are corrupted (:class:`skae.nn.Corruption`).

    Parameters
    ----------
    noise : {"gaussian", "masking", "salt_pepper"}, default="gaussian"
        Corruption of the training inputs. ``"gaussian"`` adds
        N(0, noise_level^2) noise to every input (``X + noise_level *
        N(0, 1)``); ``"masking"`` sets a random fraction ``noise_level`` of
        the inputs to 0 (input dropout with ``keep_prob = 1 -
        noise_level``, without dropout's rescaling); ``"salt_pepper"`` sets
        a fraction ``noise_level`` of the inputs to 0 or 1 with equal
        probability, and needs X in [0, 1].
    noise_level : float, default=0.2
        Standard deviation of the Gaussian noise, or the fraction of inputs
        corrupted by ``"masking"`` and ``"salt_pepper"`` (then below 1).
    """

    _parameter_constraints = {
        "noise": [StrOptions(set(NOISES)), None],
        "noise_level": [Interval(Real, 0, None, closed="neither")],
    }

    def _check_noise_level(self):
        if self.noise not in (None, "gaussian") and self.noise_level >= 1:
            raise ValueError(
                f"noise_level is the fraction of inputs that noise="
                f"{self.noise!r} corrupts, so it must be below 1; got "
                f"{self.noise_level}."
            )

    def _corruption(self):
        """The network's :class:`skae.nn.Corruption`, or None."""
        self._check_noise_level()
        if self.noise is None:
            return None
        return Corruption(self.noise, self.noise_level)

    def _check_noise_range(self, X):
        if self.noise == "salt_pepper":
            check_unit_interval(X, "noise='salt_pepper'")


class CorruptionMixin(NoiseParamsMixin):
    """Train on corrupted inputs (a denoising autoencoder) and
    :meth:`denoise`. Put it before :class:`skae._base.BaseAutoencoder`.

    The input of every training batch is corrupted afresh, from the
    estimator's own random stream (seeded by ``random_state``), while the
    loss compares the reconstruction with the clean input (Vincent et al.
    2008). Only training batches are corrupted: :meth:`transform`,
    :meth:`inverse_transform` and :meth:`score` use their input as is.

    Its parameters, ``noise`` and ``noise_level``, are
    :class:`NoiseParamsMixin`'s.
    """

    def _check_data_range(self, X):
        super()._check_data_range(X)
        self._check_noise_range(X)

    def denoise(self, X):
        """Reconstruct (corrupted) inputs: decode their codes.

        The same as ``inverse_transform(transform(X))``; with ``noise`` set,
        the network was trained to map corrupted inputs to clean ones.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Noisy samples.

        Returns
        -------
        X_denoised : ndarray of shape (n_samples, n_features_in_)
            In the dtype of ``X``.
        """
        X = self._validate_X(X)
        return self._map_batches(self._map_batches(X, "encode"), "decode")
