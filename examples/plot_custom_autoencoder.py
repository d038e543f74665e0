"""
Your own PyTorch modules as an autoencoder: CustomAE
====================================================

:class:`~skae.CustomAE` trains any encoder and decoder you write in
PyTorch with skae's training loop, and makes them a scikit-learn
transformer: ``fit``, ``transform``, ``inverse_transform``, pipelines,
grid searches over the modules' own arguments (``encoder__<name>``).
Here the encoder is a small residual MLP with layer normalisation, a
block skae does not have, on the 8x8 digits.
"""

# %%
# The modules
# -----------
# Each class takes the widths it needs as its first arguments: the encoder
# ``(n_features, n_components)``, the decoder ``(n_components,
# n_features)``; the other arguments come from ``encoder__<name>`` and
# ``decoder__<name>`` parameters of the estimator.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from torch import nn

from skae import CustomAE
from skae.plotting import plot_reconstructions


class ResidualEncoder(nn.Module):
    """Linear -> (LayerNorm -> GELU -> Linear) + skip -> linear code."""

    def __init__(self, n_features, n_components, hidden=64):
        super().__init__()
        self.inp = nn.Linear(n_features, hidden)
        self.block = nn.Sequential(nn.LayerNorm(hidden), nn.GELU(),
                                   nn.Linear(hidden, hidden))
        self.out = nn.Linear(hidden, n_components)

    def forward(self, x):
        h = self.inp(x)
        return self.out(h + self.block(h))


class Decoder(nn.Module):
    def __init__(self, n_components, n_features, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_components, hidden), nn.GELU(),
                                 nn.Linear(hidden, n_features))

    def forward(self, code):
        return self.net(code)


# %%
# An estimator like the others
# ----------------------------
# ``out_activation="sigmoid"`` keeps reconstructions in [0, 1], as the
# pixels are.
X, y = load_digits(return_X_y=True)
X = (X / 16).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=300, random_state=0, stratify=y)

ae = CustomAE(ResidualEncoder, Decoder, n_components=12,
              out_activation="sigmoid", encoder__hidden=96, max_iter=400,
              random_state=0).fit(X_train)
print("held-out reconstruction MSE:", round(-ae.score(X_test), 4))
print(ae.module_.encoder)

fig = plot_reconstructions(ae, X_test, image_shape=(8, 8), n=8)
fig.suptitle("held-out digits (top) and their reconstructions (bottom)")

# %%
# In a pipeline
# -------------
# Its codes feed a classifier like any transformer's output.
pipe = make_pipeline(ae, LogisticRegression(max_iter=1000))
pipe.fit(X_train, y_train)
print("accuracy of a logistic regression on the 12-D codes:",
      round(pipe.score(X_test, y_test), 3))
plt.show()
