"""ConvAE: the convolutional autoencoder of the seeds, on flat image rows."""

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder, _check_unit_interval
from .nn import ACTIVATIONS, NOISES, ConvAutoencoder, Corruption


class ConvAE(BaseAutoencoder):
    """Convolutional autoencoder for images, with an optional denoising mode.

    Each sample is an image. ``X`` stays 2-D for scikit-learn, one flattened
    image per row (``n_samples, C*H*W``, channels first, rows of pixels in
    order, as ``images.reshape(n, -1)``); 3-D ``(n, H, W)`` and 4-D
    ``(n, C, H, W)`` arrays are accepted too and flattened. The network
    follows the seeds' convolutional autoencoder on faces: "same"-padded
    convolutions with ReLU (the first of stride 2), a dense coding layer of
    ``n_components`` sigmoid units, a mirrored decoder of transposed
    convolutions and a sigmoid output, trained on the mean squared error.
    With ``noise`` set it is the seeds' denoising convolutional autoencoder:
    the input of every training batch is corrupted afresh and the network
    learns to reconstruct the clean image.

    The default network is sized for the seeds' 32x32 faces; on CPU it
    costs about 2 ms per 28x28 image and epoch. For larger images or
    data sets use ``resize``, larger ``strides`` or fewer ``filters``.

    Parameters
    ----------
    n_components : int, default=32
        Size of the code (the seeds' ``code_length``).
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of the images; their product must be the
        number of features. One entry may be -1, inferred as in
        ``numpy.reshape``: ``(1, -1)`` treats each row as a 1-D signal.
        ``None`` takes the shape of 3-D/4-D input, and for 2-D input a
        square single-channel image (784 features are 28x28); other widths
        then raise an error asking for ``image_shape``.
    filters : tuple of int, default=(16, 32, 64, 128)
        Output channels of the encoder's convolutions, outermost first; the
        decoder's transposed convolutions mirror them.
    kernel_size : int, default=3
        Side of the square kernels; odd, for "same" padding.
    strides : int, tuple of int or None, default=None
        Stride of each convolution (a tuple as long as ``filters``, or one
        int for all). ``None`` is 2 for the first layer and 1 for the
        others, as the seed. A layer of stride ``s`` maps a side ``n`` to
        ``ceil(n / s)``; the decoder restores the exact input size.
    activation : {"relu", "elu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="relu"
        Activation of the convolutions and of the decoder's dense layer.
    code_activation : {"sigmoid", "relu", "elu", "selu", "gelu", "tanh", \
"identity"}, default="sigmoid"
        Activation of the coding layer.
    out_activation : {"sigmoid", "identity"}, default="sigmoid"
        Activation of the output; ``"sigmoid"`` suits pixels in [0, 1].
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss. ``"bce"`` needs ``out_activation="sigmoid"``
        and data in [0, 1].
    batch_norm : bool, default=True
        Batch-normalise the coding layer's pre-activations (before
        ``code_activation``). The seed has no normalisation; without it a
        sigmoid code saturates early in training (its inputs are a large
        feature map) and training often stalls at the mean image. Set to
        False for the seed's network as is.
    resize : tuple of int or None, default=None
        ``(h, w)``: train and encode at this reduced size, as the seed
        trains on 64x64 faces at 32x32. Images are resized (bilinear,
        antialiased) before the encoder, and the output is brought back to
        the input size, where the loss is computed.
    noise : {"gaussian", "masking", "salt_pepper"} or None, default=None
        Corruption of the training input, as :class:`DenoisingAE`
        (``None``: a plain autoencoder). ``"gaussian"`` adds
        N(0, noise_level^2) noise; ``"masking"`` zeroes a fraction
        ``noise_level`` of the pixels; ``"salt_pepper"`` sets that fraction
        to 0 or 1. Only training batches are corrupted; ``transform``,
        ``score`` and ``inverse_transform`` use their input as is.
    noise_level : float, default=0.2
        Standard deviation (``"gaussian"``) or corrupted fraction.
    alpha : float, default=0.0
        L2 penalty on the weights; biases are not penalised.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``n_samples // 10`` clipped to
        [16, 200]. The seed's 50 learns faster per epoch on a few thousand
        images (more steps), at a higher cost per epoch.
    max_iter : int, default=200
        Maximum number of epochs.
    learning_rate : float, default=1e-3
        Step size of the optimizer (the seed's Adam uses 1e-3).
    optimizer : {"adam", "adamw", "sgd", "rmsprop", "lbfgs"} or type, \
default="adam"
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
        Seeds initialisation, shuffling and the corruption; an int gives
        bit-identical results on CPU. torch's global random state is left
        untouched.
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
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images the model was fitted on.
    n_features_in_ : int
        Number of features (``C * H * W``) seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.
    module_ : skae.nn.ConvAutoencoder
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
    StackedAE : fully connected autoencoder.
    DenoisingAE : fully connected denoising autoencoder.
    sklearn.decomposition.PCA : linear dimensionality reduction.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ConvAE
    >>> digits = load_digits()
    >>> images = digits.images / 16  # (1797, 8, 8)
    >>> ae = ConvAE(n_components=8, filters=(8, 16), max_iter=3,
    ...             random_state=0)
    >>> codes = ae.fit_transform(images)
    >>> codes.shape, ae.image_shape_
    ((1797, 8), (1, 8, 8))
    >>> ae.inverse_transform(codes).reshape(-1, 8, 8).shape
    (1797, 8, 8)
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "image_shape": ["array-like", None],
        "filters": ["array-like"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "strides": [Interval(Integral, 1, None, closed="left"), "array-like",
                    None],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "code_activation": [StrOptions(set(ACTIVATIONS))],
        "out_activation": [StrOptions({"identity", "sigmoid"})],
        "loss": [StrOptions({"mse", "bce"})],
        "batch_norm": ["boolean"],
        "resize": ["array-like", None],
        "noise": [StrOptions(set(NOISES)), None],
        "noise_level": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, n_components=32, *, image_shape=None,
                 filters=(16, 32, 64, 128), kernel_size=3, strides=None,
                 activation="relu", code_activation="sigmoid",
                 out_activation="sigmoid", loss="mse", batch_norm=True,
                 resize=None, noise=None, noise_level=0.2, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 optimizer="adam", early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False,
                 device="cpu", callbacks=None, sampler_components=10):
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
        self.image_shape = image_shape
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.activation = activation
        self.code_activation = code_activation
        self.out_activation = out_activation
        self.loss = loss
        self.batch_norm = batch_norm
        self.resize = resize
        self.noise = noise
        self.noise_level = noise_level

    # ------------------------------------------------------------------
    # input: image arrays and the image shape
    def _validate_input(self, X, reset):
        X, array_shape = _flatten_images(X)
        X = super()._validate_input(X, reset)
        if reset:
            shape = self._resolve_image_shape(X.shape[1], array_shape)
            if (self.warm_start and hasattr(self, "module_")
                    and shape != self.module_.image_shape):
                raise ValueError(
                    f"warm_start=True continues the previous fit, on images "
                    f"of shape {self.module_.image_shape}; X holds images of "
                    f"shape {shape}. Set warm_start=False to fit from scratch."
                )
            self.image_shape_ = shape
        elif array_shape is not None and array_shape != self.image_shape_:
            raise ValueError(
                f"X holds images of shape {array_shape} (C, H, W); "
                f"{type(self).__name__} was fitted on images of shape "
                f"{self.image_shape_}."
            )
        return X

    def _resolve_image_shape(self, n_features, array_shape):
        """(C, H, W) of the images in rows of ``n_features`` pixels."""
        if self.image_shape is None:
            if array_shape is not None:
                return array_shape
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(
                    f"{type(self).__name__} cannot infer the image shape of "
                    f"X: its "
                    f"{n_features} features are not a square number of "
                    "pixels. Pass image_shape=(H, W) or (C, H, W) (one entry "
                    "may be -1, as in numpy.reshape; (1, -1) treats each row "
                    "as a 1-D signal), or pass the images as a 3-D "
                    "(n, H, W) or 4-D (n, C, H, W) array."
                )
            return (1, side, side)
        shape = _image_shape_param(self.image_shape, n_features)
        if array_shape is not None and array_shape != shape:
            raise ValueError(
                f"X holds images of shape {array_shape} (C, H, W), which "
                f"disagrees with image_shape={self.image_shape!r}; pass "
                "image_shape=None to use the shape of the array."
            )
        return shape

    def _check_data_range(self, X):
        super()._check_data_range(X)
        if self.noise == "salt_pepper":
            _check_unit_interval(X, "noise='salt_pepper'")

    def denoise(self, X):
        """Reconstruct (noisy) images: decode their codes.

        The same as ``inverse_transform(transform(X))``; with ``noise`` set
        the network was trained to map corrupted images to clean ones.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features) or \
array of images
            Noisy images, flat rows or a 3-D/4-D array.

        Returns
        -------
        X_denoised : ndarray of shape (n_samples, n_features_in_)
            Flat rows in the dtype of ``X``; reshape with ``image_shape_``.
        """
        X = self._validate_X(X)
        return self._map_batches(self._map_batches(X, "encode"), "decode")

    # ------------------------------------------------------------------
    def _strides(self, n_layers):
        if self.strides is None:
            return [2] + [1] * (n_layers - 1)
        if isinstance(self.strides, Integral):
            return [self.strides] * n_layers
        strides = list(self.strides)
        if len(strides) != n_layers or not all(
                isinstance(s, Integral) and s >= 1 for s in strides):
            raise ValueError(
                f"strides must be one positive int or {n_layers} of them "
                f"(one per entry of filters={self.filters!r}); got "
                f"{self.strides!r}."
            )
        return strides

    def _build_module(self, n_features):
        filters = _positive_ints(self.filters, "filters")
        if not filters:
            raise ValueError("filters must list at least one layer; got ().")
        if self.kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size must be odd ('same' padding keeps the image "
                f"centred); got {self.kernel_size}.")
        resize = None
        if self.resize is not None:
            resize = _positive_ints(self.resize, "resize")
            if len(resize) != 2:
                raise ValueError(
                    f"resize must be (height, width); got {self.resize!r}.")
        if self.loss == "bce" and self.out_activation != "sigmoid":
            raise ValueError(
                "loss='bce' needs out_activation='sigmoid' (cross-entropy "
                "compares probabilities); set out_activation='sigmoid' or use "
                "loss='mse'."
            )
        corruption = None
        if self.noise is not None:
            if self.noise != "gaussian" and self.noise_level >= 1:
                raise ValueError(
                    f"noise_level is the fraction of pixels that noise="
                    f"{self.noise!r} corrupts, so it must be below 1; got "
                    f"{self.noise_level}.")
            corruption = Corruption(self.noise, self.noise_level)
        return ConvAutoencoder(
            self.image_shape_, filters, self.n_components,
            kernel_size=self.kernel_size, strides=self._strides(len(filters)),
            activation=self.activation, code_activation=self.code_activation,
            out_activation=self.out_activation, loss=self.loss,
            batch_norm=self.batch_norm, resize=resize,
            corruption=corruption,
        )


def _positive_ints(values, name):
    values = [values] if isinstance(values, Integral) else list(values)
    if not all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1
               for v in values):
        raise ValueError(f"{name} must be positive integers; got {values!r}.")
    return [int(v) for v in values]


def _image_shape_param(image_shape, n_features):
    """The ``image_shape`` parameter as (C, H, W) for ``n_features``."""
    shape = list(image_shape) if not isinstance(image_shape, Integral) else []
    valid = (len(shape) in (2, 3)
             and all(isinstance(s, Integral) and not isinstance(s, bool)
                     and (s >= 1 or s == -1) for s in shape)
             and shape.count(-1) <= 1)
    if not valid:
        raise ValueError(
            f"image_shape must be (H, W) or (C, H, W) of positive ints, one "
            f"of which may be -1; got {image_shape!r}.")
    if len(shape) == 2:
        shape = [1, *shape]
    if -1 in shape:
        known = -math.prod(shape)
        if n_features % known:
            raise ValueError(
                f"image_shape={tuple(image_shape)} does not fit X: "
                f"{n_features} features are not a multiple of {known}.")
        shape[shape.index(-1)] = n_features // known
    shape = tuple(int(s) for s in shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {math.prod(shape)} "
            f"pixels but X has {n_features} features (one image per row).")
    return shape


def _flatten_images(X):
    """Flatten a 3-D (n, H, W) or 4-D (n, C, H, W) array to 2-D.

    Returns ``(X, shape)`` with ``shape`` the (C, H, W) of the images, or
    ``(X, None)`` when ``X`` is not an image array (it is left as is).
    """
    if sp.issparse(X) or hasattr(X, "columns"):
        return X, None
    if not hasattr(X, "ndim"):
        if not (isinstance(X, (list, tuple)) or hasattr(X, "__array__")):
            return X, None
        try:
            array = np.asarray(X)
        except (ValueError, TypeError):  # ragged lists: validate_data explains
            return X, None
        if array.ndim <= 2:
            return X, None
        X = array
    if X.ndim <= 2:
        return X, None
    if X.ndim > 4:
        raise ValueError(
            f"Expected a 2-D array (n_samples, n_pixels), a 3-D (n, H, W) or "
            f"a 4-D (n, C, H, W) array of images; got {X.ndim} dimensions.")
    X = np.asarray(X)
    shape = X.shape[1:] if X.ndim == 4 else (1, *X.shape[1:])
    shape = tuple(int(s) for s in shape)
    return X.reshape(X.shape[0], math.prod(shape)), shape
