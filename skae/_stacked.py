"""StackedAE: the deep, symmetric autoencoder of the seeds."""

import warnings
from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder
from ._net import TensorData, map_batches
from .nn import ACTIVATIONS, MLPAutoencoder


class StackedAE(BaseAutoencoder):
    """Stacked (deep) autoencoder with a mirrored decoder.

    The encoder runs ``n_features -> *hidden_layer_sizes -> n_components``,
    the decoder mirrors it. With ``tied_weights=True`` each decoder layer uses
    the transpose of the matching encoder weight, halving the weights to
    learn (the seeds' weight tying).

    Parameters
    ----------
    n_components : int, default=32
        Size of the code (the seeds' ``n_hidden2`` / ``codings_size``).
    hidden_layer_sizes : tuple of int, default=(256,)
        Encoder layers between the input and the code, outermost first; the
        decoder mirrors them. ``()`` gives a single-layer autoencoder.
    activation : {"elu", "relu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="elu"
        Activation of the hidden layers and of the code.
    out_activation : {"identity", "sigmoid"}, default="identity"
        Activation of the output layer; ``"sigmoid"`` bounds reconstructions
        to [0, 1].
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` (binary cross-entropy) needs
        ``out_activation="sigmoid"`` and data in [0, 1].
    tied_weights : bool, default=False
        Share each decoder weight with the transpose of its encoder weight.
    pretraining : {"none", "greedy"}, default="none"
        ``"greedy"`` trains the layers one pair at a time before the whole
        stack (the seeds' "one autoencoder at a time"): first the outer
        encoder layer and the output layer as a shallow autoencoder of the
        input, then the next pair inward as a shallow autoencoder of the
        frozen first layer's outputs, and so on. Each frozen layer's outputs
        are computed once per stage and cached, not per batch. Then the
        whole stack is fine-tuned for ``max_iter`` epochs (``max_iter=0``
        keeps the greedy result). Input corruption of a subclass applies to
        the input of every stage (a stacked denoising autoencoder); a
        subclass whose network changes the loss or the encoding cannot be
        pretrained greedily and raises an error. A warm start continues
        training without pretraining again.
    pretraining_max_iter : int, default=20
        Maximum number of epochs of each greedy stage (the stopping rule of
        ``tol`` and ``n_iter_no_change`` applies to each stage).
    alpha : float, default=0.0
        L2 penalty on the weights (the seeds' ``l2_reg``); biases are not
        penalised.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``n_samples // 10`` clipped to
        [16, 200], about ten steps per epoch on small data.
    max_iter : int, default=200
        Maximum number of epochs (the seeds' ``n_epochs``).
    learning_rate : float, default=1e-3
        Step size of the optimizer.
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "lbfgs"} or type, \
default="adam"
        A name, or a ``torch.optim.Optimizer`` subclass.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its loss stops
        improving and keep the best epoch's parameters. Without it, training
        stops when the training loss stops improving.
    validation_fraction : float, default=0.1
        Share of the data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without improvement before training stops.
    tol : float, default=1e-3
        Relative improvement of the monitored loss that counts as progress:
        an epoch improves when its loss is below ``best * (1 - tol)``.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and shuffling; an int gives bit-identical
        results on CPU. torch's global random state is left untouched.
    verbose : int, default=0
        1 prints a line per epoch with the loss terms, 2 adds a progress bar.
    warm_start : bool, default=False
        Continue training the previous fit's network (with a new optimizer).
    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Where to train; ``"auto"`` uses a GPU when torch sees one.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks for the skorch training loop, for example
        ``skorch.callbacks.Checkpoint``.
    sampler_components : int, default=10
        Components of the Gaussian mixture fitted to the training codes,
        from which :meth:`sample` draws (ex-post density estimation, Ghosh
        et al. 2020).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.
    module_ : skae.nn.MLPAutoencoder
        The trained network; ``module_.encoder`` and ``module_.decoder`` hold
        its layers.
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
        Epochs run (without the greedy stages).
    pretraining_loss_curves_ : list of list of float or None
        With ``pretraining="greedy"``, the training loss per epoch of each
        stage, outermost first; None without pretraining.

    See Also
    --------
    LinearAE : the linear autoencoder, equivalent to PCA.
    stack : one StackedAE from autoencoders fitted one after the other.
    PretrainedClassifier : a classifier on a pretrained encoder.
    sklearn.decomposition.PCA : linear dimensionality reduction.
    sklearn.neural_network.BernoulliRBM : another neural feature learner.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=10,
    ...                random_state=0)
    >>> codes = ae.fit_transform(X / 16)
    >>> codes.shape
    (1797, 8)
    >>> ae.get_feature_names_out()[:3]
    array(['stackedae0', 'stackedae1', 'stackedae2'], dtype=object)

    Greedy layer-wise training, without fine-tuning:

    >>> greedy = StackedAE(n_components=8, hidden_layer_sizes=(32,),
    ...                    pretraining="greedy", pretraining_max_iter=5,
    ...                    max_iter=0, random_state=0).fit(X / 16)
    >>> [len(curve) for curve in greedy.pretraining_loss_curves_]
    [5, 5]
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Integral],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "out_activation": [StrOptions({"identity", "sigmoid"})],
        "loss": [StrOptions({"mse", "bce"})],
        "tied_weights": ["boolean"],
        "pretraining": [StrOptions({"none", "greedy"})],
        "pretraining_max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", out_activation="identity", loss="mse",
                 tied_weights=False, pretraining="none",
                 pretraining_max_iter=20, alpha=0.0, batch_size="auto",
                 max_iter=200, learning_rate=1e-3, optimizer="adam",
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.out_activation = out_activation
        self.loss = loss
        self.tied_weights = tied_weights
        self.pretraining = pretraining
        self.pretraining_max_iter = pretraining_max_iter

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if any(not isinstance(s, Integral) or s < 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers; got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _module_kwargs(self):
        """Keyword arguments of :class:`skae.nn.MLPAutoencoder` (variants
        extend them)."""
        if self.loss == "bce" and self.out_activation != "sigmoid":
            raise ValueError(
                "loss='bce' needs out_activation='sigmoid' (cross-entropy "
                "compares probabilities); set out_activation='sigmoid' or use "
                "loss='mse'."
            )
        return dict(
            hidden_layer_sizes=self._hidden_sizes(),
            n_components=self.n_components,
            activation=self.activation,
            code_activation=getattr(self, "_code_act", self.activation),
            out_activation=self.out_activation,
            loss=self.loss,
            tied_weights=self.tied_weights,
        )

    def _build_module(self, n_features):
        return MLPAutoencoder(n_features, **self._module_kwargs())

    def _pretrain(self, module, X, device):
        """Greedy layer-wise training (``pretraining="greedy"``).

        Pair ``k`` (encoder layer ``k`` and its mirror decoder layer) is
        trained as a shallow autoencoder on the outputs of the frozen
        encoder layers below it. Those outputs are computed once per stage
        and cached (the seeds' single-graph method with cached hidden
        outputs), so a frozen layer is never evaluated per batch.
        """
        if self.pretraining == "none":
            self.pretraining_loss_curves_ = None
            return
        pairs = self._layer_pairs(module)
        data = TensorData(X, device)
        curves = []
        for depth, pair in enumerate(pairs):
            if self.verbose:
                layer = pair.encoder_layer
                print(f"Greedy stage {depth + 1}/{len(pairs)}: layers "
                      f"{layer.in_features}-{layer.out_features}-"
                      f"{layer.in_features}")
            net = self._make_net(pair, device, X.shape[0])
            # a fixed budget per stage; the user's callbacks watch the final
            # training of the whole stack only
            net.set_params(
                max_epochs=self.pretraining_max_iter,
                callbacks=[cb for cb in net.callbacks
                           if isinstance(cb, tuple) and cb[0] == "convergence"],
            )
            pair.train()
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", module="skorch")
                net.fit(data)
            curves.append([float(v) for v in net.history[:, "train_loss"]])
            if depth + 1 < len(pairs):
                # the stage's encoder layer is frozen from now on: evaluate
                # it once on every sample and train the next pair on that
                data = TensorData(map_batches(pair, data.X, device, "encode"),
                                  device)
        module.train()  # the stages left shared layers in evaluation mode
        self.pretraining_loss_curves_ = curves
        if self.verbose and self.max_iter:
            print("Fine-tuning the whole stack")

    def _layer_pairs(self, module):
        reason = None
        if not hasattr(module, "layer_pair"):
            reason = (f"its network, {type(module).__name__}, has no layer "
                      "pairs to train one at a time.")
        else:
            try:
                return [module.layer_pair(depth)
                        for depth in range(len(module.encoder_layers()))]
            except NotImplementedError as exc:
                reason = str(exc)
        raise ValueError(
            f"pretraining='greedy' is not available for {type(self).__name__}: "
            f"{reason} Use pretraining='none', or fit autoencoders one after "
            "the other on the previous one's codes and combine them with "
            "skae.stack."
        )
