"""ConvAE: a convolutional autoencoder for images, on flat image rows."""

from numbers import Integral

from ._architecture import ReconstructionMixin
from ._base import BaseAutoencoder
from ._checks import positive_ints
from ._compat import Interval, StrOptions
from ._corruption import CorruptionMixin
from ._images import flatten_images, resolve_image_shape
from ._parameters import store_params
from ._sampling import MixtureSamplingMixin
from .nn import ACTIVATIONS, ConvAutoencoder


class ConvAE(CorruptionMixin, MixtureSamplingMixin, ReconstructionMixin,
             BaseAutoencoder):
    """Convolutional autoencoder for images, with an optional denoising mode.

    Each sample is an image. ``X`` stays 2-D for scikit-learn, one flattened
    image per row (``n_samples, C*H*W``, channels first, rows of pixels in
    order, as ``images.reshape(n, -1)``); 3-D ``(n, H, W)`` and 4-D
    ``(n, C, H, W)`` arrays are accepted too and flattened. The network
    follows the TensorFlow tutorial's deep convolutional autoencoder on the
    Olivetti faces: "same"-padded convolutions with ReLU (the first of
    stride 2), a dense coding layer of ``n_components`` sigmoid units, a
    mirrored decoder of transposed convolutions and a sigmoid output,
    trained on the mean squared error. With ``noise`` set it is that
    tutorial's denoising convolutional autoencoder: the input of every
    training batch is corrupted afresh and the network learns to
    reconstruct the clean image.

    The default network is sized for the tutorial's 32x32 faces; on CPU it
    costs about 2 ms per 28x28 image and epoch. For larger images or
    data sets use ``resize``, larger ``strides`` or fewer ``filters``.

    Parameters
    ----------
    n_components : int, default=32
        Size of the code (``code_length`` in the tutorial).
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
        others, as the tutorial. A layer of stride ``s`` maps a side ``n``
        to ``ceil(n / s)``; the decoder restores the exact input size.
    activation : {"relu", "elu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="relu"
        Activation of the convolutions and of the decoder's dense layer.
    code_activation : {"sigmoid", "relu", "elu", "selu", "gelu", "tanh", \
"identity"}, default="sigmoid"
        Activation of the coding layer.
    batch_norm : bool, default=True
        Batch-normalise the coding layer's pre-activations (before
        ``code_activation``). The tutorial has no normalisation; without it
        a sigmoid code saturates early in training (its inputs are a large
        feature map) and training often stalls at the mean image. Set to
        False for the tutorial's network as is.
    resize : tuple of int or None, default=None
        ``(h, w)``: train and encode at this reduced size, as the tutorial
        trains on 64x64 faces at 32x32. Images are resized (bilinear,
        antialiased) before the encoder, and the output is brought back to
        the input size, where the loss is computed.
    noise : {"gaussian", "masking", "salt_pepper"} or None, default=None
        Corruption of the training images, as for :class:`DenoisingAE`;
        None trains a plain autoencoder.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``n_samples // 10`` clipped to
        [16, 200] (the other autoencoders take ``n_samples // 40``: a
        convolution step costs more). The tutorial's 50 learns faster per
        epoch on a few thousand images (more steps), at a higher cost per
        epoch.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images the model was fitted on.
    n_features_in_ : int
        Number of features (``C * H * W``) seen during fit.
    module_ : skae.nn.ConvAutoencoder
        The trained network.

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

    #: fewer, larger batches than the dense models: a convolution step
    #: costs more
    _auto_batch_steps = 10

    _mask_input = True

    _parameter_constraints = {
        "image_shape": ["array-like", None],
        "filters": ["array-like"],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "strides": [Interval(Integral, 1, None, closed="left"), "array-like",
                    None],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "code_activation": [StrOptions(set(ACTIVATIONS))],
        "batch_norm": ["boolean"],
        "resize": ["array-like", None],
    }

    def __init__(self, n_components=32, *, image_shape=None,
                 filters=(16, 32, 64, 128), kernel_size=3, strides=None,
                 activation="relu", code_activation="sigmoid",
                 out_activation="sigmoid", loss="mse", batch_norm=True,
                 resize=None, noise=None, noise_level=0.2, alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False,
                 device="cpu",
                 precision="float32", callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    # ------------------------------------------------------------------
    # input: image arrays and the image shape
    def _validate_input(self, X, reset):
        X, array_shape = flatten_images(X)
        X = super()._validate_input(X, reset)
        if reset:
            shape = resolve_image_shape(self.image_shape, X.shape[1],
                                        array_shape, type(self).__name__)
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

    def _build_attributes(self):
        return {**super()._build_attributes(),
                "image_shape_": self.image_shape_}

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
        filters = positive_ints(self.filters, "filters")
        if not filters:
            raise ValueError("filters must list at least one layer; got ().")
        if self.kernel_size % 2 == 0:
            raise ValueError(
                f"kernel_size must be odd ('same' padding keeps the image "
                f"centred); got {self.kernel_size}.")
        resize = None
        if self.resize is not None:
            resize = positive_ints(self.resize, "resize")
            if len(resize) != 2:
                raise ValueError(
                    f"resize must be (height, width); got {self.resize!r}.")
        return ConvAutoencoder(
            self.image_shape_, filters, self.n_components,
            kernel_size=self.kernel_size, strides=self._strides(len(filters)),
            activation=self.activation, code_activation=self.code_activation,
            batch_norm=self.batch_norm, resize=resize,
            corruption=self._corruption(), **self._reconstruction_kwargs(),
            mask_input=self._network_sees_mask,
        )
