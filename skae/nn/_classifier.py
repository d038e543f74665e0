"""A classifier on top of a (pretrained) encoder."""

from torch import nn

from ._layers import make_activation, make_layer


class EncoderClassifier(nn.Module):
    """An encoder followed by dense layers and a linear layer of class scores.

    ``forward`` returns the logits (unnormalised class scores) of a batch.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch of inputs to codes of width ``n_code``, for example
        :meth:`skae.StackedAE.encoder_module`.
    n_code : int
        Width of the encoder's output.
    hidden_layer_sizes : sequence of int
        Dense layers between the code and the class scores.
    n_classes : int
    activation : str
        Activation of the dense hidden layers.
    """

    def __init__(self, encoder, n_code, hidden_layer_sizes, n_classes,
                 activation="elu"):
        super().__init__()
        self.encoder = encoder
        sizes = [n_code, *hidden_layer_sizes]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [make_layer(nn.Linear, a, b, activation=activation),
                       make_activation(activation)]
        layers.append(make_layer(nn.Linear, sizes[-1], n_classes,
                                 activation="identity"))
        self.head = nn.Sequential(*layers)

    def forward(self, x):
        return self.head(self.encoder(x))
