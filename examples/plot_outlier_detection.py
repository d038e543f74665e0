"""
Outlier detection with an autoencoder
=====================================

An autoencoder trained on one kind of sample reconstructs samples of that
kind well and others badly, so its reconstruction error is an outlier
score. :class:`~skae.AutoencoderOutlierDetector` turns any skae autoencoder
into a scikit-learn outlier detector: ``score_samples`` (the negative
reconstruction error), ``decision_function``, ``predict`` (+1 inlier, -1
outlier) and ``fit_predict``, with the threshold set by ``contamination``
as for :class:`~sklearn.ensemble.IsolationForest`.

Here the normal samples are MNIST sevens: a collection of 400 sevens into
which 20 other digits slipped is cleaned, then new digits are screened.
"""

# %%
# A collection of sevens, 5% of it something else
# -----------------------------------------------
# The samples are drawn at random from the 5,000 bundled MNIST digits.
# The training set holds 400 sevens and 20 digits of other
# classes; the new digits are the 100 other sevens and 900 other digits.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import RocCurveDisplay, roc_auc_score

from skae import AutoencoderOutlierDetector, StackedAE
from skae.datasets import load_mnist
from skae.plotting import plot_reconstructions, plot_score_histogram

X, y = load_mnist(return_X_y=True)
rng = np.random.RandomState(0)
sevens = rng.permutation(np.flatnonzero(y == 7))
others = rng.permutation(np.flatnonzero(y != 7))
train = rng.permutation(np.concatenate([sevens[:400], others[:20]]))
new = np.concatenate([sevens[400:], others[20:920]])
X_train, X_new = X[train], X[new]
planted = np.where(y[train] == 7, 1, -1)  # the truth, unknown to the detectors
is_seven = np.where(y[new] == 7, 1, -1)

# %%
# Two detectors, one interface
# ----------------------------
# A small :class:`~skae.StackedAE` (784-128-16) trained for 20 epochs, and
# an :class:`~sklearn.ensemble.IsolationForest`; both told that 5% of the
# training samples are outliers. ``fit_predict`` labels the training
# samples themselves.
detector = AutoencoderOutlierDetector(
    StackedAE(n_components=16, hidden_layer_sizes=(128,), max_iter=20,
              random_state=0),
    contamination=0.05)
iforest = IsolationForest(contamination=0.05, random_state=0)

for name, model in [("autoencoder", detector), ("IsolationForest", iforest)]:
    flagged = model.fit_predict(X_train) == -1
    missed = y[train][~flagged & (planted == -1)]
    print(f"{name:>15}: flags {flagged.sum()} samples, "
          f"{20 - len(missed)} of the 20 planted digits among them; "
          f"missed: {sorted(missed.tolist())}")

# %%
# The scores
# ----------
# ``score_samples`` is the negative mean squared reconstruction error. The
# planted digits score far below the sevens; the dashed line is the
# threshold ``offset_``, the 5% quantile of the training scores. Samples
# left of it are predicted outliers.
plot_score_histogram(detector, X_train, planted, bins=40)

# %%
# What was flagged
# ----------------
# The 10 lowest-scoring training samples above the autoencoder's
# reconstructions of them. Having seen a handful of each other digit among
# 400 sevens, it reconstructs them as blurred blends, hence their large
# error; the sevens among them are unusual sevens. A digit that overlaps a
# seven in most pixels (a one, some twos) can score like a seven: a pixel
# error sees ink, not shape.
lowest = np.argsort(detector.score_samples(X_train))[:10]
print("labels of the 10 lowest scores:", y[train][lowest])
plot_reconstructions(detector.autoencoder_, X_train[lowest], n=10)

# %%
# New digits
# ----------
# On digits neither detector has seen, the ROC curve of the scores shows
# how well each ranks the other digits below the sevens, whatever the
# threshold. The reconstruction error separates them better than the
# isolation depth of raw pixels.
fig, ax = plt.subplots(figsize=(5, 5))
for name, model in [("autoencoder", detector), ("IsolationForest", iforest)]:
    scores = model.score_samples(X_new)
    RocCurveDisplay.from_predictions(is_seven, scores, name=name, ax=ax)
    print(f"{name:>15}: AUROC {roc_auc_score(is_seven, scores):.3f}")
ax.set_title("new digits: sevens (positive) against the others")

# %%
# The threshold was set on training samples, which the autoencoder has
# learned to reconstruct, so it flags more than 5% of new sevens. To flag
# about 5% of new normal samples, set the threshold on normal samples the
# autoencoder was not trained on (see the Notes of
# :class:`~skae.AutoencoderOutlierDetector`).
flagged_new = detector.predict(X_new) == -1
print(f"flagged: {flagged_new[is_seven == 1].mean():.0%} of the new sevens, "
      f"{flagged_new[is_seven == -1].mean():.0%} of the other new digits")

plt.show()
