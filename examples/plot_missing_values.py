"""
Missing values: filling in half an image, and a table
=====================================================

Half the pixels of each MNIST digit are hidden at random. A k-nearest
neighbours imputer fills a pixel with its neighbours' average, an
iterative imputer regresses it on other pixels, and
:class:`skae.AutoencoderImputer` reconstructs it with a convolutional
denoising autoencoder trained on the incomplete digits themselves: during
training it hides a quarter of the observed pixels of each digit and
learns to predict them from the others, seeing which pixels it was given. Then the same three on a table, the
diabetes data, with 30% of its entries missing.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.model_selection import train_test_split

from skae import AutoencoderImputer, ConvAE
from skae.datasets import load_mnist

# IterativeImputer and the autoencoder warn that a few iterations do not
# settle them
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def hide(X, share, seed):
    X = X.copy()
    X[np.random.RandomState(seed).rand(*X.shape) < share] = np.nan
    return X


# %%
# Digits with half their pixels missing
# -------------------------------------
# The imputers are fitted on 2,000 incomplete digits and fill in 500 other
# incomplete digits. Images want convolutions (a fully connected
# ``DenoisingAE`` does about as well as the iterative imputer here). Pixels
# share one unit, so the autoencoder sees them as they are
# (``standardize=False``). 40 epochs keep the example short; the
# benchmark's 300 bring the error down further.
X, y = load_mnist(return_X_y=True)
X_fit, X_new = train_test_split(X, train_size=2000, test_size=500,
                                random_state=0, stratify=y)
fit_missing, new_missing = hide(X_fit, 0.5, 0), hide(X_new, 0.5, 1)
missing = np.isnan(new_missing)

imputers = {
    "KNN": KNNImputer(),
    "Iterative": IterativeImputer(n_nearest_features=30, max_iter=2,
                                  random_state=0),
    "skae": AutoencoderImputer(
        ConvAE(n_components=64, image_shape=(28, 28), filters=(32, 64),
               strides=(2, 2), noise="masking", noise_level=0.25,
               max_iter=40),
        standardize=False, random_state=0),
}
filled = {}
for name, imputer in imputers.items():
    filled[name] = imputer.fit(fit_missing).transform(new_missing)
    error = np.sqrt(np.mean((filled[name] - X_new)[missing] ** 2))
    print(f"{name:>9}: RMSE of the hidden pixels {error:.3f}")

rows = {"digit": X_new, "half hidden": np.nan_to_num(new_missing, nan=0.5),
        **filled}
fig, axes = plt.subplots(len(rows), 8, figsize=(8, len(rows) * 1.05))
for r, (name, images) in enumerate(rows.items()):
    for c in range(8):
        axes[r, c].imshow(images[c].reshape(28, 28), cmap="gray_r",
                          vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
fig.suptitle("Hidden pixels shown grey; below, each imputer's fill")
fig.tight_layout()

# %%
# A table with 30% of its entries missing
# ---------------------------------------
# The diabetes data: ten features in different units. The imputer
# standardises each feature on its observed values itself and returns the
# observed entries exactly; the error is on the hidden entries, in units of
# each feature's standard deviation.
X = load_diabetes().data
X_missing = hide(X, 0.3, 0)
hidden = np.isnan(X_missing)
table = {"mean": SimpleImputer(), "KNN": KNNImputer(),
         "Iterative": IterativeImputer(random_state=0),
         "skae": AutoencoderImputer(random_state=0)}
errors = {}
for name, imputer in table.items():
    out = imputer.fit_transform(X_missing)
    errors[name] = np.sqrt(np.mean(((out - X) / X.std(0))[hidden] ** 2))
    print(f"{name:>9}: standardised RMSE {errors[name]:.3f}")

fig, ax = plt.subplots(figsize=(5, 2.5))
ax.barh(list(errors), list(errors.values()), color="0.6")
ax.set_xlabel("RMSE of the hidden entries (standard deviations)")
ax.set_title("Diabetes data, 30% missing completely at random")
fig.tight_layout()
plt.show()
