"""Fingerprints of every fixed-seed output, to show a refactoring changed none.

Fits every estimator of skae with a fixed ``random_state`` on the 8x8
digits in many ways (float32 and float64, sample weights, CSR and on-disk
input, partial_fit passes, warm starts, early stopping, greedy
pretraining, L-BFGS, skae.stack, save/load, the classifier and the
outlier detector) and hashes what a user gets back: ``transform``,
``inverse_transform``, ``score_samples``, ``sample``, the loss curves and
the per-epoch history (times left out). One torch thread, so the hashes do
not depend on how sums are split between threads.

    python benchmarks/fingerprint.py out.json            # record
    python benchmarks/fingerprint.py out.json --compare before.json

``--compare`` prints every fingerprint that differs or is missing and exits
with 1 if any does. The hashes are of one machine: compare runs made on the
same machine with the same torch, numpy and scikit-learn.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.datasets import load_digits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the user modules of CustomAE

import skae  # noqa: E402
from user_modules import MLPDecoder, MLPEncoder  # noqa: E402

#: Fast settings of each estimator: tiny layers, few epochs.
SMALL = dict(n_components=4, hidden_layer_sizes=(16,), max_iter=6,
             batch_size=32, random_state=0)
SETTINGS = {
    "StackedAE": SMALL,
    "DenoisingAE": SMALL,
    "SparseAE": SMALL,
    "ContractiveAE": dict(SMALL, hidden_layer_sizes=(16,), n_projections=2),
    "KSparseAE": dict(SMALL, k=2),
    "WinnerTakeAllAE": SMALL,
    "VariationalAE": SMALL,
    "IWAE": dict(SMALL, n_importance_samples=3),
    "VampPriorVAE": dict(SMALL, n_pseudo_inputs=10, n_importance_samples=2),
    "BetaTCVAE": SMALL,
    "WAEMMD": SMALL,
    "VQVAE": dict(SMALL, n_codes=16),
    "AdversarialAE": dict(SMALL, discriminator_layer_sizes=(8,)),
    "LinearAE": dict(n_components=4, max_iter=8, random_state=0),
    "ConvAE": dict(n_components=4, filters=(4, 8), max_iter=3, batch_size=64,
                   random_state=0),
    "CustomAE": dict(n_components=4, encoder=MLPEncoder, decoder=MLPDecoder,
                     encoder__hidden=8, max_iter=6, batch_size=32,
                     random_state=0),
}


def digest(value):
    """A short hash of an array (or list of numbers), its dtype and shape."""
    array = np.ascontiguousarray(np.asarray(value))
    h = hashlib.sha256(array.tobytes())
    h.update(str((array.dtype.str, array.shape)).encode())
    return h.hexdigest()[:16]


def history_digest(est):
    """The per-epoch history, times and host-side bookkeeping left out."""
    rows = []
    for epoch in est.net_.history:
        rows.append({k: v for k, v in sorted(epoch.items())
                     if k not in ("dur", "batches", "event_lr")
                     and isinstance(v, (int, float, bool))})
    return hashlib.sha256(json.dumps(rows, sort_keys=True)
                          .encode()).hexdigest()[:16]


def outputs(prefix, est, X, out, sample=True, score=True):
    """Record what the fitted autoencoder ``est`` gives on ``X``."""
    codes = est.transform(X)
    out[f"{prefix}.transform"] = digest(codes)
    out[f"{prefix}.inverse_transform"] = digest(est.inverse_transform(codes))
    if score:
        out[f"{prefix}.score_samples"] = digest(est.score_samples(X))
    if sample:
        out[f"{prefix}.sample"] = digest(est.sample(5, random_state=1))
    out[f"{prefix}.loss_curve"] = digest(np.asarray(est.loss_curve_))
    out[f"{prefix}.n_iter"] = int(est.n_iter_)
    if est.validation_scores_ is not None:
        out[f"{prefix}.validation_scores"] = digest(
            np.asarray(est.validation_scores_))
    out[f"{prefix}.history"] = history_digest(est)


def fingerprints():
    torch.set_num_threads(1)
    digits = load_digits()
    X = (digits.data / 16).astype(np.float32)
    y = digits.target
    X_fit, X_new = X[:500], X[1500:1600]
    weight = np.where(y[:500] < 5, 1.0, 0.25)
    out = {}
    for cls in skae.all_estimators():
        name = cls.__name__
        if name not in SETTINGS:
            continue
        make = lambda **kw: cls(**{**SETTINGS[name], **kw})  # noqa: E731
        outputs(name, make().fit(X_fit), X_new, out)
        est = make().fit(X_fit.astype(np.float64))
        outputs(f"{name}.float64", est, X_new.astype(np.float64), out,
                sample=False)
        outputs(f"{name}.weighted", make().fit(X_fit, sample_weight=weight),
                X_new, out, sample=False)
        est = make()
        for chunk in (X_fit[:250], X_fit[250:], X_fit[:250]):
            est.partial_fit(chunk)
        outputs(f"{name}.partial", est, X_new, out)
        est = make().fit(X_fit)
        est.set_params(warm_start=True, max_iter=3)
        outputs(f"{name}.warm", est.fit(X_fit), X_new, out, sample=False)
        if name != "ConvAE":
            est = make(early_stopping=True).fit(np.vstack([X_fit, X[500:1200]]))
            outputs(f"{name}.early", est, X_new, out, sample=False)
    extra_cases(X, y, X_fit, X_new, out)
    return out


def extra_cases(X, y, X_fit, X_new, out):
    """What one family only has, and the other input kinds."""
    ae = skae.StackedAE(**SMALL, pretraining="greedy",
                        pretraining_max_iter=3).fit(X_fit)
    outputs("StackedAE.greedy", ae, X_new, out)
    out["StackedAE.greedy.curves"] = digest(
        np.concatenate(ae.pretraining_loss_curves_))
    dae = skae.DenoisingAE(**SMALL, pretraining="greedy",
                           pretraining_max_iter=2).fit(X_fit)
    outputs("DenoisingAE.greedy", dae, X_new, out)
    out["DenoisingAE.denoise"] = digest(dae.denoise(X_new))
    out["DenoisingAE.sample_chain"] = digest(dae.sample(4, random_state=3,
                                                        n_steps=5))
    for like in ("bernoulli", "gaussian"):
        vae = skae.VariationalAE(**SMALL, likelihood=like, kl_warmup=2,
                                 binarize_input=like == "bernoulli")
        vae.fit(X_fit)
        outputs(f"VariationalAE.{like}", vae, X_new, out)
        out[f"VariationalAE.{like}.log_likelihood"] = digest(
            vae.log_likelihood(X_new, n_importance_samples=7))
    sae = skae.StackedAE(**dict(SMALL, max_iter=4, batch_size="auto"),
                         optimizer="lbfgs", alpha=1e-3).fit(X_fit)
    outputs("StackedAE.lbfgs", sae, X_new, out)
    dlb = skae.DenoisingAE(**dict(SMALL, max_iter=3, batch_size="auto"),
                           optimizer="lbfgs").fit(X_fit)
    outputs("DenoisingAE.lbfgs", dlb, X_new, out)
    outputs("StackedAE.default_batch",
            skae.StackedAE(**dict(SMALL, batch_size="auto")).fit(X_fit),
            X_new, out)
    outputs("StackedAE.csr", skae.StackedAE(**SMALL).fit(sp.csr_matrix(X_fit)),
            sp.csr_matrix(X_new), out)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npy")
        np.save(path, X_fit)
        on_disk = np.load(path, mmap_mode="r")
        outputs("StackedAE.memmap", skae.StackedAE(**SMALL).fit(on_disk),
                X_new, out)
        est = skae.StackedAE(**SMALL).fit(X_fit)
        skae.save(est, os.path.join(tmp, "m.skae"))
        loaded = skae.load(os.path.join(tmp, "m.skae"))
        out["StackedAE.loaded.transform"] = digest(loaded.transform(X_new))
        out["StackedAE.loaded.sample"] = digest(loaded.sample(3,
                                                              random_state=2))
    parts = [skae.StackedAE(n_components=16, hidden_layer_sizes=(),
                            max_iter=3, batch_size=32, random_state=0)]
    parts[0].fit(X_fit)
    parts.append(skae.StackedAE(n_components=4, hidden_layer_sizes=(),
                                max_iter=3, batch_size=32, random_state=0)
                 .fit(parts[0].transform(X_fit)))
    stacked = skae.stack(parts)
    out["stack.transform"] = digest(stacked.transform(X_new))
    out["stack.sample"] = digest(stacked.sample(3, random_state=0))
    stacked.set_params(warm_start=True, max_iter=2)
    outputs("stack.fine_tuned", stacked.fit(X_fit), X_new, out)
    classifier_cases(X, y, X_fit, X_new, out)


def classifier_cases(X, y, X_fit, X_new, out):
    y_semi = np.where(np.arange(500) < 100, y[:500], -1)
    ae = skae.StackedAE(**SMALL)
    for kwargs in ({}, {"consistency": 0.0, "noise": None},
                   {"early_stopping": True, "freeze": 1}):
        clf = skae.PretrainedClassifier(ae, max_iter=5, random_state=0,
                                        **kwargs).fit(X_fit, y_semi)
        key = "PretrainedClassifier." + ("_".join(kwargs) or "default")
        out[f"{key}.proba"] = digest(clf.predict_proba(X_new))
        out[f"{key}.loss_curve"] = digest(np.asarray(clf.loss_curve_))
        out[f"{key}.history"] = history_digest(clf)
    clf = skae.PretrainedClassifier(ae, max_iter=5, random_state=0)
    for chunk in (slice(0, 250), slice(250, 500)):
        clf.partial_fit(X_fit[chunk], y_semi[chunk], classes=np.arange(10))
    out["PretrainedClassifier.partial.proba"] = digest(clf.predict_proba(X_new))
    out["PretrainedClassifier.partial.loss_curve"] = digest(
        np.asarray(clf.loss_curve_))
    for inner in (ae, skae.VariationalAE(**SMALL)):
        det = skae.AutoencoderOutlierDetector(inner).fit(X_fit)
        key = f"AutoencoderOutlierDetector.{type(inner).__name__}"
        out[f"{key}.decision"] = digest(det.decision_function(X_new))
        out[f"{key}.offset"] = repr(det.offset_)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output")
    parser.add_argument("--compare", default=None)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fingerprints()
    Path(args.output).write_text(json.dumps(out, indent=1, sort_keys=True))
    print(f"{len(out)} fingerprints written to {args.output}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        differ = sorted(k for k in set(before) | set(out)
                        if before.get(k) != out.get(k))
        for key in differ:
            print(f"DIFFERS {key}: {before.get(key)} -> {out.get(key)}")
        print(f"{len(before)} before, {len(out)} now, {len(differ)} differ")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
