"""Vector-quantised autoencoder (VQ-VAE): discrete codes from a learned
codebook."""

from numbers import Integral, Real

from ._architecture import MLPAutoencoderMixin
from ._base import BaseAutoencoder
from ._compat import Interval
from ._parameters import store_params
from ._sampling import CodebookSamplingMixin
from ._training import EpochEndCall
from .nn import VQMLP


class VQVAE(CodebookSamplingMixin, MLPAutoencoderMixin, BaseAutoencoder):
    """Vector-quantised autoencoder (VQ-VAE, van den Oord et al., 2017).

    An MLP autoencoder (encoder ``n_features -> *hidden_layer_sizes ->
    n_components``, mirrored decoder) whose code is discrete: the encoder's
    output is replaced by its nearest row of a learned codebook of
    ``n_codes`` vectors (``module_.codebook``), and the decoder
    reconstructs from that row. The reconstruction's gradient passes the
    quantisation unchanged (straight-through estimator); the codebook is
    learned by gradient descent on the codebook loss ``|sg(z_e) - z_q|^2``
    (not by moving averages), and the commitment loss ``|z_e -
    sg(z_q)|^2``, weighted by ``commitment_weight``, keeps the encoder's
    outputs near their rows. Both are means over the code's dimensions,
    added to the reconstruction loss (a mean over the features).

    Unused rows are restarted: at the end of every epoch, each row that
    quantised no training sample (of non-zero weight) in that epoch is
    moved to the encoder output of a sample of the epoch's last batch,
    drawn at random; the number of rows moved is recorded per epoch in
    ``net_.history`` as ``dead_codes``. ``fit`` refuses an ``n_codes``
    above the number of training samples (rows that could never all be
    used).

    :meth:`transform` returns the quantised codes (rows of the codebook),
    :meth:`transform_indices` their indices. :meth:`sample` decodes rows
    drawn from the frequencies of the training samples' indices
    (``code_frequencies_``, the prior over indices, fitted at the end of
    ``fit``; after ``partial_fit``, of the latest chunk). ``score_samples``
    is the negative reconstruction error.

    Parameters
    ----------
    n_codes : int, default=512
        Rows of the codebook (the number of distinct codes, K in the
        paper). At most the number of training samples.
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

    References
    ----------
    van den Oord, A., Vinyals, O. and Kavukcuoglu, K. (2017). Neural
    discrete representation learning. NeurIPS.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VQVAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> vq = VQVAE(n_components=8, n_codes=64, hidden_layer_sizes=(64,),
    ...            max_iter=10, random_state=0).fit(X / 16)
    >>> codes = vq.transform(X[:3] / 16)
    >>> bool((codes == vq.module_.codebook.detach().numpy()[
    ...     vq.transform_indices(X[:3] / 16)]).all())
    True
    >>> vq.sample(5, random_state=0).shape
    (5, 64)
    """

    _parameter_constraints = {
        "n_codes": [Interval(Integral, 1, None, closed="left")],
        "commitment_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=32, *, n_codes=512,
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
                     **self._module_kwargs())

    def _before_training(self, data, context):
        if not context.continues and self.n_codes > data.X.shape[0]:
            raise ValueError(
                f"n_codes={self.n_codes} is more than the training samples "
                f"(n_samples={data.X.shape[0]}): some rows of the codebook "
                "could never quantise a sample. Lower n_codes.")

    def _callbacks(self, context):
        return [("dead_codes", EpochEndCall("restart_dead_codes",
                                            "dead_codes"))]
