"""
Hard sparsity: k-sparse and winner-take-all features
====================================================

A sparsity penalty (see
:ref:`sphx_glr_auto_examples_plot_sparse_autoencoder.py`) only nudges the
mean activations towards a target. Two later autoencoders enforce sparsity
by a rule instead, and their codes have exact zeros:

* :class:`~skae.KSparseAE` (Makhzani and Frey, 2013) keeps the ``k``
  largest coding units of each sample and zeroes the others;
* :class:`~skae.WinnerTakeAllAE` (Makhzani and Frey, 2015, the tutorials'
  "WTA" autoencoder) keeps, for each coding unit, only its largest
  activations over the mini-batch (a fraction ``sparsity_rate`` of it):
  every unit fires for the same small share of the samples ("lifetime
  sparsity").

Both are trained here with 256 coding units on MNIST and one linear
coding layer, and their features are drawn as in the tutorials.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skae import KSparseAE, WinnerTakeAllAE
from skae.datasets import load_mnist
from skae.plotting import plot_features

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# Two overcomplete autoencoders
# -----------------------------
# Both tie the decoder weights to the encoder's (``KSparseAE`` does by
# default, as the paper): with tied weights the features below are the
# whole story of what a unit adds to a reconstruction. Forty epochs keep
# the example fast.
settings = dict(n_components=256, hidden_layer_sizes=(), batch_size=100,
                max_iter=40, random_state=0)
models = {
    "KSparseAE(k=25)": KSparseAE(k=25, **settings),
    "WinnerTakeAllAE(sparsity_rate=0.05)": WinnerTakeAllAE(
        sparsity_rate=0.05, tied_weights=True, learning_rate=3e-3,
        **settings),
}
codes = {}
for name, model in models.items():
    model.fit(X_train)
    codes[name] = model.transform(X_test)
    active = codes[name] != 0
    error = np.mean((model.inverse_transform(codes[name]) - X_test) ** 2)
    print(f"{name}: {active.sum(axis=1).mean():.1f} active units per digit "
          f"on average, {np.sum(active.mean(axis=0) == 0)} units never "
          f"active, held-out MSE {error:.4f}")

# %%
# Two kinds of sparsity
# ---------------------
# Left, the number of active units of each held-out digit: exactly ``k``
# for the k-sparse autoencoder, a varying number for the winner-take-all
# one. Right, the share of the digits for which each unit is active: the
# winner-take-all units all fire for about 5% of them
# (:meth:`~skae.WinnerTakeAllAE.transform` applies a per-unit threshold
# learned in training, since a batch rule cannot apply to one sample),
# while the k-sparse units range from never to often.
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, code in codes.items():
    active = code != 0
    axes[0].hist(active.sum(axis=1), bins=np.arange(0, 61), alpha=0.6,
                 label=name)
    axes[1].hist(active.mean(axis=0), bins=np.linspace(0, 0.4, 41),
                 alpha=0.6, label=name)
axes[0].set_xlabel("active units of a digit")
axes[0].set_ylabel("digits")
axes[1].set_xlabel("share of the digits for which a unit is active")
axes[1].set_ylabel("units")
axes[1].legend()
fig.tight_layout()

# %%
# Features
# --------
# With 25 of 256 units per digit, each k-sparse unit learns a local stroke
# that combines with others. Units that were never among the ``k`` largest
# early in training stop learning and keep their random weights (the noisy
# images). The winner-take-all units, each responsible for a few percent of
# the digits, learn larger parts and whole prototypes of digits.
for model in models.values():
    plot_features(model, n=30)

plt.show()
