"""Training overhead: skae vs a hand-written PyTorch loop vs plain skorch.

The same 784-300-150-300-784 ELU autoencoder, Adam (lr 1e-3), batch 150,
10 epochs, on all 5,000 MNIST digits, trained three ways in one process:

* ``skae``: ``StackedAE(n_components=150, hidden_layer_sizes=(300,))``;
* ``raw loop``: a hand-written loop over shuffled index slices of one tensor;
* ``plain skorch``: a ``NeuralNet`` subclass whose loss compares the output
  with the input, fed the numpy array (skorch's default ``Dataset`` and
  ``DataLoader``).

Reports the median fit time of each over interleaved repeats and the ratios.
Target: skae / raw loop <= 1.05, and clearly faster than plain skorch.
"""

import argparse
import warnings

import numpy as np
import torch
from skorch import NeuralNet
from sklearn.exceptions import ConvergenceWarning
from torch import nn

from _harness import interleaved_medians, markdown_table, save
from skae import StackedAE
from skae.datasets import load_mnist

EPOCHS, BATCH, LR = 10, 150, 1e-3


def sequential():
    return nn.Sequential(
        nn.Linear(784, 300), nn.ELU(), nn.Linear(300, 150), nn.ELU(),
        nn.Linear(150, 300), nn.ELU(), nn.Linear(300, 784),
    )


def fit_raw_loop(X):
    torch.manual_seed(0)
    model = sequential()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    data = torch.from_numpy(X)
    n = len(data)
    for _ in range(EPOCHS):
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            batch = data[order[start:start + BATCH]]
            optimizer.zero_grad()
            loss = (model(batch) - batch).square().mean()
            loss.backward()
            optimizer.step()
    return model


class ReconstructionNet(NeuralNet):
    """What a skorch user writes: the target of the loss is the input."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, X)


def fit_plain_skorch(X):
    torch.manual_seed(0)
    net = ReconstructionNet(
        sequential(), criterion=nn.MSELoss, optimizer=torch.optim.Adam, lr=LR,
        batch_size=BATCH, max_epochs=EPOCHS, train_split=None,
        iterator_train__shuffle=True, verbose=0,
    )
    return net.fit(X)


def fit_skae(X):
    est = StackedAE(n_components=150, hidden_layer_sizes=(300,), batch_size=BATCH,
                    max_iter=EPOCHS, learning_rate=LR, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    X, _ = load_mnist(return_X_y=True)
    fit_skae(X[:300])  # warm up torch's kernels once for everyone
    contenders = {"skae": lambda: fit_skae(X),
                  "raw loop": lambda: fit_raw_loop(X),
                  "plain skorch": lambda: fit_plain_skorch(X)}
    times = interleaved_medians(contenders, args.repeats)
    skae = times["skae"]["median"]
    ratios = {name: skae / t["median"] for name, t in times.items()}
    rows = [(name, f"{t['median']:.2f}", f"{ratios[name]:.3f}")
            for name, t in times.items()]
    table = markdown_table(["contender", "median fit (s)", "skae / contender"],
                           rows)
    notes = (f"784-300-150-300-784 ELU autoencoder, Adam lr {LR}, batch {BATCH}, "
             f"{EPOCHS} epochs, 5,000 MNIST digits; median of {args.repeats} "
             f"interleaved repeats. Target: skae / raw loop <= 1.05 "
             f"(measured {ratios['raw loop']:.3f}); skae / plain skorch "
             f"{ratios['plain skorch']:.3f}.")
    save("overhead", {"times": times, "ratios": ratios,
                      "settings": {"epochs": EPOCHS, "batch_size": BATCH,
                                   "lr": LR, "n_samples": len(X)}},
         table, notes)
    return ratios


if __name__ == "__main__":
    main()
