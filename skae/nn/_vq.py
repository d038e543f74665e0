"""Vector-quantised autoencoder's network (VQ-VAE, van den Oord et al.,
2017)."""

import torch
from torch import nn

from ._losses import observed_weight, weighted_mean
from ._mlp import MLPAutoencoder
from ._random import rand, randint


def _in_process_group():
    dist = torch.distributed
    return (dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1)


def nearest_codes(codes, codebook):
    """Index of the codebook row nearest (Euclidean) to each row of
    ``codes``."""
    distances = (codes.square().sum(1)[:, None] - 2 * codes @ codebook.T
                 + codebook.square().sum(1)[None])
    return distances.argmin(1)


def group_indices(codes, codebook):
    """Indices of shape (n, n_groups): each code of ``codes`` (shape (n,
    n_components)) cut into parts as wide as the codebook's rows, and each
    part's nearest row."""
    width = codebook.shape[1]
    parts = codes.reshape(-1, width)
    return nearest_codes(parts, codebook).reshape(
        codes.shape[0], codes.shape[1] // width)


def quantise(codes, codebook):
    """Each part of each code (see :func:`group_indices`) replaced by its
    nearest codebook row: the quantised codes, of the shape of ``codes``."""
    return codebook[group_indices(codes, codebook)].reshape(codes.shape)


class Quantize(nn.Module):
    """Replaces each part of each code by its nearest row of ``codebook``
    (a copy; see :func:`group_indices`)."""

    def __init__(self, codebook):
        super().__init__()
        self.register_buffer("codebook", codebook.detach().clone())

    def forward(self, codes):
        return quantise(codes, self.codebook)


class VQMLP(MLPAutoencoder):
    """MLP autoencoder whose codes are quantised to a learned codebook
    (VQ-VAE, van den Oord et al., 2017).

    The encoder's output ``z_e`` (``n_components`` numbers) is cut into
    ``n_groups`` parts of ``n_components // n_groups`` numbers, and each
    part is replaced by its nearest row of one shared codebook (the
    parameter ``codebook``, ``n_codes`` rows of ``n_components //
    n_groups``), as the paper quantises each position of an image's latent
    grid with one codebook; the rows, side by side, are the quantised code
    ``z_q`` (one of ``n_codes ** n_groups``). The decoder reconstructs from
    ``z_q``, and the reconstruction's gradient is passed to ``z_e``
    unchanged (straight through). The loss adds the codebook term ``|sg(z_e)
    - z_q|^2`` (which moves the codebook rows to the parts they quantise)
    and ``commitment_weight`` times the commitment term ``|z_e -
    sg(z_q)|^2`` (which keeps the encoder's outputs near their rows), each
    the mean over the code's dimensions, as the reconstruction term is the
    mean over the features. (Weighed against a reconstruction summed over
    the features, as in the paper, the two terms were too weak on MNIST to
    hold the large initial encoder outputs, and training diverged after the
    first restarts.)

    In training mode the network counts how often each row quantises a
    part of a sample of non-zero weight and keeps the parts of the latest
    batch; :meth:`restart_dead_codes`, called at the end of each epoch,
    moves each row that quantised no part in the epoch to one of these
    parts drawn at random, and starts the count again.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`MLPAutoencoder`.
    n_codes : int
        Rows of the codebook.
    commitment_weight : float
        Weight of the commitment term (the paper's beta).
    n_groups : int, default=1
        Parts of the code quantised separately; divides ``n_components``.
    """

    loss_term_names = ("reconstruction", "codebook", "commitment")

    def __init__(self, n_features, hidden_layer_sizes, n_components,
                 n_codes=512, commitment_weight=0.25, n_groups=1, **kwargs):
        if n_components % n_groups:
            raise ValueError(
                f"n_groups={n_groups} does not divide "
                f"n_components={n_components}")
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        self.commitment_weight = commitment_weight
        self.n_groups = n_groups
        ref = self.encoder[-1].weight
        # the usual uniform(-1/K, 1/K); restarts then move unused rows
        self.codebook = nn.Parameter((2 * rand(
            n_codes, n_components // n_groups, dtype=ref.dtype,
            device=ref.device) - 1) / n_codes)
        self.register_buffer("usage", torch.zeros(n_codes, dtype=ref.dtype),
                             persistent=False)
        self._restart_pool = None

    def encode_continuous(self, x):
        """The encoder's output before quantisation (``z_e``)."""
        return super().encode(x)

    def code_indices(self, x):
        """Index of the codebook row of each part of each sample of ``x``,
        of shape (n, n_groups)."""
        return group_indices(self.encode_continuous(x), self.codebook)

    def encode(self, x):
        """The quantised codes: the codebook rows of the samples' parts,
        side by side."""
        return quantise(self.encode_continuous(x), self.codebook)

    def codes_of_indices(self, index):
        """The quantised codes of indices of shape (n, n_groups)."""
        return self.codebook[index].reshape(
            index.shape[0], index.shape[1] * self.codebook.shape[1])

    def encoder_steps(self):
        return super().encoder_steps() + [Quantize(self.codebook)]

    def forward(self, x):
        continuous = self.encode_continuous(self.corrupt_input(x))
        index = group_indices(continuous.detach(), self.codebook)
        quantised = self.codes_of_indices(index)
        passed = continuous + (quantised - continuous).detach()
        return {"code": quantised, "continuous": continuous, "index": index,
                "logits": self.decode_logits(passed)}

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        """Reconstruction, codebook and commitment terms (each averaged
        over the batch, weighted by ``sample_weight``); in training mode,
        also counts the rows' use (see the class)."""
        terms = super().loss_terms(out, target, sample_weight, mask)
        weight = (sample_weight if mask is None
                  else observed_weight(mask, sample_weight))
        continuous, quantised = out["continuous"], out["code"]
        codebook = weighted_mean(
            (continuous.detach() - quantised).square().mean(1), weight)
        commitment = weighted_mean(
            (continuous - quantised.detach()).square().mean(1), weight)
        terms["loss"] = (terms["loss"] + codebook
                         + self.commitment_weight * commitment)
        terms.update(codebook=codebook, commitment=commitment)
        if self.training:
            self._count(out["index"], continuous, weight)
        return terms

    @torch.no_grad()
    def _count(self, index, continuous, weight):
        used = (torch.ones(len(index), dtype=torch.bool,
                           device=index.device) if weight is None
                else weight > 0)
        index = index[used].flatten()
        self.usage.index_add_(0, index, torch.ones_like(
            index, dtype=self.usage.dtype))
        if used.any():
            self._restart_pool = continuous.detach()[used].reshape(
                -1, self.codebook.shape[1])

    @torch.no_grad()
    def restart_dead_codes(self):
        """Move the rows unused since the last call to parts of the latest
        training batch's encoder outputs drawn at random (the current
        call's generator); returns how many moved.

        In a process group (torchrun) a row is unused when no process used
        it, and every process takes rank 0's moved rows, so the codebooks
        stay identical."""
        group = _in_process_group()
        if group:
            torch.distributed.all_reduce(self.usage)
        dead = torch.nonzero(self.usage == 0).flatten()
        pool = self._restart_pool
        if len(dead) and pool is not None and len(pool):
            pick = randint(len(pool), (len(dead),), device=pool.device)
            self.codebook[dead] = pool[pick].to(self.codebook.dtype)
        if group and len(dead):
            torch.distributed.broadcast(self.codebook.data, src=0)
        self.usage.zero_()
        self._restart_pool = None
        return len(dead) if pool is not None else 0
