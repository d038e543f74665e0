"""GPU: every estimator on a GPU against the CPU, and throughput against a raw
loop, in one command (about 5 minutes on one GPU).

Nobody who wrote skae had a GPU: this benchmark is written to run the first
time on a machine that has one, and ``--device cpu --quick`` runs every code
path of it here (that dry run is how it was checked). Measured:

1. **Every estimator** (``skae.all_estimators()``; ``CustomAE`` with two
   small ``nn.Sequential`` modules) at its defaults on the bundled MNIST
   digits (4,000 training, 1,000 held out), with ``max_iter`` capped at
   ``--max-iter`` (30) for both devices: fitted with ``device=DEVICE`` and
   with ``device="cpu"``; held-out score of each (``score``: the negative
   loss per sample, the classifier's accuracy, the imputer's RMSE on 20%
   held-out pixels, the detector's mean score) and the fit times; the
   host synchronisations of the GPU fit per training step, counted with
   ``torch.cuda.set_sync_debug_mode("warn")`` (target: none per step: skae
   reads its losses back once per epoch).
2. **Throughput** of the deep 784-1000-500-250-30 autoencoder,
   ``StackedAE`` (no held-out split, a fixed number of epochs) against a
   hand-written loop over the same network, batches and Adam step (both
   as in ``benchmarks/precision.py``), on the
   device, at batch 256 / 1024 / 4096, in ``precision`` float32, bfloat16
   and float16 (the raw loop: ``torch.autocast``, with a ``GradScaler`` for
   float16), each timed to a ``torch.cuda.synchronize()``; rows per
   second, skae / raw loop, and peak GPU memory
   (``torch.cuda.max_memory_allocated``). Combinations the device does not
   support (float16 on the CPU) are reported as such, not run.

Usage::

    python benchmarks/gpu.py                       # on a machine with CUDA
    python benchmarks/gpu.py --device cpu --quick  # a dry run, anywhere

Results go to ``results/gpu.json`` and the README section ``gpu`` (with
``--device cpu``: ``gpu-dry-run``).
"""

import argparse
import contextlib
import inspect
import time
import warnings

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import skae
from _harness import markdown_table, save
from precision import fit_raw_loop, stacked
from skae._training._device import resolve_device, resolve_precision
from skae.datasets import load_mnist

#: Estimators whose ``fit`` takes the class labels.
NEEDS_Y = {"ConditionalVAE", "ConditionalAdversarialAE",
           "PretrainedClassifier"}


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


@contextlib.contextmanager
def counting_syncs(device):
    """Count the host synchronisations of the block on a CUDA device
    (torch warns at each one in sync debug mode "warn"); ``count`` stays
    None elsewhere."""
    counter = {"count": None}
    if torch.device(device).type != "cuda":
        yield counter
        return
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield counter
        counter["count"] = sum("synchroniz" in str(w.message).lower()
                               for w in caught)
    finally:
        torch.cuda.set_sync_debug_mode("default")


def make(cls, device, max_iter):
    """``cls`` at its defaults on ``device`` with at most ``max_iter``
    epochs (the wrappers take the setting through their autoencoder)."""
    name = cls.__name__
    if name == "AutoencoderImputer":
        return cls(skae.StackedAE(device=device, max_iter=max_iter,
                                  random_state=0), random_state=0)
    if name == "AutoencoderOutlierDetector":
        return cls(skae.StackedAE(device=device, max_iter=max_iter,
                                  random_state=0), random_state=0)
    kwargs = {"device": device, "max_iter": max_iter, "random_state": 0}
    if name == "CustomAE":
        kwargs.update(
            encoder=nn.Sequential(nn.Linear(784, 256), nn.ELU(),
                                  nn.Linear(256, 32)),
            decoder=nn.Sequential(nn.Linear(32, 256), nn.ELU(),
                                  nn.Linear(256, 784)))
    params = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in kwargs.items() if k in params})


def held_out_score(est, X_test, y_test, rng):
    """What ``est`` scores on the held-out digits (see the module's
    docstring); higher is better except the imputer's RMSE."""
    name = type(est).__name__
    if name == "AutoencoderImputer":
        holes = rng.random(X_test.shape) < 0.2
        filled = est.transform(np.where(holes, np.nan, X_test))
        return "RMSE", float(np.sqrt(np.mean((filled - X_test)[holes] ** 2)))
    if name == "AutoencoderOutlierDetector":
        return "mean score_samples", float(np.mean(est.score_samples(X_test)))
    if name in NEEDS_Y:
        return "score (X, y)", float(est.score(X_test, y_test))
    return "score", float(est.score(X_test))


def fit_one(cls, device, max_iter, data):
    X_train, X_test, y_train, y_test = data
    est = make(cls, device, max_iter)
    X_fit = X_train
    if cls.__name__ == "AutoencoderImputer":
        holes = np.random.default_rng(0).random(X_train.shape) < 0.2
        X_fit = np.where(holes, np.nan, X_train).astype(np.float32)
    args = (X_fit, y_train) if cls.__name__ in NEEDS_Y else (X_fit,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with counting_syncs(device) as syncs:
            start = time.perf_counter()
            est.fit(*args)
            synchronize(device)
            seconds = time.perf_counter() - start
    inner = getattr(est, "autoencoder_", None) or getattr(
        est, "estimator_", None) or est
    net = getattr(inner, "net_", None)
    steps = None
    if net is not None and len(net.history):
        steps = int(sum(row.get("train_batch_count", 0)
                        for row in net.history))
    kind, score = held_out_score(est, X_test, y_test,
                                 np.random.default_rng(1))
    return {"seconds": seconds, "score_kind": kind, "score": score,
            "epochs": getattr(inner, "n_iter_", None), "steps": steps,
            "syncs": syncs["count"]}


def every_estimator(device, max_iter, data, names=None):
    results = {}
    for cls in skae.all_estimators():
        if names and cls.__name__ not in names:
            continue
        on_device = fit_one(cls, device, max_iter, data)
        on_cpu = fit_one(cls, "cpu", max_iter, data)
        results[cls.__name__] = {"device": on_device, "cpu": on_cpu}
        print(cls.__name__, results[cls.__name__], flush=True)
    return results


def raw_loop(X, device, batch, epochs, precision):
    """benchmarks/precision.py's hand-written loop on ``device``: rows per
    second and peak memory."""
    reset_peak(device)
    synchronize(device)
    start = time.perf_counter()
    fit_raw_loop(X, batch, precision, torch.device(device), epochs=epochs)
    synchronize(device)
    return len(X) * epochs / (time.perf_counter() - start), peak(device)


def skae_loop(X, device, batch, epochs, precision):
    """benchmarks/precision.py's StackedAE with the same network."""
    est = stacked(precision, device, batch_size=batch, max_iter=epochs,
                  random_state=0)
    reset_peak(device)
    synchronize(device)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X)
    synchronize(device)
    return len(X) * est.n_iter_ / (time.perf_counter() - start), peak(device)


def reset_peak(device):
    if torch.device(device).type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak(device):
    if torch.device(device).type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return None


def throughput(X, device, batches, epochs):
    results = []
    for precision in ("float32", "bfloat16", "float16"):
        try:  # skae's own rule: float16 needs CUDA
            resolve_precision(precision, resolve_device(device))
        except ValueError as error:
            results.append({"precision": precision, "skipped": str(error)})
            print(precision, "skipped:", error, flush=True)
            continue
        for batch in batches:
            skae_loop(X[:batch * 2], device, batch, 1, precision)  # warm-up
            raw, raw_peak = raw_loop(X, device, batch, epochs, precision)
            ours, our_peak = skae_loop(X, device, batch, epochs, precision)
            results.append({"precision": precision, "batch": batch,
                            "raw_rows_per_second": raw,
                            "skae_rows_per_second": ours,
                            "ratio": raw / ours,
                            "raw_peak_mib": raw_peak,
                            "skae_peak_mib": our_peak})
            print(results[-1], flush=True)
    return results


def _fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def estimator_rows(results):
    rows = []
    for name, r in results.items():
        dev, cpu = r["device"], r["cpu"]
        per_step = (None if dev["syncs"] is None or not dev["steps"]
                    else dev["syncs"] / dev["steps"])
        rows.append((name, dev["score_kind"], f"{dev['score']:.4g}",
                     f"{cpu['score']:.4g}", f"{dev['seconds']:.1f}",
                     f"{cpu['seconds']:.1f}",
                     _fmt(dev["syncs"], "d"), _fmt(per_step, ".3f")))
    return rows


def throughput_rows(results):
    rows = []
    for r in results:
        if "skipped" in r:
            rows.append((r["precision"], "-", "not supported here", "", "",
                         "", ""))
            continue
        rows.append((r["precision"], r["batch"],
                     f"{r['skae_rows_per_second']:,.0f}",
                     f"{r['raw_rows_per_second']:,.0f}",
                     f"{r['ratio']:.3f}", _fmt(r["skae_peak_mib"], ".0f"),
                     _fmt(r["raw_peak_mib"], ".0f")))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--max-iter", type=int, default=30,
                        help="epochs cap of the every-estimator fits")
    parser.add_argument("--epochs", type=int, default=5,
                        help="epochs of the throughput fits")
    parser.add_argument("--batches", type=int, nargs="+",
                        default=[256, 1024, 4096])
    parser.add_argument("--estimators", nargs="*", default=None,
                        help="only these estimators (class names)")
    parser.add_argument("--quick", action="store_true",
                        help="a dry run: 2 epochs, 2 estimators, batch 256")
    args = parser.parse_args(argv)
    if args.quick:
        args.max_iter, args.epochs, args.batches = 2, 1, [256]
        args.estimators = args.estimators or ["StackedAE", "VariationalAE"]
    device = resolve_device(args.device)  # a clear error without one
    start = time.perf_counter()
    X, y = load_mnist(return_X_y=True)
    data = train_test_split(X.astype(np.float32), y, test_size=1000,
                            random_state=0, stratify=y)
    estimators = every_estimator(str(device), args.max_iter, data,
                                 args.estimators)
    speeds = throughput(data[0], str(device), args.batches, args.epochs)
    name = "gpu" if device.type == "cuda" else "gpu-dry-run"
    where = (torch.cuda.get_device_name(device) if device.type == "cuda"
             else str(device))
    table = markdown_table(
        ["estimator", "held-out", f"on {device.type}", "on cpu",
         f"fit on {device.type} (s)", "fit on cpu (s)", "host syncs",
         "syncs / step"], estimator_rows(estimators))
    table += "\n\n" + markdown_table(
        ["precision", "batch", "skae rows/s", "raw loop rows/s",
         "skae / raw loop time", "skae peak MiB", "raw peak MiB"],
        throughput_rows(speeds))
    notes = (f"{where}; every estimator at its defaults with max_iter="
             f"{args.max_iter}, 4,000 MNIST digits, score on 1,000 held out; "
             f"throughput: 784-1000-500-250-30 ELU, Adam, {args.epochs} "
             f"epochs. {time.perf_counter() - start:.0f} s in all.")
    save(name, {"device": str(device), "device_name": where,
                "estimators": estimators, "throughput": speeds},
         table, notes)


if __name__ == "__main__":
    main()
