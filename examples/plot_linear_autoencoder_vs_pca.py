"""
Linear autoencoder vs PCA on 3-D data
=====================================

An autoencoder with a single linear coding layer, trained with the mean
squared error, learns the same subspace as PCA (Baldi and Hornik, 1989).
This replays the first autoencoder of the tutorials: 3-D points near a curved
sheet, standardised, compressed to a 2-D code.
"""

# %%
# The data: points near a curved plane in 3-D
# -------------------------------------------
# :func:`skae.datasets.make_curved_plane` makes the tutorials' toy data; ``t``
# is each point's position along the curve, used for colouring. As in the
# tutorial, the first 100 points train and the other 100 are held out.
import matplotlib.pyplot as plt
import numpy as np
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import LinearAE
from skae.datasets import make_curved_plane
from skae.plotting import plot_latent_space

X, t = make_curved_plane(200, random_state=42)
X_train, X_test, t_train, t_test = X[:100], X[100:], t[:100], t[100:]

fig = plt.figure(figsize=(5, 4))
ax = fig.add_subplot(projection="3d")
ax.scatter(*X_train.T, c=t_train, cmap="viridis")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_zlabel("$x_3$")
ax.set_title("training data")

# %%
# Two estimators, one interface
# -----------------------------
# Both are transformers, so both go after the same scaler in a pipeline.
# :class:`~skae.LinearAE` uses full-batch L-BFGS by default, which reaches
# the optimum precisely; the tutorial's Adam at ``learning_rate=0.01`` works
# too (``optimizer="adam"``), only slower.
pca = make_pipeline(StandardScaler(), PCA(n_components=2)).fit(X_train)
linear_ae = make_pipeline(
    StandardScaler(), LinearAE(n_components=2, random_state=0)).fit(X_train)

# %%
# Their 2-D codes
# ---------------
# The codes differ by an invertible linear map: PCA orders its axes by
# variance and keeps them orthogonal, the autoencoder has no reason to.
# The shape of the point cloud, a view of the plane, is the same.
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
plot_latent_space(pca, X_test, t_test, ax=axes[0])
plot_latent_space(linear_ae, X_test, t_test, ax=axes[1])
axes[0].set_title("PCA codes (held-out points)")
axes[1].set_title("LinearAE codes (held-out points)")
fig.tight_layout()

# %%
# The same plane
# --------------
# The decoder's weights span the plane the autoencoder projects onto; the
# principal angles between it and PCA's plane are close to zero, and the
# held-out reconstruction errors agree.
decoder_weight = linear_ae[-1].module_.decoder[0].weight.detach().numpy()
angles = np.degrees(subspace_angles(decoder_weight, pca[-1].components_.T))
print("principal angles between the planes (degrees):", np.round(angles, 3))


def held_out_mse(model):
    """Reconstruction error in the scaler's (standardised) units."""
    scaler, reducer = model[0], model[-1]
    scaled = scaler.transform(X_test)
    rec = reducer.inverse_transform(reducer.transform(scaled))
    return np.mean((rec - scaled) ** 2)


for name, model in [("PCA", pca), ("LinearAE", linear_ae)]:
    print(f"{name:>8}: held-out MSE {held_out_mse(model):.5f}")

plt.show()
