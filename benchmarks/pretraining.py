"""Layer-wise training: pretraining for scarce labels, greedy vs end to end.

Part 1, scarce labels. The 5,000 bundled MNIST digits are split 4,000 /
1,000 (stratified, as the tests' ``mnist`` fixture). Of the 4,000 training
digits only 100, 500 or all 4,000 keep their label (a stratified choice);
the others are labeled -1 (unlabeled). Side by side, scored on the 1,000
held-out digits:

* ``PretrainedClassifier``: a StackedAE 784-256-64 (sigmoid units,
  cross-entropy loss, 100 epochs) fitted on all 4,000 digits, then a
  softmax layer on its encoder, the whole network fine-tuned on the labeled
  digits alone (Adam lr 1e-3, 100 epochs; ``consistency=0, noise=None``,
  the tutorial's fine-tuning, not the default that also trains on the
  unlabeled digits);
* the same network from random initialisation, trained the same way on the
  labeled digits only (an autoencoder with ``max_iter=0``);
* ``LogisticRegression`` on the pixels of the labeled digits;
* ``PCA(50)`` fitted on all 4,000 digits + ``LogisticRegression`` on the
  labeled ones.

The autoencoder stage does not depend on the labels, so it is fitted once
and shared through ``sklearn.frozen.FrozenEstimator`` (with a fixed seed,
``PretrainedClassifier(StackedAE(...))`` would refit the same network each
time). The two networks are trained with several seeds; the table gives the
mean and standard deviation. Target: PretrainedClassifier beats the three
others at 100 and 500 labels.

Part 2, greedy vs end-to-end training of the seeds' 784-300-150 stack (ELU,
MSE, Adam lr 1e-3, batch 150) on the 4,000 training digits: end to end for
20 and for 40 epochs, greedy with 20 epochs per stage alone
(``max_iter=0``) and followed by 20 epochs of fine-tuning. Median fit time
over interleaved repeats, and held-out reconstruction MSE.
"""

import argparse
import statistics
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from _harness import interleaved_medians, markdown_table, save, timed
from skae import PretrainedClassifier, StackedAE
from skae.datasets import load_mnist

LABELS = (100, 500, 4000)
AUTOENCODER = dict(n_components=64, hidden_layer_sizes=(256,),
                   activation="sigmoid", out_activation="sigmoid", loss="bce",
                   learning_rate=1e-2, max_iter=100, random_state=0)
# the tutorial's fine-tuning on the labeled digits alone, what this script
# measures (the default consistency term on the unlabeled digits is measured
# by benchmarks/defaults.py)
CLASSIFIER = dict(max_iter=100, learning_rate=1e-3, consistency=0.0,
                  noise=None)
GREEDY_EPOCHS = 20
STACK = dict(n_components=150, hidden_layer_sizes=(300,), batch_size=150,
             learning_rate=1e-3, random_state=0)
CONTENDERS = ("PretrainedClassifier", "same network, random init",
              "LogisticRegression", "PCA(50) + LogisticRegression")


def split():
    X, y = load_mnist(return_X_y=True)
    return train_test_split(X, y, test_size=1000, random_state=0, stratify=y)


def scarce(y, n_labeled):
    """``y`` with all but ``n_labeled`` (stratified) labels set to -1."""
    if n_labeled >= len(y):
        return y.copy()
    keep, _ = train_test_split(np.arange(len(y)), train_size=n_labeled,
                               stratify=y, random_state=0)
    y_semi = np.full_like(y, -1)
    y_semi[keep] = y[keep]
    return y_semi


def label_scarcity(X_train, X_test, y_train, y_test, seeds):
    fit_time, autoencoder = timed(
        lambda: StackedAE(**AUTOENCODER).fit(X_train))
    scratch = StackedAE(**{**AUTOENCODER, "max_iter": 0}).fit(X_train)
    pca = PCA(50, random_state=0).fit(X_train)
    results = {}
    for n_labeled in LABELS:
        y_semi = scarce(y_train, n_labeled)
        labeled = y_semi != -1
        runs = {name: [] for name in CONTENDERS}
        for seed in range(seeds):
            for name, ae in [("PretrainedClassifier", autoencoder),
                             ("same network, random init", scratch)]:
                clf = PretrainedClassifier(FrozenEstimator(ae),
                                           random_state=seed, **CLASSIFIER)
                seconds, clf = timed(lambda: clf.fit(X_train, y_semi))
                runs[name].append((clf.score(X_test, y_test), seconds))
        seconds, lr = timed(lambda: LogisticRegression(max_iter=2000).fit(
            X_train[labeled], y_train[labeled]))
        runs["LogisticRegression"].append((lr.score(X_test, y_test), seconds))
        seconds, lr = timed(lambda: LogisticRegression(max_iter=2000).fit(
            pca.transform(X_train[labeled]), y_train[labeled]))
        runs["PCA(50) + LogisticRegression"].append(
            (lr.score(pca.transform(X_test), y_test), seconds))
        results[n_labeled] = {
            name: {"accuracy": [a for a, _ in r], "seconds": [s for _, s in r],
                   "mean": statistics.mean(a for a, _ in r),
                   "std": statistics.pstdev(a for a, _ in r)}
            for name, r in runs.items()}
    return {"autoencoder_fit_seconds": fit_time, "by_labels": results}


def greedy_vs_end_to_end(X_train, X_test, repeats):
    e = GREEDY_EPOCHS
    settings = {
        f"end to end, {e} epochs": dict(max_iter=e),
        f"greedy, {e} epochs per stage": dict(
            pretraining="greedy", pretraining_max_iter=e, max_iter=0),
        f"greedy + {e} epochs fine-tuning": dict(
            pretraining="greedy", pretraining_max_iter=e, max_iter=e),
        f"end to end, {2 * e} epochs": dict(max_iter=2 * e),
    }
    fitted = {}

    def fit(name):
        def run():
            fitted[name] = StackedAE(**STACK, **settings[name]).fit(X_train)
        return run

    times = interleaved_medians({name: fit(name) for name in settings}, repeats)
    out = {}
    for name, est in fitted.items():
        rec = est.inverse_transform(est.transform(X_test))
        out[name] = {"seconds": times[name]["median"],
                     "times": times[name]["times"],
                     "mse": float(np.mean((rec - X_test) ** 2))}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    X_train, X_test, y_train, y_test = split()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scarcity = label_scarcity(X_train, X_test, y_train, y_test, args.seeds)
        greedy = greedy_vs_end_to_end(X_train, X_test, args.repeats)

    by_labels = scarcity["by_labels"]
    rows = []
    for name in CONTENDERS:
        cells = []
        for n in LABELS:
            r = by_labels[n][name]
            cells.append(f"{r['mean']:.3f} ± {r['std']:.3f}" if len(
                r["accuracy"]) > 1 else f"{r['mean']:.3f}")
        rows.append((name, *cells))
    table = markdown_table(
        ["held-out accuracy", *(f"{n:,} labels" for n in LABELS)], rows)
    met = {n: all(by_labels[n]["PretrainedClassifier"]["mean"]
                  > by_labels[n][other]["mean"] for other in CONTENDERS[1:])
           for n in LABELS}
    base = greedy[f"end to end, {GREEDY_EPOCHS} epochs"]
    greedy_rows = [(name, f"{r['seconds']:.1f}",
                    f"{r['seconds'] / base['seconds']:.2f}", f"{r['mse']:.4f}",
                    f"{r['mse'] / base['mse']:.2f}")
                   for name, r in greedy.items()]
    table += "\n\n" + markdown_table(
        ["784-300-150 stack", "median fit (s)", "time / end to end",
         "held-out MSE", "MSE / end to end"], greedy_rows)
    notes = (
        f"Scarce labels: 4,000 training digits, 1,000 held out; the networks' "
        f"mean ± std over {args.seeds} seeds, the autoencoder (784-256-64, "
        f"sigmoid, cross-entropy, 100 epochs; "
        f"{scarcity['autoencoder_fit_seconds']:.0f} s) fitted once on all "
        f"4,000 digits. Target (PretrainedClassifier beats the other three at "
        f"100 and 500 labels): "
        f"{'met' if met[100] and met[500] else 'NOT met'} "
        f"(100: {met[100]}, 500: {met[500]}, 4,000: {met[4000]}). "
        f"Greedy vs end to end: Adam lr 1e-3, batch 150, median of "
        f"{args.repeats} interleaved repeats.")
    save("pretraining", {"label_scarcity": scarcity, "greedy": greedy,
                         "target_met": met,
                         "settings": {"autoencoder": AUTOENCODER,
                                      "classifier": CLASSIFIER,
                                      "stack": STACK,
                                      "greedy_epochs": GREEDY_EPOCHS,
                                      "seeds": args.seeds,
                                      "repeats": args.repeats}},
         table, notes)
    return met


if __name__ == "__main__":
    main()
