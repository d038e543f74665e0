"""Defaults against PCA: every autoencoder of skae at its defaults.

The acceptance table of "Defaults that earn their place against PCA". Every
autoencoder class of ``skae.all_estimators()`` (found generically: a
transformer with ``inverse_transform`` and an ``n_components`` parameter;
classes with an ``image_shape`` parameter, such as ``ConvAE``, run on the
image data sets only) is fitted with only ``n_components``, the data's
``image_shape`` and ``random_state=0`` set, on

* ``load_breast_cancer`` (30 features) and ``load_wine`` (13), standardised
  by a StandardScaler fitted on the training split;
* ``load_digits`` (64, 8x8, divided by 16);
* MNIST-5k (784, 28x28, [0, 1]), 4,000 train / 1,000 held out;
* ``load_faces()`` (100 faces, [0, 1]), 5-fold cross-validation;

at k = 2 and a larger k per data set. The other splits hold out 25%,
stratified, seed 0. Per (estimator, data set, k): held-out reconstruction
MSE ``mean((inverse_transform(transform(X_test)) - X_test) ** 2)`` (for the
standardised data in standardised units), PCA's at the same k, the ratio,
the epochs run (``n_iter_``), fit time / PCA fit time (PCA: median of 5
fits) and the categories of the warnings that ``fit`` emitted.

Extra measurements on MNIST (the issue's targets):

* default ``StackedAE`` at k=32 and k=8: ratio to PCA, fit seconds, warned;
* ``StackedAE(hidden_layer_sizes=(1000, 500, 250), n_components=30)`` vs
  PCA-30;
* ``VariationalAE(hidden_layer_sizes=(500, 500), n_components=20,
  likelihood="bernoulli")``: held-out negative ELBO (``-score``, nats);
* ``PretrainedClassifier()`` with 100 / 500 labels (a stratified choice) of
  the 4,000 training digits, the rest labeled -1; held-out accuracy, and
  ``LogisticRegression`` on the pixels of the labeled digits;
* the README pipeline ``StackedAE(n_components=32) -> LogisticRegression``
  vs ``PCA(32) -> LogisticRegression``, 5-fold shuffled StratifiedKFold
  over all 5,000 digits.

``--max-seconds S`` stops any single training run after the first epoch
that ends past S seconds (a skorch callback passed through the estimator's
``callbacks`` parameter); such rows say "budget". Without it (the default)
every fit runs to its own stopping rule. ``--quick`` is a smoke test of the
script (few estimators, ``max_iter=2``), not a measurement.

Run: ``OMP_NUM_THREADS=1 python benchmarks/defaults.py --threads 1
--label before --out defaults_before --max-seconds 300``.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
import warnings

import numpy as np
import torch
from sklearn.base import TransformerMixin
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

HERE_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE_DIR)
# measure the skae of this checkout, not whichever one is installed
sys.path.insert(0, os.path.dirname(HERE_DIR))
import skae  # noqa: E402
from _harness import RESULTS, markdown_table, save, timed  # noqa: E402
from skae.datasets import load_faces, load_mnist  # noqa: E402

#: data set -> the larger k (k=2 is always measured too)
LARGE_K = {"breast_cancer": 8, "wine": 6, "digits": 16, "mnist": 32,
           "faces": 16}
DATASETS = tuple(LARGE_K)
QUICK_ESTIMATORS = ("LinearAE", "StackedAE", "ConvAE", "VariationalAE")
QUICK_MAX_ITER = 2
FACE_FOLDS = 5
PCA_TIMING_REPEATS = 5

#: Targets named by the issue.
TARGETS = {
    "stacked_k32_ratio": 0.70, "stacked_k8_ratio": 0.80,
    "stacked_seconds": 30.0, "deep_ratio": 0.60, "vae_nats": 108.0,
    "vae_seconds": 60.0, "pretrained_100": 0.82, "pretrained_500": 0.91,
}


# ---------------------------------------------------------------------------
# time budget
_BUDGET_HITS = set()


class TimeBudget(Callback):
    """Stop a training run after the first epoch that ends past ``seconds``.

    Raising KeyboardInterrupt is skorch's way to end the fit loop (skae's
    own stopping rule does the same). The estimator deep-copies its
    callbacks, so the callback reports through the module-level set
    ``_BUDGET_HITS`` under its ``token`` instead of its own attributes.
    """

    def __init__(self, seconds, token):
        self.seconds = seconds
        self.token = token

    def on_train_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()

    def on_epoch_end(self, net, **kwargs):
        if (time.perf_counter() - self.start_ >= self.seconds
                and len(net.history) < net.max_epochs):
            _BUDGET_HITS.add(self.token)
            raise KeyboardInterrupt


def budget_callbacks(max_seconds):
    """``(callbacks, token)`` for one fit: ``callbacks`` is None without a
    budget."""
    if not max_seconds:
        return None, None
    token = uuid.uuid4().hex
    return [("time_budget", TimeBudget(max_seconds, token))], token


# ---------------------------------------------------------------------------
# estimators
def autoencoder_classes():
    """Autoencoders of ``skae.all_estimators()``: transformers with
    ``inverse_transform`` and an ``n_components`` parameter."""
    found = []
    for cls in skae.all_estimators():
        if not (issubclass(cls, TransformerMixin)
                or hasattr(cls, "transform")):
            continue
        if not hasattr(cls, "inverse_transform"):
            continue
        try:
            params = cls().get_params(deep=False)
        except Exception as exc:  # a class that cannot be built bare
            print(f"skipping {cls.__name__}: {exc!r}", flush=True)
            continue
        if "n_components" not in params:
            continue
        found.append(cls)
    return found


def find_class(name):
    for cls in skae.all_estimators():
        if cls.__name__ == name:
            return cls
    return None


def is_image_estimator(cls):
    return "image_shape" in cls().get_params(deep=False)


def make(cls, max_iter=None, callbacks=None, **params):
    """``cls(**params)``, keeping only the parameters that ``cls`` has, plus
    ``random_state=0`` and the smoke test's ``max_iter`` and the budget's
    ``callbacks`` when given."""
    known = cls().get_params(deep=False)
    params = {"random_state": 0, **params}
    if max_iter is not None:
        params["max_iter"] = max_iter
    if callbacks is not None:
        params["callbacks"] = callbacks
    return cls(**{k: v for k, v in params.items() if k in known})


def fit_recorded(est, X, y=None, max_seconds=None):
    """Fit ``est``; return a dict with seconds, epochs, warnings, budget.

    A failing fit returns the error instead (the row says so)."""
    callbacks, token = budget_callbacks(max_seconds)
    if callbacks is not None and "callbacks" in est.get_params(deep=False):
        est.set_params(callbacks=callbacks)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            seconds, _ = timed(lambda: est.fit(X, y) if y is not None
                               else est.fit(X))
            error = None
        except Exception as exc:
            seconds, error = None, f"{type(exc).__name__}: {exc}"
    categories = sorted({w.category.__name__ for w in caught})
    messages = {}
    for w in caught:
        messages.setdefault(w.category.__name__, str(w.message)[:300])
    return {
        "fit_seconds": seconds,
        "epochs": getattr(est, "n_iter_", None) if error is None else None,
        "max_iter": est.get_params(deep=False).get("max_iter"),
        "warnings": categories,
        "warning_messages": messages,
        "stopped_by_budget": token in _BUDGET_HITS if token else False,
        "error": error,
    }


def reconstruction_mse(model, X):
    return float(np.mean((model.inverse_transform(model.transform(X))
                          - X) ** 2))


# ---------------------------------------------------------------------------
# data
def load(name):
    """``{"folds": [(X_train, X_test), ...], "image_shape", "evaluation"}``;
    the MNIST split also keeps its labels for the extras."""
    if name in ("breast_cancer", "wine"):
        X, y = (load_breast_cancer if name == "breast_cancer"
                else load_wine)(return_X_y=True)
        X_train, X_test = train_test_split(X, test_size=0.25, stratify=y,
                                           random_state=0)[:2]
        scaler = StandardScaler().fit(X_train)
        return {"folds": [(scaler.transform(X_train),
                           scaler.transform(X_test))],
                "image_shape": None,
                "evaluation": "25% held out, stratified, seed 0; "
                              "StandardScaler fitted on the training split"}
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
        X_train, X_test = train_test_split(X, test_size=0.25, stratify=y,
                                           random_state=0)[:2]
        return {"folds": [(X_train, X_test)], "image_shape": (8, 8),
                "evaluation": "25% held out, stratified, seed 0; X / 16"}
    if name == "mnist":
        X, y = load_mnist(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=1000, stratify=y, random_state=0)
        return {"folds": [(X_train, X_test)], "image_shape": (28, 28),
                "evaluation": "4,000 train / 1,000 held out, stratified, "
                              "seed 0",
                "y": (y_train, y_test), "all": (X, y)}
    if name == "faces":
        faces = load_faces()
        X = faces.data
        folds = [(X[train], X[test]) for train, test in
                 KFold(FACE_FOLDS, shuffle=True, random_state=0).split(X)]
        return {"folds": folds, "image_shape": tuple(faces.images.shape[1:]),
                "evaluation": f"{FACE_FOLDS}-fold cross-validation (shuffled, "
                              f"seed 0) over {len(X)} faces "
                              f"(source {faces.source})"}
    raise ValueError(f"unknown data set {name!r}; choose from {DATASETS}")


def pca_reference(k, folds):
    """PCA's held-out MSE (mean over folds) and fit seconds (sum over
    folds of the median of repeated fits)."""
    mses, seconds = [], 0.0
    for X_train, X_test in folds:
        times = []
        for _ in range(PCA_TIMING_REPEATS):
            t, pca = timed(lambda: PCA(k, random_state=0).fit(X_train))
            times.append(t)
        seconds += statistics.median(times)
        mses.append(reconstruction_mse(pca, X_test))
    return {"mse": float(np.mean(mses)), "fold_mse": mses,
            "fit_seconds": seconds}


def measure(cls, k, data, pca, args):
    """One row cell: ``cls`` at its defaults with code size ``k``."""
    params = {"n_components": k}
    if data["image_shape"] is not None and is_image_estimator(cls):
        params["image_shape"] = data["image_shape"]
    folds, mses, seconds = [], [], 0.0
    for X_train, X_test in data["folds"]:
        est = make(cls, max_iter=args.max_iter, **params)
        rec = fit_recorded(est, X_train, max_seconds=args.max_seconds)
        if rec["error"] is None:
            try:
                rec["mse"] = reconstruction_mse(est, X_test)
            except Exception as exc:
                rec["error"] = f"{type(exc).__name__}: {exc}"
        folds.append(rec)
        if rec["error"] is not None:
            break
        mses.append(rec["mse"])
        seconds += rec["fit_seconds"]
    error = next((f["error"] for f in folds if f["error"]), None)
    out = {
        "n_components": k,
        "params": {k_: (list(v) if isinstance(v, tuple) else v)
                   for k_, v in params.items()},
        "pca_mse": pca["mse"],
        "pca_fit_seconds": pca["fit_seconds"],
        "folds": folds,
        "error": error,
        "warnings": sorted({c for f in folds for c in f["warnings"]}),
        "stopped_by_budget": any(f["stopped_by_budget"] for f in folds),
        "epochs": [f["epochs"] for f in folds],
    }
    if error is None:
        out["mse"] = float(np.mean(mses))
        out["ratio"] = out["mse"] / pca["mse"]
        out["fit_seconds"] = seconds
        out["fit_over_pca"] = seconds / pca["fit_seconds"]
    return out


# ---------------------------------------------------------------------------
# formatting
def _epochs(cell):
    e = [x for x in cell["epochs"] if x is not None]
    if not e:
        return ""
    text = str(e[0]) if min(e) == max(e) else f"{min(e)}-{max(e)}"
    return text + (" (budget)" if cell["stopped_by_budget"] else "")


def _warned(cell):
    return ", ".join(c.replace("Warning", "") for c in cell["warnings"]) or "no"


def _fit_time(cell):
    return f"{cell['fit_seconds']:.1f} s (x{cell['fit_over_pca']:,.0f})"


def _cells(cell):
    if cell is None:
        return ["", "", "", ""]
    if cell["error"]:
        return [f"error: {cell['error'].split(':')[0]}", "", "", ""]
    return [f"{cell['ratio']:.3f}", _epochs(cell), _fit_time(cell),
            _warned(cell)]


def progress(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def describe(cell):
    if cell["error"]:
        return f"ERROR {cell['error'][:200]}"
    return (f"mse {cell['mse']:.5f} / PCA {cell['pca_mse']:.5f} = "
            f"{cell['ratio']:.3f}, epochs {_epochs(cell)}, "
            f"{cell['fit_seconds']:.1f} s, warned: {_warned(cell)}")


# ---------------------------------------------------------------------------
# extras on MNIST
def stacked_targets(classes, table, mnist, pca_cache, args):
    """Default StackedAE on MNIST at k=32 and k=8 (reusing the main rows)."""
    cls = classes.get("StackedAE")
    if cls is None:
        return None
    out = {}
    for k in (32, 8):
        cell = table.get(("StackedAE", "mnist", k))
        if cell is None:
            pca = pca_cache.setdefault(("mnist", k),
                                       pca_reference(k, mnist["folds"]))
            cell = measure(cls, k, mnist, pca, args)
            progress(f"extra StackedAE mnist k={k}: {describe(cell)}")
        out[k] = cell
    return out


def deep_stacked(classes, mnist, args):
    cls = classes.get("StackedAE")
    if cls is None:
        return None
    (X_train, X_test), = mnist["folds"]
    est = make(cls, max_iter=args.max_iter, n_components=30,
               hidden_layer_sizes=(1000, 500, 250))
    rec = fit_recorded(est, X_train, max_seconds=args.max_seconds)
    pca = pca_reference(30, mnist["folds"])
    if rec["error"] is None:
        rec["mse"] = reconstruction_mse(est, X_test)
        rec["pca_mse"] = pca["mse"]
        rec["ratio"] = rec["mse"] / pca["mse"]
    progress(f"extra deep StackedAE: {rec}")
    return rec


def vae_bernoulli(classes, mnist, args):
    cls = classes.get("VariationalAE")
    if cls is None:
        return None
    (X_train, X_test), = mnist["folds"]
    est = make(cls, max_iter=args.max_iter, n_components=20,
               hidden_layer_sizes=(500, 500), likelihood="bernoulli")
    rec = fit_recorded(est, X_train, max_seconds=args.max_seconds)
    if rec["error"] is None:
        # VariationalAE.score is the mean ELBO in nats per sample
        rec["neg_elbo_nats"] = -float(est.score(X_test))
        rec["mse"] = reconstruction_mse(est, X_test)
        rec["pca_mse"] = pca_reference(20, mnist["folds"])["mse"]
        rec["ratio"] = rec["mse"] / rec["pca_mse"]
    progress(f"extra VAE bernoulli: {rec}")
    return rec


def scarce(y, n_labeled):
    """``y`` with all but ``n_labeled`` (stratified) labels set to -1."""
    keep, _ = train_test_split(np.arange(len(y)), train_size=n_labeled,
                               stratify=y, random_state=0)
    y_semi = np.full_like(y, -1)
    y_semi[keep] = y[keep]
    return y_semi


def pretrained(classes, mnist, args):
    cls = find_class("PretrainedClassifier")
    if cls is None or "PretrainedClassifier" not in classes:
        return None
    (X_train, X_test), = mnist["folds"]
    y_train, y_test = mnist["y"]
    out = {}
    for n_labeled in (100, 500):
        y_semi = scarce(y_train, n_labeled)
        params = {}
        if args.max_iter is not None:
            # the smoke test shortens the autoencoder stage too
            ae_cls = classes.get("StackedAE") or find_class("StackedAE")
            params["autoencoder"] = make(ae_cls, max_iter=args.max_iter)
        est = make(cls, max_iter=args.max_iter, **params)
        # the budget (if any) covers the classifier stage only: the default
        # autoencoder is built inside fit, out of reach of callbacks
        rec = fit_recorded(est, X_train, y_semi, max_seconds=args.max_seconds)
        if rec["error"] is None:
            rec["accuracy"] = float(est.score(X_test, y_test))
            ae = getattr(est, "autoencoder_", None)
            rec["autoencoder_epochs"] = getattr(ae, "n_iter_", None)
        labeled = y_semi != -1
        t, lr = timed(lambda: LogisticRegression(max_iter=2000).fit(
            X_train[labeled], y_train[labeled]))
        rec["logreg_accuracy"] = float(lr.score(X_test, y_test))
        rec["logreg_fit_seconds"] = t
        out[n_labeled] = rec
        progress(f"extra PretrainedClassifier {n_labeled} labels: {rec}")
    return out


def readme_pipeline(classes, mnist, args):
    cls = classes.get("StackedAE")
    if cls is None:
        return None
    X, y = mnist["all"]
    folds = StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
    out = {"ae": [], "pca": [], "ae_fit_seconds": [], "pca_fit_seconds": [],
           "ae_epochs": [], "ae_warnings": [], "ae_stopped_by_budget": []}
    for i, (train, test) in enumerate(folds):
        callbacks, token = budget_callbacks(args.max_seconds)
        ae = make(cls, max_iter=args.max_iter, callbacks=callbacks,
                  n_components=32)
        pipe = Pipeline([("ae", ae),
                         ("clf", LogisticRegression(max_iter=1000))])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t, _ = timed(lambda: pipe.fit(X[train], y[train]))
        out["ae"].append(float(pipe.score(X[test], y[test])))
        out["ae_fit_seconds"].append(t)
        out["ae_epochs"].append(pipe.named_steps["ae"].n_iter_)
        out["ae_warnings"].append(sorted({w.category.__name__
                                          for w in caught}))
        out["ae_stopped_by_budget"].append(token in _BUDGET_HITS)
        pca = Pipeline([("pca", PCA(32, random_state=0)),
                        ("clf", LogisticRegression(max_iter=1000))])
        t, _ = timed(lambda: pca.fit(X[train], y[train]))
        out["pca"].append(float(pca.score(X[test], y[test])))
        out["pca_fit_seconds"].append(t)
        progress(f"extra pipeline fold {i}: StackedAE {out['ae'][-1]:.4f} "
                 f"vs PCA {out['pca'][-1]:.4f}, {out['ae_fit_seconds'][-1]:.1f}"
                 f" s, epochs {out['ae_epochs'][-1]}, warned "
                 f"{out['ae_warnings'][-1]}")
    out["ae_wins"] = sum(a > p for a, p in zip(out["ae"], out["pca"]))
    out["ties"] = sum(a == p for a, p in zip(out["ae"], out["pca"]))
    return out


# ---------------------------------------------------------------------------
def _mark(ok):
    return "met" if ok else "MISSED"


def extras_report(extras):
    """Markdown tables and target lines of the extras."""
    parts, verdicts = [], []
    s = extras.get("stacked_mnist")
    if s:
        rows = []
        for k in (32, 8):
            c = s[k]
            if c["error"]:
                rows.append((k, "error", "", "", "", ""))
                verdicts.append(f"StackedAE k={k}: error")
                continue
            limit = TARGETS[f"stacked_k{k}_ratio"]
            ok = (c["ratio"] <= limit, c["fit_seconds"] < TARGETS[
                "stacked_seconds"], not c["warnings"],
                not c["stopped_by_budget"])
            rows.append((k, f"{c['ratio']:.3f} (<= {limit})",
                         f"{c['fit_seconds']:.1f} (< 30)", _epochs(c),
                         _warned(c), "all met" if all(ok) else "MISSED"))
            verdicts.append(
                f"default StackedAE on MNIST k={k}: ratio {c['ratio']:.3f} "
                f"{_mark(ok[0])}, {c['fit_seconds']:.1f} s {_mark(ok[1])}, "
                f"warning {_mark(ok[2])}")
        parts.append(markdown_table(
            ["default StackedAE, MNIST, k", "MSE / PCA (target)",
             "fit s (target)", "epochs", "warned", "targets"], rows))
    rows = []
    d = extras.get("deep_stacked")
    if d:
        if d["error"]:
            rows.append(("StackedAE (1000, 500, 250), k=30", "error: "
                         + d["error"].split(":")[0], "", "", "", ""))
            verdicts.append("deep StackedAE: error")
        else:
            rows.append(("StackedAE (1000, 500, 250), k=30",
                         f"MSE / PCA-30 = {d['ratio']:.3f}", "<= 0.60",
                         f"{d['fit_seconds']:.1f}",
                         _epochs({"epochs": [d["epochs"]],
                                  "stopped_by_budget":
                                  d["stopped_by_budget"]}),
                         _warned(d)))
            verdicts.append(f"deep StackedAE ratio {d['ratio']:.3f} "
                            f"{_mark(d['ratio'] <= TARGETS['deep_ratio'])}")
    v = extras.get("vae")
    if v:
        if v["error"]:
            rows.append(("VariationalAE (500, 500), k=20, bernoulli",
                         "error: " + v["error"].split(":")[0], "", "", "",
                         ""))
            verdicts.append("VAE: error")
        else:
            rows.append(("VariationalAE (500, 500), k=20, bernoulli",
                         f"-ELBO {v['neg_elbo_nats']:.1f} nats",
                         "<= 108 nats in <= 60 s",
                         f"{v['fit_seconds']:.1f}",
                         _epochs({"epochs": [v["epochs"]],
                                  "stopped_by_budget":
                                  v["stopped_by_budget"]}),
                         _warned(v)))
            verdicts.append(
                f"VAE -ELBO {v['neg_elbo_nats']:.1f} nats "
                f"{_mark(v['neg_elbo_nats'] <= TARGETS['vae_nats'])}, "
                f"{v['fit_seconds']:.1f} s "
                f"{_mark(v['fit_seconds'] <= TARGETS['vae_seconds'])}")
    p = extras.get("pretrained")
    if p:
        for n, r in p.items():
            target = TARGETS[f"pretrained_{n}"]
            if r["error"]:
                rows.append((f"PretrainedClassifier, {n} labels", "error: "
                             + r["error"].split(":")[0], "", "", "", ""))
                verdicts.append(f"PretrainedClassifier {n}: error")
                continue
            rows.append((f"PretrainedClassifier, {n} labels",
                         f"accuracy {r['accuracy']:.3f} (LogisticRegression "
                         f"on pixels {r['logreg_accuracy']:.3f})",
                         f">= {target}", f"{r['fit_seconds']:.1f}",
                         f"{r['epochs']} (autoencoder "
                         f"{r['autoencoder_epochs']})"
                         + (" (budget)" if r["stopped_by_budget"] else ""),
                         _warned(r)))
            verdicts.append(f"PretrainedClassifier {n} labels "
                            f"{r['accuracy']:.3f} "
                            f"{_mark(r['accuracy'] >= target)}")
    if rows:
        parts.append(markdown_table(
            ["MNIST extra", "measured", "target", "fit s", "epochs",
             "warned"], rows))
    q = extras.get("pipeline")
    if q:
        rows = [(i + 1, f"{a:.4f}", f"{b:.4f}", "StackedAE" if a > b else
                 ("tie" if a == b else "PCA"), f"{t:.1f}", e,
                 ", ".join(w.replace("Warning", "") for w in ws) or "no")
                for i, (a, b, t, e, ws) in enumerate(zip(
                    q["ae"], q["pca"], q["ae_fit_seconds"], q["ae_epochs"],
                    q["ae_warnings"]))]
        rows.append(("mean", f"{np.mean(q['ae']):.4f}",
                     f"{np.mean(q['pca']):.4f}",
                     f"StackedAE wins {q['ae_wins']} of {len(q['ae'])}",
                     f"{np.mean(q['ae_fit_seconds']):.1f}", "", ""))
        parts.append(markdown_table(
            ["README pipeline, fold", "StackedAE(32) + LogReg accuracy",
             "PCA(32) + LogReg accuracy", "better", "StackedAE pipeline fit s",
             "epochs", "warned"], rows))
        verdicts.append(f"README pipeline: StackedAE wins {q['ae_wins']} of "
                        f"{len(q['ae'])} folds (mean accuracy "
                        f"{np.mean(q['ae']):.4f} vs PCA {np.mean(q['pca']):.4f})")
    return parts, verdicts


def warm_up(classes):
    """One tiny fit before the timings: the first torch call of a process
    pays for loading kernels (seconds), which would land on the first row."""
    X = np.random.RandomState(0).rand(64, 16)
    for cls in classes.values():
        params = {"image_shape": (4, 4)} if is_image_estimator(cls) else {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                make(cls, max_iter=1, n_components=2, **params).fit(X)
        except Exception:
            pass


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: few estimators, max_iter=2, "
                             "nothing saved unless --out is given")
    parser.add_argument("--only", default=None,
                        help="comma-separated class names (autoencoders, "
                             "and PretrainedClassifier for its extra)")
    parser.add_argument("--datasets", default=None,
                        help=f"comma-separated among {','.join(DATASETS)}; "
                             "the MNIST extras run when mnist is included")
    parser.add_argument("--no-extras", action="store_true",
                        help="skip the MNIST extras")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--label", default="",
                        help="stored in the JSON, e.g. before / after")
    parser.add_argument("--out", default=None,
                        help="result name: results/<out>.json and the README "
                             "section (default: defaults)")
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="time budget of every single training run")
    parser.add_argument("--max-iter", type=int, default=None,
                        help="override max_iter (not a defaults measurement)")
    args = parser.parse_args(argv)
    if args.quick and args.max_iter is None:
        args.max_iter = QUICK_MAX_ITER
    if args.threads:
        torch.set_num_threads(args.threads)
    out_name = args.out or (None if args.quick else "defaults")

    classes = {cls.__name__: cls for cls in autoencoder_classes()}
    if args.only:
        wanted = set(args.only.split(","))
    elif args.quick:
        wanted = set(QUICK_ESTIMATORS) | {"PretrainedClassifier"}
    else:
        wanted = None
    extra_classes = dict(classes)
    if find_class("PretrainedClassifier") is not None:
        extra_classes["PretrainedClassifier"] = find_class(
            "PretrainedClassifier")
    if wanted is not None:
        unknown = wanted - set(extra_classes)
        if unknown:
            print(f"not found among the autoencoders: {sorted(unknown)}",
                  flush=True)
        classes = {n: c for n, c in classes.items() if n in wanted}
        extra_classes = {n: c for n, c in extra_classes.items()
                         if n in wanted}
    datasets = args.datasets.split(",") if args.datasets else list(DATASETS)
    progress(f"skae {skae.__file__}; torch threads {torch.get_num_threads()}; "
             f"autoencoders {sorted(classes)}; data sets {datasets}; "
             f"max_iter override {args.max_iter}; budget {args.max_seconds}")

    warm_up(classes)
    started = time.perf_counter()
    data, pca_cache, table = {}, {}, {}
    plan = []
    for ds in datasets:
        data[ds] = load(ds)
        for name, cls in classes.items():
            if is_image_estimator(cls) and data[ds]["image_shape"] is None:
                continue
            for k in (2, LARGE_K[ds]):
                plan.append((name, ds, k))
    partial = RESULTS / f"{out_name or 'defaults_quick'}.partial.json"
    for i, (name, ds, k) in enumerate(plan):
        if (ds, k) not in pca_cache:
            pca_cache[(ds, k)] = pca_reference(k, data[ds]["folds"])
        t0 = time.perf_counter()
        cell = measure(classes[name], k, data[ds], pca_cache[(ds, k)], args)
        table[(name, ds, k)] = cell
        progress(f"[{i + 1}/{len(plan)}] {name} {ds} k={k}: {describe(cell)} "
                 f"({time.perf_counter() - t0:.0f} s wall)")
        RESULTS.mkdir(exist_ok=True)
        partial.write_text(json.dumps(
            [{"estimator": n, "dataset": d, **c}
             for (n, d, _), c in table.items()], indent=1, default=str))

    extras = {}
    if "mnist" in data and not args.no_extras:
        mnist = data["mnist"]
        extras["stacked_mnist"] = stacked_targets(classes, table, mnist,
                                                  pca_cache, args)
        extras["deep_stacked"] = deep_stacked(classes, mnist, args)
        extras["vae"] = vae_bernoulli(classes, mnist, args)
        extras["pretrained"] = pretrained(extra_classes, mnist, args)
        extras["pipeline"] = readme_pipeline(classes, mnist, args)
        extras = {k: v for k, v in extras.items() if v is not None}
    total = time.perf_counter() - started

    # -- the main table
    rows = []
    for name in classes:
        for ds in datasets:
            small = table.get((name, ds, 2))
            large = table.get((name, ds, LARGE_K[ds]))
            if small is None and large is None:
                continue
            rows.append((name, ds, *_cells(small), LARGE_K[ds],
                         *_cells(large)))
    header = ["estimator", "data", "k=2: MSE / PCA", "epochs",
              "fit s (x PCA fit)", "warned", "larger k", "MSE / PCA",
              "epochs", "fit s (x PCA fit)", "warned"]
    # a run of the extras alone (--only PretrainedClassifier) has no table
    tables = [markdown_table(header, rows)] if rows else []
    pca_rows = [(ds, f"{pca_cache[(ds, 2)]['mse']:.5f}", LARGE_K[ds],
                 f"{pca_cache[(ds, LARGE_K[ds])]['mse']:.5f}",
                 data[ds]["evaluation"])
                for ds in datasets if (ds, 2) in pca_cache]
    if pca_rows:
        tables.append(markdown_table(
            ["data", "PCA MSE, k=2", "larger k", "PCA MSE, larger k",
             "evaluation"], pca_rows))
    extra_tables, verdicts = extras_report(extras)
    tables += extra_tables

    # -- notes: what the main table says, and the targets
    cells = [c for c in table.values()]
    ok_cells = [c for c in cells if not c["error"]]
    worse = sorted(((c["ratio"], n, d, k) for (n, d, k), c in table.items()
                    if not c["error"] and c["ratio"] > 1), reverse=True)
    warned = sorted({(n, d, k) for (n, d, k), c in table.items()
                     if c["warnings"]})
    budget = sorted({(n, d, k) for (n, d, k), c in table.items()
                     if c["stopped_by_budget"]})
    errors = sorted({(n, d, k, c["error"].split(":")[0])
                     for (n, d, k), c in table.items() if c["error"]})
    summary = [
        f"{len(ok_cells)} of {len(cells)} (estimator, data set, k) fits "
        f"succeeded; {sum(c['ratio'] <= 1 for c in ok_cells)} beat or match "
        f"PCA, {len(worse)} are worse than PCA, {len(warned)} warned"
        + (f", {len(budget)} were stopped by the {args.max_seconds:g} s "
           "budget." if args.max_seconds else "."),
    ]
    if worse:
        summary.append("Worst against PCA: " + "; ".join(
            f"{n} {d} k={k} {r:.2f}x" for r, n, d, k in worse[:8]) + ".")
    if errors:
        summary.append("Errors: " + "; ".join(
            f"{n} {d} k={k} ({e})" for n, d, k, e in errors) + ".")
    if budget:
        summary.append("Stopped by budget: " + "; ".join(
            f"{n} {d} k={k}" for n, d, k in budget) + ".")
    if not cells:
        summary = []
    notes = (
        f"Label: {args.label or '(none)'}. Every autoencoder of "
        "`skae.all_estimators()` at its defaults: only `n_components`, "
        "`random_state=0` and, for image models, `image_shape` set"
        + (f" (max_iter overridden to {args.max_iter}: NOT a defaults "
           "measurement)" if args.max_iter is not None else "")
        + ". Held-out reconstruction MSE relative to PCA with the same k "
        "(< 1: the autoencoder is better; standardised data in standardised "
        "units), epochs run (`n_iter_`"
        + (f", \"budget\": stopped by the {args.max_seconds:g} s per-fit "
           "budget" if args.max_seconds else ", no time budget")
        + "), fit seconds and their ratio "
        "to PCA's fit (median of 5), the warning categories of `fit`. "
        "Faces: mean over the folds (epochs: range), fit time summed over "
        "folds. Image models (those with an `image_shape` parameter) run on "
        "digits, MNIST and faces only.\n\n"
        + " ".join(summary)
        + ("\n\nTargets: " + "; ".join(verdicts) + "." if verdicts else "")
        + f"\n\nWall time of the run: {total / 60:.1f} min, torch threads "
        f"{torch.get_num_threads()}."
    )
    payload = {
        "label": args.label,
        "args": vars(args),
        "wall_seconds": total,
        "large_k": LARGE_K,
        "evaluation": {ds: data[ds]["evaluation"] for ds in datasets},
        "pca": [{"dataset": d, "n_components": k, **v}
                for (d, k), v in pca_cache.items()],
        "results": [{"estimator": n, "dataset": d, **c}
                    for (n, d, _), c in table.items()],
        "extras": {k: ({str(kk): vv for kk, vv in v.items()}
                       if k in ("stacked_mnist", "pretrained") else v)
                   for k, v in extras.items()},
        "targets": TARGETS,
        "verdicts": verdicts,
    }
    table_text = "\n\n".join(tables)
    if out_name:
        save(out_name, payload, table_text, notes)
        if partial.exists():
            partial.unlink()
    else:
        print(table_text + "\n\n" + notes)
        if partial.exists():
            partial.unlink()
    return payload


if __name__ == "__main__":
    main()
