"""VariationalAE: the variational autoencoder."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from scipy.special import ndtri

from ._architecture import MLPLayersMixin
from ._base import BaseAutoencoder
from ._checks import check_unit_interval
from ._compat import Interval, StrOptions
from ._dask import dask_blockwise
from ._parameters import store_params
from ._sampling import PriorSamplingMixin
from ._training import (
    LinearWarmup,
    WeightAveraging,
    is_row_array,
    random_scope,
    rows_per_block,
)
from .nn import VariationalMLP

#: Draws of the reconstruction term in ``score_samples``' ELBO estimate.
_N_ELBO_DRAWS = 10

#: Rows times draws evaluated at once when scoring.
_SCORE_CHUNK = 16_384

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _splitmix64(z):
    """SplitMix64's output function, elementwise on a uint64 array."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def row_noise(rows, n_draws, n_dims, seed):
    """Standard normal noise of shape (n, n_draws, n_dims) keyed by content.

    The noise of a row is a function of the row's values (as float32) and
    ``seed`` only: it does not depend on the other rows, their order or the
    batching, and distinct rows get independent noise. A hash of the row
    keys a counter-based generator (SplitMix64), whose uniforms go through
    the normal quantile function.
    """
    bits = np.ascontiguousarray(rows, dtype=np.float32).view(np.uint32)
    bits = bits.astype(np.uint64)
    seed = np.uint64(seed)
    mult = _splitmix64(np.arange(bits.shape[1], dtype=np.uint64) + seed)
    key = _splitmix64((bits * (mult | np.uint64(1))).sum(1, dtype=np.uint64)
                      ^ seed)
    counters = key[:, None] + _GOLDEN * np.arange(
        1, n_draws * n_dims + 1, dtype=np.uint64)
    uniform = ((_splitmix64(counters) >> np.uint64(11)).astype(np.float64)
               + 0.5) / 2.0**53
    return ndtri(uniform).reshape(len(rows), n_draws, n_dims)


#: ``binarize_input="auto"`` binarises when the binary draws add at most
#: this fraction of the data's variance (see :func:`binarization_noise`).
_AUTO_BINARIZE_NOISE = 0.5


def binarization_noise(X):
    """Variance that drawing each feature ``x`` as Bernoulli(x) adds, as a
    fraction of the data's own variance.

    The draws add ``x * (1 - x)`` to each value's variance; the ratio is
    its mean over all values to the mean variance of the features. Small
    for nearly binary data (MNIST: 0.28), about 1 or more for grey levels
    (``load_digits() / 16``: 0.96; the faces of :func:`skae.datasets.
    load_faces`: 5.9). ``X``: an ndarray, a CSR matrix or a
    :class:`skae._data.RowArray` (read by blocks).
    """
    if is_row_array(X):
        blocks = (rows for _, rows in X.chunks())
    elif sp.issparse(X):
        blocks = [X]
    else:
        # by blocks, so that the float64 copies stay small
        step = rows_per_block(X.shape[1], 8)
        blocks = (X[i:i + step] for i in range(0, X.shape[0], step))
    n = np.zeros(X.shape[1])  # observed values of each feature
    total = total_sq = 0.0
    for block in blocks:
        col, col_sq, seen = _column_sums(block)
        total = total + col
        total_sq = total_sq + col_sq
        n += seen
    mean, mean_sq = total / n, total_sq / n
    added = float(np.mean(mean - mean_sq))
    variance = float(np.mean(mean_sq - mean ** 2))
    if variance <= 0:
        return 0.0 if added <= 0 else np.inf
    return added / variance


def _column_sums(block):
    """Sums of the observed values of each column of ``block``, of their
    squares, and their number (NaN are missing)."""
    if sp.issparse(block):
        missing = np.isnan(block.data)
        if missing.any():
            block = block.copy()
            block.data[missing] = 0
        seen = block.shape[0] - np.bincount(
            block.indices[missing], minlength=block.shape[1])
        return (np.asarray(block.sum(0), np.float64).ravel(),
                np.asarray(block.multiply(block).sum(0), np.float64).ravel(),
                seen)
    block = np.asarray(block, np.float64)
    observed = ~np.isnan(block)
    if observed.all():
        seen = block.shape[0]
    else:
        block, seen = np.where(observed, block, 0), observed.sum(0)
    return block.sum(0), np.einsum("ij,ij->j", block, block), seen


class VariationalAE(PriorSamplingMixin, MLPLayersMixin, BaseAutoencoder):
    """Variational autoencoder (Kingma and Welling, 2014).

    The encoder maps a sample to the mean ``mu`` and log-variance ``gamma``
    of a Gaussian over codes (the faster-converging ``gamma =
    log(sigma^2)`` variant of Géron, *Hands-On Machine Learning*, ch. 15);
    training decodes the reparameterised draw
    ``mu + exp(gamma / 2) * eps`` and minimises the negative evidence lower
    bound (ELBO): the reconstruction loss ``-log p(x|z)`` plus ``beta``
    times the latent loss ``0.5 * sum(exp(gamma) + mu^2 - 1 - gamma)``,
    the KL divergence from the prior N(0, I). Both are summed over features
    and codes and averaged over samples, so ``loss_curve_`` is in nats per
    sample.

    ``transform`` returns the posterior mean (deterministic), ``sample``
    decodes draws of the prior, ``score_samples`` is the ELBO and
    :meth:`log_likelihood` the importance-weighted bound on log p(x).

    Parameters
    ----------
    n_components : int, default=32
        Dimension of the latent code (``n_hidden3`` in the TensorFlow
        tutorials).
    hidden_layer_sizes : tuple of int, default=(256,)
        Encoder layers between the input and the code, outermost first; the
        decoder mirrors them. Géron's MNIST model is ``(500, 500)`` with
        ``n_components=20``.
    activation : {"elu", "relu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="elu"
        Activation of the hidden layers (the code layer is linear).
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        The decoder's model of the data. ``"bernoulli"``: independent
        Bernoulli features whose probabilities are the sigmoid of the
        decoder's logits (cross-entropy on the logits; X must be in
        [0, 1], as MNIST pixels). ``"gaussian"``: independent
        Gaussians around the decoder's output, with the standard deviation
        ``output_scale`` (the mean squared error, scaled); works on any
        real data, best standardised.
    output_scale : float or "learned", default="learned"
        Standard deviation of the Gaussian likelihood, shared by all
        features. ``"learned"`` fits it: each training batch uses its
        maximum-likelihood value, the root mean squared error of the batch
        (Rybkin et al., 2021), so the balance of reconstruction and latent
        loss adapts to the data's scale from the first step; the scores
        use its running average, ``module_.log_scale``. Ignored for
        ``likelihood="bernoulli"``.
    beta : float, default=1.0
        Weight of the latent loss (beta-VAE, Higgins et al., 2017): above 1
        favours disentangled, prior-like codes, below 1 sharper
        reconstructions. Scores always use the true ELBO (``beta=1``).
    kl_warmup : int, default=0
        Epochs over which the weight of the latent loss grows linearly from
        0 to ``beta`` (KL annealing). These epochs do not count towards the
        stopping rule. The weight of each epoch is recorded in
        ``net_.history`` as ``kl_weight``.
    binarize_input : bool or "auto", default="auto"
        Train the encoder on random binary versions of the samples: in
        every batch, each feature ``x`` (in [0, 1]) becomes 1 with
        probability ``x`` and 0 otherwise, a fresh draw each time; the
        decoder still reconstructs the sample itself, and ``transform`` and
        the scores encode the sample as it is. A regulariser for nearly
        binary data (the dynamic binarisation with which the VAE literature
        trains on MNIST, applied to the encoder's input only); on grey
        levels it destroys information. ``"auto"`` binarises with
        ``likelihood="bernoulli"`` when the draws add at most half the
        data's variance (mean ``x * (1 - x)`` over the mean variance of the
        features), so MNIST's nearly binary pixels are binarised and grey
        levels are not (measurements in :ref:`choosing-defaults`). The
        choice is ``binarize_input_``. True needs X in [0, 1].
    average : bool, default=True
        Keep a running average of the weights over the optimizer's steps
        and make it the fitted network (as ``SGDRegressor(average=True)``,
        but weighted towards recent steps: polynomial-decay averaging,
        Shamir and Zhang, 2013, which covers about the last ninth of the
        steps). With a held-out split (``early_stopping``) the validation
        loss is that of the averaged weights, so the best epoch kept is an
        average too. The average smooths out the noise of the
        reparameterised draws and of the mini-batches (measurements in
        :ref:`choosing-defaults`), at the cost of one copy of the weights;
        the averaged weights improve for longer, so fits tend to run more
        epochs. Ignored by ``partial_fit`` and with ``optimizer="lbfgs"``
        (full-batch steps chosen by a line search).
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the data, stop when its loss
        (the negative ELBO) stops improving and keep the best epoch's
        parameters. Without it, training stops when the training loss stops
        improving. ``"auto"`` holds out when ``fit`` gets at least 1,000
        samples: a VAE overfits long before its training loss settles
        (measurements in :ref:`choosing-defaults`).
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the shuffling, the reparameterisation
        noise and the fixed draws of the scores. An int gives bit-identical
        results on the same machine with the same number of torch threads;
        torch's global random state is neither read nor changed.
    warm_start : bool, default=False
        Continue training the previous fit's network (with a new optimizer;
        the KL warm-up continues where it stopped).

    Attributes
    ----------
    module_ : skae.nn.VariationalMLP
        The trained network.
    net_ : skae._net.AutoencoderNet
        The skorch net that trained it. Its ``history`` records, per epoch,
        ``train_loss`` (the weighted negative ELBO), ``train_reconstruction``
        (-log p(x|z)), ``train_latent`` (the KL divergence) and
        ``kl_weight``.
    binarize_input_ : bool
        Whether the encoder trained on binary draws of the samples
        (``binarize_input`` resolved on the training data).
    loss_curve_ : list of float
        Training loss per epoch, in nats per sample.
    best_loss_ : float or None
        Lowest training loss after the KL warm-up (None with early
        stopping).

    See Also
    --------
    AdversarialAE : matches the codes to a prior with a discriminator.
    StackedAE : the deterministic autoencoder; it samples from a Gaussian
        mixture fitted to its codes.
    sklearn.neural_network.BernoulliRBM : a generative model scikit-learn
        ships.

    Notes
    -----
    ``score_samples`` estimates the ELBO of each sample with the analytic KL
    term and the reconstruction term averaged over 10 codes ``mu + sigma *
    eps_k``. The standard normal noise ``eps_k`` of a sample is a
    pseudo-random function of its values and of a seed drawn from
    ``random_state`` at fit time: the estimate of each sample is unbiased,
    deterministic for a fitted model and independent of the other samples
    in ``X`` (of their order and of batching), and distinct samples get
    independent noise, so the error of the mean over a data set shrinks
    with its size. :meth:`log_likelihood` draws its importance samples in
    the same way.

    References
    ----------
    Kingma, D. P. and Welling, M. (2014). Auto-encoding variational Bayes.
    ICLR.

    Burda, Y., Grosse, R. and Salakhutdinov, R. (2016). Importance weighted
    autoencoders. ICLR.

    Rybkin, O., Daniilidis, K. and Levine, S. (2021). Simple and effective
    VAE training with calibrated decoders. ICML.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VariationalAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VariationalAE(n_components=8, hidden_layer_sizes=(64,),
    ...                     likelihood="bernoulli", max_iter=10,
    ...                     random_state=0).fit(X / 16)
    >>> vae.transform(X[:3] / 16).shape
    (3, 8)
    >>> vae.sample(5, random_state=0).shape
    (5, 64)
    >>> elbo = vae.score(X[:100] / 16)  # mean ELBO, nats per sample
    >>> bool(vae.log_likelihood(X[:100] / 16).mean() > elbo)
    True
    """

    _mask_input = True

    _parameter_constraints = {
        "likelihood": [StrOptions({"gaussian", "bernoulli"})],
        "output_scale": [Interval(Real, 0, None, closed="neither"),
                         StrOptions({"learned"})],
        "beta": [Interval(Real, 0, None, closed="left")],
        "kl_warmup": [Interval(Integral, 0, None, closed="left")],
        "binarize_input": ["boolean", StrOptions({"auto"})],
        "average": ["boolean"],
    }

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", likelihood="gaussian",
                 output_scale="learned", beta=1.0, kl_warmup=0,
                 binarize_input="auto", average=True, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping="auto",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None,
                 sampler_components=10, sampler="prior"):
        store_params(self, locals())

    #: The network class; a variant (IWAE, VampPriorVAE, ...) names its own
    #: and adds its arguments in :meth:`_network_options`.
    _network = VariationalMLP

    def _network_options(self):
        """Arguments of a variant's network besides the VAE's."""
        return {}

    def _build_module(self, n_features):
        return self._network(
            n_features, self._hidden_sizes(), self.n_components,
            activation=self.activation,
            likelihood=self.likelihood,
            output_scale=(None if self.output_scale == "learned"
                          else self.output_scale),
            kl_weight=self.beta,
            mask_input=self._network_sees_mask,
            # (model files saved before binarize_input existed lack it)
            binarize_input=getattr(self, "binarize_input_", False),
            **self._network_options(),
        )

    def _validate_input(self, X, reset):
        X = super()._validate_input(X, reset)
        if reset:
            self.binarize_input_ = (
                bool(self.binarize_input) if self.binarize_input != "auto"
                else self.likelihood == "bernoulli"
                and binarization_noise(X) <= _AUTO_BINARIZE_NOISE)
        return X

    def _check_data_range(self, X):
        super()._check_data_range(X)
        if self.likelihood == "bernoulli":
            check_unit_interval(X, "likelihood='bernoulli'",
                                 alternative="likelihood='gaussian'")
        elif self.binarize_input != "auto" and self.binarize_input:
            check_unit_interval(X, "binarize_input=True",
                                alternative="binarize_input=False")

    def _callbacks(self, context):
        callbacks = [("kl_warmup", LinearWarmup(
            "kl_weight", self.beta, self.kl_warmup,
            start=context.epochs_done))]
        if self.average and not context.partial and not self._uses_lbfgs():
            callbacks.append(("weight_averaging", WeightAveraging()))
        return callbacks

    def _burn_in_epochs(self, context):
        # losses are comparable only once the latent weight is beta
        return max(0, self.kl_warmup - context.epochs_done)

    def _numeric_noise_scale(self):
        # a table's sampled numeric columns are draws of the Gaussian
        # likelihood, not its mean
        if self.likelihood != "gaussian":
            return None
        return float(self.module_.log_scale.exp())

    def _finish_fit(self, X, rng):
        # seed of the fixed noise of score_samples and log_likelihood
        self._score_seed = int(rng.randint(np.iinfo(np.int32).max))
        super()._finish_fit(X, rng)

    def _score(self, X, method, n_draws):
        """``module_.<method>(x, noise)`` chunk by chunk, with the noise of
        each row derived from its values and the fit's seed."""
        X = self._validate_X(X)
        self._check_data_range(X)
        self._check_scorable(X)
        step = max(1, _SCORE_CHUNK // n_draws)
        out = []
        for start in range(0, X.shape[0], step):
            rows = X[start:start + step]
            dense = rows.toarray() if sp.issparse(rows) else rows
            noise = torch.from_numpy(row_noise(
                dense, n_draws, self.n_components, self._score_seed))
            out.append(self._map_batches(rows, method, np.float64,
                                         batch_size=step, pass_mask=True,
                                         noise=noise))
        return np.concatenate(out)

    def _draw_reconstructions(self, X, random_state):
        """One draw of p(x|z), z drawn from q(z|x), for each row of ``X``
        (its missing values filled in as ``transform`` fills them), from
        ``random_state``: for multiple imputation
        (``AutoencoderImputer(sample_posterior=True)``)."""
        X = self._validate_X(X)
        with random_scope(random_state):
            return self._map_batches(X, "draw_reconstruction")

    @dask_blockwise(None)
    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, in nats.

        ``E_q[log p(x|z)] - KL(q(z|x) || p(z))`` with ``beta=1``, estimated
        as described in the Notes (deterministic for a fitted model). Higher
        is better; it is a lower bound on log p(x).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose ELBO is estimated.

        Returns
        -------
        elbo : ndarray of shape (n_samples,)
            float64, in nats (higher is better).
        """
        return self._score(X, "elbo", _N_ELBO_DRAWS)


    @dask_blockwise(None)
    def log_likelihood(self, X, n_importance_samples=100):
        """Importance-weighted estimate of log p(x) for each sample, in nats.

        ``log mean_k p(x, z_k) / q(z_k|x)`` over ``n_importance_samples``
        draws of the posterior (Burda et al., 2016). It is a lower bound on
        log p(x) that tightens as ``n_importance_samples`` grows; with one
        sample it is a single-draw ELBO. The draws are made as described in
        the Notes, so the result is deterministic for a fitted model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples whose log-likelihood is estimated.
        n_importance_samples : int, default=100
            Draws per sample (the cost grows linearly with it; 5,000 is the
            usual choice for reported MNIST numbers).

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        if not isinstance(n_importance_samples, Integral) \
                or n_importance_samples < 1:
            raise ValueError(
                "n_importance_samples must be a positive integer; got "
                f"{n_importance_samples!r}.")
        return self._score(X, "importance_log_likelihood",
                           n_importance_samples)
