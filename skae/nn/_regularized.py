"""Regularized fully connected autoencoders: sparse, contractive, k-sparse and
winner-take-all codes.

Each network is an :class:`MLPAutoencoder` with one extra loss term (listed
in ``loss_term_names`` so that training records it per epoch) or one
operation on the code. The denoising autoencoder needs no network of its
own: it is an :class:`MLPAutoencoder` with a :class:`Corruption`.
"""

import math

import torch

from ._halves import KeepLargest, ZeroBelow, keep_largest
from ._losses import weighted_mean
from ._mlp import MLPAutoencoder
from ._random import randn, randn_like

#: Sparsity penalties by name (see :func:`sparsity_penalty`).
SPARSITY_PENALTIES = ("kl", "l1", "mse")

#: Keeps the batch-mean activation inside (0, 1) for the KL divergence.
_EPS = 1e-6


def sparsity_penalty(code, target, penalty="kl"):
    """Distance between a sparsity target and the batch-mean activations.

    The activation level of each coding unit is its mean over the batch:
    the mean activation for ``"kl"`` (a probability, so the code must lie in
    (0, 1), as a sigmoid's), the mean absolute activation otherwise. The
    penalty is summed over the coding units, as Géron's
    ``reduce_sum(kl_divergence(sparsity_target, hidden1_mean))``.

    Parameters
    ----------
    code : torch.Tensor of shape (batch, n_components)
    target : float
        Target activation level, in (0, 1) for ``"kl"``.
    penalty : {"kl", "l1", "mse"}
        ``"kl"``: KL divergence between Bernoulli(target) and
        Bernoulli(level), which grows steeply as a level nears 0 or 1;
        ``"l1"``: ``|level - target|``; ``"mse"``: ``(level - target)**2``.
    """
    code = code.float()  # 1 - _EPS is 1 in bfloat16: the levels in float32
    if penalty == "kl":
        level = code.mean(0).clamp(_EPS, 1 - _EPS)
        return (target * torch.log(target / level)
                + (1 - target) * torch.log((1 - target) / (1 - level))).sum()
    level = code.abs().mean(0)
    if penalty == "l1":
        return (level - target).abs().sum()
    if penalty == "mse":
        return (level - target).square().sum()
    raise ValueError(
        f"Unknown sparsity penalty {penalty!r}; use one of "
        f"{SPARSITY_PENALTIES}.")


class SparseMLPAutoencoder(MLPAutoencoder):
    """:class:`MLPAutoencoder` with a sparsity penalty on its code.

    The loss is ``reconstruction + sparsity_weight * sparsity`` where
    ``sparsity`` is :func:`sparsity_penalty` of the batch's codes.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`MLPAutoencoder`.
    sparsity_target : float
        Target activation level of each coding unit.
    sparsity_weight : float
        Weight of the penalty in the loss.
    sparsity_penalty : {"kl", "l1", "mse"}
        The penalty (see :func:`sparsity_penalty`).
    """

    loss_term_names = ("reconstruction", "sparsity")

    def __init__(self, n_features, hidden_layer_sizes, n_components, *,
                 sparsity_target=0.1, sparsity_weight=0.2,
                 sparsity_penalty="kl", **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        if sparsity_penalty not in SPARSITY_PENALTIES:
            raise ValueError(f"Unknown sparsity penalty {sparsity_penalty!r}; "
                             f"use one of {SPARSITY_PENALTIES}.")
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.sparsity_penalty = sparsity_penalty

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        terms = super().loss_terms(out, target, sample_weight, mask)
        sparsity = sparsity_penalty(out["code"], self.sparsity_target,
                                    self.sparsity_penalty)
        terms["loss"] = terms["loss"] + self.sparsity_weight * sparsity
        terms["sparsity"] = sparsity
        return terms


def _activation_slope(activation, pre, out):
    """Elementwise derivative of ``activation`` at ``pre`` (``out`` is
    ``activation(pre)``), differentiable with respect to ``pre`` when
    ``pre`` carries a graph."""
    if not pre.requires_grad:  # evaluation under no_grad
        with torch.enable_grad():
            pre = pre.detach().requires_grad_()
            out = activation(pre)
            (slope,) = torch.autograd.grad(out.sum(), pre)
        return slope
    (slope,) = torch.autograd.grad(out.sum(), pre, create_graph=True)
    return slope


class ContractiveMLPAutoencoder(MLPAutoencoder):
    """:class:`MLPAutoencoder` with a penalty on the encoder's Jacobian.

    The loss is ``reconstruction + contraction_weight * contraction /
    n_features``, where ``contraction`` is the batch mean of
    ``||J(x)||_F^2``, the squared Frobenius norm of the Jacobian of the code
    with respect to the input (Rifai et al. 2011). Rifai et al. sum the
    reconstruction loss over the features; skae averages it, so the penalty
    is divided by ``n_features`` too and ``contraction_weight`` keeps the
    scale of their lambda.

    * One-layer encoder ``h = s(W x + b)`` (any elementwise ``s``): the
      penalty is exact, in closed form:
      ``||J(x)||_F^2 = sum_j s'(a_j)^2 ||W_j||^2``, which costs one extra
      elementwise derivative and a matrix-vector product.
    * Deeper encoder, ``n_projections`` an int: the unbiased estimate
      ``mean_r ||J(x)^T u_r||^2`` over ``n_projections`` standard normal
      vectors ``u_r`` in code space (Hutchinson's trace estimator,
      ``E ||J^T u||^2 = trace(J J^T) = ||J||_F^2``). Each projection is one
      vector-Jacobian product (a backward pass through the encoder, kept in
      the graph), drawn afresh for every sample and batch from the current
      call's generator.
    * Deeper encoder, ``n_projections=None``: exact, from the full Jacobian
      (``n_components`` vector-Jacobian products, batched with vmap), which
      costs about ``n_components`` times the estimate's.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        The network's layers and activations, as :class:`MLPAutoencoder`.
    contraction_weight : float
        Weight of the penalty in the loss.
    n_projections : int or None
        Random projections of the estimate for deeper encoders; None
        computes the exact penalty.
    """

    loss_term_names = ("reconstruction", "contraction")

    def __init__(self, n_features, hidden_layer_sizes, n_components, *,
                 contraction_weight=0.1, n_projections=1, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        self.contraction_weight = contraction_weight
        self.n_projections = n_projections

    def jacobian_norm(self, x):
        """Per-sample squared Frobenius norm of the encoder's Jacobian at
        ``x``, exact whatever the depth (for evaluation)."""
        if len(self.encoder) == 1:
            return self._one_layer_forward(x)[1]
        with torch.enable_grad():
            x = x.detach().requires_grad_()
            return self._vjp_norm(x, self.encode(x), None)

    def _one_layer_forward(self, x):
        (layer,) = self.encoder
        pre = layer(x)
        code = self.code_activation(pre)
        slope = _activation_slope(self.code_activation, pre, code)
        norm = slope.square() @ layer.weight.square().sum(1)
        return code, norm

    def _vjp_norm(self, x, code, n_projections):
        """``||J||_F^2`` per sample: exact (``n_projections=None``, one VJP
        per coding unit) or estimated from random VJPs."""
        batch, k = code.shape
        create_graph = self.training  # the penalty is trained through
        if n_projections == 1:  # the default: one plain backward pass
            (rows,) = torch.autograd.grad(
                code, x, randn_like(code), create_graph=create_graph)
            return rows.square().flatten(1).sum(1)
        if n_projections is None:
            vectors = torch.eye(k, dtype=code.dtype, device=code.device)
            vectors = vectors[:, None, :].expand(k, batch, k)
        else:
            vectors = randn(n_projections, batch, k, dtype=code.dtype,
                                  device=code.device)
        (rows,) = torch.autograd.grad(code, x, vectors,
                                      create_graph=create_graph,
                                      is_grads_batched=True)
        norm = rows.square().flatten(2).sum(2)  # (n_vectors, batch)
        return norm.sum(0) if n_projections is None else norm.mean(0)

    def forward(self, x):
        x = self.corrupt_input(x)
        if len(self.encoder) == 1:
            code, norm = self._one_layer_forward(x)
        else:
            # validation runs under no_grad; the penalty needs a graph
            with torch.enable_grad():
                x = x.detach().requires_grad_()
                code = self.encode(x)
                norm = self._vjp_norm(x, code, self.n_projections)
        return {"code": code, "logits": self.decode_logits(code),
                "contraction": norm}

    def loss_terms(self, out, target, sample_weight=None, mask=None):
        terms = super().loss_terms(out, target, sample_weight, mask)
        contraction = weighted_mean(out["contraction"], sample_weight)
        terms["loss"] = terms["loss"] + (
            self.contraction_weight / self.n_features) * contraction
        terms["contraction"] = contraction
        return terms


class KSparseMLPAutoencoder(MLPAutoencoder):
    """:class:`MLPAutoencoder` whose code keeps its ``k`` largest units.

    Makhzani and Frey (2013): in training mode the ``k`` largest units of
    each code are kept and the others set to 0; in evaluation mode (encoding
    for ``transform``) the ``transform_k`` largest.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`MLPAutoencoder`.
    k : int
        Units kept per sample in training.
    transform_k : int
        Units kept per sample in evaluation mode.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components, *, k,
                 transform_k=None, **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        self.k = k
        self.transform_k = k if transform_k is None else transform_k

    def encode(self, x):
        k = self.k if self.training else self.transform_k
        return keep_largest(super().encode(x), k, dim=-1)

    def encoder_steps(self):
        return super().encoder_steps() + [KeepLargest(self.transform_k)]


class WinnerTakeAllMLPAutoencoder(MLPAutoencoder):
    """:class:`MLPAutoencoder` with lifetime sparsity on its code.

    Makhzani and Frey (2015), fully connected WTA: in training mode each
    coding unit keeps only its ``ceil(sparsity_rate * batch)`` largest
    activations across the batch, the rest are set to 0, so every unit
    takes part in reconstructing a few samples only.

    Lifetime sparsity is a rule over a batch, not a property of one sample.
    In evaluation mode, with ``sparse_eval=True``, each unit's activations
    below its ``thresholds`` are set to 0: a running average (momentum
    ``momentum``, as batch normalisation's statistics) of the smallest
    activation the unit kept in each training batch, so that each unit
    stays active for about ``sparsity_rate`` of the samples and the decoder
    sees codes like those it was trained on. With ``sparse_eval=False`` the
    code is left dense, as in the paper.

    Parameters
    ----------
    n_features, hidden_layer_sizes, n_components, **kwargs
        As :class:`MLPAutoencoder`.
    sparsity_rate : float
        Fraction of the batch in which each unit stays active, in (0, 1].
    sparse_eval : bool
        Threshold the codes in evaluation mode.
    momentum : float
        Weight of the latest batch in the running thresholds.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_components, *,
                 sparsity_rate=0.2, sparse_eval=True, momentum=0.1,
                 **kwargs):
        super().__init__(n_features, hidden_layer_sizes, n_components,
                         **kwargs)
        self.sparsity_rate = sparsity_rate
        self.sparse_eval = sparse_eval
        self.momentum = momentum
        self.register_buffer("thresholds", torch.zeros(n_components))

    def winners_per_unit(self, batch_size):
        """How many samples of a batch each unit keeps in training."""
        return max(1, math.ceil(self.sparsity_rate * batch_size))

    def encode(self, x):
        code = super().encode(x)
        if not self.training:
            if self.sparse_eval:
                code = code.masked_fill(code < self.thresholds, 0.0)
            return code
        n_winners = self.winners_per_unit(code.shape[0])
        if n_winners >= code.shape[0]:
            return code
        values, index = code.topk(n_winners, dim=0)
        with torch.no_grad():
            self.thresholds.lerp_(values[-1].to(self.thresholds.dtype),
                                  self.momentum)
        mask = torch.zeros_like(code).scatter_(0, index, 1.0)
        return code * mask

    def encoder_steps(self):
        steps = super().encoder_steps()
        if not self.sparse_eval:
            return steps
        return steps + [ZeroBelow(self.thresholds)]
