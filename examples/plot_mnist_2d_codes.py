"""
2-D codings of MNIST, coloured by digit
=======================================

Squeeze each 784-pixel digit through a deep encoder down to two numbers and
plot them: the tutorials' 784-128-64-10-2 encoder. Digits of the same class
gather in the plane even though the autoencoder never saw a label, far
more clearly than in PCA's best 2-D projection.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from skae import StackedAE
from skae.datasets import load_mnist
from skae.plotting import plot_latent_space

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# The encoder of the tutorial, ``n_hidden_1 = 128`` ... ``n_hidden_4 = 2``:
# ``hidden_layer_sizes=(128, 64, 10)`` and ``n_components=2``. The coding
# layer uses the hidden layers' activation (SELU here), so the codes are
# bounded below (by about -1.76); the tutorial's code layer is linear.
# Sixty epochs keep the example fast; the loss is still falling then, as the
# ``ConvergenceWarning`` says.
ae = StackedAE(n_components=2, hidden_layer_sizes=(128, 64, 10),
               activation="selu", learning_rate=3e-3, batch_size=128,
               max_iter=60, random_state=0).fit(X_train)
pca = PCA(n_components=2).fit(X_train)

# %%
# The held-out digits in each 2-D code space
# ------------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
plot_latent_space(pca, X_test, y_test, ax=axes[0])
plot_latent_space(ae, X_test, y_test, ax=axes[1])
axes[0].set_title("PCA: first two principal components")
axes[1].set_title("StackedAE: 2-D codes")
fig.tight_layout()

# %%
# How well do the classes separate?
# ---------------------------------
# A 10-nearest-neighbour classifier in each 2-D space, trained on the codes
# of the training digits, measures how much of the class structure two
# numbers keep.
for name, model in [("PCA", pca), ("StackedAE", ae)]:
    knn = KNeighborsClassifier(n_neighbors=10).fit(model.transform(X_train),
                                                   y_train)
    accuracy = knn.score(model.transform(X_test), y_test)
    print(f"{name:>9}: 10-NN accuracy on held-out 2-D codes {accuracy:.3f}")

plt.show()
