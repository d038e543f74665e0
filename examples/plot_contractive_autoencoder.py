"""
Contractive autoencoder: codes that hold still around the data
==============================================================

A contractive autoencoder (Rifai et al., 2011) adds to the reconstruction
error the squared Frobenius norm of the encoder's Jacobian, weighted by
``contraction_weight``: the codes change little when an input moves a
little, except along the directions the reconstruction needs. Here a
:class:`~skae.ContractiveAE` and a :class:`~skae.StackedAE` of the same
shape learn 8-D codes of the 8x8 digits, and we measure how far each code
moves when its input is nudged by small random noise.
"""

# %%
# Two autoencoders of the same shape
# ----------------------------------
# Both have one hidden layer of 64 units and sigmoid codes, and stop when
# the loss on a held-out tenth of the training digits stops improving
# (``early_stopping=True``); only the penalty differs.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import ContractiveAE, StackedAE

X, _ = load_digits(return_X_y=True)
X = (X / 16).astype(np.float32)
X_train, X_test = train_test_split(X, test_size=300, random_state=0)

shape = dict(n_components=8, hidden_layer_sizes=(64,), max_iter=400,
             early_stopping=True, random_state=0)
models = {
    "StackedAE": StackedAE(code_activation="sigmoid", **shape),
    "ContractiveAE": ContractiveAE(contraction_weight=0.3, **shape),
}
for name, model in models.items():
    model.fit(X_train)
    error = -model.score(X_test)
    print(f"{name:14s} held-out reconstruction MSE {error:.4f}")

# %%
# How far the codes move
# ----------------------
# For each held-out digit, add Gaussian noise of standard deviation
# ``sigma`` to its pixels and compare the codes before and after: the ratio
# of the code's displacement to the input's. The contractive penalty keeps
# it smaller at every noise level, for a slightly larger reconstruction
# error.
rng = np.random.default_rng(0)
sigmas = [0.01, 0.03, 0.1, 0.3]
fig, ax = plt.subplots(figsize=(5.5, 4))
for name, model in models.items():
    codes = model.transform(X_test)
    ratios = []
    for sigma in sigmas:
        noise = rng.normal(scale=sigma, size=X_test.shape).astype(np.float32)
        moved = model.transform(X_test + noise)
        ratios.append(np.mean(np.linalg.norm(moved - codes, axis=1)
                              / np.linalg.norm(noise, axis=1)))
    ax.plot(sigmas, ratios, marker="o", label=name)
    print(f"{name:14s} code displacement / input displacement:",
          np.round(ratios, 3))
ax.set_xscale("log")
ax.set_xlabel("noise standard deviation (pixels in [0, 1])")
ax.set_ylabel("code displacement / input displacement")
ax.set_title("Sensitivity of the codes to small input changes")
ax.legend()
fig.tight_layout()
