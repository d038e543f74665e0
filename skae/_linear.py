"""LinearAE: the autoencoder that learns PCA's subspace."""

from ._base import BaseAutoencoder
from .nn import MLPAutoencoder


class LinearAE(BaseAutoencoder):
    """Linear autoencoder: one linear encoder and one linear decoder layer.

    Trained with the mean squared error and no activation, it learns the
    same subspace as :class:`~sklearn.decomposition.PCA` with the same
    ``n_components`` (Baldi and Hornik, 1989), though not PCA's orthonormal,
    variance-ordered basis of it: its codes are an invertible linear map of
    PCA's scores. It is the first autoencoder of the seeds (3-D data to a
    2-D code).

    Parameters
    ----------
    n_components : int, default=32
        Size of the code.
    alpha : float, default=0.0
        L2 penalty on the weights (the seeds' ``l2_reg``).
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``n_samples // 10`` clipped to
        [16, 200], about ten steps per epoch on small data.
    max_iter : int, default=200
        Maximum number of epochs.
    learning_rate : float, default=1e-3
        Step size of the optimizer.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or type, default="adam"
        A name, or a ``torch.optim.Optimizer`` subclass.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its loss stops
        improving and keep the best epoch's parameters.
    validation_fraction : float, default=0.1
        Share of the data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops.
    tol : float, default=1e-3
        Relative improvement of the monitored loss that counts as progress.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and shuffling; an int gives bit-identical
        results on CPU. torch's global random state is left untouched.
    verbose : int, default=0
        1 prints a line per epoch with the loss terms, 2 adds a progress bar.
    warm_start : bool, default=False
        Continue training the previous fit's network.
    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Where to train; ``"auto"`` uses a GPU when torch sees one.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks for the skorch training loop.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.
    module_ : skae.nn.MLPAutoencoder
        The trained network.
    net_ : skae._net.AutoencoderNet
        The skorch net that trained it (its ``history`` holds every epoch).
    loss_curve_ : list of float
        Training loss per epoch.
    best_loss_ : float or None
        Lowest training loss (None with early stopping).
    validation_scores_ : list of float or None
        Negative validation loss per epoch with early stopping, else None.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    n_iter_ : int
        Epochs run.

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

    def _build_module(self, n_features):
        return MLPAutoencoder(n_features, (), self.n_components,
                              activation="identity")
