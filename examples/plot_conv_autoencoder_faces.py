"""
Convolutional autoencoder on faces, and its denoising mode
==========================================================

The tutorials' last autoencoder is convolutional: "same"-padded 3x3
convolutions with ReLU (the first of stride 2), a dense sigmoid coding
layer, a mirrored decoder of transposed convolutions and a sigmoid output,
trained on faces; adding Gaussian noise to its input during training makes
it a denoiser. :class:`~skae.ConvAE` is that network, and ``noise=...`` its
denoising mode.

The tutorials use the 400 Olivetti faces, which scikit-learn downloads.
Nothing here downloads: the example uses the 100 face images (25x25) that
ship with scikit-image, through :func:`skae.datasets.load_faces`. With so
few images the comparison with PCA is sobering, and the example shows it
as it is.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import ConvAE, StackedAE
from skae.datasets import load_faces

faces = load_faces(source="lfw_subset")
X_train, X_test = train_test_split(faces.data, test_size=20, random_state=0)
print(f"{len(X_train)} training and {len(X_test)} held-out faces of "
      f"{faces.images.shape[1]}x{faces.images.shape[2]} pixels")

# %%
# Three models with 16 components
# -------------------------------
# ``X`` holds one flattened image per row, as for any scikit-learn
# estimator; ``ConvAE`` infers the square 25x25 shape (pass
# ``image_shape=(H, W)`` otherwise, or 3-D image arrays). Two convolutions
# of stride 2 (``filters=(16, 32)``, ``strides=(2, 2)``) suit these small
# images better than the tutorials' four layers for 32x32 faces; training
# stops by itself once the loss stops improving. The fully connected
# :class:`~skae.StackedAE` has one hidden layer of 256 units.
models = {
    "PCA": PCA(n_components=16, random_state=0),
    "StackedAE": StackedAE(n_components=16, hidden_layer_sizes=(256,),
                           out_activation="sigmoid", max_iter=300,
                           random_state=0),
    "ConvAE": ConvAE(n_components=16, filters=(16, 32), strides=(2, 2),
                     max_iter=200, random_state=0),
}
for model in models.values():
    model.fit(X_train)


def reconstruct(model, X):
    return model.inverse_transform(model.transform(X))


def mse(estimate, target=X_test):
    return np.mean((estimate - target) ** 2)


print(f"{'':>10} {'parameters':>10} {'train MSE':>10} {'held-out MSE':>13}")
for name, model in models.items():
    if name == "PCA":
        n_params = model.components_.size + model.mean_.size
    else:
        n_params = sum(p.numel() for p in model.module_.parameters())
    print(f"{name:>10} {n_params:>10,} "
          f"{mse(reconstruct(model, X_train), X_train):10.5f} "
          f"{mse(reconstruct(model, X_test)):13.5f}")

# %%
# The convolutional network reconstructs the held-out faces better than the
# fully connected one, with a fifth of its weights: the fully connected
# network memorises its 80 training faces (its training error is far below
# its held-out error). But neither beats PCA on this little data. The
# repository's ``benchmarks/conv.py`` finds the same with 5-fold
# cross-validation: on the 100 offline faces, ``ConvAE`` does *not* beat
# PCA. Convolutions pay off with more images (thousands of digits, or the
# Olivetti faces resized to 32x32 with ``resize=(32, 32)``).


def show_rows(rows, title, n=10):
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 0.9, len(rows)))
    for row, (label, images) in zip(axes, rows.items()):
        for ax, image in zip(row, images[:n]):
            ax.imshow(image.reshape(25, 25), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(label, rotation=0, ha="right", va="center",
                          fontsize=9)
    fig.suptitle(title)
    fig.subplots_adjust(left=0.22)
    return fig


show_rows({"held-out face": X_test,
           **{name: reconstruct(model, X_test)
              for name, model in models.items()}},
          "held-out faces and their reconstructions")

# %%
# Denoising mode
# --------------
# ``noise="gaussian", noise_level=0.2`` adds fresh N(0, 0.2^2) noise to the
# training faces of every batch, and the loss compares the output with the
# clean faces, as the tutorial's noisy training loop (which also clips the
# noisy faces to [0, 1]; skae does not). The held-out faces get the same
# noise, clipped to [0, 1].
denoiser = ConvAE(n_components=16, filters=(16, 32), strides=(2, 2),
                  noise="gaussian", noise_level=0.2, max_iter=200,
                  random_state=0).fit(X_train)

rng = np.random.RandomState(0)
X_noisy = np.clip(X_test + 0.2 * rng.randn(*X_test.shape), 0, 1)
X_noisy = X_noisy.astype(np.float32)
candidates = {"noisy input": X_noisy,
              "PCA": reconstruct(models["PCA"], X_noisy),
              "ConvAE": models["ConvAE"].denoise(X_noisy),
              "ConvAE(noise=...)": denoiser.denoise(X_noisy)}
for name, estimate in candidates.items():
    print(f"{name:>18}: PSNR {10 * np.log10(1 / mse(estimate)):5.2f} dB "
          "against the clean faces")

show_rows({"clean": X_test, **candidates},
          "denoising held-out faces (Gaussian noise, sigma 0.2)")

# %%
# Training with noise makes the convolutional autoencoder a better
# denoiser than the same network trained on clean faces; on this data, a
# projection on 16 principal components still removes a little more noise.

plt.show()
