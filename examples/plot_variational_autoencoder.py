"""
Variational autoencoder: new digits and interpolation
=====================================================

A variational autoencoder's encoder outputs a Gaussian over codes (a mean
and a log-variance, the tutorials' ``hidden3_mean`` and ``hidden3_gamma``)
rather than one code, and its loss adds to the reconstruction error the
"latent loss": the KL divergence from that Gaussian to the standard normal
prior. The codes then fill a smooth region around the origin, and decoding
draws of the prior generates new samples (Kingma and Welling, 2014). This
example replays the tutorials' MNIST model with
:class:`~skae.VariationalAE`, then trains one with a 2-D code to draw the
whole code space.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.model_selection import train_test_split

from skae import VariationalAE
from skae.datasets import load_mnist
from skae.plotting import (
    plot_interpolation,
    plot_latent_space,
    plot_loss_curve,
    plot_samples,
)

X, y = load_mnist(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1000, random_state=0, stratify=y)

# %%
# The tutorials' model
# --------------------
# ``n_hidden1 = n_hidden2 = 500`` and ``n_hidden3 = 20`` (the codings)
# become ``hidden_layer_sizes=(500, 500)`` and ``n_components=20``; the
# sigmoid output with the cross-entropy loss is
# ``likelihood="bernoulli"``. The tutorial trains for 50 epochs; 30 keep the
# example fast. Two of skae's defaults differ from the tutorial: on nearly
# binary data such as MNIST the encoder trains on random binary draws of
# the digits (``binarize_input``), and the fitted weights are an average
# over the last steps (``average``); both regularise, and
# ``binarize_input=False, average=False`` trains as the tutorial does.
vae = VariationalAE(n_components=20, hidden_layer_sizes=(500, 500),
                    likelihood="bernoulli", learning_rate=1e-3,
                    batch_size=150, max_iter=30, random_state=0)
vae.fit(X_train)

# %%
# The loss is in nats per digit: the reconstruction term (the negative
# log-likelihood of the pixels given a code) and the latent term are
# recorded separately in ``net_.history`` and drawn as separate lines.
# ``score`` is the evidence lower bound (ELBO) of held-out digits and
# ``log_likelihood`` a tighter, importance-weighted estimate of their
# log-likelihood.
plot_loss_curve(vae)
print(f"held-out ELBO:           {vae.score(X_test):.1f} nats per digit")
print(f"held-out log-likelihood: {vae.log_likelihood(X_test).mean():.1f} "
      "nats per digit")

# %%
# New digits
# ----------
# :meth:`~skae.VariationalAE.sample` decodes draws of the prior N(0, I)
# (the tutorials' ``codings_rnd = np.random.normal(...)``) and returns the
# pixel probabilities.
plot_samples(vae, 30, random_state=0)

# %%
# Interpolation
# -------------
# :func:`~skae.plotting.plot_interpolation` decodes points on the straight
# line between the codes (the posterior means) of two held-out digits. In a
# variational autoencoder's code space the whole segment decodes to
# plausible digits.
pairs = [(4, 9), (2, 7), (0, 6), (5, 3)]
starts = np.vstack([X_test[y_test == a][0] for a, _ in pairs])
ends = np.vstack([X_test[y_test == b][0] for _, b in pairs])
plot_interpolation(vae, starts, ends, n_steps=9)

# %%
# A 2-D code space
# ----------------
# With ``n_components=2`` the code space can be drawn: the held-out digits'
# codes, coloured by their (unused) labels, and a grid of decoded codes.
# The grid's points are equally spaced quantiles of the prior, so each
# cell covers the same prior probability. Forty epochs of a smaller
# network keep it fast.
vae_2d = VariationalAE(n_components=2, hidden_layer_sizes=(256, 64),
                       likelihood="bernoulli", batch_size=100, max_iter=40,
                       random_state=0).fit(X_train)

fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
plot_latent_space(vae_2d, X_test, y_test, ax=axes[0])
axes[0].set_title("codes of the held-out digits")

n = 15
quantiles = norm.ppf(np.linspace(0.03, 0.97, n))
grid = np.array([[z1, z2] for z2 in quantiles[::-1] for z1 in quantiles])
images = vae_2d.inverse_transform(grid).reshape(n, n, 28, 28)
axes[1].imshow(images.transpose(0, 2, 1, 3).reshape(n * 28, n * 28),
               cmap="gray_r")
axes[1].set_title("decoded codes: prior quantiles 3% to 97%")
axes[1].set_xlabel("code 0 (increasing to the right)")
axes[1].set_ylabel("code 1 (increasing upwards)")
axes[1].set_xticks([])
axes[1].set_yticks([])
fig.tight_layout()

plt.show()
