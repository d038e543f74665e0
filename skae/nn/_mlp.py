"""Fully connected autoencoder with a mirrored decoder."""

from torch import nn

from ._base import Autoencoder
from ._halves import dense_steps
from ._layers import TiedLinear, init_linear, make_activation, make_layer
from ._layerwise import LayerPair

#: What a subclass may not change for its layer pairs to be trained one at a
#: time as plain shallow autoencoders (see ``MLPAutoencoder.layer_pair``).
_LAYERWISE_METHODS = ("encode", "decode_logits", "decode", "forward",
                      "loss_terms", "elementwise_loss")


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
    init : {"variance_scaling", "pytorch"}
        Initialisation of the layers (:func:`skae.nn.init_linear`).
    mask_input : bool
        The input holds, after the ``n_features`` values, the mask of the
        values the network may know (1 observed, 0 missing or hidden by
        masking noise): the first encoder layer takes ``2 * n_features``
        inputs, and sees which values were filled in.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 activation="elu", code_activation="identity",
                 out_activation="identity", loss="mse", tied_weights=False,
                 corruption=None, init="variance_scaling", mask_input=False):
        super().__init__(loss=loss, out_activation=out_activation,
                         corruption=corruption)
        self.n_features = n_features
        self.mask_input = mask_input
        sizes = [n_features, *hidden_layer_sizes, n_components]
        pairs = list(zip(sizes[:-1], sizes[1:]))
        inputs = [n_features * (2 if mask_input else 1), *sizes[1:-1]]
        self.encoder = nn.ModuleList(
            make_layer(nn.Linear, a, b, activation=activation, init=init)
            for a, (_, b) in zip(inputs, pairs)
        )
        init_linear(self.encoder[-1], code_activation, init)
        if tied_weights:
            self.decoder = nn.ModuleList(
                TiedLinear(layer, a) for layer, (a, _) in zip(
                    reversed(self.encoder), reversed(pairs))
            )
        else:
            self.decoder = nn.ModuleList(
                make_layer(nn.Linear, b, a, activation=activation, init=init)
                for a, b in reversed(pairs)
            )
            init_linear(self.decoder[-1], out_activation, init)
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

    def encoder_layers(self):
        return list(self.encoder)

    def encoder_steps(self):
        return dense_steps(list(self.encoder), self.activation,
                           self.code_activation)

    def decoder_steps(self):
        return dense_steps(list(self.decoder), self.activation,
                           self.output_activation())

    def layer_pair(self, depth):
        """Encoder layer ``depth`` and its mirror decoder layer, as a
        :class:`LayerPair` that shares their parameters.

        ``depth=0`` is the outermost pair (it reconstructs the input); pair
        ``depth`` reconstructs the hidden activations of encoder layer
        ``depth - 1``. The network's input corruption, if any, is applied to
        the input of every pair (a stacked denoising autoencoder).

        A subclass that changes the encoding, the decoding or the loss has
        no plain layer pairs: it raises NotImplementedError unless it
        overrides this method.
        """
        changed = [name for name in _LAYERWISE_METHODS
                   if getattr(type(self), name)
                   is not getattr(MLPAutoencoder, name)]
        if changed:
            raise NotImplementedError(
                f"{type(self).__name__} changes {', '.join(changed)} of "
                "MLPAutoencoder, so its layers cannot be trained one pair at "
                "a time as plain shallow autoencoders (override layer_pair "
                "to define the pairs)."
            )
        n_layers = len(self.encoder)
        if not 0 <= depth < n_layers:
            raise IndexError(f"depth={depth}; the network has {n_layers} "
                             "layer pairs.")
        innermost = depth == n_layers - 1
        pair = LayerPair(
            self.encoder[depth], self.decoder[n_layers - 1 - depth],
            self.code_activation if innermost else self.activation,
            target_activation=self.activation if depth else None,
            loss=self.loss, out_activation=self.out_activation,
            corruption=self.corruption,
            mask_input=self.mask_input and depth == 0,
        )
        if depth == 0:  # the outermost pair reconstructs the table
            pair.table = self.table
        return pair
