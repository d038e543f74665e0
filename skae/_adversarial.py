"""AdversarialAE: an autoencoder whose codes a discriminator matches to a
prior."""

from numbers import Integral, Real

from ._architecture import MLPAutoencoderMixin
from ._base import BaseAutoencoder
from ._checks import positive_ints
from ._compat import Interval, StrOptions
from ._parameters import store_params
from ._sampling import PriorSamplingMixin
from ._training import PhasedNet
from .nn import PRIORS, AdversarialMLP


class AdversarialAE(PriorSamplingMixin, MLPAutoencoderMixin, BaseAutoencoder):
    """Adversarial autoencoder (Makhzani et al., 2015).

    A deterministic autoencoder (encoder ``n_features -> *hidden_layer_sizes
    -> n_components``, mirrored decoder, linear code layer) whose codes are
    shaped into a chosen prior by an adversarial game: a discriminator
    learns to tell draws of the prior from codes of the data, and the
    encoder learns to fool it. Each mini-batch makes a reconstruction step,
    then a regularisation step for the discriminator and one for the
    encoder. Once the codes follow the prior, decoding draws of the prior
    (:meth:`sample`) generates data.

    Parameters
    ----------
    activation : {"elu", "relu", "selu", "gelu", "tanh", "sigmoid", \
"identity"}, default="elu"
        Activation of the hidden layers of the autoencoder and of the
        discriminator.
    code_activation : str or None, default="identity"
        Activation of the coding layer (a name accepted by ``activation``;
        None uses ``activation``). The prior lives on the whole real line,
        so the code is linear by default.
    prior : {"normal", "mixture"}, default="normal"
        The distribution the codes are matched to: the standard normal
        N(0, I), or an equal-weight mixture of ``prior_components``
        Gaussians of standard deviation 0.5 whose means lie 2 apart on a
        circle in the first two code dimensions (on a line when
        ``n_components=1``), as the paper's mixture prior.
    prior_components : int, default=10
        Components of the ``"mixture"`` prior; ignored for ``"normal"``.
    discriminator_layer_sizes : tuple of int, default=(256, 256)
        Hidden layers of the discriminator (the paper uses two layers of
        1,000 units for MNIST).
    alpha : float, default=0.0
        L2 penalty on the autoencoder's weights; biases and the
        discriminator are not penalised.
    learning_rate : float, default=1e-3
        Step size of the reconstruction phase.
    adversarial_learning_rate : float, default=2e-4
        Step size of the two adversarial phases (discriminator and encoder
        as generator). Lower than ``learning_rate``, it lets the
        reconstruction shape the codes and the adversary gently move them
        to the prior; as high as ``learning_rate``, the codes tend to
        collapse towards the prior's centre.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or type, default="adam"
        A name, or a ``torch.optim.Optimizer`` subclass; each phase has an
        optimizer of this class. L-BFGS cannot alternate phases.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its
        reconstruction loss stops improving and keep the best epoch's
        parameters. Without it, training stops when the training
        reconstruction loss stops improving.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the prior draws of training; an
        int gives bit-identical results on CPU. torch's global random state
        is left untouched.
    warm_start : bool, default=False
        Continue training the previous fit's networks (with new optimizers).

    Attributes
    ----------
    module_ : skae.nn.AdversarialMLP
        The trained network; ``module_.discriminator`` is the discriminator.
    net_ : skorch.NeuralNet
        The skorch net that trained it. Its ``history`` records, per epoch,
        ``train_reconstruction``, ``train_discriminator`` (the
        discriminator's cross-entropy; log 2 = 0.69 when it cannot tell
        codes from prior draws) and ``train_generator`` (the encoder's
        adversarial loss).
    loss_curve_ : list of float
        Reconstruction loss per epoch.

    See Also
    --------
    VariationalAE : matches the codes to the prior with a KL divergence.
    StackedAE : the same autoencoder without the adversarial regularisation;
        it samples from a Gaussian mixture fitted to its codes.

    References
    ----------
    Makhzani, A., Shlens, J., Jaitly, N., Goodfellow, I. and Frey, B.
    (2015). Adversarial autoencoders. arXiv:1511.05644.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AdversarialAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> aae = AdversarialAE(n_components=4, hidden_layer_sizes=(64,),
    ...                     discriminator_layer_sizes=(32,), max_iter=10,
    ...                     random_state=0).fit(X / 16)
    >>> aae.transform(X[:3] / 16).shape
    (3, 4)
    >>> aae.sample(5, random_state=0).shape
    (5, 64)
    """

    _net_class = PhasedNet

    _parameter_constraints = {
        "prior": [StrOptions(set(PRIORS))],
        "prior_components": [Interval(Integral, 1, None, closed="left")],
        "discriminator_layer_sizes": ["array-like", Integral],
        "adversarial_learning_rate": [Interval(Real, 0, None,
                                               closed="neither")],
    }

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", code_activation="identity",
                 out_activation="identity", loss="mse", tied_weights=False,
                 init="variance_scaling",
                 prior="normal", prior_components=10,
                 discriminator_layer_sizes=(256, 256), alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive",
                 adversarial_learning_rate=2e-4, optimizer="adam",
                 early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-3, random_state=None, verbose=0,
                 warm_start=False, device="cpu",
                 precision="float32",
                 categorical_features=None, callbacks=None,
                 sampler_components=10, sampler="prior"):
        store_params(self, locals())

    #: The network class; a variant (ConditionalAdversarialAE) names its
    #: own and adds its arguments in :meth:`_network_options`.
    _network = AdversarialMLP

    def _network_options(self):
        """Arguments of a variant's network besides the adversarial
        autoencoder's."""
        return {}

    def _build_module(self, n_features):
        return self._network(
            n_features, **self._module_kwargs(),
            discriminator_sizes=positive_ints(self.discriminator_layer_sizes,
                                              "discriminator_layer_sizes"),
            prior=self.prior, n_prior_components=self.prior_components,
            **self._network_options(),
        )

    def _net_kwargs(self):
        if self._uses_lbfgs():
            raise ValueError(
                f"{type(self).__name__} alternates a reconstruction and two "
                "adversarial steps per mini-batch, which L-BFGS cannot do; "
                "use optimizer='adam' (or another first-order optimizer)."
            )
        return {"phase_lr": self.adversarial_learning_rate}
