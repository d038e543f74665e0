"""LinearAE: the autoencoder that learns PCA's subspace."""

from ._base import BaseAutoencoder
from ._parameters import store_params
from ._sampling import MixtureSamplingMixin
from .nn import MLPAutoencoder


class LinearAE(MixtureSamplingMixin, BaseAutoencoder):
    """Linear autoencoder: one linear encoder and one linear decoder layer.

    Trained with the mean squared error and no activation, it learns the
    same subspace as :class:`~sklearn.decomposition.PCA` with the same
    ``n_components`` (Baldi and Hornik, 1989), though not PCA's orthonormal,
    variance-ordered basis of it: its codes are an invertible linear map of
    PCA's scores. It is the first autoencoder of the TensorFlow tutorials
    ("PCA with an undercomplete linear autoencoder", 3-D data to a 2-D
    code; Géron, *Hands-On Machine Learning*, ch. 15).

    Parameters
    ----------
    alpha : float, default=1e-4
        L2 penalty on the weights (with L-BFGS added to the loss, with the
        other optimizers their ``weight_decay``); biases are not
        penalised. With more features than training samples the encoder's
        weights along directions the training data do not span get no
        gradient and keep their random start, which new samples then
        reach; the penalty brings them to 0, so that held-out samples are
        encoded as PCA would (measurements in :ref:`choosing-defaults`).
        ``alpha=0`` trains without it.
    batch_size : int or "auto", default="auto"
        Mini-batch size. ``"auto"`` is the whole data set for L-BFGS, else
        ``n_samples // 40`` clipped to [16, 200].
    max_iter : int, default=200
        Maximum number of epochs (with L-BFGS, of full-batch steps).
    learning_rate : float, default=1.0
        Step size of the optimizer (1.0 suits L-BFGS; use about 1e-3 with
        ``optimizer="adam"``).
    optimizer : {"lbfgs", "adam", "adamw", "sgd", "rmsprop"} or type, \
default="lbfgs"
        A name, or a ``torch.optim.Optimizer`` subclass. Full-batch L-BFGS
        (with a strong-Wolfe line search) reaches PCA's subspace precisely;
        mini-batch Adam stalls short of it along directions of nearly equal
        variance.

    Attributes
    ----------
    module_ : skae.nn.MLPAutoencoder
        The trained network.

    See Also
    --------
    sklearn.decomposition.PCA : the closed-form solution of the same problem.
    StackedAE : the non-linear, deeper autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import LinearAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = LinearAE(n_components=8, max_iter=20, random_state=0).fit(X / 16)
    >>> ae.transform(X / 16).shape
    (1797, 8)
    >>> ae.inverse_transform(ae.transform(X[:2] / 16)).shape
    (2, 64)
    """

    def __init__(self, n_components=32, *, alpha=1e-4, batch_size="auto",
                 max_iter=200, learning_rate=1.0,
                 learning_rate_schedule="adaptive", optimizer="lbfgs",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32", callbacks=None,
                 sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    def _build_module(self, n_features):
        if self.n_components > n_features:
            raise ValueError(
                f"n_components={self.n_components} must be at most the "
                f"number of features, {n_features}: a linear autoencoder, "
                "as PCA, learns a subspace of the input space.")
        return MLPAutoencoder(n_features, (), self.n_components,
                              activation="identity")
