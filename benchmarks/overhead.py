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

``--small`` measures the cost per step where the network's arithmetic is
tiny and the per-batch machinery shows: ``StackedAE(n_components=16)`` at
its defaults (batch_size="auto", Adam with weight decay on the weights) on
the 1,347 training digits (8x8, 64-256-16, batch 33) and on the 426
standardised training rows of breast cancer (30-256-16, batch 16), for a
fixed number of epochs, against a hand-written loop over the same network
(reinitialised), batches, epochs and optimizer settings. Target: skae /
raw loop <= 1.10 per step (results in ``overhead-small``).
"""

import argparse
import copy
import warnings

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNet
from torch import nn

from _harness import interleaved_medians, markdown_table, save
from skae import StackedAE
from skae.datasets import load_mnist

EPOCHS, LR = 10, 1e-3
BATCHES = (64, 256, 1024)
HIDDEN, CODE = (1000, 500, 250), 30


def sequential(hidden=HIDDEN, code=CODE):
    """The ELU autoencoder 784-hidden-code with a mirrored decoder."""
    sizes = [784, *hidden, code, *hidden[::-1], 784]
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


SMALL_EPOCHS = 30


def small_tables():
    """The training splits of digits (scaled to [0, 1]) and breast cancer
    (standardised), as in benchmarks/defaults.py."""
    digits, y = load_digits(return_X_y=True)
    digits, _ = train_test_split((digits / 16).astype(np.float32),
                                 test_size=0.25, stratify=y, random_state=0)
    cancer, y = load_breast_cancer(return_X_y=True)
    cancer, _ = train_test_split(cancer, test_size=0.25, stratify=y,
                                 random_state=0)
    cancer = StandardScaler().fit_transform(cancer).astype(np.float32)
    return {"digits": digits, "breast_cancer": cancer}


def fit_small_skae(X):
    est = StackedAE(n_components=16, max_iter=SMALL_EPOCHS,
                    # a fixed number of epochs on all the rows
                    early_stopping=False, tol=0.0, n_iter_no_change=10**6,
                    random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X)


def fit_small_raw_loop(X, template):
    """The loop a user writes around skae's network: fresh weights, the
    same batches (shuffled each epoch), Adam with skae's learning rate and
    weight decay on the weights."""
    torch.manual_seed(0)
    model = copy.deepcopy(template.module_)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            layer.reset_parameters()
    weights = [p for p in model.parameters() if p.ndim > 1]
    biases = [p for p in model.parameters() if p.ndim <= 1]
    optimizer = torch.optim.Adam(
        [{"params": weights, "weight_decay": template.alpha},
         {"params": biases}], lr=template.learning_rate, fused=True)
    data = torch.from_numpy(X)
    n, batch_size = len(data), template.net_.batch_size
    for _ in range(SMALL_EPOCHS):
        order = torch.randperm(n)
        for start in range(0, n, batch_size):
            batch = data[order[start:start + batch_size]]
            optimizer.zero_grad()
            loss = (model.decode(model.encode(batch)) - batch).square().mean()
            loss.backward()
            optimizer.step()
    return model


def main_small(repeats):
    results, rows = {}, []
    for name, X in small_tables().items():
        template = fit_small_skae(X)  # (warms up torch's kernels too)
        batch = template.net_.batch_size
        steps = SMALL_EPOCHS * -(-len(X) // batch)
        times = interleaved_medians(
            {"skae": lambda: fit_small_skae(X),
             "raw loop": lambda: fit_small_raw_loop(X, template)}, repeats)
        per_step = {k: 1e3 * t["median"] / steps for k, t in times.items()}
        ratio = per_step["skae"] / per_step["raw loop"]
        results[name] = {"rows": len(X), "batch": batch, "steps": steps,
                         "times": times, "ms_per_step": per_step,
                         "ratio": ratio}
        rows.append((name, f"{len(X):,} x {X.shape[1]}", batch,
                     f"{per_step['skae']:.3f}", f"{per_step['raw loop']:.3f}",
                     f"{ratio:.3f}"))
        print(rows[-1], flush=True)
    table = markdown_table(["data", "training rows", "batch",
                            "skae (ms / step)", "raw loop (ms / step)",
                            "skae / raw loop"], rows)
    notes = (f"StackedAE(n_components=16), {SMALL_EPOCHS} epochs on all the "
             "training rows, against a hand-written loop over the same "
             "network, batches and Adam settings; median of "
             f"{repeats} interleaved repeats, one torch thread. Target: "
             "skae / raw loop <= 1.10.")
    save("overhead-small", {"results": results}, table, notes)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-sizes", type=int, nargs="+",
                        default=list(BATCHES))
    parser.add_argument("--small", action="store_true",
                        help="only the per-step cost on digits and breast "
                             "cancer")
    args = parser.parse_args(argv)
    if args.small:
        torch.set_num_threads(1)
        return main_small(args.repeats)

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
