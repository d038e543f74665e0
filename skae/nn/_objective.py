"""Training objectives: a network's loss as one module.

An objective's ``forward`` takes the fields of a batch as keyword
arguments (``input``, and per-sample fields such as ``sample_weight`` or
``labels``) and returns the dict of the batch's loss terms: ``"loss"``, the
total that training minimises, and each named term. So the whole training
computation is one callable, which ``DistributedDataParallel``, autocast
and ``torch.compile`` can wrap. It may also return ``"y_pred"``, the
network's output, which is not a loss: skorch's scoring callbacks read it.
"""

import torch
from torch import nn
from torch.nn import functional as F

#: The key of an objective's output that is not a loss term.
OUTPUT = "y_pred"


class TrainingObjective(nn.Module):
    """The training loss of an :class:`Autoencoder` (or any network with a
    ``batch_loss`` method): ``forward(**batch)`` is
    ``network.batch_loss(**batch)``.

    Parameters
    ----------
    network : torch.nn.Module
        The network (shared, not copied).

    Attributes
    ----------
    carry : dict
        What the last call's phase hands on to the next phase of the step
        (the ``"carry"`` entry of ``batch_loss``'s terms, removed from
        them).
    """

    def __init__(self, network):
        super().__init__()
        self.network = network
        self.carry = {}

    def forward(self, **batch):
        terms = self.network.batch_loss(**batch)
        # what one phase of a step hands to the next (``"carry"``, see
        # PhasedNet) is kept here, not returned: DistributedDataParallel
        # ties every output tensor to this forward's backward pass
        self.carry = terms.pop("carry", {})
        return terms


def masked_cross_entropy(logits, labels):
    """Mean cross-entropy over the labeled rows (``labels >= 0``), without
    a host sync: 0 for a batch without labeled rows."""
    labeled = labels >= 0
    losses = F.cross_entropy(logits, labels.clamp(min=0), reduction="none")
    return (losses * labeled).sum() / labeled.sum().clamp(min=1)


class ClassifierObjective(nn.Module):
    """Cross-entropy of a classifier network on the labeled rows, and a
    consistency term on every row.

    In training mode every input is corrupted by ``corruption`` (when
    given), and with ``consistency`` above 0 the loss adds that weight
    times the squared distance between the class probabilities of two
    corruptions of each row, labeled or not (the Pi-model of Laine & Aila,
    2017; the second corruption's probabilities are the target, without
    gradient). In evaluation mode the loss is the cross-entropy of the
    clean input.

    Parameters
    ----------
    network : torch.nn.Module
        Maps a batch to class logits.
    consistency : float, default=0.0
        Weight of the consistency term.
    corruption : skae.nn.Corruption or None, default=None
        Corruption of the training inputs.
    """

    def __init__(self, network, consistency=0.0, corruption=None):
        super().__init__()
        self.network = network
        self.consistency = consistency
        self.corruption = corruption

    def _corrupt(self, x):
        return x if self.corruption is None else self.corruption.corrupt(x)

    def forward(self, input, labels):
        if not self.training:
            logits = self.network(input)
            return {"loss": masked_cross_entropy(logits, labels),
                    OUTPUT: logits}
        logits = self.network(self._corrupt(input))
        loss = masked_cross_entropy(logits, labels)
        if self.consistency:
            with torch.no_grad():
                target = torch.softmax(self.network(self._corrupt(input)),
                                       dim=1)
            gap = torch.softmax(logits, dim=1) - target
            loss = loss + self.consistency * gap.pow(2).sum(dim=1).mean()
        return {"loss": loss, OUTPUT: logits}
