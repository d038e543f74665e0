"""Training overhead: skae vs a hand-written PyTorch loop vs plain skorch.

The same 784-1000-500-250-30 ELU autoencoder (mirrored decoder), Adam
(lr 1e-3), 10 epochs, on all 5,000 MNIST digits, at batch sizes 64, 256 and
1024, trained three ways in one process:

* ``skae``: ``StackedAE(n_components=30, hidden_layer_sizes=(1000, 500,
  250))``;
* ``raw loop``: a hand-written loop over shuffled index slices of one tensor;
* ``plain skorch``: a ``NeuralNet`` subclass whose loss compares the output
  with the input, fed the numpy array (skorch's default ``Dataset`` and
  ``DataLoader``).

Reports the median fit time of each over interleaved repeats and the ratios.
Target: skae / raw loop <= 1.02 at every batch size (skae reads its losses
back once per epoch, not per batch), and faster than plain skorch.
"""

import argparse
import warnings

import torch
from sklearn.exceptions import ConvergenceWarning
from skorch import NeuralNet
from torch import nn

from _harness import interleaved_medians, markdown_table, save
from skae import StackedAE
from skae.datasets import load_mnist

EPOCHS, LR = 10, 1e-3
BATCHES = (64, 256, 1024)
HIDDEN, CODE = (1000, 500, 250), 30


def sequential():
    sizes = [784, *HIDDEN, CODE, *HIDDEN[::-1], 784]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ELU())
    return nn.Sequential(*layers)


def fit_raw_loop(X, batch_size):
    torch.manual_seed(0)
    model = sequential()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    data = torch.from_numpy(X)
    n = len(data)
    for _ in range(EPOCHS):
        order = torch.randperm(n)
        for start in range(0, n, batch_size):
            batch = data[order[start:start + batch_size]]
            optimizer.zero_grad()
            loss = (model(batch) - batch).square().mean()
            loss.backward()
            optimizer.step()
    return model


class ReconstructionNet(NeuralNet):
    """What a skorch user writes: the target of the loss is the input."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.criterion_(y_pred, X)


def fit_plain_skorch(X, batch_size):
    torch.manual_seed(0)
    net = ReconstructionNet(
        sequential(), criterion=nn.MSELoss, optimizer=torch.optim.Adam, lr=LR,
        batch_size=batch_size, max_epochs=EPOCHS, train_split=None,
        iterator_train__shuffle=True, verbose=0,
    )
    return net.fit(X)


def fit_skae(X, batch_size):
    est = StackedAE(n_components=CODE, hidden_layer_sizes=HIDDEN,
                    code_activation="elu", batch_size=batch_size,
                    max_iter=EPOCHS, learning_rate=LR,
                    # the same training as the others: Adam without weight
                    # decay (default alpha=1e-5), on all the digits (the
                    # default early_stopping="auto" holds out 10% of them)
                    alpha=0.0, early_stopping=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-sizes", type=int, nargs="+",
                        default=list(BATCHES))
    args = parser.parse_args(argv)

    X, _ = load_mnist(return_X_y=True)
    fit_skae(X[:300], 64)  # warm up torch's kernels once for everyone
    results, rows = {}, []
    for batch in args.batch_sizes:
        contenders = {"skae": lambda: fit_skae(X, batch),
                      "raw loop": lambda: fit_raw_loop(X, batch),
                      "plain skorch": lambda: fit_plain_skorch(X, batch)}
        times = interleaved_medians(contenders, args.repeats)
        skae = times["skae"]["median"]
        ratios = {name: skae / t["median"] for name, t in times.items()}
        results[batch] = {"times": times, "ratios": ratios}
        rows.append((batch, *(f"{times[n]['median']:.2f}" for n in times),
                     f"{ratios['raw loop']:.3f}",
                     f"{ratios['plain skorch']:.3f}"))
        print(rows[-1], flush=True)
    table = markdown_table(
        ["batch", "skae (s)", "raw loop (s)", "plain skorch (s)",
         "skae / raw loop", "skae / plain skorch"], rows)
    worst = max(r["ratios"]["raw loop"] for r in results.values())
    notes = (f"784-{'-'.join(map(str, HIDDEN))}-{CODE} ELU autoencoder "
             f"(mirrored decoder), Adam lr {LR}, {EPOCHS} epochs, 5,000 MNIST "
             f"digits; median of {args.repeats} interleaved repeats per "
             f"batch size. Target: skae / raw loop <= 1.02 at every batch "
             f"size (worst measured {worst:.3f}).")
    save("overhead", {"results": results,
                      "settings": {"epochs": EPOCHS, "lr": LR,
                                   "hidden": HIDDEN, "code": CODE,
                                   "n_samples": len(X)}},
         table, notes)
    return results


if __name__ == "__main__":
    main()
