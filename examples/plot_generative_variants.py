"""
Generative variants: IWAE, VampPrior, beta-TCVAE and WAE-MMD
============================================================

Four variants of the variational autoencoder, each a scikit-learn
estimator with the same methods (``fit``, ``transform``, ``sample``,
``score``), trained here alike on MNIST digits:

* :class:`~skae.IWAE` trains on the importance-weighted bound of
  ``n_importance_samples`` codes per digit, tighter than the ELBO (Burda et
  al., 2016);
* :class:`~skae.VampPriorVAE` learns its prior, a mixture of the encoder's
  posteriors at ``n_pseudo_inputs`` learned pseudo-inputs (Tomczak and
  Welling, 2018);
* :class:`~skae.BetaTCVAE` weighs the total correlation of the codes by
  ``beta``, for codes whose dimensions are independent (Chen et al., 2018);
* :class:`~skae.WAEMMD` keeps a deterministic encoder and pulls its codes,
  as a whole, to N(0, I) with a maximum mean discrepancy (Tolstikhin et
  al., 2018).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skae import IWAE, WAEMMD, BetaTCVAE, VampPriorVAE, VariationalAE
from skae.datasets import load_mnist

X, y = load_mnist(return_X_y=True)
X_train, X_test = train_test_split(X, test_size=1000, random_state=0,
                                   stratify=y)

# %%
# Five models with the same network
# ---------------------------------
# One hidden layer of 256 units and 16-dimensional codes, 20 epochs each.
# WAEMMD reconstructs with the squared error, as in the paper; on these
# 4,000 digits a stronger penalty than the paper's ``mmd_weight=10`` (for
# 60,000) leaves fewer holes in its code space. A second BetaTCVAE, with
# ``beta=1`` (the plain ELBO), shows what ``beta`` changes.
common = dict(n_components=16, hidden_layer_sizes=(256,), batch_size=100,
              max_iter=20, random_state=0)
vae_like = dict(likelihood="bernoulli", **common)
models = {
    "VariationalAE": VariationalAE(**vae_like),
    "IWAE (k=5)": IWAE(n_importance_samples=5, **vae_like),
    "VampPriorVAE": VampPriorVAE(n_pseudo_inputs=200, **vae_like),
    "BetaTCVAE (beta=6)": BetaTCVAE(beta=6.0, **vae_like),
    "WAEMMD": WAEMMD(mmd_weight=100.0, out_activation="sigmoid", **common),
}
tc_reference = BetaTCVAE(beta=1.0, **vae_like).fit(X_train)
for model in models.values():
    model.fit(X_train)

# %%
# Held-out likelihood
# -------------------
# ``score`` is the mean evidence lower bound (ELBO) of the held-out digits,
# ``log_likelihood`` an importance-weighted estimate of their
# log-likelihood (here with 200 codes per digit), both in nats per digit;
# VampPriorVAE's use its learned prior. The total correlation penalty of
# BetaTCVAE costs likelihood. WAEMMD has no likelihood: its ``score`` is
# the negative reconstruction error.
for name, model in models.items():
    if hasattr(model, "log_likelihood"):
        print(f"{name:20s} ELBO {model.score(X_test):7.1f}   log p(x) "
              f"{model.log_likelihood(X_test, 200).mean():7.1f}")


# %%
# Independent code dimensions
# ---------------------------
# BetaTCVAE records, per epoch, the three parts of its KL term, estimated
# on each mini-batch: the mutual information between digits and codes,
# the total correlation of the codes drawn from the posteriors and the KL
# divergence of each code dimension from the prior. ``beta=6`` brings the
# total correlation down.
for name, model in (("beta=1", tc_reference),
                    ("beta=6", models["BetaTCVAE (beta=6)"])):
    last = model.net_.history[-1]
    print(f"{name}: mutual information {last['train_mutual_information']:5.2f}"
          f", total correlation {last['train_total_correlation']:5.2f}, "
          f"dimension-wise KL {last['train_dimensionwise_kl']:5.2f}")

# %%
# Samples
# -------
# Each model decodes draws of its prior: N(0, I), or VampPriorVAE's
# mixture.
fig, axes = plt.subplots(len(models), 10, figsize=(10, 1.1 * len(models)))
for row, (name, model) in zip(axes, models.items()):
    for ax, image in zip(row, model.sample(10, random_state=0)):
        ax.imshow(image.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(name, rotation=0, ha="right", va="center")
fig.tight_layout()

plt.show()
