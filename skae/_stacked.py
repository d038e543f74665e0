"""StackedAE: the deep, symmetric autoencoder."""

from ._architecture import MLPAutoencoderMixin
from ._base import BaseAutoencoder
from ._greedy import GreedyPretrainingMixin
from ._parameters import store_params
from ._sampling import MixtureSamplingMixin
from .nn import ChainedAutoencoder


class StackedAE(GreedyPretrainingMixin, MixtureSamplingMixin,
                MLPAutoencoderMixin, BaseAutoencoder):
    """Stacked (deep) autoencoder with a mirrored decoder.

    The encoder runs ``n_features -> *hidden_layer_sizes -> n_components``,
    the decoder mirrors it. With ``tied_weights=True`` each decoder layer uses
    the transpose of the matching encoder weight, halving the weights to
    learn. These are the stacked autoencoders of Géron's *Hands-On Machine
    Learning* (ch. 15), with their weight tying and their greedy,
    one-autoencoder-at-a-time training (``pretraining="greedy"``).

    Parameters
    ----------
    n_components : int, default=32
        Size of the code (``n_hidden2`` / ``codings_size`` in the TensorFlow
        tutorials).
    alpha : float, default=1e-5
        L2 penalty on the weights (``l2_reg`` in the TensorFlow tutorials,
        the optimizer's ``weight_decay``; with L-BFGS, which has none,
        ``alpha / 2`` times their squared norm is added to the loss);
        biases are not penalised. The
        small default keeps a wide or deep network from overfitting: on
        4,000 MNIST digits it lowers the held-out error of the default
        network from 0.649 to 0.623 times PCA's at 32 components (0.646 to
        0.610 for a second seed) and of a 1000-500-250-30 network from
        0.627 to 0.588, and changes the small data sets by a few percent
        either way. ``alpha=0`` trains without it.

    Attributes
    ----------
    module_ : skae.nn.MLPAutoencoder
        The trained network; ``module_.encoder`` and ``module_.decoder`` hold
        its layers.
    n_iter_ : int
        Epochs run (without the greedy stages).

    See Also
    --------
    LinearAE : the linear autoencoder, equivalent to PCA.
    stack : one StackedAE from autoencoders fitted one after the other.
    PretrainedClassifier : a classifier on a pretrained encoder.
    sklearn.decomposition.PCA : linear dimensionality reduction.
    sklearn.neural_network.BernoulliRBM : another neural feature learner.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import StackedAE
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=10,
    ...                random_state=0)
    >>> codes = ae.fit_transform(X / 16)
    >>> codes.shape
    (1797, 8)
    >>> ae.get_feature_names_out()[:3]
    array(['stackedae0', 'stackedae1', 'stackedae2'], dtype=object)

    Greedy layer-wise training, without fine-tuning:

    >>> greedy = StackedAE(n_components=8, hidden_layer_sizes=(32,),
    ...                    pretraining="greedy", pretraining_max_iter=5,
    ...                    max_iter=0, random_state=0).fit(X / 16)
    >>> [len(curve) for curve in greedy.pretraining_loss_curves_]
    [5, 5]
    """

    def __init__(self, n_components=32, *, hidden_layer_sizes=(256,),
                 activation="elu", code_activation=None,
                 out_activation="identity", loss="mse", tied_weights=False, init="pytorch",
                 pretraining="none", pretraining_max_iter=20, alpha=1e-5,
                 batch_size="auto", max_iter=200, learning_rate=3e-3,
                 learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping="auto",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 callbacks=None, sampler_components=10):
        store_params(self, locals())

    def _rebuild_module(self):
        parts = vars(self).get("_stack_parts")
        if parts is None:
            return super()._rebuild_module()
        # the result of skae.stack: a chain of the stacked networks
        return ChainedAutoencoder([part._rebuild_module() for part in parts])
