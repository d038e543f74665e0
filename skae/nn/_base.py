"""The interface every skae network implements."""

import copy

import torch
from torch import nn

from ._halves import Decoder, Encoder
from ._losses import (
    elementwise_loss,
    observed_mean,
    observed_weight,
    reduce_loss,
    weighted_mean,
)
from ._table import TableActivation


class Autoencoder(nn.Module):
    """Base of skae's networks: an encoder, a decoder and named loss terms.

    Subclasses implement :meth:`encode` and :meth:`decode_logits`. A variant
    with another reconstruction loss overrides :meth:`elementwise_loss`:
    training (:meth:`loss_terms`) and scoring (:meth:`reconstruction_error`,
    the estimators' ``score``) both use it. A variant with an extra loss
    term overrides :meth:`loss_terms`, calls the parent and adds its term to
    ``"loss"``; it lists the term's name in ``loss_term_names`` so that
    training records it per epoch.

    Parameters
    ----------
    loss : {"mse", "bce"}
        Reconstruction loss.
    out_activation : {"identity", "sigmoid"}
        Activation of the decoder's output.
    corruption : torch.nn.Module or None
        Applied to the input in training mode only (denoising); it must be
        the identity in evaluation mode, as :class:`torch.nn.Dropout` is.
    """

    #: Names of the loss terms :meth:`loss_terms` returns besides ``"loss"``.
    loss_term_names = ("reconstruction",)

    #: Whether the input holds, after the ``n_features`` values, the mask of
    #: the values the network may know (1 observed, 0 missing): networks
    #: built with ``mask_input=True`` see which values were filled in.
    mask_input = False

    #: The :class:`skae.nn.TableLayout` of a mixed table's columns (numeric
    #: columns, then the one-hot block of each categorical column), or None:
    #: with a layout, the output activation is a softmax over each block and
    #: the loss is that of each column (:meth:`TableLayout.column_loss`).
    #: The estimators with ``categorical_features`` set it.
    table = None

    def __init__(self, loss="mse", out_activation="identity", corruption=None):
        super().__init__()
        self.loss = loss
        self.out_activation = out_activation
        self.corruption = corruption

    def encode(self, x):
        """Codes of a batch ``x``."""
        raise NotImplementedError

    def decode_logits(self, code):
        """Decoder output before the output activation."""
        raise NotImplementedError

    def activate_output(self, logits):
        """The output activation applied to decoder logits."""
        if self.table is not None:
            return self.table.activate(logits)
        return logits.sigmoid() if self.out_activation == "sigmoid" else logits

    def decode(self, code):
        """Reconstruction, in input space, of a batch of codes."""
        return self.activate_output(self.decode_logits(code))

    def output_activation(self):
        """The output activation as a new module."""
        if self.table is not None:
            return TableActivation(self.table)
        if self.out_activation == "sigmoid":
            return nn.Sigmoid()
        return nn.Identity()

    def forward(self, x):
        """Encode the (corrupted, when training) input and decode it.

        Returns a dict with the ``"code"`` and the decoder ``"logits"``.
        """
        x = self.corrupt_input(x)
        code = self.encode(x)
        return {"code": code, "logits": self.decode_logits(code)}

    def corrupt_input(self, x, always=False):
        """``x`` through the input corruption (in training mode, or
        ``always``); with ``mask_input``, the entries that masking noise
        hides are hidden in the mask too."""
        if self.corruption is None:
            return x
        if not self.mask_input:
            return (self.corruption.corrupt(x) if always
                    else self.corruption(x))
        data, seen = self.corruption.hide(*self.split_input(x), always)
        return torch.cat([data, seen], dim=-1)

    def split_input(self, x):
        """``(values, mask)`` of an input of a ``mask_input`` network."""
        return x[..., :self.n_features], x[..., self.n_features:]

    def target(self, x):
        """The values of the input ``x`` (without its mask, if any): what
        the network reconstructs."""
        return self.split_input(x)[0] if self.mask_input else x

    def elementwise_loss(self, logits, target):
        """Reconstruction loss of each element of a batch (``loss`` with the
        ``out_activation`` of the network); of each column of a
        :attr:`table`."""
        if self.table is not None:
            return self.table.column_loss(logits, target)
        return elementwise_loss(logits, target, self.loss,
                                self.out_activation)

    def loss_mask(self, mask):
        """The mask of the elements :meth:`elementwise_loss` returns, from
        the mask of the observed inputs: the mask of the observed columns
        of a :attr:`table`, else the mask itself."""
        if self.table is None:
            return mask
        return self.table.column_mask(mask)

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """Loss terms of a batch: ``"loss"`` (the total) and each named term.

        The reconstruction term is the mean of :meth:`elementwise_loss`;
        with ``sample_weight`` (one weight per sample of the batch) each
        sample's mean loss counts in proportion to its weight. Terms that
        belong to a sample are weighted the same way by the variants;
        terms of the whole batch (a sparsity target on the batch's mean
        activations, an adversarial game) are not. With ``mask`` (True
        where an element of ``target`` is observed; missing values) each
        sample's loss is its mean over its observed elements, and a sample
        with nothing observed carries no weight.
        """
        per_element = self.elementwise_loss(out["logits"], target)
        mask = self.loss_mask(mask)
        if mask is not None:
            rec = weighted_mean(observed_mean(per_element, mask),
                                observed_weight(mask, sample_weight))
            return {"loss": rec, "reconstruction": rec}
        if sample_weight is None:
            rec = reduce_loss(per_element)
        else:
            rec = weighted_mean(reduce_loss(per_element, "none"),
                                sample_weight)
        return {"loss": rec, "reconstruction": rec}

    def batch_loss(self, input, sample_weight=None, **fields):
        """The loss terms of a training batch (what training minimises and
        records): :meth:`loss_terms` of the network's output for ``input``.

        ``sample_weight`` and any other field of the batch (a variant's
        own) are passed on to :meth:`loss_terms` by name; a variant that
        trains on a per-sample field of its own takes it there as a keyword
        argument.
        """
        out = self(input)
        if sample_weight is not None:
            fields["sample_weight"] = sample_weight
        return self.loss_terms(out, self.target(input), **fields)

    def reconstruction_error(self, x, mask=None):
        """Per-sample reconstruction loss of the clean input ``x``: the mean
        of :meth:`elementwise_loss` over each sample's features (with
        ``mask``, over its observed features)."""
        logits = self.decode_logits(self.encode(x))
        per_element = self.elementwise_loss(logits, self.target(x))
        if mask is not None:
            return observed_mean(per_element, self.loss_mask(mask))
        return reduce_loss(per_element, "none")

    def encoder_layers(self):
        """The encoder's layers, input side first, as a list of modules.

        Lets users address (for instance freeze) the lowest layers. Networks
        whose encoder is not a sequence of layers raise NotImplementedError.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not list its encoder layers.")

    # -- the halves on their own -----------------------------------------
    def encoder_steps(self):
        """The modules that :meth:`encode` applies in evaluation mode, in
        order (the network's own layers; :meth:`encoder_module` copies them).

        A network whose encoding cannot be written as a sequence of modules
        raises NotImplementedError, and has no :meth:`encoder_module`.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not define encoder_steps, so its "
            "encoder cannot be taken out on its own.")

    def decoder_steps(self):
        """The modules that :meth:`decode` applies, in order (see
        :meth:`encoder_steps`)."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define decoder_steps, so its "
            "decoder cannot be taken out on its own.")

    def encoder_module(self):
        """A copy of the encoder alone, in evaluation mode: an
        :class:`Encoder` that ``torch.jit.script``, ``torch.export`` and
        ``torch.onnx.export`` accept."""
        return copy.deepcopy(Encoder(self.encoder_steps())).eval()

    def decoder_module(self):
        """A copy of the decoder alone, in evaluation mode (a
        :class:`Decoder`; see :meth:`encoder_module`)."""
        return copy.deepcopy(Decoder(self.decoder_steps())).eval()
