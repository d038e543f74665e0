"""Is ``batch_size="auto"`` right on small data? A measurement for the defaults.

Until 2026-11-30 ``batch_size="auto"`` was ``clip(n_samples // 10, 16,
200)``: about ten optimizer steps per epoch on small data sets, so a
stopping rule with a patience of 10 epochs gave up after about 100 steps;
it is now ``clip(n_samples // 40, 16, 200)``. This script fits every
mini-batch autoencoder of ``skae.all_estimators()`` at its defaults (only
``n_components`` and ``random_state=0`` set; ``ConvAE`` is left out for
time, ``LinearAE`` because its default is full-batch L-BFGS) on breast
cancer and wine (standardised) and digits (/16), 25% held out, stratified,
seed 0, at k = 2 and a larger k, once with the previous rule and once with
``batch_size="auto"`` (about 40 steps per epoch), and reports held-out MSE
/ PCA's MSE at the same k, epochs, fit seconds and whether ``fit`` warned.

Run: ``python benchmarks/batch_size.py`` (about 7 minutes on two cores).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import skae  # noqa: E402
from _harness import markdown_table, save  # noqa: E402

LARGER_K = {"breast_cancer": 8, "wine": 6, "digits": 16}
SKIPPED = ("ConvAE", "LinearAE")


def split(name):
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return train_test_split(X / 16, test_size=0.25, stratify=y,
                                random_state=0)
    loader = load_breast_cancer if name == "breast_cancer" else load_wine
    X, y = loader(return_X_y=True)
    train, test = train_test_split(X, test_size=0.25, stratify=y,
                                   random_state=0)
    scaler = StandardScaler().fit(train)
    return scaler.transform(train), scaler.transform(test)


def previous(n_samples):
    """The rule of ``batch_size="auto"`` before 2026-11-30."""
    return int(np.clip(n_samples // 10, 16, 200))


def candidate(n_samples):
    """``batch_size="auto"`` now (ConvAE and L-BFGS aside)."""
    return int(np.clip(n_samples // 40, 16, 200))


def mse(model, X):
    return float(np.mean((model.inverse_transform(model.transform(X)) - X)
                         ** 2))


def fit_one(cls, k, batch_size, X_train, X_test, pca_mse):
    est = cls(n_components=k, random_state=0, batch_size=batch_size)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est.fit(X_train)
    except (ValueError, FloatingPointError) as exc:
        return {"error": type(exc).__name__}
    return {"ratio": mse(est, X_test) / pca_mse, "epochs": int(est.n_iter_),
            "seconds": time.perf_counter() - start,
            "warned": sorted({type(w.message).__name__ for w in caught})}


def cell(result):
    if "error" in result:
        return f"error: {result['error']}"
    warned = " (warned)" if result["warned"] else ""
    return (f"{result['ratio']:.3f} / {result['epochs']} / "
            f"{result['seconds']:.1f} s{warned}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+",
                        default=["breast_cancer", "wine", "digits"])
    args = parser.parse_args(argv)
    estimators = [cls for cls in skae.all_estimators()
                  if hasattr(cls, "inverse_transform")
                  and cls.__name__ not in SKIPPED]
    results, rows = [], []
    for cls in estimators:
        for name in args.datasets:
            X_train, X_test = split(name)
            for k in (2, LARGER_K[name]):
                pca = PCA(k).fit(X_train)
                pca_mse = mse(pca, X_test)
                before = fit_one(cls, k, previous(len(X_train)), X_train,
                                 X_test, pca_mse)
                now = fit_one(cls, k, "auto", X_train, X_test, pca_mse)
                results.append({"estimator": cls.__name__, "data": name,
                                "k": k, "previous": before, "auto": now,
                                "auto_batch": candidate(len(X_train))})
                rows.append([cls.__name__, name, k, cell(before),
                             candidate(len(X_train)), cell(now)])
                print(rows[-1], flush=True)
    compared = [r for r in results if r["data"] != "wine"
                and "ratio" in r["previous"] and "ratio" in r["auto"]]
    better = sum(r["auto"]["ratio"] < r["previous"]["ratio"] - 0.005
                 for r in compared)
    worse = sum(r["auto"]["ratio"] > r["previous"]["ratio"] + 0.005
                for r in compared)
    table = markdown_table(
        ["estimator", "data", "k", "n // 10: MSE / PCA / epochs / fit",
         "auto batch", "auto: MSE / PCA / epochs / fit"], rows)
    notes = (
        "Held-out reconstruction MSE / PCA's at the same k, epochs run, fit "
        "seconds; 25% held out, stratified, seed 0; every other parameter "
        "at its default. `n // 10` is the previous rule, clip(n // 10, 16, "
        "200) (42 rows on breast cancer, 16 on wine, 134 on digits); `auto` "
        "is clip(n // 40, 16, 200) (16, 16, 33). Wine gets the same batch "
        f"both ways. On breast cancer and digits `auto` is better in "
        f"{better} and worse in {worse} of {len(compared)} fits.")
    save("batch_size", {"results": results, "better": better,
                        "worse": worse, "compared": len(compared)},
         table, notes)


if __name__ == "__main__":
    main()
