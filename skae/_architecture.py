"""Architecture families: the parameters that shape a network, their
validation, and the keyword arguments of the networks they build.

* :class:`ReconstructionMixin`: the decoder's output activation and the
  reconstruction loss (every deterministic autoencoder);
* :class:`MLPLayersMixin`: fully connected hidden layers;
* :class:`MLPAutoencoderMixin`: the symmetric fully connected autoencoder
  (:class:`skae.nn.MLPAutoencoder`) that most estimators build.

Put them before :class:`skae._base.BaseAutoencoder` in the bases.
"""

from numbers import Integral

from ._checks import check_unit_interval, positive_ints
from ._compat import StrOptions
from ._tables import TableColumnsMixin
from .nn import ACTIVATIONS, INITS, LOSSES, MLPAutoencoder


class ReconstructionMixin:
    """Output activation and reconstruction loss.

    Parameters
    ----------
    out_activation : {"identity", "sigmoid"}, default="identity"
        Activation of the output layer; ``"sigmoid"`` bounds reconstructions
        to [0, 1].
    loss : {"mse", "bce"}, default="mse"
        Reconstruction loss, averaged over features and samples; it is also
        what :meth:`score` reports. ``"bce"`` (binary cross-entropy) needs
        ``out_activation="sigmoid"`` and data in [0, 1].
    """

    _parameter_constraints = {
        "out_activation": [StrOptions({"identity", "sigmoid"})],
        "loss": [StrOptions(set(LOSSES))],
    }

    def _reconstruction_kwargs(self):
        """``out_activation`` and ``loss`` for the network, checked."""
        if self.loss == "bce" and self.out_activation != "sigmoid":
            raise ValueError(
                "loss='bce' needs out_activation='sigmoid' (cross-entropy "
                "compares probabilities); set out_activation='sigmoid' or use "
                "loss='mse'."
            )
        return dict(out_activation=self.out_activation, loss=self.loss)

    def _check_data_range(self, X):
        super()._check_data_range(X)
        if self.loss == "bce":
            check_unit_interval(X, "loss='bce'")


class MLPLayersMixin(TableColumnsMixin):
    """Fully connected hidden layers (and the columns of a table, which
    :class:`skae._tables.TableColumnsMixin` encodes for them).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256,)
        Encoder layers between the input and the code, outermost first; the
        decoder mirrors them. ``()`` gives a single-layer autoencoder.
    activation : {"elu", "relu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="elu"
        Activation of the hidden layers.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Integral],
        "activation": [StrOptions(set(ACTIVATIONS))],
    }

    def _hidden_sizes(self):
        return positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")


class MLPAutoencoderMixin(MLPLayersMixin, ReconstructionMixin):
    """The symmetric fully connected autoencoder,
    :class:`skae.nn.MLPAutoencoder`.

    Variants extend :meth:`_module_kwargs` and build their own network
    class from it.

    Parameters
    ----------
    code_activation : str or None, default=None
        Activation of the coding layer (a name accepted by ``activation``);
        None uses ``activation``.
    tied_weights : bool, default=False
        Share each decoder weight with the transpose of its encoder weight,
        halving the weights to learn (weight tying).
    init : {"variance_scaling", "pytorch"}, default="variance_scaling"
        Initialisation of the layers. ``"variance_scaling"``: He-normal
        weights for ELU/ReLU layers (Glorot for the others) and zero
        biases, as the TensorFlow code of Géron's *Hands-On Machine
        Learning* (ch. 15); ``"pytorch"``: PyTorch's own default for
        ``nn.Linear``, weights and biases uniform in +-1/sqrt(fan_in), a
        smaller start that trains faster on MNIST (see
        :ref:`choosing-defaults`).
    """

    _mask_input = True

    _parameter_constraints = {
        "code_activation": [StrOptions(set(ACTIVATIONS)), None],
        "tied_weights": ["boolean"],
        "init": [StrOptions(set(INITS))],
    }

    def _module_kwargs(self):
        """Keyword arguments of :class:`skae.nn.MLPAutoencoder` (variants
        extend them)."""
        return dict(
            hidden_layer_sizes=self._hidden_sizes(),
            n_components=self.n_components,
            activation=self.activation,
            code_activation=(self.activation if self.code_activation is None
                             else self.code_activation),
            tied_weights=self.tied_weights,
            init=self.init,
            mask_input=self._network_sees_mask,
            **self._reconstruction_kwargs(),
        )

    def _build_module(self, n_features):
        return MLPAutoencoder(n_features, **self._module_kwargs())
