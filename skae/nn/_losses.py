"""Reconstruction losses shared by every network."""

import torch
from torch.nn import functional as F

#: The reconstruction losses skae knows.
LOSSES = ("mse", "bce")


def elementwise_loss(logits, target, loss="mse", out_activation="identity"):
    """Reconstruction loss of every element of a decoder output.

    Parameters
    ----------
    logits : torch.Tensor
        Decoder output before its output activation.
    target : torch.Tensor
        The clean input, of the same shape.
    loss : {"mse", "bce"}
        Squared error, or binary cross-entropy (which needs a sigmoid output
        and computes on the logits for numerical stability).
    out_activation : {"identity", "sigmoid"}
        Output activation applied to ``logits``.
    """
    if loss == "bce":
        if out_activation != "sigmoid":
            raise ValueError("loss='bce' needs out_activation='sigmoid'.")
        return F.binary_cross_entropy_with_logits(logits, target,
                                                  reduction="none")
    if loss == "mse":
        output = logits.sigmoid() if out_activation == "sigmoid" else logits
        return (output - target).square()
    raise ValueError(f"Unknown loss {loss!r}; use one of {LOSSES}.")


def reduce_loss(per_element, reduction="mean"):
    """``"mean"``: the mean over every element (``reduce_mean`` in the
    TensorFlow tutorials); ``"none"``: one value per sample, the mean over
    its features."""
    if reduction == "mean":
        return per_element.mean()
    return per_element.flatten(1).mean(1)


def weighted_mean(values, sample_weight=None):
    """Mean of per-sample ``values``, weighted by ``sample_weight`` when
    given: ``sum(w * v) / sum(w)`` (0 for a batch of zero weights)."""
    if sample_weight is None:
        return values.mean()
    weight = sample_weight.to(values.dtype)
    return (values * weight).sum() / weight.sum().clamp(
        min=torch.finfo(values.dtype).tiny)


def observed_mean(per_element, mask):
    """Per-sample mean of ``per_element`` over the observed elements
    (``mask`` True), 0 for a sample with none observed."""
    mask = mask.flatten(1)
    total = (per_element.flatten(1) * mask).sum(1)
    return total / mask.sum(1).clamp(min=1).to(total.dtype)


def observed_weight(mask, sample_weight=None):
    """``sample_weight`` (or 1) of the samples with an observed element,
    0 for the others: a sample with nothing observed carries no loss."""
    seen = mask.flatten(1).any(1)
    if sample_weight is None:
        return seen.to(torch.get_default_dtype())
    return sample_weight * seen


def reconstruction_loss(logits, target, loss="mse", out_activation="identity",
                        reduction="mean"):
    """Reconstruction loss between a decoder output and its target.

    Parameters
    ----------
    logits, target, loss, out_activation
        As :func:`elementwise_loss`.
    reduction : {"mean", "none"}
        ``"mean"`` averages over every element; ``"none"`` returns one value
        per sample, the mean over its features.
    """
    return reduce_loss(elementwise_loss(logits, target, loss, out_activation),
                       reduction)
