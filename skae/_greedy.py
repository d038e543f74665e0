"""Greedy layer-wise pretraining of a fully connected autoencoder."""

from numbers import Integral

from ._compat import Interval, StrOptions
from ._training import map_batches


class GreedyPretrainingMixin:
    """Train the layer pairs one at a time before the whole stack.

    For the estimators whose network offers layer pairs
    (:meth:`skae.nn.MLPAutoencoder.layer_pair`). Put it before
    :class:`skae._base.BaseAutoencoder` in the bases.

    Parameters
    ----------
    pretraining : {"none", "greedy"}, default="none"
        ``"greedy"`` trains the layers one pair at a time before the whole
        stack ("one autoencoder at a time", Hinton and Salakhutdinov 2006;
        Bengio et al. 2007): first the outer encoder layer and the output
        layer as a shallow autoencoder of the input, then the next pair
        inward as a shallow autoencoder of the frozen first layer's
        outputs, and so on. Each frozen layer's outputs are computed once
        per stage and cached, not per batch. Then the whole stack is
        fine-tuned for ``max_iter`` epochs (``max_iter=0`` keeps the greedy
        result). Input corruption applies to the input of every stage (a
        stacked denoising autoencoder). A warm start continues training
        without pretraining again.
    pretraining_max_iter : int, default=20
        Maximum number of epochs of each greedy stage (the stopping rule of
        ``tol`` and ``n_iter_no_change`` applies to each stage).

    Attributes
    ----------
    pretraining_loss_curves_ : list of list of float or None
        With ``pretraining="greedy"``, the training loss per epoch of each
        stage, outermost first; None without pretraining.
    """

    _parameter_constraints = {
        "pretraining": [StrOptions({"none", "greedy"})],
        "pretraining_max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def _check_partial_fit(self):
        super()._check_partial_fit()
        if self.pretraining != "none":
            raise ValueError(
                f"{type(self).__name__}(pretraining={self.pretraining!r}) "
                "trains layer by layer, each stage over all of X, which one "
                "pass over a chunk cannot do. Use fit, or set "
                "pretraining='none' to train the whole stack chunk by chunk.")

    def _pretrain(self, module, data, context):
        """Greedy layer-wise training (``pretraining="greedy"``).

        Pair ``k`` (encoder layer ``k`` and its mirror decoder layer) is
        trained as a shallow autoencoder on the outputs of the frozen
        encoder layers below it. Those outputs are computed once per stage
        and cached, so a frozen layer is never evaluated per batch. Returns
        the number of epochs run.
        """
        if self.pretraining == "none":
            self.pretraining_loss_curves_ = None
            return 0
        pairs = _layer_pairs(module, type(self).__name__)
        source = data.source(context.device, mask_input=module.mask_input)
        curves = []
        for depth, pair in enumerate(pairs):
            if context.interrupted:  # Ctrl-C: no further stage
                break
            self._announce_stage(depth, pair, len(pairs))
            # a fixed budget per stage; the user's callbacks watch the final
            # training of the whole stack only
            net = self._make_net(pair, context, data.n_samples,
                                 max_epochs=self.pretraining_max_iter,
                                 stage=True)
            pair.train()
            self._run(net, source, context)
            curves.append([float(v) for v in net.history[:, "train_loss"]])
            if depth + 1 < len(pairs) and not context.interrupted:
                # the stage's encoder layer is frozen from now on: evaluate
                # it once on every sample and train the next pair on that
                source = source.with_input(map_batches(
                    pair, source.X, context.device, "encode", out="tensor",
                    fill=source.fill, precision=context.precision))
        module.train()  # the stages left shared layers in evaluation mode
        self.pretraining_loss_curves_ = curves
        if self.verbose and self.max_iter and not context.interrupted:
            print("Fine-tuning the whole stack")
        return sum(len(curve) for curve in curves)

    def _announce_stage(self, depth, pair, n_pairs):
        if self.verbose:
            layer = pair.encoder_layer
            print(f"Greedy stage {depth + 1}/{n_pairs}: layers "
                  f"{layer.in_features}-{layer.out_features}-"
                  f"{layer.in_features}")


def _layer_pairs(module, owner):
    """The layer pairs of ``module``, or a ValueError saying why not."""
    if not hasattr(module, "layer_pair"):
        reason = (f"its network, {type(module).__name__}, has no layer "
                  "pairs to train one at a time.")
    else:
        try:
            return [module.layer_pair(depth)
                    for depth in range(len(module.encoder_layers()))]
        except NotImplementedError as exc:
            reason = str(exc)
    raise ValueError(
        f"pretraining='greedy' is not available for {owner}: {reason} Use "
        "pretraining='none', or fit autoencoders one after the other on the "
        "previous one's codes and combine them with skae.stack."
    )
