"""StackedAE, the deep symmetric autoencoder, and :func:`stack`, which
makes one from autoencoders fitted one after the other."""

import copy
from numbers import Integral

from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

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
        biases are not penalised. The small default keeps a wide or deep
        network from overfitting (measurements in
        :ref:`choosing-defaults`). ``alpha=0`` trains without it.

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
                 out_activation="identity", loss="mse", tied_weights=False,
                 init="pytorch",
                 pretraining="none", pretraining_max_iter=20, alpha=1e-5,
                 batch_size="auto", max_iter=200, learning_rate=3e-3,
                 learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping="auto",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False, device="cpu",
                 precision="float32", categorical_features=None,
                 callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture"):
        store_params(self, locals())

    def _rebuild_module(self):
        parts = vars(self).get("_stack_parts")
        if parts is None:
            return super()._rebuild_module()
        # the result of skae.stack: a chain of the stacked networks
        return ChainedAutoencoder([part._rebuild_module() for part in parts])


def stack(autoencoders):
    """Combine autoencoders, each fitted on the previous one's codes.

    This is the "one autoencoder at a time, in multiple graphs" method of
    Géron's *Hands-On Machine Learning* (ch. 15): fit a shallow
    autoencoder on the data, a second one on its codes,
    and so on, then stack them into one deep autoencoder. The result's
    :meth:`~StackedAE.transform` runs the encoders in order (it equals the
    pipeline's ``transform``) and its :meth:`~StackedAE.inverse_transform`
    decodes through every decoder in reverse order, each to its own input
    space. Fit it again with ``warm_start=True`` to fine-tune the whole stack
    end to end.

    Parameters
    ----------
    autoencoders : sequence of fitted autoencoders, or a fitted Pipeline
        Outermost first; each must have been fitted on the codes of the one
        before it (``n_features_in_`` equal to the previous
        ``n_components``), as the steps of a fitted
        ``Pipeline([("ae1", StackedAE(...)), ("ae2", StackedAE(...))])``.
        They are copied, not shared.

    Returns
    -------
    stacked : StackedAE
        A fitted StackedAE whose ``module_`` is a
        :class:`skae.nn.ChainedAutoencoder` of copies of the networks.
        ``hidden_layer_sizes`` and ``n_components`` describe the whole stack;
        its other parameters (training settings, activation, loss) are those
        of the first autoencoder when it is a StackedAE, so that ``clone``
        and ``fit`` train a network of the same shape end to end.
        ``pretraining_loss_curves_`` holds each autoencoder's
        ``loss_curve_``; ``loss_curve_`` is empty and ``n_iter_`` 0 until
        it is fine-tuned. :meth:`~StackedAE.sample` draws codes from the last
        autoencoder's training codes.

    See Also
    --------
    StackedAE : ``pretraining="greedy"`` trains the layer pairs one at a time
        inside a single network (with cached hidden outputs).
    sklearn.pipeline.Pipeline : chains the fitted autoencoders' ``transform``
        and ``inverse_transform`` too, but cannot fine-tune them as one
        network, which the stacked result can (``warm_start=True``).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import Pipeline
    >>> from skae import StackedAE, stack
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> pipe = Pipeline([
    ...     ("ae1", StackedAE(n_components=32, hidden_layer_sizes=(),
    ...                       max_iter=5, random_state=0)),
    ...     ("ae2", StackedAE(n_components=8, hidden_layer_sizes=(),
    ...                       max_iter=5, random_state=0)),
    ... ]).fit(X)
    >>> ae = stack(pipe)
    >>> ae.hidden_layer_sizes, ae.n_components
    ((32,), 8)
    >>> bool((ae.transform(X) == pipe.transform(X)).all())
    True
    >>> ae.inverse_transform(ae.transform(X)).shape
    (1797, 64)
    """
    steps = _stackable(autoencoders)
    first, last = steps[0], steps[-1]
    sizes = []
    for ae in steps:
        sizes += [*_hidden_sizes(ae), ae.n_components]
    names = StackedAE().get_params()
    params = {k: v for k, v in first.get_params().items() if k in names}
    params.update(n_components=last.n_components,
                  hidden_layer_sizes=tuple(sizes[:-1]),
                  pretraining="none", warm_start=False)
    stacked = StackedAE(**params)

    module = ChainedAutoencoder([copy.deepcopy(ae.module_) for ae in steps])
    stacked._adopt(module, first.n_features_in_,
                   getattr(first, "feature_names_in_", None))
    # what the chain is made of, to rebuild it (skae.load): each part's
    # parameters and the fitted attributes its network is built from
    stacked._stack_parts = [_architecture(ae) for ae in steps]
    stacked.pretraining_loss_curves_ = [list(ae.loss_curve_) for ae in steps]
    if hasattr(first, "fill_values_"):  # what replaces missing inputs
        stacked.fill_values_ = first.fill_values_
    # the stack's codes are the last autoencoder's
    stacked._adopt_sampler(last)
    return stacked


def _architecture(ae):
    """An unfitted copy of ``ae`` that can rebuild its network."""
    part = clone(ae)
    for name, value in ae._build_attributes().items():
        setattr(part, name, value)
    return part


def _hidden_sizes(ae):
    sizes = getattr(ae, "hidden_layer_sizes", ())
    return [sizes] if isinstance(sizes, Integral) else list(sizes)


def _stackable(autoencoders):
    """The fitted autoencoders to stack, each fitted on the codes of the
    one before it, as a list (or an error that says what is wrong)."""
    if isinstance(autoencoders, Pipeline):
        steps = [est for _, est in autoencoders.steps]
    else:
        steps = list(autoencoders)
    if not steps:
        raise ValueError("stack needs at least one fitted autoencoder.")
    for i, ae in enumerate(steps):
        if not isinstance(ae, BaseAutoencoder):
            raise TypeError(
                f"stack combines skae autoencoders; step {i} is "
                f"{type(ae).__name__}."
            )
        check_is_fitted(ae)
    for i, (inner, outer) in enumerate(zip(steps[1:], steps), start=1):
        if inner.n_features_in_ != outer.n_components:
            raise ValueError(
                f"Autoencoder {i} was fitted on {inner.n_features_in_} "
                f"features, but autoencoder {i - 1} makes codes of "
                f"n_components={outer.n_components}: fit each autoencoder on "
                "the codes of the one before it (for example as the steps of "
                "a Pipeline)."
            )
    return steps
