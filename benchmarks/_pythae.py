"""pythae's implementations of the VAE and its variants, on the network of
``benchmarks/generative.py``, for a side-by-side run (issue 26).

pythae (``pip install pythae``; 0.1.2 installs beside torch 2.13) is a
peer of the benchmark, never a dependency of skae. Each model is pythae's
own class and loss (``VAE``, ``IWAE``, ``VAMP``, ``BetaTCVAE``), with a
784-500-500-20 ELU encoder and decoder written here as pythae's
``BaseEncoder`` / ``BaseDecoder`` and a Bernoulli likelihood
(``reconstruction_loss="bce"``, a sigmoid decoder). They are trained by a
plain loop (Adam, shuffled batches, the forward's ``loss``) rather than
pythae's ``BaseTrainer``, whose checkpoints and logging would only add to
its fit time; the loop passes the keywords the trainer passes
(``epoch``, ``dataset_size``).
"""

import math

import torch
from torch import nn

try:
    from pythae.models import (
        AE,
        IWAE,
        VAE,
        VAMP,
        VQVAE,
        WAE_MMD,
        AEConfig,
        BetaTCVAE,
        BetaTCVAEConfig,
        IWAEConfig,
        VAEConfig,
        VAMPConfig,
        VQVAEConfig,
        WAE_MMD_Config,
    )
    from pythae.models.base.base_utils import ModelOutput
    from pythae.models.nn import BaseDecoder, BaseEncoder
except ImportError:  # the benchmark runs without the peer
    BaseEncoder = BaseDecoder = nn.Module
    AVAILABLE = False
else:
    AVAILABLE = True


def _mlp(sizes):
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out), nn.ELU()]
    return nn.Sequential(*layers, nn.Linear(sizes[-2], sizes[-1]))


class Encoder(BaseEncoder):
    def __init__(self, n_features, hidden, code):
        super().__init__()
        self.net = _mlp([n_features, *hidden, 2 * code])

    def forward(self, x):
        mean, log_var = self.net(x.flatten(1)).chunk(2, dim=-1)
        return ModelOutput(embedding=mean, log_covariance=log_var)


class CodeEncoder(BaseEncoder):
    """The deterministic models' encoder: the code alone."""

    def __init__(self, n_features, hidden, code):
        super().__init__()
        self.net = _mlp([n_features, *hidden, code])

    def forward(self, x):
        return ModelOutput(embedding=self.net(x.flatten(1)))


class Decoder(BaseDecoder):
    """A sigmoid output (Bernoulli likelihood), or the identity (MSE)."""

    def __init__(self, n_features, hidden, code, sigmoid=True):
        super().__init__()
        self.net = _mlp([code, *hidden[::-1], n_features])
        self.sigmoid = sigmoid

    def forward(self, z):
        out = self.net(z)
        return ModelOutput(reconstruction=torch.sigmoid(out) if self.sigmoid
                           else out)


def models(n_features, hidden, code):
    """pythae's model of each benchmark row, untrained, with PyTorch's
    default initialisation under seed 0."""
    common = dict(input_dim=(n_features,), latent_dim=code,
                  reconstruction_loss="bce")
    configs = {
        "VariationalAE": (VAE, VAEConfig(**common)),
        "IWAE k=5": (IWAE, IWAEConfig(number_samples=5, **common)),
        "IWAE k=50": (IWAE, IWAEConfig(number_samples=50, **common)),
        "VampPriorVAE": (VAMP, VAMPConfig(number_components=500,
                                          linear_scheduling_steps=0,
                                          **common)),
        # minibatch-weighted sampling, as skae's BetaTCVAE
        "BetaTCVAE beta=1": (BetaTCVAE, BetaTCVAEConfig(
            beta=1.0, alpha=1.0, gamma=1.0, use_mss=False, **common)),
    }
    out = {}
    for name, (cls, config) in configs.items():
        torch.manual_seed(0)
        out[name] = cls(config, encoder=Encoder(n_features, hidden, code),
                        decoder=Decoder(n_features, hidden, code))
    return out


def deterministic_models(n_features, hidden, code):
    """pythae's deterministic models of the reconstruction rows, with an
    identity output and the MSE (VQ-VAE: 512 codes, commitment 0.25, as
    skae's; pythae quantises each number of an MLP's code separately, as
    skae's default ``n_groups="auto"``)."""
    common = dict(input_dim=(n_features,), latent_dim=code)
    configs = {
        "autoencoder (StackedAE / AE)": (AE, AEConfig(**common)),
        # lambda = 10, skae's default, and pythae's own 3e-2 (both weigh
        # the MMD against a squared error summed over the pixels; the
        # same multi-scale IMQ kernel)
        "WAE-MMD, lambda=10": (WAE_MMD, WAE_MMD_Config(reg_weight=10.0,
                                                       **common)),
        "WAE-MMD, lambda=0.03": (WAE_MMD, WAE_MMD_Config(reg_weight=3e-2,
                                                         **common)),
        "VQ-VAE": (VQVAE, VQVAEConfig(**common)),
    }
    out = {}
    for name, (cls, config) in configs.items():
        torch.manual_seed(0)
        out[name] = cls(config,
                        encoder=CodeEncoder(n_features, hidden, code),
                        decoder=Decoder(n_features, hidden, code,
                                        sigmoid=False))
    return out


@torch.no_grad()
def reconstruct(model, X, chunk=500):
    """The model's reconstruction of the rows of ``X`` (through its
    quantiser, for the VQ-VAE), and the VQ-VAE's code indices."""
    recon, indices = [], []
    for start in range(0, len(X), chunk):
        out = model({"data": torch.from_numpy(X[start:start + chunk])})
        recon.append(out.recon_x)
        if "quantized_indices" in out:
            indices.append(out.quantized_indices.flatten())
    return (torch.cat(recon).numpy(),
            torch.cat(indices).numpy() if indices else None)


def fit(model, X, epochs, batch_size, lr, seed=0):
    """Train a pythae model with Adam on the rows of ``X`` (float32)."""
    data = torch.from_numpy(X)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(data), batch_size):
            x = data[order[start:start + batch_size]]
            loss = model({"data": x}, epoch=epoch,
                         dataset_size=len(data)).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def posterior(model):
    def encode(x):
        out = model.encoder(x)
        return out.embedding, out.log_covariance
    return encode


def decode_logits(model):
    return model.decoder.net


def log_prior(model):
    """log p(z) with its constant: the standard normal, or VAMP's mixture
    (pythae's ``_log_p_z`` leaves the Gaussian constant out)."""
    if isinstance(model, VAMP):
        def mixture(z):
            flat = z.reshape(-1, z.shape[-1])
            return (model._log_p_z(flat).view(z.shape[:-1])
                    - 0.5 * z.shape[-1] * math.log(2 * math.pi))
        return mixture
    return None  # the evaluator's standard normal
