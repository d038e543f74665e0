"""Mixed precision: skae's ``precision="bfloat16"`` against float32 and a
hand-written PyTorch loop, on the CPU or a GPU.

The deep 784-1000-500-250-30 ELU autoencoder of ``benchmarks/overhead``
(mirrored decoder), Adam (lr 1e-3), 10 epochs on all 5,000 MNIST digits, at
batch sizes 64, 256 and 1024, trained in one process by:

* ``raw float32``: a hand-written loop over shuffled index slices;
* ``raw bfloat16``: the same loop inside ``torch.autocast``;
* ``skae float32`` / ``skae bfloat16``: ``StackedAE(..., precision=...)``;
* on CUDA also ``float16`` (skae, and the raw loop with a ``GradScaler``).

Reports the median fit time of each over interleaved repeats and the ratio
to the float32 loop (target: skae bfloat16 at most 0.70x the raw float32
loop at every batch size), then the quality, 3 seeds, on a 4,000 / 1,000
split: the held-out MSE of ``StackedAE`` (same network, 30 epochs, batch
256; target within 1% of float32) and the held-out ELBO of a
784-500-500-20 ``VariationalAE`` with a Bernoulli likelihood (as Geron's
VAE; 30 epochs; target within 0.3 nats).

Runs first time on a GPU machine: ``--device auto`` (the default) picks
CUDA when torch sees it, and every tensor of the raw loops lives there.
"""

import argparse
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from _harness import interleaved_medians, markdown_table, save
from overhead import BATCHES, CODE, EPOCHS, HIDDEN, LR, sequential
from skae import StackedAE, VariationalAE
from skae._training import resolve_device
from skae.datasets import load_mnist

DTYPES = {"float32": None, "bfloat16": torch.bfloat16,
          "float16": torch.float16}


def fit_raw_loop(X, batch_size, precision, device, epochs=EPOCHS):
    """The hand-written loop, its layers autocast to ``precision``."""
    torch.manual_seed(0)
    model = sequential().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    dtype = DTYPES[precision]
    scaler = (torch.amp.GradScaler(device.type)
              if dtype is torch.float16 else None)
    data = torch.from_numpy(X).to(device)
    n = len(data)
    for _ in range(epochs):
        order = torch.randperm(n, device=device)
        for start in range(0, n, batch_size):
            batch = data[order[start:start + batch_size]]
            optimizer.zero_grad()
            with torch.autocast(device.type, dtype=dtype,
                                enabled=dtype is not None):
                out = model(batch)
            loss = (out.float() - batch).square().mean()
            if scaler is None:
                loss.backward()
                optimizer.step()
            else:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return model


def stacked(precision, device, **params):
    return StackedAE(n_components=CODE, hidden_layer_sizes=HIDDEN,
                     code_activation="elu", learning_rate=LR, alpha=0.0,
                     early_stopping=False, precision=precision,
                     device=str(device), **params)


def fit_skae(X, batch_size, precision, device):
    est = stacked(precision, device, batch_size=batch_size,
                  max_iter=EPOCHS, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X)


def speed(X, precisions, device, repeats, batches):
    results, rows = {}, []
    for batch in batches:
        contenders = {}
        for p in precisions:
            contenders[f"raw {p}"] = (
                lambda p=p: fit_raw_loop(X, batch, p, device))
            contenders[f"skae {p}"] = (
                lambda p=p: fit_skae(X, batch, p, device))
        times = interleaved_medians(contenders, repeats)
        base = times["raw float32"]["median"]
        ratios = {name: t["median"] / base for name, t in times.items()}
        results[batch] = {"times": times, "ratios": ratios}
        rows.append((batch, *(f"{times[n]['median']:.2f} "
                              f"({ratios[n]:.2f}x)" for n in times)))
        print(rows[-1], flush=True)
    return results, ["batch", *(f"{n} (s)" for n in contenders)], rows


def quality(X, precisions, device, seeds):
    """Held-out MSE of StackedAE and ELBO of VariationalAE per precision."""
    X_train, X_test = train_test_split(X, test_size=1000, random_state=0)
    out = {p: {"mse": [], "elbo": []} for p in precisions}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in seeds:
            for p in precisions:
                ae = stacked(p, device, batch_size=256, max_iter=30,
                             random_state=seed).fit(X_train)
                out[p]["mse"].append(float(-ae.score(X_test)))
                vae = VariationalAE(
                    n_components=20, hidden_layer_sizes=(500, 500),
                    likelihood="bernoulli", max_iter=30, batch_size=256,
                    precision=p, device=str(device),
                    random_state=seed).fit(X_train)
                out[p]["elbo"].append(float(vae.score(X_test)))
                print(seed, p, out[p]["mse"][-1], out[p]["elbo"][-1],
                      flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-sizes", type=int, nargs="+",
                        default=list(BATCHES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    precisions = ["float32", "bfloat16"] + (
        ["float16"] if device.type == "cuda" else [])

    X, _ = load_mnist(return_X_y=True)
    fit_skae(X[:300], 64, "bfloat16", device)  # warm up the kernels
    fit_raw_loop(X[:300], 64, "float32", device)
    results, header, rows = speed(X, precisions, device, args.repeats,
                                  args.batch_sizes)
    scores = quality(X, precisions, device, args.seeds)

    worst = max(r["ratios"]["skae bfloat16"] for r in results.values())
    mean = {p: {k: float(np.mean(v)) for k, v in s.items()}
            for p, s in scores.items()}
    mse_ratio = mean["bfloat16"]["mse"] / mean["float32"]["mse"]
    elbo_gap = mean["float32"]["elbo"] - mean["bfloat16"]["elbo"]
    quality_rows = [(p, f"{mean[p]['mse']:.5f}", f"{mean[p]['elbo']:.2f}",
                     ", ".join(f"{v:.5f}" for v in scores[p]["mse"]),
                     ", ".join(f"{v:.2f}" for v in scores[p]["elbo"]))
                    for p in precisions]
    table = (markdown_table(header, rows) + "\n\nHeld-out quality, mean of "
             f"seeds {args.seeds}:\n\n" + markdown_table(
                 ["precision", "StackedAE MSE", "VariationalAE ELBO (nats)",
                  "MSE per seed", "ELBO per seed"], quality_rows))
    notes = (
        f"784-{'-'.join(map(str, HIDDEN))}-{CODE} ELU autoencoder, Adam lr "
        f"{LR}, {EPOCHS} epochs on 5,000 MNIST digits, on {device}; median "
        f"of {args.repeats} interleaved repeats; ratios to the raw float32 "
        f"loop. Targets: skae bfloat16 <= 0.70x the raw float32 loop at "
        f"every batch size (worst {worst:.3f}); held-out MSE within 1% of "
        f"float32 ({mse_ratio:.4f}x); VAE ELBO within 0.3 nats "
        f"({elbo_gap:+.3f} nats lower in bfloat16).")
    save("precision", {"results": results, "quality": scores,
                       "settings": vars(args) | {"device": str(device)}},
         table, notes)


if __name__ == "__main__":
    main()
