"""Convolutional autoencoder on flat batches of images."""

import copy
import math

from torch import nn
from torch.nn import functional as F

from ._base import Autoencoder
from ._halves import Resize, dense_steps
from ._layers import make_activation, make_layer


def conv_output_size(size, stride):
    """Side of a "same"-padded convolution's output, ``ceil(size / stride)``.
    """
    return -(-size // stride)


class CodeBatchNorm(nn.BatchNorm1d):
    """Batch normalisation of the coding layer's pre-activations.

    A training batch of a single sample (the last one of an epoch can be)
    has no batch statistics; it is normalised with the running statistics,
    as in evaluation mode, instead of raising.
    """

    def forward(self, x):
        if self.training and x.shape[0] == 1:
            return F.batch_norm(x, self.running_mean, self.running_var,
                                self.weight, self.bias, False, 0.0, self.eps)
        return super().forward(x)

    def plain(self):
        """A copy as a plain ``nn.BatchNorm1d`` (which TorchScript takes)."""
        norm = nn.BatchNorm1d(self.num_features, self.eps, self.momentum,
                              device=self.weight.device,
                              dtype=self.weight.dtype)
        norm.load_state_dict(self.state_dict())
        return norm


def _transposed_layers(in_channels, filters, sizes, strides, kernel_size,
                       activation, out_activation):
    """The decoder's transposed convolutions: layer ``i`` undoes encoder
    layer ``i`` (they run in reverse order), mapping ``sizes[i + 1]`` back to
    ``sizes[i]`` exactly, odd sizes included."""
    layers = []
    for i in reversed(range(len(filters))):
        (h, w), (h_in, w_in) = sizes[i], sizes[i + 1]
        stride = strides[i]
        # (n_in - 1) * stride + 1 + output_padding == n_out
        out_pad = (h - (h_in - 1) * stride - 1, w - (w_in - 1) * stride - 1)
        layers.append(make_layer(
            nn.ConvTranspose2d, filters[i], in_channels[i], kernel_size,
            stride, kernel_size // 2, output_padding=out_pad,
            activation=activation if i else out_activation))
    return layers


def _checked_layers(filters, strides, kernel_size):
    """``filters`` and ``strides`` as lists (strides 1 by default), checked
    against each other and ``kernel_size``."""
    if kernel_size % 2 == 0:
        raise ValueError(
            f"kernel_size must be odd for 'same' padding; got "
            f"{kernel_size}.")
    filters = list(filters)
    strides = [1] * len(filters) if strides is None else list(strides)
    if len(strides) != len(filters):
        raise ValueError(
            f"strides has {len(strides)} entries for {len(filters)} "
            "convolution layers.")
    return filters, strides


class ConvAutoencoder(Autoencoder):
    """Convolutional encoder, dense code, transposed-convolution decoder.

    Batches are flat, of shape (n, C*H*W), as everywhere in skae; the
    network reshapes them to (n, C, H, W) images. The encoder is a stack of
    "same"-padded convolutions (odd ``kernel_size``, padding
    ``kernel_size // 2``, so a layer of stride ``s`` maps a side ``n`` to
    ``ceil(n / s)``, as TensorFlow's ``padding="same"``), flattened into a
    dense coding layer. The decoder mirrors it: a dense layer back to the
    last feature map, then transposed convolutions in reverse order whose
    output padding restores every size exactly (odd sizes too).

    Parameters
    ----------
    image_shape : tuple of int
        (C, H, W) of the input images.
    filters : sequence of int
        Output channels of each encoder convolution, outermost first.
    n_components : int
        Width of the code.
    kernel_size : int
        Odd side of the square kernels.
    strides : sequence of int
        Stride of each encoder convolution (same length as ``filters``).
    activation : str
        Activation of the convolutions (a key of ``skae.nn.ACTIVATIONS``).
    code_activation : str
        Activation of the coding layer.
    out_activation : {"identity", "sigmoid"}
        Activation of the output.
    loss : {"mse", "bce"}
        Reconstruction loss.
    batch_norm : bool
        Batch-normalise the coding layer's pre-activations.
    resize : tuple of int or None
        (h, w): images are resized (bilinear, antialiased) to this size
        before the encoder and the decoder's output is resized back to
        (H, W), so the network runs at the reduced size; the loss compares
        the output with the input at its own size.
    corruption : torch.nn.Module or None
        Input corruption applied in training mode (denoising).
    mask_input : bool
        The input holds, after the image, the mask of the pixels the
        network may know (1 observed, 0 missing or hidden by masking
        noise): the first convolution takes it as ``C`` more channels.
    """

    def __init__(self, image_shape, filters, n_components, kernel_size=3,
                 strides=None, activation="relu", code_activation="sigmoid",
                 out_activation="sigmoid", loss="mse", batch_norm=True,
                 resize=None, corruption=None, mask_input=False):
        super().__init__(loss=loss, out_activation=out_activation,
                         corruption=corruption)
        self.mask_input = mask_input
        filters, strides = _checked_layers(filters, strides, kernel_size)
        channels, height, width = image_shape
        self.image_shape = tuple(image_shape)
        self.n_features = channels * height * width
        self.input_shape = (channels * (2 if mask_input else 1), height,
                            width)
        self.resize = tuple(resize) if resize is not None else None
        sizes = [self.resize or (height, width)]
        for stride in strides:
            h, w = sizes[-1]
            sizes.append((conv_output_size(h, stride),
                          conv_output_size(w, stride)))
        self.feature_shape = (filters[-1], *sizes[-1])
        pad = kernel_size // 2
        in_channels = [channels, *filters[:-1]]  # of the decoder's outputs
        self.encoder = nn.ModuleList(
            make_layer(nn.Conv2d, c_in, c_out, kernel_size, stride, pad,
                       activation=activation)
            for c_in, c_out, stride in zip(
                [self.input_shape[0], *filters[:-1]], filters, strides)
        )
        n_features = math.prod(self.feature_shape)
        self.code = make_layer(nn.Linear, n_features, n_components,
                               activation=code_activation)
        self.code_norm = CodeBatchNorm(n_components) if batch_norm else None
        self.expand = make_layer(nn.Linear, n_components, n_features,
                                 activation=activation)
        self.decoder = nn.ModuleList(_transposed_layers(
            in_channels, filters, sizes, strides, kernel_size, activation,
            out_activation))
        self.activation = make_activation(activation)
        self.code_activation = make_activation(code_activation)

    def _images(self, x):
        x = x.reshape(-1, *self.input_shape)
        if self.resize is not None:
            x = F.interpolate(x, size=self.resize, mode="bilinear",
                              align_corners=False, antialias=True)
        return x

    def encode(self, x):
        x = self._images(x)
        for layer in self.encoder:
            x = self.activation(layer(x))
        x = self.code(x.flatten(1))
        if self.code_norm is not None:
            x = self.code_norm(x)
        return self.code_activation(x)

    def decode_logits(self, code):
        x = self.activation(self.expand(code))
        x = x.reshape(-1, *self.feature_shape)
        *hidden, last = self.decoder
        for layer in hidden:
            x = self.activation(layer(x))
        x = last(x)
        if self.resize is not None:
            x = F.interpolate(x, size=self.image_shape[1:], mode="bilinear",
                              align_corners=False)
        return x.flatten(1)

    def encoder_steps(self):
        steps = [nn.Unflatten(1, self.input_shape)]
        if self.resize is not None:
            steps.append(Resize(self.resize, antialias=True))
        for layer in self.encoder:
            steps += [layer, copy.deepcopy(self.activation)]
        steps += [nn.Flatten(1), self.code]
        if self.code_norm is not None:
            steps.append(self.code_norm.plain())
        return steps + [copy.deepcopy(self.code_activation)]

    def decoder_steps(self):
        steps = [self.expand, copy.deepcopy(self.activation),
                 nn.Unflatten(1, self.feature_shape)]
        steps += dense_steps(list(self.decoder), self.activation,
                             nn.Identity())
        if self.resize is not None:
            steps.append(Resize(self.image_shape[1:]))
        return steps + [nn.Flatten(1), self.output_activation()]
