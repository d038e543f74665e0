"""
Denoising autoencoders: Gaussian and masking noise
==================================================

A denoising autoencoder is trained to reconstruct *clean* inputs from
corrupted ones, so it cannot simply copy its input and has to learn what
digits look like (Vincent et al., 2008). The tutorials corrupt MNIST in two
ways: additive Gaussian noise, and input dropout (``keep_prob = 0.7``, 30%
of the pixels set to zero, "masking" noise). This example trains
:class:`~skae.DenoisingAE` with each, and compares it with an autoencoder
trained on clean digits (:class:`~skae.StackedAE`) and with
:class:`~sklearn.decomposition.PCA`, all with 64 components, on held-out
digits corrupted the same way.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import DenoisingAE, StackedAE
from skae.datasets import load_mnist

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# Corrupted test digits
# ---------------------
# Gaussian noise of standard deviation 0.3, clipped to the pixel range
# [0, 1], and masking noise that sets a random 30% of the pixels to 0.
rng = np.random.RandomState(0)
X_gaussian = np.clip(X_test + 0.3 * rng.randn(*X_test.shape), 0, 1)
X_masked = X_test * (rng.rand(*X_test.shape) >= 0.3)
X_gaussian = X_gaussian.astype(np.float32)
X_masked = X_masked.astype(np.float32)

# %%
# Four models with 64 components
# ------------------------------
# The autoencoders share one 784-256-64 architecture with a sigmoid output
# (pixels lie in [0, 1]). ``noise`` and ``noise_level`` are the only
# differences: the corruption is drawn afresh for every training batch, and
# the loss compares the reconstruction with the clean digit. Thirty epochs
# keep the example fast; the ``ConvergenceWarning`` says that more would
# still help.
settings = dict(n_components=64, hidden_layer_sizes=(256,),
                out_activation="sigmoid", learning_rate=2e-3, max_iter=30,
                random_state=0)
models = {
    "PCA": PCA(n_components=64, random_state=0),
    "StackedAE": StackedAE(**settings),
    "DenoisingAE, Gaussian": DenoisingAE(noise="gaussian", noise_level=0.3,
                                         **settings),
    "DenoisingAE, masking": DenoisingAE(noise="masking", noise_level=0.3,
                                        **settings),
}
for model in models.values():
    model.fit(X_train)


def reconstruct(model, X):
    """``denoise`` for the denoising autoencoders (the same computation),
    ``inverse_transform(transform(X))`` for the others."""
    if hasattr(model, "denoise"):
        return model.denoise(X)
    return model.inverse_transform(model.transform(X))


# %%
# Peak signal-to-noise ratio
# --------------------------
# Each model reconstructs the clean and the corrupted test digits; the PSNR
# compares the result with the clean digits (higher is better, in dB). The
# first row is the corrupted input itself.


def psnr(estimate):
    return 10 * np.log10(1.0 / np.mean((estimate - X_test) ** 2))


inputs = {"clean": X_test, "Gaussian": X_gaussian, "masked": X_masked}
print(f"{'PSNR (dB)':>22} " + " ".join(f"{k:>9}" for k in inputs))
print(f"{'input as is':>22} " + " ".join(
    f"{psnr(X):9.2f}" if k != "clean" else f"{'-':>9}"
    for k, X in inputs.items()))
for name, model in models.items():
    print(f"{name:>22} " + " ".join(
        f"{psnr(reconstruct(model, X)):9.2f}" for X in inputs.values()))

# %%
# Each denoiser is best on the corruption it was trained with. On Gaussian
# noise PCA does better than the autoencoder trained on clean digits: a
# projection on 64 principal components discards most of the noise, while
# the non-linear autoencoder reproduces part of it. The masking denoiser
# learned that 30% of the ink is missing, so it draws clean inputs too
# boldly (its low PSNR on clean digits): train the denoiser for the
# corruption you expect.

# %%
# The images
# ----------


def show_rows(rows, title, n=8):
    fig, axes = plt.subplots(len(rows), n, figsize=(n * 0.9, len(rows) * 1.0))
    for row, (label, images) in zip(axes, rows.items()):
        for ax, image in zip(row, images[:n]):
            ax.imshow(image.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(label, rotation=0, ha="right", va="center",
                          fontsize=9)
    fig.suptitle(title)
    fig.subplots_adjust(left=0.22)
    return fig


for noisy, kind in [(X_gaussian, "Gaussian"), (X_masked, "masking")]:
    rows = {"clean": X_test, f"{kind} noise": noisy}
    for name in ["PCA", "StackedAE", f"DenoisingAE, {kind}"]:
        rows[name] = reconstruct(models[name], noisy)
    show_rows(rows, f"{kind} noise: held-out digits and their reconstructions")

plt.show()
