"""
Tied weights: half the parameters
=================================

In a symmetric autoencoder each decoder layer can reuse the transpose of the
matching encoder weight matrix instead of learning its own ("tying" the
weights, as the tutorials do by hand with ``tf.transpose``). With
``tied_weights=True`` the 784-300-150-300-784 network of the tutorials has
half the weights to learn; on 4,000 digits it also generalises better.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skae import StackedAE
from skae.datasets import load_mnist
from skae.plotting import plot_loss_curve, plot_reconstructions

X, y = load_mnist(return_X_y=True)
X_train, X_test = train_test_split(X, test_size=1000, random_state=0,
                                   stratify=y)

# %%
# The tutorial's settings: ``n_hidden1 = 300``, ``n_hidden2 = 150``,
# ``l2_reg = 0.0001`` (``alpha``), ``learning_rate = 0.01``, batches of 150.
# Thirty epochs keep the example fast; both models are still improving then,
# which the ``ConvergenceWarning`` reports.
settings = dict(n_components=150, hidden_layer_sizes=(300,), alpha=1e-4,
                learning_rate=0.01, batch_size=150, max_iter=30,
                random_state=0)
models = {}
print(f"{'':>8} {'parameters':>10} {'fit (s)':>8} {'held-out MSE':>13}")
for tied in (False, True):
    start = time.perf_counter()
    ae = StackedAE(tied_weights=tied, **settings).fit(X_train)
    seconds = time.perf_counter() - start
    n_params = sum(p.numel() for p in ae.module_.parameters())
    mse = np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2)
    name = "tied" if tied else "untied"
    models[name] = ae
    print(f"{name:>8} {n_params:>10,} {seconds:>8.1f} {mse:>13.5f}")

# %%
# The tied decoder layers are :class:`skae.nn.TiedLinear` modules: only
# their biases are parameters of their own.
print(models["tied"].module_.decoder)

# %%
# Training curves side by side
# ----------------------------
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, (name, ae) in zip(axes, models.items()):
    plot_loss_curve(ae, ax=ax)
    ax.set_title(f"{name} weights")
fig.tight_layout()

# %%
# Reconstructions of held-out digits by the tied autoencoder
# ----------------------------------------------------------
plot_reconstructions(models["tied"], X_test, n=10)

plt.show()
