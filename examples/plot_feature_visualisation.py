"""
Feature visualisation: what the units have learned
===================================================

The tutorials list four ways to see which features an autoencoder has
learned. This example applies each to a stacked autoencoder trained on
MNIST:

1. for a unit of the top (coding) layer, the inputs that activate it most;
2. for a unit of the first layer, its input weights drawn as an image;
3. the input that excites a unit most, found by gradient ascent;
4. how useful the codes are to a classifier trained on them.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import StackedAE
from skae.datasets import load_mnist
from skae.plotting import (
    maximize_activation,
    plot_features,
    plot_most_activating,
)

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# The tutorials' 784-300-150 encoder with their L2 penalty on the weights
# (``l2_reg = 0.0001``, skae's ``alpha``). A larger ``alpha`` gives smoother
# first-layer features, at some cost in reconstruction. Thirty epochs keep
# the example fast (the ``ConvergenceWarning`` says more would still help).
ae = StackedAE(n_components=150, hidden_layer_sizes=(300,), alpha=1e-4,
               learning_rate=0.01, batch_size=150, max_iter=30,
               random_state=0).fit(X_train)

# %%
# Method 1: the inputs that activate a coding unit most
# -----------------------------------------------------
# Works best for the top layer, whose units respond to whole shapes. Each
# image is titled with the unit's activation.
plot_most_activating(ae, X_test, units=[0, 1, 2, 3, 4], n=6)

# %%
# Method 2: first-layer weights as images
# ---------------------------------------
# Works best for the low layers: each hidden unit of the first layer sums
# the pixels with these weights (red positive, blue negative), so its image
# is the stroke pattern it detects.
plot_features(ae, n=20)

# %%
# Method 3: the input that excites a coding unit most
# ---------------------------------------------------
# Start from a random image and follow the gradient of the unit's activation
# with respect to the pixels, keeping them in [0, 1];
# :func:`~skae.plotting.maximize_activation` returns the image.
units = [0, 1, 2, 3, 4]
fig, axes = plt.subplots(1, len(units), figsize=(1.6 * len(units), 2))
for ax, unit in zip(axes, units):
    image = maximize_activation(ae, unit, bounds=(0, 1), image_shape=(28, 28),
                                random_state=0)
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"unit {unit}", fontsize=9)
    ax.axis("off")
fig.suptitle("inputs that maximise each unit's activation")

# %%
# Method 4: use the codes for a supervised task
# ---------------------------------------------
# Useful features make a supervised task easier: train the same linear
# classifier on the 150-D codes and on the 784 raw pixels. (The autoencoder
# saw no labels; in a ``Pipeline`` it would sit in front of the classifier.)
clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
codes_acc = clf.fit(ae.transform(X_train), y_train).score(
    ae.transform(X_test), y_test)
pixels_acc = clf.fit(X_train, y_train).score(X_test, y_test)
print(f"held-out accuracy, LogisticRegression on codes:  {codes_acc:.3f}")
print(f"held-out accuracy, LogisticRegression on pixels: {pixels_acc:.3f}")

plt.show()
