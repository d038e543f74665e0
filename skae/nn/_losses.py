"""Reconstruction losses shared by every network."""

from torch.nn import functional as F

#: The reconstruction losses skae knows.
LOSSES = ("mse", "bce")


def reconstruction_loss(logits, target, loss="mse", out_activation="identity",
                        reduction="mean"):
    """Reconstruction loss between a decoder output and its target.

    Parameters
    ----------
    logits : torch.Tensor
        Decoder output before its output activation.
    target : torch.Tensor
        The clean input, of the same shape.
    loss : {"mse", "bce"}
        Mean squared error, or binary cross-entropy (which needs a sigmoid
        output and computes on the logits for numerical stability).
    out_activation : {"identity", "sigmoid"}
        Output activation applied to ``logits``.
    reduction : {"mean", "none"}
        ``"mean"`` averages over every element (the seeds' ``reduce_mean``);
        ``"none"`` returns one value per sample, the mean over its features.
    """
    if loss == "bce":
        if out_activation != "sigmoid":
            raise ValueError("loss='bce' needs out_activation='sigmoid'.")
        per_element = F.binary_cross_entropy_with_logits(
            logits, target, reduction="none"
        )
    elif loss == "mse":
        output = logits.sigmoid() if out_activation == "sigmoid" else logits
        per_element = (output - target).square()
    else:
        raise ValueError(f"Unknown loss {loss!r}; use one of {LOSSES}.")
    if reduction == "mean":
        return per_element.mean()
    return per_element.flatten(1).mean(1)
