"""
Training curves, early stopping and progress output
===================================================

Every skae estimator records each epoch's loss terms in ``net_.history``.
This example watches a deliberately oversized autoencoder overfit a small
training set: ``verbose=1`` prints a line per epoch, ``early_stopping=True``
holds out part of the data, stops when its loss stops improving and keeps
the best epoch, and :func:`~skae.plotting.plot_loss_curve` draws the curves.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skae import StackedAE
from skae.datasets import load_mnist
from skae.plotting import plot_loss_curve

X, y = load_mnist(return_X_y=True)
X_small, _ = train_test_split(X, train_size=500, random_state=0, stratify=y)

# %%
# Progress output
# ---------------
# ``verbose=1`` prints the epoch, each loss term on the training and the
# validation split, and the epoch's duration in seconds; ``verbose=2`` adds
# a progress bar over the batches of each epoch (not shown here).
ae = StackedAE(n_components=64, hidden_layer_sizes=(1024,), learning_rate=3e-3,
               max_iter=200, early_stopping=True, validation_fraction=0.2,
               n_iter_no_change=10, random_state=0, verbose=1)
ae.fit(X_small)

# %%
# The curves
# ----------
# The training loss keeps falling while the validation loss levels off: the
# growing gap is the network memorising its 400 training digits rather than
# learning more about digits in general. Training stopped
# ``n_iter_no_change`` epochs after the best validation loss, and the
# parameters of that best epoch were restored.
fig = plot_loss_curve(ae)
ax = fig.axes[0]
best_epoch = 1 + max(range(ae.n_iter_), key=ae.validation_scores_.__getitem__)
ax.axvline(best_epoch, color="gray", linestyle=":", label="best epoch")
ax.legend()
print(f"epochs run: {ae.n_iter_}, best epoch: {best_epoch}, "
      f"best validation loss: {-ae.best_validation_score_:.4f}")

# %%
# The same numbers without plotting: ``loss_curve_`` (training loss per
# epoch), ``validation_scores_`` (negative validation loss per epoch) and
# the full history, one dict per epoch.
print(ae.loss_curve_[:3])
print(ae.validation_scores_[:3])
print(sorted(ae.net_.history[-1].keys()))

plt.show()
