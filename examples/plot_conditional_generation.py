"""
Conditional generation, a learned prior and a latent traversal
==============================================================

Three things a generative autoencoder can do beyond decoding random codes,
on scikit-learn's 8x8 digits:

* draw samples of a requested class: :class:`~skae.ConditionalVAE` (Sohn
  et al., 2015) and :class:`~skae.ConditionalAdversarialAE` (Makhzani et
  al., 2016) learn ``fit(X, y)``, and ``sample(n, y=k)`` draws digits
  ``k``;
* sample from a learned prior: :class:`~skae.VampPriorVAE` (Tomczak and
  Welling, 2018) against the standard normal prior of
  :class:`~skae.VariationalAE`;
* walk along one code dimension at a time: a latent traversal of a
  :class:`~skae.BetaTCVAE` (Chen et al., 2018), whose code dimensions are
  pushed to be independent.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skae import (
    BetaTCVAE,
    ConditionalAdversarialAE,
    ConditionalVAE,
    VampPriorVAE,
    VariationalAE,
)

X, y = load_digits(return_X_y=True)
X = X / 16  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=400, random_state=0, stratify=y)

# %%
# Digits of each class
# --------------------
# Both models get the label only in the decoder, after the code, so the
# code is left to hold the style. The adversarial one has a 2-D style code
# that a discriminator matches to N(0, I); the VAE has 8 dimensions and its
# KL term. A logistic regression trained on real digits tells how often a
# sample of class ``k`` reads as a ``k``.
cvae = ConditionalVAE(n_components=8, hidden_layer_sizes=(64,),
                      likelihood="bernoulli", max_iter=30, batch_size=64,
                      random_state=0).fit(X_train, y_train)
caae = ConditionalAdversarialAE(
    n_components=2, hidden_layer_sizes=(64,),
    discriminator_layer_sizes=(64, 64), learning_rate=3e-3,
    adversarial_learning_rate=5e-4, batch_size=64, max_iter=100,
    random_state=0).fit(X_train, y_train)
reader = LogisticRegression(max_iter=2000).fit(X_train, y_train)

fig, axes = plt.subplots(2, 1, figsize=(7, 7.5))
for ax, (name, model) in zip(axes, [("ConditionalVAE", cvae),
                                    ("ConditionalAdversarialAE", caae)]):
    labels = np.repeat(np.arange(10), 8)  # 8 samples of each class
    samples = model.sample(len(labels), y=labels, random_state=0)
    accuracy = np.mean(reader.predict(samples) == labels)
    grid = samples.reshape(10, 8, 8, 8).transpose(1, 2, 0, 3).reshape(64, 80)
    ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{name}: one column per class, "
                 f"{accuracy:.0%} read as their class")
    ax.axis("off")
plt.tight_layout()
plt.show()

# %%
# The codes carry the style: ``inverse_transform(transform(X), y=k)``
# redraws test digits (top row) as sevens, each in its own slant and
# thickness.
originals = X_test[:10]
as_sevens = caae.inverse_transform(caae.transform(originals), y=7)
fig, axes = plt.subplots(2, 10, figsize=(8, 1.8))
for i in range(10):
    for row, images in enumerate([originals, as_sevens]):
        axes[row, i].imshow(images[i].reshape(8, 8), cmap="gray_r",
                            vmin=0, vmax=1)
for ax in axes.ravel():
    ax.axis("off")
plt.show()

# %%
# A learned prior
# ---------------
# A VAE's codes do not fill N(0, I) evenly, so some prior draws decode to
# blends of digits. The VampPrior is a mixture of the encoder's posteriors
# at learned pseudo-inputs: it follows the codes, and ``sample`` draws from
# it. ``log_likelihood`` (nats per digit, higher is better) rewards the
# better fit.
settings = dict(n_components=8, hidden_layer_sizes=(64,),
                likelihood="bernoulli", max_iter=40, batch_size=64,
                random_state=0)
priors = {"VariationalAE, N(0, I)": VariationalAE(**settings),
          "VampPriorVAE, 50 pseudo-inputs": VampPriorVAE(n_pseudo_inputs=50,
                                                         **settings)}
fig, axes = plt.subplots(1, 2, figsize=(8, 4.4))
for ax, (name, model) in zip(axes, priors.items()):
    model.fit(X_train)
    log_lik = model.log_likelihood(X_test, n_importance_samples=50).mean()
    samples = model.sample(36, random_state=0)
    ax.imshow(samples.reshape(6, 6, 8, 8).transpose(0, 2, 1, 3)
              .reshape(48, 48), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{name}\nlog p(x) = {log_lik:.1f}", fontsize=10)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %%
# A latent traversal
# ------------------
# Each row decodes the code of one test digit with one dimension moved
# from -2.5 to 2.5 and the others held. A beta-TCVAE penalises the total
# correlation of its codes by ``beta``, so that the dimensions vary
# independently. On the digits the strongest ones move between digit
# shapes (the 7 turns into a 3 or a 0), the weaker ones change its
# thickness and width, and a dimension the model does not use leaves it
# unchanged. The rows are sorted by how much the digit changes.
tcvae = BetaTCVAE(n_components=6, hidden_layer_sizes=(64,), beta=6.0,
                  likelihood="bernoulli", max_iter=40, batch_size=64,
                  random_state=0).fit(X_train)
start = tcvae.transform(X_test[:1])[0]
steps = np.linspace(-2.5, 2.5, 9)
rows = []
for dim in range(tcvae.n_components):
    codes = np.repeat(start[None], len(steps), axis=0)
    codes[:, dim] = steps
    rows.append(tcvae.inverse_transform(codes))
change = [np.abs(row[-1] - row[0]).sum() for row in rows]
order = np.argsort(change)[::-1]
fig, axes = plt.subplots(len(rows), len(steps), figsize=(6, 4.2))
for r, dim in enumerate(order):
    for c in range(len(steps)):
        axes[r, c].imshow(rows[dim][c].reshape(8, 8), cmap="gray_r",
                          vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(f"dim {dim}", fontsize=8)
for c, step in enumerate(steps):
    axes[-1, c].set_xlabel(f"{step:+.1f}", fontsize=8)
plt.show()
