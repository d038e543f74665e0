"""Layer-wise training and composition: layer pairs and chained networks."""

from torch import nn

from ._base import Autoencoder
from ._halves import dense_steps


class LayerPair(Autoencoder):
    """One encoder layer and its mirror decoder layer as a shallow autoencoder.

    The pair shares its layers (their parameters) with the deep network they
    come from, so training the pair trains those layers of the network: the
    greedy, one-autoencoder-at-a-time training. The outermost pair
    reconstructs the network's input with the network's loss and output
    activation; an inner pair reconstructs the hidden activations of the
    layer below it (its target) with the mean squared error, its output
    passing through the hidden activation as in the deep network.

    Parameters
    ----------
    encoder_layer, decoder_layer : torch.nn.Module
        The layers (shared, not copied).
    code_activation : torch.nn.Module
        Activation after ``encoder_layer``.
    target_activation : torch.nn.Module or None
        Activation after ``decoder_layer`` for an inner pair; None for the
        outermost pair, whose output follows ``loss`` and
        ``out_activation``.
    loss : {"mse", "bce"}
        Reconstruction loss of the outermost pair.
    out_activation : {"identity", "sigmoid"}
        Output activation of the outermost pair.
    corruption : torch.nn.Module or None
        Applied to the pair's input in training mode (a stacked denoising
        autoencoder corrupts the input of every layer).
    mask_input : bool
        The pair's input ends with a mask (the outermost pair of a network
        built with ``mask_input``).
    """

    def __init__(self, encoder_layer, decoder_layer, code_activation,
                 target_activation=None, loss="mse", out_activation="identity",
                 corruption=None, mask_input=False):
        super().__init__(loss=loss, out_activation=out_activation,
                         corruption=corruption)
        self.mask_input = mask_input
        self.n_features = decoder_layer.weight.shape[0]
        self.encoder_layer = encoder_layer
        self.decoder_layer = decoder_layer
        self.code_activation = code_activation
        self.target_activation = target_activation

    def encode(self, x):
        return self.code_activation(self.encoder_layer(x))

    def decode_logits(self, code):
        return self.decoder_layer(code)

    def decode(self, code):
        if self.target_activation is None:
            return super().decode(code)
        return self.target_activation(self.decode_logits(code))

    def elementwise_loss(self, logits, target):
        if self.target_activation is None:
            return super().elementwise_loss(logits, target)
        return (self.target_activation(logits) - target).square()

    def encoder_layers(self):
        return [self.encoder_layer]

    def encoder_steps(self):
        return dense_steps([self.encoder_layer], None, self.code_activation)

    def decoder_steps(self):
        return dense_steps([self.decoder_layer], None,
                           self.target_activation or self.output_activation())


class ChainedAutoencoder(Autoencoder):
    """Autoencoders applied one after the other: a stack of trained parts.

    ``encode`` runs the parts' encoders in order; ``decode`` runs their
    decoders in reverse order, each part decoding to its own input space, so
    the chain is exactly the composition of its parts (stacking autoencoders
    trained "in multiple graphs", one after the other). The loss and output
    activation are those of the first
    (outermost) part.

    Parameters
    ----------
    parts : sequence of Autoencoder
        Outermost first; each part's input width is the previous part's code
        width.
    """

    def __init__(self, parts):
        first = parts[0]
        super().__init__(loss=first.loss, out_activation=first.out_activation)
        self.parts = nn.ModuleList(parts)

    def encode(self, x):
        for part in self.parts:
            x = part.encode(x)
        return x

    def decode_logits(self, code):
        # decode through every inner part, then the outermost one's logits
        for part in reversed(self.parts[1:]):
            code = part.decode(code)
        return self.parts[0].decode_logits(code)

    def encoder_layers(self):
        return [layer for part in self.parts
                for layer in part.encoder_layers()]

    def encoder_steps(self):
        return [step for part in self.parts for step in part.encoder_steps()]

    def decoder_steps(self):
        return [step for part in reversed(self.parts)
                for step in part.decoder_steps()]
