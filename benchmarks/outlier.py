"""Outlier detection on MNIST: one digit is normal, the nine others are not.

For each of the 10 digit classes of the 5,000 bundled MNIST digits as the
"normal" class: the detectors are fitted on 80% of that class (400 digits,
a shuffled split, seed 0) and score the held-out 20% (100 digits) together
with the 4,500 digits of the nine other classes (the outliers). AUROC of
each detector's ``score_samples`` (higher = more normal) for telling the
held-out normal digits from the others; mean and worst over the 10 classes.

Contenders, in one process, with default settings:

* ``AutoencoderOutlierDetector()``: the detector's default autoencoder,
  ``StackedAE(batch_size=64, max_iter=100)``;
* ``AutoencoderOutlierDetector(StackedAE())``: 784-256-32 ELU (the default
  ``n_components=32``), scored by the negative reconstruction error;
* ``AutoencoderOutlierDetector(VariationalAE())``: 784-256-32, Gaussian
  likelihood with a learned scale, scored by the ELBO;
* ``IsolationForest``, ``LocalOutlierFactor(novelty=True)``,
  ``OneClassSVM`` (RBF, ``gamma="scale"``);
* PCA(32) reconstruction error (the same number of components as the
  autoencoders' codes);
* PyOD's ``AutoEncoder`` and ``VAE`` at their defaults (torch; 10 epochs,
  784-64-32 with batch normalisation and dropout), when ``pyod`` is
  installed (``make bench-env``; not a dependency of skae).

Fit times are one fit per class, summed over the classes, relative to
IsolationForest (PCA fits 400 digits in milliseconds, so ratios to it would
be timer noise). Run it with ``OMP_NUM_THREADS=1`` on a shared machine; the
whole benchmark takes about 12 minutes of CPU time on one thread, nearly all
of it the two autoencoders' 200 epochs per class (``--digits 2 8`` for a
quick look at the two hardest classes).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

from _harness import markdown_table, save, timed
from skae import AutoencoderOutlierDetector, StackedAE, VariationalAE
from skae.datasets import load_mnist

N_COMPONENTS = 32  # StackedAE's and VariationalAE's default; PCA's too here
REFERENCE = "IsolationForest"


class PCAReconstructionError:
    """PCA as an outlier detector: the negative reconstruction MSE."""

    def __init__(self, n_components):
        self.pca = PCA(n_components, random_state=0)

    def fit(self, X):
        self.pca.fit(X)
        return self

    def score_samples(self, X):
        rec = self.pca.inverse_transform(self.pca.transform(X))
        return -np.mean((rec - X) ** 2, axis=1)


class PyODDetector:
    """A PyOD detector at its defaults, scored as scikit-learn does
    (higher = more normal: minus PyOD's ``decision_function``)."""

    def __init__(self, name):
        from importlib import import_module

        module, cls = {"AutoEncoder": ("pyod.models.auto_encoder",
                                       "AutoEncoder"),
                       "VAE": ("pyod.models.vae", "VAE")}[name]
        self.model = getattr(import_module(module), cls)(
            random_state=0, verbose=0)

    def fit(self, X):
        self.model.fit(X)
        return self

    def score_samples(self, X):
        return -self.model.decision_function(X)


def _pyod_version():
    try:
        import pyod
    except ImportError:
        return "not installed"
    return pyod.__version__


def _pyod_available():
    try:
        import pyod  # noqa: F401
    except ImportError:
        print("pyod is not installed (make bench-env installs it): its "
              "detectors are left out", flush=True)
        return False
    return True


CONTENDERS = {
    "skae default detector": lambda: AutoencoderOutlierDetector(
        random_state=0),
    "skae StackedAE": lambda: AutoencoderOutlierDetector(
        StackedAE(random_state=0)),
    "skae VariationalAE": lambda: AutoencoderOutlierDetector(
        VariationalAE(random_state=0)),
    "IsolationForest": lambda: IsolationForest(random_state=0),
    "LocalOutlierFactor": lambda: LocalOutlierFactor(novelty=True),
    "OneClassSVM": lambda: OneClassSVM(),
    f"PCA({N_COMPONENTS}) reconstruction": lambda: PCAReconstructionError(
        N_COMPONENTS),
}
if _pyod_available():
    CONTENDERS["PyOD AutoEncoder"] = lambda: PyODDetector("AutoEncoder")
    CONTENDERS["PyOD VAE"] = lambda: PyODDetector("VAE")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, nargs="+",
                        default=list(range(10)))
    args = parser.parse_args(argv)

    start_wall, start_cpu = time.perf_counter(), time.process_time()
    X, y = load_mnist(return_X_y=True)
    per_digit = []
    for digit in args.digits:
        normal = np.flatnonzero(y == digit)
        train, held_out = train_test_split(normal, train_size=0.8,
                                           random_state=0, shuffle=True)
        test = np.concatenate([held_out, np.flatnonzero(y != digit)])
        is_inlier = (y[test] == digit).astype(int)
        entry = {"digit": digit, "n_train": len(train),
                 "n_test_normal": len(held_out),
                 "n_test_outliers": int(len(test) - len(held_out))}
        for name, make in CONTENDERS.items():
            model = make()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fit_seconds, _ = timed(lambda: model.fit(X[train]))
            score_seconds, scores = timed(lambda: model.score_samples(X[test]))
            result = {"auroc": float(roc_auc_score(is_inlier, scores)),
                      "fit_seconds": fit_seconds,
                      "score_seconds": score_seconds}
            if isinstance(model, AutoencoderOutlierDetector):
                # the threshold at contamination=0.1 on new data
                flagged = model.predict(X[test]) == -1
                result["epochs"] = model.autoencoder_.n_iter_
                result["flagged_held_out_normal"] = float(
                    flagged[is_inlier == 1].mean())
                result["flagged_outliers"] = float(
                    flagged[is_inlier == 0].mean())
            entry[name] = result
        per_digit.append(entry)
        print(digit, {name: round(entry[name]["auroc"], 3)
                      for name in CONTENDERS}, flush=True)

    summary = {}
    reference_fit = sum(e[REFERENCE]["fit_seconds"] for e in per_digit)
    for name in CONTENDERS:
        aurocs = np.array([e[name]["auroc"] for e in per_digit])
        fit = sum(e[name]["fit_seconds"] for e in per_digit)
        summary[name] = {
            "mean_auroc": float(aurocs.mean()),
            "worst_auroc": float(aurocs.min()),
            "worst_digit": int(per_digit[int(aurocs.argmin())]["digit"]),
            "mean_fit_seconds": fit / len(per_digit),
            "fit_over_reference": fit / reference_fit,
        }
    rows = [(name, f"{s['mean_auroc']:.3f}",
             f"{s['worst_auroc']:.3f} ({s['worst_digit']})",
             f"{s['mean_fit_seconds']:.2f}",
             f"{s['fit_over_reference']:.1f}")
            for name, s in summary.items()]
    table = markdown_table(
        ["detector", "mean AUROC", "worst AUROC (digit)", "fit (s)",
         f"fit / {REFERENCE}"], rows)
    short = {name: name.replace("skae ", "").replace(" reconstruction", "")
             .replace("LocalOutlierFactor", "LOF") for name in CONTENDERS}
    by_digit = markdown_table(
        ["normal digit", *short.values()],
        [(e["digit"], *(f"{e[name]['auroc']:.3f}" for name in CONTENDERS))
         for e in per_digit])
    flag = {name: (np.mean([e[name]["flagged_held_out_normal"]
                            for e in per_digit]),
                   np.mean([e[name]["flagged_outliers"] for e in per_digit]))
            for name in CONTENDERS if name.startswith("skae")}
    flag_text = " and ".join(
        f"{100 * a:.0f}% of the held-out normal digits and {100 * b:.0f}% of "
        f"the others with {name[5:]}" for name, (a, b) in flag.items())
    epochs = {name: int(np.median([e[name]["epochs"] for e in per_digit]))
              for name in flag}
    wall = time.perf_counter() - start_wall
    cpu = time.process_time() - start_cpu
    notes = (
        "AUROC of score_samples, held-out normal digits (100) against the "
        "4,500 digits of the nine other classes; fitted on 400 digits of the "
        "normal class (80%, shuffled, seed 0); mean and worst over the "
        f"{len(per_digit)} normal classes. Default settings for every "
        "detector: the detector's default StackedAE(batch_size=64, "
        "max_iter=100), StackedAE() and VariationalAE() (784-256-32, Adam, at "
        "most 200 epochs; median epochs run: "
        + ", ".join(f"{n[5:]} {k}" for n, k in epochs.items())
        + "), IsolationForest(random_state=0), "
        "LocalOutlierFactor(novelty=True) (20 neighbours), OneClassSVM() "
        f"(RBF, gamma='scale', nu=0.5), PCA({N_COMPONENTS}) reconstruction "
        "MSE, PyOD's AutoEncoder() and VAE() (pyod "
        f"{_pyod_version()}). Fit (s): mean of one fit per class; fit / {REFERENCE}: summed "
        "over the classes. With contamination=0.1, the threshold set on the "
        f"training digits flags {flag_text}: the autoencoders reconstruct "
        "their 400 training digits far better than new ones (the Notes of "
        "AutoencoderOutlierDetector show how to set the threshold on unseen "
        "normal samples instead). Run with OMP_NUM_THREADS=1 (torch and "
        f"BLAS on one thread): {wall / 60:.1f} min wall clock, "
        f"{cpu / 60:.1f} min CPU.")
    save("outlier", {"summary": summary, "per_digit": per_digit,
                     "wall_seconds": wall, "cpu_seconds": cpu},
         table + "\n\nAUROC per normal digit:\n\n" + by_digit, notes)
    return summary


if __name__ == "__main__":
    main()
