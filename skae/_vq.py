"""Vector-quantised autoencoder (VQ-VAE): discrete codes from a learned
codebook."""

from numbers import Integral, Real

from ._architecture import MLPAutoencoderMixin
from ._base import BaseAutoencoder
from ._compat import Interval, StrOptions
from ._parameters import store_params
from ._sampling import CodebookSamplingMixin
from ._training import EpochEndCall
from .nn import VQMLP


def resolved_groups(n_groups, n_components):
    """``n_groups``, with ``"auto"`` resolved: a part for each number."""
    return n_components if n_groups == "auto" else n_groups


def check_groups(g, n_components, n_codes, n, continues):
    """Refuse ``g`` parts that do not divide the code, and (unless the
    training continues a fit) more rows than the ``n`` samples' parts."""
    if n_components % g:
        raise ValueError(
            f"n_groups={g} does not divide n_components={n_components}: "
            "the code is cut into n_groups parts of equal width. Choose a "
            "divisor of n_components.")
    if not continues and n_codes > n * g:
        raise ValueError(
            f"n_codes={n_codes} is more than the parts of the training "
            f"samples' codes (n_samples={n} times n_groups={g}: {n * g}): "
            "some rows of the codebook could never quantise a part. Lower "
            "n_codes.")


class VQVAE(CodebookSamplingMixin, MLPAutoencoderMixin, BaseAutoencoder):
    """Vector-quantised autoencoder (VQ-VAE, van den Oord et al., 2017).

    An MLP autoencoder (encoder ``n_features -> *hidden_layer_sizes ->
    n_components``, mirrored decoder) whose code is discrete: the encoder's
    output is cut into ``n_groups`` parts of ``n_components // n_groups``
    numbers, each part is replaced by its nearest row of one learned
    codebook of ``n_codes`` rows (``module_.codebook``, shared by the
    parts, as the paper's codebook is shared by the positions of an
    image's latent grid), and the decoder reconstructs from the rows side
    by side. The reconstruction's gradient passes the quantisation
    unchanged (straight-through estimator); the codebook is learned by
    gradient descent on the codebook loss ``|sg(z_e) - z_q|^2`` (not by
    moving averages), and the commitment loss ``|z_e - sg(z_q)|^2``,
    weighted by ``commitment_weight``, keeps the encoder's outputs near
    their rows. Both are means over the code's dimensions, added to the
    reconstruction loss (a mean over the features).

    Unused rows are restarted: at the end of every epoch, each row that
    quantised no part of a training sample (of non-zero weight) in that
    epoch is moved to a part of the encoder output of a sample of the
    epoch's last batch, drawn at random; the number of rows moved is
    recorded per epoch in ``net_.history`` as ``dead_codes``. ``fit``
    refuses an ``n_codes`` above the number of parts of the training
    samples' codes (rows that could never all be used).

    :meth:`transform` returns the quantised codes (rows of the codebook
    side by side), :meth:`transform_indices` their indices, one per part.
    :meth:`sample` decodes codes whose parts' rows are drawn independently
    from the frequencies of the training samples' indices of each part
    (``code_frequencies_``, fitted at the end of ``fit``; after
    ``partial_fit``, of the latest chunk): a factorised prior over the
    indices, a first step before the paper's autoregressive prior, which
    ignores how the parts go together (with ``n_groups=1``, the frequencies
    of whole codes). ``score_samples`` is the negative reconstruction
    error.

    Parameters
    ----------
    n_codes : int, default=512
        Rows of the codebook (the number of distinct codes, K in the
        paper). At most the number of parts of the training samples'
        codes (``n_samples * n_groups``).
    n_groups : int or "auto", default="auto"
        Parts of the code quantised separately, each to its nearest row of
        the one shared codebook (the paper quantises each position of an
        image's latent grid so): the code of ``n_components`` numbers is
        cut into ``n_groups`` parts of ``n_components // n_groups``, and
        takes one of ``n_codes ** n_groups`` values. Must divide
        ``n_components``. ``"auto"``: ``n_components`` parts of 1 number
        each (a learned scalar quantiser per code dimension, one set of
        ``n_codes`` levels shared by all), the best measured (see Notes).
        ``n_groups=1`` quantises the whole code to one row, as VQVAE did
        before ``n_groups`` existed.
    commitment_weight : float, default=0.25
        Weight of the commitment loss (the paper's beta).

    Attributes
    ----------
    module_ : skae.nn.VQMLP
        The trained network; ``module_.codebook`` holds the codebook.

    See Also
    --------
    StackedAE : the same network with continuous codes.
    sklearn.cluster.KMeans : a codebook of the data themselves.

    Notes
    -----
    How the squared error depends on ``n_groups`` and ``n_codes``, against
    :class:`StackedAE`'s, is measured in ``benchmarks/vq.py`` and
    summarised in the user guide (:ref:`choosing`).

    References
    ----------
    van den Oord, A., Vinyals, O. and Kavukcuoglu, K. (2017). Neural
    discrete representation learning. NeurIPS.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VQVAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vq = VQVAE(n_components=8, n_codes=64, n_groups=4,
    ...            hidden_layer_sizes=(64,), max_iter=10,
    ...            random_state=0).fit(X / 16)
    >>> codes = vq.transform(X[:3] / 16)
    >>> indices = vq.transform_indices(X[:3] / 16)
    >>> indices.shape
    (3, 4)
    >>> rows = vq.module_.codebook.detach().numpy()[indices]
    >>> bool((codes == rows.reshape(3, 8)).all())
    True
    >>> vq.sample(5, random_state=0).shape
    (5, 64)
    """

    _parameter_constraints = {
        "n_codes": [Interval(Integral, 1, None, closed="left")],
        "commitment_weight": [Interval(Real, 0, None, closed="left")],
        "n_groups": [Interval(Integral, 1, None, closed="left"),
                     StrOptions({"auto"})],
    }

    def __init__(self, n_components=32, *, n_codes=512, n_groups="auto",
                 commitment_weight=0.25, hidden_layer_sizes=(256,),
                 activation="elu", code_activation="identity",
                 out_activation="identity", loss="mse", tied_weights=False,
                 init="variance_scaling", alpha=0.0, batch_size="auto",
                 max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive", optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None):
        store_params(self, locals())

    def _build_module(self, n_features):
        return VQMLP(n_features, n_codes=self.n_codes,
                     commitment_weight=self.commitment_weight,
                     n_groups=resolved_groups(self.n_groups,
                                              self.n_components),
                     **self._module_kwargs())

    def _before_training(self, data, context):
        check_groups(resolved_groups(self.n_groups, self.n_components),
                     self.n_components, self.n_codes, data.X.shape[0],
                     context.continues)

    def _callbacks(self, context):
        return [("dead_codes", EpochEndCall("restart_dead_codes",
                                            "dead_codes"))]
