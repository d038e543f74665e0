"""Model files: pickle vs skae.save, size against the weights, and time.

Every estimator of ``skae.all_estimators()`` (and a ``skae.stack`` result)
is fitted on 2,000 MNIST digits with a code of 32 (ConvAE: 16 and small
filters; fixed epochs), then saved and loaded both ways in one process.
Size is reported against the bytes of the network's weights plus the
sampler's training codes (what a model file has to hold); target: at most
1.2x for both formats. Times are medians of interleaved repeats.
"""

import argparse
import io
import pickle
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline

import skae
from _harness import interleaved_medians, markdown_table, save
from skae.datasets import load_mnist

SETTINGS = {
    "ConvAE": dict(n_components=16, filters=(8, 16)),
    "KSparseAE": dict(k=8),
    "PretrainedClassifier": dict(autoencoder=skae.StackedAE(
        n_components=32, max_iter=5, random_state=0)),
}


def _fitted(X, y):
    out = {}
    for cls in skae.all_estimators():
        params = dict(max_iter=5, random_state=0)
        if "n_components" in cls().get_params():
            params["n_components"] = 32
        est = cls(**{**params, **SETTINGS.get(cls.__name__, {})})
        needs_y = cls.__name__ == "PretrainedClassifier"
        out[cls.__name__] = est.fit(X, y if needs_y else None)
    pipe = Pipeline([
        ("a", skae.StackedAE(128, hidden_layer_sizes=(), max_iter=5,
                             random_state=0)),
        ("b", skae.StackedAE(32, hidden_layer_sizes=(), max_iter=5,
                             random_state=0)),
    ]).fit(X)
    out["stack(StackedAE, StackedAE)"] = skae.stack(pipe)
    return out


def _state_bytes(est):
    """Weights (each tensor once) plus the training codes of the sampler."""
    seen, total = set(), 0
    for tensor in est.module_.state_dict().values():
        if tensor.data_ptr() in seen:
            continue
        seen.add(tensor.data_ptr())
        total += tensor.numel() * tensor.element_size()
    codes = getattr(est, "_sampler_codes", None)
    autoencoder = getattr(est, "autoencoder_", None)
    extra = _state_bytes(autoencoder) if autoencoder is not None else 0
    return total + (codes.nbytes if codes is not None else 0) + extra


def _skae_bytes(est):
    buffer = io.BytesIO()
    skae.save(est, buffer)
    return buffer.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    X, y = load_mnist(return_X_y=True)
    rng = np.random.RandomState(0)
    keep = rng.permutation(len(X))[:2000]
    X, y = X[keep], y[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = _fitted(X, y)
    results, rows = {}, []
    for name, est in fitted.items():
        state = _state_bytes(est)
        pickled, saved = pickle.dumps(est), _skae_bytes(est)
        times = interleaved_medians({
            "pickle save": lambda: pickle.dumps(est),
            "pickle load": lambda: pickle.loads(pickled),
            "skae.save": lambda: _skae_bytes(est),
            "skae.load": lambda: skae.load(io.BytesIO(saved)),
        }, args.repeats)
        results[name] = {
            "state_bytes": state, "pickle_bytes": len(pickled),
            "skae_bytes": len(saved),
            "seconds": {k: v["median"] for k, v in times.items()},
        }
        r = results[name]
        rows.append((name, f"{state / 2**20:.2f}",
                     f"{r['pickle_bytes'] / state:.2f}",
                     f"{r['skae_bytes'] / state:.2f}",
                     f"{r['seconds']['pickle save'] * 1e3:.0f} / "
                     f"{r['seconds']['pickle load'] * 1e3:.0f}",
                     f"{r['seconds']['skae.save'] * 1e3:.0f} / "
                     f"{r['seconds']['skae.load'] * 1e3:.0f}"))
        print(rows[-1], flush=True)
    worst = max(max(r["pickle_bytes"], r["skae_bytes"]) / r["state_bytes"]
                for r in results.values())
    table = markdown_table(
        ["estimator", "weights + codes (MiB)", "pickle / state",
         "skae.save / state", "pickle save / load (ms)",
         "skae.save / load (ms)"], rows)
    notes = (f"2,000 MNIST digits, code of 32, 5 epochs; state = the "
             f"network's weights (each tensor once) plus the sampler's "
             f"training codes (and a PretrainedClassifier's autoencoder). "
             f"skae.save writes a zip of JSON (deflated), .npy and "
             f"safetensors (stored). Target: both formats at most 1.2x the state; "
             f"worst measured {worst:.2f}x. Times: median of "
             f"{args.repeats} interleaved repeats.")
    save("persistence", {"results": results}, table, notes)
    return results


if __name__ == "__main__":
    main()
