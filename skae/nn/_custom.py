"""An autoencoder made of the user's own encoder and decoder modules."""

from ._base import Autoencoder


class ModuleAutoencoder(Autoencoder):
    """Any encoder module followed by any decoder module.

    ``encode`` is ``encoder(x)``; ``decode_logits`` is ``decoder(code)``,
    which should return the reconstruction before the output activation.
    The reconstruction loss is :class:`Autoencoder`'s.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch of shape (n, n_features) to codes (n, n_components).
    decoder : torch.nn.Module
        Maps codes back to (n, n_features).
    loss, out_activation, corruption
        As :class:`Autoencoder`.
    """

    def __init__(self, encoder, decoder, loss="mse", out_activation="identity",
                 corruption=None):
        super().__init__(loss=loss, out_activation=out_activation,
                         corruption=corruption)
        self.encoder = encoder
        self.decoder = decoder

    def encode(self, x):
        return self.encoder(x)

    def decode_logits(self, code):
        return self.decoder(code)

    def encoder_steps(self):
        return [self.encoder]

    def decoder_steps(self):
        return [self.decoder, self.output_activation()]
