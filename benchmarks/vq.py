"""VQVAE against StackedAE on MNIST: reconstruction and dead codes.

MNIST 4,000 train / 1,000 held out. Both models are 784-500-500-20 MLPs
(the issue's networks) with every other parameter at its default, except
``max_iter`` (``--max-iter``, the same for both; 0 keeps the default 200
epochs with the stopping rule). VQVAE cuts its 20-number code into
``n_groups`` parts, each quantised to one of ``n_codes`` rows of a shared
codebook.

Reported for each (n_groups, n_codes) and seed: the held-out
reconstruction MSE of VQVAE divided by StackedAE's of the same seed, the
share of the codebook that was dead (used by no part of any sample) in the
last epoch, ``net_.history``'s ``dead_codes`` / ``n_codes``, and the fit
seconds.

Target (issue 26): VQ-VAE reconstruction within 1.2x StackedAE's at the
same code size with fewer than 5% dead codebook entries.
"""

import argparse
import os
import statistics
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from _harness import markdown_table, save, timed  # noqa: E402
from skae import VQVAE, StackedAE  # noqa: E402
from skae.datasets import load_mnist  # noqa: E402

CODE = 20
LAYERS = (500, 500)


def last_dead(model):
    """Rows restarted at the end of the last epoch that recorded them."""
    rows = [row["dead_codes"] for row in model.net_.history
            if "dead_codes" in row]
    return rows[-1] if rows else None


def run_one(kind, params, seed, max_iter, X_train, X_test):
    torch.set_num_threads(1)
    settings = dict(n_components=CODE, hidden_layer_sizes=LAYERS,
                    random_state=seed)
    if max_iter:
        settings["max_iter"] = max_iter
    model = (StackedAE(**settings) if kind == "StackedAE"
             else VQVAE(**settings, **params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds, _ = timed(lambda: model.fit(X_train))
    reconstruction = model.inverse_transform(model.transform(X_test))
    entry = {"model": kind, **params, "seed": seed, "seconds": seconds,
             "epochs": model.n_iter_,
             "mse": float(np.mean((reconstruction - X_test) ** 2))}
    if kind == "VQVAE":
        entry["dead_codes"] = last_dead(model)
        entry["dead_share"] = entry["dead_codes"] / params["n_codes"]
        entry["distinct_test_codes"] = len(np.unique(
            model.transform_indices(X_test), axis=0))
    return entry


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iter", type=int, default=50,
                        help="epochs of both models (0: the default 200 "
                             "with the stopping rule)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--groups", type=int, nargs="+",
                        default=[1, 4, 5, 10, 20])
    parser.add_argument("--codes", type=int, nargs="+",
                        default=[64, 256, 512])
    parser.add_argument("--jobs", type=int, default=1,
                        help="fits run at once (each on one torch thread)")
    parser.add_argument("--name", default="vq",
                        help="result file and README section")
    args = parser.parse_args(argv)

    X, y = load_mnist(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=1000, random_state=0,
                                       stratify=y)
    jobs = [("StackedAE", {}, seed) for seed in args.seeds]
    jobs += [("VQVAE", {"n_groups": g, "n_codes": k}, seed)
             for g in args.groups for k in args.codes for seed in args.seeds]
    runs = Parallel(n_jobs=args.jobs)(
        delayed(run_one)(kind, params, seed, args.max_iter, X_train, X_test)
        for kind, params, seed in jobs)

    stacked = {r["seed"]: r for r in runs if r["model"] == "StackedAE"}
    for r in runs:
        r["mse_ratio"] = r["mse"] / stacked[r["seed"]]["mse"]
    rows = [("StackedAE", "", "", ", ".join(
        f"{stacked[s]['mse']:.4f}" for s in args.seeds), "1.00", "",
        "", ", ".join(f"{stacked[s]['seconds']:.0f}" for s in args.seeds))]
    summary = []
    for g in args.groups:
        for k in args.codes:
            mine = [r for r in runs if r["model"] == "VQVAE"
                    and r["n_groups"] == g and r["n_codes"] == k]
            ratio = statistics.mean(r["mse_ratio"] for r in mine)
            dead = max(r["dead_share"] for r in mine)
            met = ratio <= 1.2 and dead < 0.05
            summary.append({"n_groups": g, "n_codes": k,
                            "mean_mse_ratio": ratio, "max_dead_share": dead,
                            "target_met": met})
            rows.append((
                "VQVAE", g, k,
                ", ".join(f"{r['mse']:.4f}" for r in mine),
                ", ".join(f"{r['mse_ratio']:.2f}" for r in mine),
                ", ".join(f"{r['dead_share']:.1%}" for r in mine),
                ", ".join(str(r["distinct_test_codes"]) for r in mine),
                ", ".join(f"{r['seconds']:.0f}" for r in mine)))
    seeds = ", ".join(str(s) for s in args.seeds)
    table = markdown_table(
        ["model", "n_groups", "n_codes", f"held-out MSE (seeds {seeds})",
         "MSE / StackedAE's", "dead codes, last epoch",
         "distinct held-out codes", "fit (s)"], rows)
    met = [f"(n_groups={s['n_groups']}, n_codes={s['n_codes']})"
           for s in summary if s["target_met"]]
    epochs = (f"exactly {args.max_iter} epochs" if args.max_iter else
              "default max_iter=200 with the stopping rule")
    notes = (
        f"MNIST 4,000 train / 1,000 held out; 784-500-500-{CODE} MLPs, "
        f"defaults otherwise, {epochs} for both, seeds {seeds}, one torch "
        f"thread per fit ({args.jobs} fit(s) at once). Dead codes: rows of "
        "the codebook used by no part of any training sample in the last "
        "epoch (restarted at its end), as a share of n_codes. Target: MSE "
        "within 1.2x StackedAE's (mean over the seeds) with fewer than 5% "
        "dead codes (every seed): "
        + ("met by " + ", ".join(met) if met else "NOT met") + ".")
    save(args.name, {"runs": runs, "summary": summary,
                     "settings": {"max_iter": args.max_iter,
                                  "seeds": args.seeds, "code": CODE,
                                  "layers": LAYERS, "jobs": args.jobs}},
         table, notes)
    return runs


if __name__ == "__main__":
    main()
