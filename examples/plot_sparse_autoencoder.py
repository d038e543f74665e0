"""
Sparse coding with the KL penalty
=================================

Another way to make an autoencoder learn useful features is to limit how
active its coding units are, rather than how many there are: with a
sparsity penalty the code can even be wider than the input (overcomplete).
The tutorials measure the mean activation of each coding unit over a
training batch and add to the loss ``sparsity_weight`` times the
Kullback-Leibler divergence between that mean and a ``sparsity_target``
(0.1). :class:`~skae.SparseAE` does this, with the tutorials' parameter
names.
"""

# %%
# The KL and MSE penalties
# ------------------------
# The tutorials' figure: the two penalties as functions of a unit's mean
# activation ``q``, for the target ``p = 0.1``. Both are zero at the
# target, but the KL divergence grows much faster away from it, and without
# bound near 0 and 1, so its gradient keeps pushing units that are far too
# active (or dead); the squared error is flat near the target and its
# gradient never exceeds 2.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skae import SparseAE, StackedAE
from skae.datasets import load_mnist
from skae.plotting import plot_most_activating

p = 0.1
q = np.linspace(0.001, 0.999, 500)
kl = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
mse = (p - q) ** 2
kl_gradient = (q - p) / (q * (1 - q))
mse_gradient = 2 * (q - p)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(q, kl, "b-", label="KL divergence")
axes[0].plot(q, mse, "r--", label="MSE")
axes[0].set_ylim(0, 0.95)
axes[0].set_ylabel("penalty")
axes[1].plot(q, np.abs(kl_gradient), "b-", label="KL divergence")
axes[1].plot(q, np.abs(mse_gradient), "r--", label="MSE")
axes[1].set_yscale("log")
axes[1].set_ylabel("|gradient|")
for ax in axes:
    ax.axvline(p, color="k", linestyle=":", label="target sparsity")
    ax.set_xlabel("mean activation of a unit, q")
    ax.legend(loc="upper left")
fig.tight_layout()

# %%
# Three overcomplete autoencoders
# -------------------------------
# The tutorial's network: one layer of sigmoid coding units (here 400 of
# them for 784 pixels, the tutorial uses 1,000), a linear output and the
# mean squared error. Without a penalty (a :class:`~skae.StackedAE` with
# sigmoid units), with the tutorials' KL penalty (``sparsity_weight=0.2``)
# and with the squared-error penalty at the same weight. Forty epochs at a
# learning rate of 0.003 keep the example fast (the tutorial trains with
# 0.01 for 100 epochs on 55,000 digits).
X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

settings = dict(n_components=400, hidden_layer_sizes=(), learning_rate=3e-3,
                batch_size=200, max_iter=40, random_state=0)
models = {
    "no penalty": StackedAE(activation="sigmoid", **settings),
    "KL penalty": SparseAE(sparsity_target=0.1, sparsity_weight=0.2,
                           sparsity_penalty="kl", **settings),
    "MSE penalty": SparseAE(sparsity_target=0.1, sparsity_weight=0.2,
                            sparsity_penalty="mse", **settings),
}
codes = {}
for name, model in models.items():
    model.fit(X_train)
    codes[name] = model.transform(X_test)
    error = np.mean((model.inverse_transform(codes[name]) - X_test) ** 2)
    print(f"{name:>12}: mean activation {codes[name].mean():.3f}, "
          f"held-out MSE {error:.4f}")

# %%
# The penalty is a term of its own in the history
# -----------------------------------------------
# ``net_.history`` records the sparsity term next to the reconstruction
# term, and :func:`~skae.plotting.plot_loss_curve` would draw each as its
# own line.
history = models["KL penalty"].net_.history
print("last epoch: reconstruction "
      f"{history[-1, 'train_reconstruction']:.4f}, "
      f"sparsity {history[-1, 'train_sparsity']:.4f}")

# %%
# Mean activations against the target
# -----------------------------------
# The mean activation of each of the 400 units over the held-out digits.
# Without a penalty the means spread around 0.4; both penalties gather
# them tightly around the target 0.1.
fig, ax = plt.subplots(figsize=(7, 3.5))
bins = np.linspace(0, 1, 101)
for name, code in codes.items():
    ax.hist(code.mean(axis=0), bins=bins, alpha=0.6, label=name)
ax.axvline(0.1, color="k", linestyle=":", label="sparsity_target")
ax.set_xlabel("mean activation of a coding unit (held-out digits)")
ax.set_ylabel("units")
ax.legend()
fig.tight_layout()

# %%
# The penalty constrains the mean only
# ------------------------------------
# A mean of 0.1 can come from a unit that fires fully on a tenth of the
# digits, or from one that is weakly on for all of them. The distribution
# of the individual activations shows that here the units mostly do the
# latter: few activations exceed 0.5. Codes with exact zeros need a hard
# rule instead: :class:`~skae.KSparseAE` keeps the ``k`` largest units of
# each sample, :class:`~skae.WinnerTakeAllAE` the largest activations of
# each unit over a batch.
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, code in codes.items():
    ax.hist(code.ravel(), bins=bins, alpha=0.6, label=name)
    print(f"{name:>12}: share of activations above 0.5: "
          f"{(code > 0.5).mean():.3f}")
ax.set_yscale("log")
ax.set_xlabel("activation of a coding unit on one digit")
ax.set_ylabel("count")
ax.legend()
fig.tight_layout()

# %%
# What the sparse units detect
# ----------------------------
# The held-out digits that excite the first six coding units most (the
# tutorials' first visualisation method), titled with each activation.
# Sparsity has a price: these codes reconstruct the digits several times
# worse than the unpenalised ones (the mean squared errors printed above).
plot_most_activating(models["KL penalty"], X_test, units=[0, 1, 2, 3, 4, 5],
                     n=8)

plt.show()
