"""
Greedy layer-wise training
==========================

Before deep networks trained well end to end, deep autoencoders were
trained one layer pair at a time (Hinton and Salakhutdinov, 2006; Bengio
et al., 2007). The tutorials show two ways, which skae offers both:

* in one graph: phase 1 trains the outer layer pair as a shallow
  autoencoder of the input, phase 2 the inner pair as a shallow autoencoder
  of the frozen first layer's (cached) outputs, and so on:
  ``StackedAE(pretraining="greedy")``;
* in several graphs: fit a shallow autoencoder, fit a second one on its
  codes, then put their layers together: a
  :class:`~sklearn.pipeline.Pipeline` of autoencoders and
  :func:`skae.stack`.

The network is the tutorials' 784-300-150 encoder with its mirrored
decoder (ELU, mean squared error, Adam, batches of 150).
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from skae import StackedAE, stack
from skae.datasets import load_mnist
from skae.plotting import plot_reconstructions

X, y = load_mnist(return_X_y=True)
X_train, X_test = train_test_split(X, test_size=1000, random_state=0,
                                   stratify=y)[:2]


def held_out_mse(model):
    return np.mean((model.inverse_transform(model.transform(X_test))
                    - X_test) ** 2)


# %%
# One network, trained one layer pair at a time
# ---------------------------------------------
# ``pretraining_max_iter`` epochs for each greedy stage, then ``max_iter``
# epochs of fine-tuning of the whole stack (``max_iter=0`` keeps the greedy
# result as it is). Ten epochs per stage and ten of fine-tuning keep the
# example fast; they are compared with 20 epochs of ordinary, end-to-end
# training, which the ``ConvergenceWarning`` says could go on improving.
settings = dict(n_components=150, hidden_layer_sizes=(300,), batch_size=150,
                learning_rate=1e-3, random_state=0)
variants = {
    "end to end, 20 epochs": dict(max_iter=20),
    "greedy, 10 epochs per stage": dict(
        pretraining="greedy", pretraining_max_iter=10, max_iter=0),
    "greedy + 10 epochs fine-tuning": dict(
        pretraining="greedy", pretraining_max_iter=10, max_iter=10),
}
models = {}
print(f"{'':>31} {'fit (s)':>8} {'held-out MSE':>13}")
for name, params in variants.items():
    start = time.perf_counter()
    models[name] = StackedAE(**settings, **params).fit(X_train)
    seconds = time.perf_counter() - start
    print(f"{name:>31} {seconds:8.1f} {held_out_mse(models[name]):13.5f}")

# %%
# The greedy stages alone reconstruct worse than end-to-end training: each
# pair learned to reconstruct its own input, not the digits through the
# whole stack. Fine-tuning from the greedy start then lowers the error
# quickly: here it ends a little below the error of 20 epochs end to end,
# in about the same time. Do not expect more than that: with modern
# initialisations and Adam, end-to-end training of a few layers works
# well; greedy training is the tutorials' method, there to replay them and
# to experiment with deep stacks. The stage 2 curve measures the
# reconstruction of the first layer's outputs, not of the pixels, so its
# values are not comparable with the others.
greedy = models["greedy + 10 epochs fine-tuning"]
fig, ax = plt.subplots(figsize=(7, 3.5))
offset = 0
for stage, curve in enumerate(greedy.pretraining_loss_curves_, start=1):
    epochs = np.arange(offset + 1, offset + len(curve) + 1)
    ax.plot(epochs, curve, marker=".", label=f"greedy stage {stage}")
    offset += len(curve)
ax.plot(np.arange(offset + 1, offset + greedy.n_iter_ + 1),
        greedy.loss_curve_, marker=".", label="fine-tuning the whole stack")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (MSE)")
ax.legend()
fig.tight_layout()

# %%
# Several autoencoders, one after the other
# -----------------------------------------
# The tutorials' "multiple graphs" method is a pipeline: each step is a
# shallow autoencoder (``hidden_layer_sizes=()``) fitted on the codes of the
# one before it. The pipeline already encodes and decodes (its
# ``inverse_transform`` runs the decoders in reverse order), but its
# networks were trained apart and stay apart. :func:`skae.stack` copies
# them into one :class:`~skae.StackedAE`, which encodes and decodes exactly
# as the pipeline does and, being one network, can be fine-tuned end to
# end.
shallow = dict(hidden_layer_sizes=(), batch_size=150, max_iter=10,
               random_state=0)
pipe = Pipeline([("ae1", StackedAE(n_components=300, **shallow)),
                 ("ae2", StackedAE(n_components=150, **shallow))])
pipe.fit(X_train)
stacked = stack(pipe)
print("architecture:", stacked.hidden_layer_sizes, "->", stacked.n_components)
codes = pipe.transform(X_test)
print("same codes as the pipeline:",
      np.array_equal(stacked.transform(X_test), codes))
print("same reconstructions as the pipeline:",
      np.allclose(stacked.inverse_transform(codes),
                  pipe.inverse_transform(codes)))
print(f"held-out MSE of the stack: {held_out_mse(stacked):.5f}")

# %%
# ``warm_start=True`` fine-tunes the stacked network end to end.
stacked.set_params(warm_start=True, max_iter=10).fit(X_train)
print(f"after 10 epochs of fine-tuning: {held_out_mse(stacked):.5f}")
plot_reconstructions(stacked, X_test, n=10)

plt.show()
