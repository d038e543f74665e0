"""Mixed tables inside a network: numeric columns and one-hot categories.

The estimators with ``categorical_features`` give their network a table's
rows as ``[numeric columns (standardised), one-hot block of each
categorical column]``, and set the network's ``table`` to the
:class:`TableLayout` of those columns. The network then reconstructs each
numeric column with its squared error and each categorical column with a
softmax over its block and a cross-entropy, and a missing value of either
kind (NaN in the whole block) is left out of the loss.
"""

import math

import torch
from torch import nn


class TableLayout:
    """Where the columns of a mixed table sit in a network's input.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns; they come first, one input each.
    n_categories : sequence of int
        Number of categories of each categorical column; each has a block
        of that many inputs (its one-hot code) after the numeric columns.

    Notes
    -----
    The reconstruction loss of a row (:meth:`column_loss`) is the mean over
    its columns, each column counting once: a numeric column's squared
    error (on the standardised scale) and a categorical column's
    cross-entropy divided by ``log(K)`` for its ``K`` categories
    (``log 2`` for fewer). Both are 1 for a model that knows nothing of
    the row (it predicts the column's mean, or every category as likely),
    so neither kind dominates by construction, whatever the number of
    categories. The variational autoencoders use the likelihood itself
    (:meth:`log_likelihood`): a Gaussian for each numeric column and the
    categorical distribution of the softmax for each categorical one.
    """

    def __init__(self, n_numeric, n_categories):
        self.n_numeric = int(n_numeric)
        self.n_categories = tuple(int(k) for k in n_categories)
        if self.n_numeric < 0 or any(k < 1 for k in self.n_categories):
            raise ValueError(
                f"A table has n_numeric >= 0 and at least one category per "
                f"categorical column; got {self.n_numeric} and "
                f"{self.n_categories}.")
        blocks, start = [], self.n_numeric
        for k in self.n_categories:
            blocks.append((start, start + k))
            start += k
        self.blocks = tuple(blocks)
        #: Width of the network's input and output.
        self.n_features = start
        #: Number of columns of the table.
        self.n_columns = self.n_numeric + len(self.n_categories)
        #: The first input of each column.
        self.column_starts = (*range(self.n_numeric),
                              *(a for a, _ in self.blocks))
        self.entropy_scale = tuple(1 / math.log(max(k, 2))
                                   for k in self.n_categories)
        self._padded = {}  # device -> the tensors of _padding

    def __repr__(self):
        return (f"TableLayout(n_numeric={self.n_numeric}, "
                f"n_categories={list(self.n_categories)})")

    def __eq__(self, other):
        return (isinstance(other, TableLayout)
                and other.n_numeric == self.n_numeric
                and other.n_categories == self.n_categories)

    __hash__ = None

    def column_mask(self, mask):
        """The mask of observed columns (..., n_columns) from the mask of
        observed inputs (..., n_features): a categorical column is observed
        where its block is (a missing category is NaN in the whole
        block)."""
        if mask is None or mask.shape[-1] == self.n_columns:
            return mask
        return mask[..., list(self.column_starts)]

    def activate(self, logits):
        """The output in input space: the numeric columns as they are and
        a softmax over each categorical block (the probabilities of the
        categories)."""
        parts = [logits[..., :self.n_numeric]]
        parts += [logits[..., a:b].softmax(-1) for a, b in self.blocks]
        return torch.cat(parts, dim=-1)

    def _padding(self, device):
        """Every categorical block as one row of a (n_blocks, width) grid,
        ``width`` the most categories, made once per device: the inputs'
        index of each cell ((n_blocks * width,), a padding cell repeats its
        block's last input), a bias that puts the padding cells' logits at
        -1e9 (out of every softmax without an infinity, so no mask is
        needed after it), and the weights of the cells in
        :meth:`category_log_probs` (1, padding 0) and in
        :meth:`column_loss` (-1 / log(K), padding 0). One softmax over the
        grid's last axis is the softmax of every block: a few kernels a
        batch, however many categorical columns."""
        padded = self._padded.get(device)
        if padded is None:
            width = max(self.n_categories)
            index = [[a + min(j, b - a - 1) for j in range(width)]
                     for a, b in self.blocks]
            keep = torch.tensor([[float(j < b - a) for j in range(width)]
                                 for a, b in self.blocks], device=device)
            scale = torch.tensor(self.entropy_scale, device=device)
            padded = (torch.tensor(index, device=device).view(-1),
                      (keep - 1) * 1e9, keep, -scale[:, None] * keep)
            self._padded[device] = padded
        return padded

    def _block_sums(self, logits, target, weight):
        """Each categorical block's sum of ``weight * target * log-softmax``
        (..., n_categorical), ``weight`` a (n_blocks, width) grid of
        :meth:`_padding`."""
        index, bias = self._padding(logits.device)[:2]
        shape = (*logits.shape[:-1], *bias.shape)
        log_probs = (logits.index_select(-1, index).view(shape)
                     + bias).log_softmax(-1)
        onehot = target.index_select(-1, index).view(shape)
        return (onehot * weight * log_probs).sum(-1)

    def category_log_probs(self, logits, target):
        """log p(category) of each categorical column (..., n_categorical):
        the log-softmax of its block at the target's one-hot category (the
        expectation over a soft target, such as a filled-in missing
        value)."""
        if not self.blocks:
            return logits.new_zeros((*logits.shape[:-1], 0))
        return self._block_sums(logits, target,
                                self._padding(logits.device)[2])

    def column_loss(self, logits, target):
        """Reconstruction loss of each column (..., n_columns): squared
        errors of the numeric columns, cross-entropies of the categorical
        ones divided by log(K) (see the class's notes)."""
        n = self.n_numeric
        numeric = (logits[..., :n] - target[..., :n]).square()
        if not self.blocks:
            return numeric
        entropy = self._block_sums(logits, target,
                                   self._padding(logits.device)[3])
        return torch.cat([numeric, entropy.to(numeric.dtype)], dim=-1)

    def log_likelihood(self, logits, target, numeric_log_density):
        """log p(x|z) of each column (..., n_columns):
        ``numeric_log_density(logits, target)`` of the numeric columns and
        the categorical log-probabilities, in nats."""
        n = self.n_numeric
        numeric = numeric_log_density(logits[..., :n], target[..., :n])
        return torch.cat([numeric, self.category_log_probs(logits, target)],
                         dim=-1)


class TableActivation(nn.Module):
    """The output activation of a table's network as a module: the numeric
    columns as they are, a softmax over each categorical block
    (:meth:`TableLayout.activate`); for :meth:`Autoencoder.decoder_module`
    and export."""

    def __init__(self, table):
        super().__init__()
        self.n_numeric = table.n_numeric
        self.blocks = [list(block) for block in table.blocks]

    def forward(self, logits):
        parts = [logits[..., :self.n_numeric]]
        for block in self.blocks:
            parts.append(logits[..., block[0]:block[1]].softmax(-1))
        return torch.cat(parts, dim=-1)
