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
        Mini-batch size. ``"auto"`` is the whole data set for L-BFGS, else
        ``n_samples // 10`` clipped to [16, 200].
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
    sampler_components : int, default=10
        Components of the Gaussian mixture fitted to the training codes,
        from which :meth:`sample` draws.

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

    def __init__(self, n_components=32, *, alpha=0.0, batch_size="auto",
                 max_iter=200, learning_rate=1.0, optimizer="lbfgs",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu", callbacks=None,
                 sampler_components=10):
        super().__init__(
            n_components, alpha=alpha, batch_size=batch_size,
            max_iter=max_iter, learning_rate=learning_rate,
            optimizer=optimizer, early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            device=device, callbacks=callbacks,
            sampler_components=sampler_components,
        )

    def _build_module(self, n_features):
        return MLPAutoencoder(n_features, (), self.n_components,
                              activation="identity")
