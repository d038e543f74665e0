"""Fully connected autoencoder with a mirrored decoder."""

from torch import nn

from ._base import Autoencoder
from ._layers import TiedLinear, init_linear, make_activation


class MLPAutoencoder(Autoencoder):
    """Symmetric multi-layer perceptron autoencoder.

    Layer sizes run ``n_features -> *hidden_layer_sizes -> n_components``
    in the encoder and back in reverse in the decoder.

    Parameters
    ----------
    n_features : int
        Width of the input.
    hidden_layer_sizes : sequence of int
        Encoder hidden layers, outermost first; the decoder mirrors them.
    n_components : int
        Width of the code.
    activation : str
        Activation of the hidden layers (a key of ``skae.nn.ACTIVATIONS``).
    code_activation : str
        Activation of the coding layer.
    out_activation : {"identity", "sigmoid"}
        Activation of the output layer.
    loss : {"mse", "bce"}
        Reconstruction loss.
    tied_weights : bool
        Decoder weights are the transposes of the encoder weights.
    corruption : torch.nn.Module or None
        Input corruption applied in training mode.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation="elu", code_activation="identity",
                 out_activation="identity", loss="mse", tied_weights=False,
                 corruption=None):
        super().__init__(loss=loss, out_activation=out_activation,
                         corruption=corruption)
        sizes = [n_features, *hidden_layer_sizes, n_components]
        pairs = list(zip(sizes[:-1], sizes[1:]))
        self.encoder = nn.ModuleList(
            init_linear(nn.Linear(a, b), activation) for a, b in pairs
        )
        init_linear(self.encoder[-1], code_activation)
        if tied_weights:
            self.decoder = nn.ModuleList(
                TiedLinear(layer) for layer in reversed(self.encoder)
            )
        else:
            self.decoder = nn.ModuleList(
                init_linear(nn.Linear(b, a), activation)
                for a, b in reversed(pairs)
            )
            init_linear(self.decoder[-1], out_activation)
        self.activation = make_activation(activation)
        self.code_activation = make_activation(code_activation)

    def encode(self, x):
        *hidden, last = self.encoder
        for layer in hidden:
            x = self.activation(layer(x))
        return self.code_activation(last(x))

    def decode_logits(self, code):
        *hidden, last = self.decoder
        for layer in hidden:
            code = self.activation(layer(code))
        return last(code)
