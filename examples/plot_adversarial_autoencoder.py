"""
Adversarial autoencoder: codes shaped like a prior
==================================================

An adversarial autoencoder (Makhzani et al., 2015) is an ordinary
autoencoder plus a discriminator that learns to tell the codes of the data
from draws of a chosen prior; the encoder is trained to fool it, so its
codes come to follow the prior, and decoding draws of the prior generates
data. This example gives :class:`~skae.AdversarialAE` 2-D codes of MNIST
digits, so the codes can be drawn over the prior: first the standard
normal, then a mixture of ten Gaussians on a circle. A plain
:class:`~skae.StackedAE` with the same layers shows where codes go without
the adversary.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skae import AdversarialAE, StackedAE
from skae.datasets import load_mnist
from skae.plotting import plot_loss_curve, plot_samples

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# Three autoencoders with 2-D codes
# ---------------------------------
# The same 784-256-64-2 encoder, a sigmoid output and the cross-entropy
# loss for all three; the adversarial ones add a small discriminator
# (``discriminator_layer_sizes=(64, 64)``). Forty epochs keep the example
# fast; for so short a run the two adversarial phases get a larger step
# size than the default (``adversarial_learning_rate=6e-4`` instead of
# 2e-4), or the codes are still far from the prior at the end. The default
# is low on purpose: an adversary as fast as the reconstruction
# (``learning_rate``, 1e-3) tends to collapse the codes towards the prior's
# centre.
settings = dict(n_components=2, hidden_layer_sizes=(256, 64),
                out_activation="sigmoid", loss="bce", batch_size=100,
                max_iter=40, random_state=0)
adversarial = dict(discriminator_layer_sizes=(64, 64),
                   adversarial_learning_rate=6e-4)
models = {
    "StackedAE (no prior)": StackedAE(**settings),
    "AdversarialAE, normal prior": AdversarialAE(
        prior="normal", **adversarial, **settings),
    "AdversarialAE, mixture prior": AdversarialAE(
        prior="mixture", prior_components=10, **adversarial, **settings),
}
for model in models.values():
    model.fit(X_train)

# %%
# Codes over the prior
# --------------------
# Grey: draws of each prior (the normal prior is N(0, I); the mixture
# prior's components have standard deviation 0.5 around the means
# ``module_.prior_means``). Colours: the codes of the held-out digits, by
# digit. The plain autoencoder puts its codes anywhere (see the axis
# ranges); the adversarial ones spread them over the prior, at the cost of
# mixing the digits more: in the normal prior's disc, several digits
# overlap. The mixture prior does not know the labels either, so its
# components do not line up with the ten digits (that takes the paper's
# semi-supervised variant, which skae does not implement).
rng = np.random.RandomState(0)
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
for ax, (name, model) in zip(axes, models.items()):
    codes = model.transform(X_test)
    if isinstance(model, AdversarialAE):
        draws = rng.randn(2000, 2)
        if model.prior == "mixture":
            means = model.module_.prior_means.numpy()
            draws = means[rng.randint(len(means), size=2000)] + 0.5 * draws
        ax.scatter(*draws.T, s=3, c="lightgray", label="prior draws")
    scatter = ax.scatter(*codes.T, c=y_test, cmap="tab10", s=6)
    ax.set_title(name)
    ax.set_xlabel("code 0")
    ax.set_ylabel("code 1")
fig.colorbar(scatter, ax=axes, label="digit")

# %%
# Training
# --------
# The history records, per epoch, the reconstruction loss and the two
# adversarial terms: the discriminator's cross-entropy (log 2 = 0.69 when it
# cannot tell codes from prior draws at all) and the encoder's loss as a
# generator.
plot_loss_curve(models["AdversarialAE, normal prior"])

# %%
# Samples
# -------
# Decoding draws of the prior. With only two numbers per digit the samples
# are blurry, and draws that fall between the regions of two digits decode
# to blends of them.
plot_samples(models["AdversarialAE, normal prior"], 20, random_state=0)

plt.show()
