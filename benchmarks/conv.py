"""Convolutional autoencoders: ConvAE vs StackedAE, MLP denoisers and PCA.

Three comparisons in one run, each at equal code size:

1. MNIST, 4,000 train / 1,000 held out, code 32: held-out reconstruction MSE
   of ConvAE and StackedAE (default settings), with parameter counts.
2. Denoising, the same digits with Gaussian noise sigma 0.2 clipped to
   [0, 1] (seed 001): held-out PSNR against the clean digits of ConvAE's
   denoising mode, of StackedAE reconstructing the noisy digits and of the
   MLP denoiser ``DenoisingAE``.
3. Faces (``load_faces()``): held-out reconstruction MSE of ConvAE and PCA
   with the same number of components, 5-fold cross-validation.

Fit times are reported relative to StackedAE's, and the fit time per epoch
of ConvAE (the benchmark's network and the default, seed-sized one) on CPU,
and on a GPU when torch sees one (``device="auto"``).

Targets: ConvAE / StackedAE MSE < 1; ConvAE's PSNR above StackedAE's and
DenoisingAE's; ConvAE / PCA MSE < 1 on the faces.
"""

import argparse
import warnings

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, train_test_split

import skae
from _harness import markdown_table, save, timed
from skae import ConvAE, StackedAE
from skae.datasets import load_faces, load_mnist

SIGMA = 0.2
CODE = 32
#: ConvAE on MNIST: about StackedAE's parameter count (see the table).
CONV_MNIST = dict(filters=(16, 32, 64), strides=(2, 2, 1), batch_size=50,
                  max_iter=30)
#: ConvAE on the faces.
CONV_FACES = dict(filters=(16, 32), strides=(2, 2), max_iter=200)
FACE_COMPONENTS = (8, 16)


def _n_params(est):
    return sum(p.numel() for p in est.module_.parameters())


def _fit(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds, _ = timed(lambda: est.fit(X))
    return seconds


def _reconstruct(est, X):
    return est.inverse_transform(est.transform(X))


def _mse(est, X, target=None):
    target = X if target is None else target
    return float(np.mean((_reconstruct(est, X) - target) ** 2))


def _psnr(mse):
    return float(10 * np.log10(1.0 / mse))


def _mlp_denoiser(**params):
    """The fully connected denoising autoencoder at StackedAE's defaults.

    ``skae.DenoisingAE`` when it exists; until then a marked fallback: a
    StackedAE whose training input is corrupted by the same Gaussian noise
    (``skae.nn.Corruption``), which is what DenoisingAE does.
    """
    if hasattr(skae, "DenoisingAE"):
        return skae.DenoisingAE(noise="gaussian", noise_level=SIGMA, **params)
    from skae.nn import Corruption

    class StackedAEOnNoisyInput(StackedAE):  # FALLBACK, not DenoisingAE
        def _module_kwargs(self):
            return {**super()._module_kwargs(),
                    "corruption": Corruption("gaussian", SIGMA)}

    return StackedAEOnNoisyInput(**params)


def _denoise(est, X_noisy):
    if hasattr(est, "denoise"):
        return est.denoise(X_noisy)
    return _reconstruct(est, X_noisy)


def mnist_comparisons(epochs_default):
    X, y = load_mnist(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=1000, random_state=0,
                                       stratify=y)[:2]
    rng = np.random.RandomState(0)
    X_noisy = np.clip(X_test + SIGMA * rng.randn(*X_test.shape), 0, 1)
    X_noisy = X_noisy.astype(np.float32)

    contenders = {
        "StackedAE": StackedAE(CODE, random_state=0),
        "ConvAE": ConvAE(CODE, random_state=0, **CONV_MNIST),
        "DenoisingAE": _mlp_denoiser(n_components=CODE, random_state=0),
        "ConvAE denoising": ConvAE(CODE, noise="gaussian", noise_level=SIGMA,
                                   random_state=0, **CONV_MNIST),
    }
    results = {}
    for name, est in contenders.items():
        seconds = _fit(est, X_train)
        results[name] = {
            "class": type(est).__name__,
            "params": _n_params(est),
            "fit_seconds": seconds,
            "epochs": est.n_iter_,
            "seconds_per_epoch": seconds / max(est.n_iter_, 1),
            "mse": _mse(est, X_test),
            "psnr_noisy": _psnr(float(np.mean(
                (_denoise(est, X_noisy) - X_test) ** 2))),
        }
        print(name, results[name], flush=True)
    base = results["StackedAE"]["fit_seconds"]
    for entry in results.values():
        entry["fit_vs_stackedae"] = entry["fit_seconds"] / base

    # the default (seed-sized) network: time per epoch only
    per_epoch = {}
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        for label, params in [("benchmark network", CONV_MNIST),
                              ("default network", {})]:
            params = {**params, "max_iter": epochs_default}
            est = ConvAE(CODE, random_state=0, device=device, **params)
            seconds = _fit(est, X_train)
            per_epoch[f"{label}, {device}"] = {
                "params": _n_params(est), "epochs": est.n_iter_,
                "seconds_per_epoch": seconds / est.n_iter_}
            print(label, device, per_epoch[f"{label}, {device}"], flush=True)
    return {"results": results, "noisy_input_psnr": _psnr(float(np.mean(
        (X_noisy - X_test) ** 2))), "per_epoch": per_epoch}


def faces_comparison():
    faces = load_faces()
    X = faces.data
    params = dict(CONV_FACES)
    if faces.source == "olivetti":
        params["resize"] = (32, 32)  # the seed's 64x64 faces at 32x32
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    out = {"source": faces.source, "n_faces": len(X),
           "image_shape": list(faces.images.shape[1:]), "conv_params": params,
           "by_n_components": []}
    for k in FACE_COMPONENTS:
        conv, pca, conv_train, pca_train, seconds = [], [], [], [], 0.0
        for train, test in folds:
            est = ConvAE(k, random_state=0, **params)
            seconds += _fit(est, faces.images[train])
            pca_est = PCA(k, random_state=0).fit(X[train])
            conv.append(_mse(est, X[test]))
            pca.append(_mse(pca_est, X[test]))
            conv_train.append(_mse(est, X[train]))
            pca_train.append(_mse(pca_est, X[train]))
        entry = {"n_components": k, "conv_mse": float(np.mean(conv)),
                 "pca_mse": float(np.mean(pca)),
                 "conv_train_mse": float(np.mean(conv_train)),
                 "pca_train_mse": float(np.mean(pca_train)),
                 "mean_baseline_mse": float(np.mean([
                     np.mean((X[test] - X[train].mean(0)) ** 2)
                     for train, test in folds])),
                 "conv_fit_seconds_per_fold": seconds / len(folds)}
        entry["conv/pca"] = entry["conv_mse"] / entry["pca_mse"]
        out["by_n_components"].append(entry)
        print("faces", entry, flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-default", type=int, default=2,
                        help="epochs timed for the per-epoch table")
    args = parser.parse_args(argv)

    mnist = mnist_comparisons(args.epochs_default)
    faces = faces_comparison()
    res = mnist["results"]
    sae, conv = res["StackedAE"], res["ConvAE"]
    rows = [(name, r["class"], f"{r['params']:,}", f"{r['mse']:.5f}",
             f"{r['psnr_noisy']:.2f}", r["epochs"], f"{r['fit_seconds']:.1f}",
             f"{r['fit_vs_stackedae']:.2f}")
            for name, r in res.items()]
    table = markdown_table(
        ["contender", "class", "parameters", "held-out MSE",
         f"PSNR on noisy digits (dB, sigma {SIGMA})", "epochs",
         "fit (s)", "fit / StackedAE fit"], rows)
    table += "\n\n" + markdown_table(
        ["ConvAE network, device", "parameters", "s / epoch (4,000 digits)"],
        [(name, f"{r['params']:,}", f"{r['seconds_per_epoch']:.2f}")
         for name, r in mnist["per_epoch"].items()])
    table += "\n\n" + markdown_table(
        ["faces: n_components", "ConvAE held-out MSE", "PCA held-out MSE",
         "ConvAE / PCA", "mean-face MSE", "ConvAE train MSE",
         "PCA train MSE"],
        [(e["n_components"], f"{e['conv_mse']:.5f}", f"{e['pca_mse']:.5f}",
          f"{e['conv/pca']:.3f}", f"{e['mean_baseline_mse']:.5f}",
          f"{e['conv_train_mse']:.5f}", f"{e['pca_train_mse']:.5f}")
         for e in faces["by_n_components"]])
    mlp = res["DenoisingAE"]
    fallback = mlp["class"] != "DenoisingAE"
    targets = {
        "mnist conv/stacked mse < 1": conv["mse"] / sae["mse"],
        "psnr conv denoising - stacked > 0":
            res["ConvAE denoising"]["psnr_noisy"] - sae["psnr_noisy"],
        "psnr conv denoising - mlp denoiser > 0":
            res["ConvAE denoising"]["psnr_noisy"] - mlp["psnr_noisy"],
        "faces conv/pca < 1": [e["conv/pca"] for e in faces["by_n_components"]],
    }
    notes = (
        f"MNIST 4,000 train / 1,000 held out, code {CODE}. StackedAE and the "
        "MLP denoiser: defaults (784-256-32 ELU, Adam). ConvAE: filters "
        f"{CONV_MNIST['filters']}, strides {CONV_MNIST['strides']}, batch "
        f"{CONV_MNIST['batch_size']} (the seed's), at most "
        f"{CONV_MNIST['max_iter']} epochs, else defaults (ReLU, Adam lr "
        "1e-3, batch-normalised sigmoid code, sigmoid "
        f"output). Noisy digits: clip(X + {SIGMA} N(0, 1), 0, 1), PSNR "
        f"against the clean digits (the noisy input itself: "
        f"{mnist['noisy_input_psnr']:.2f} dB); StackedAE and ConvAE "
        "reconstruct the noisy digits, the denoisers were trained with the "
        "same noise. "
        + ("The MLP denoiser row is a FALLBACK (StackedAE with Gaussian "
           "input corruption) because skae.DenoisingAE is not available. "
           if fallback else "")
        + f"Faces: load_faces() source '{faces['source']}' "
        f"({faces['n_faces']} faces, {faces['image_shape']}), 5-fold "
        f"cross-validated held-out MSE, ConvAE {faces['conv_params']}. "
        f"Targets (measured): ConvAE / StackedAE MSE < 1 "
        f"({targets['mnist conv/stacked mse < 1']:.3f}); denoising PSNR above "
        f"StackedAE by "
        f"{targets['psnr conv denoising - stacked > 0']:+.2f} dB and above "
        f"the MLP denoiser by "
        f"{targets['psnr conv denoising - mlp denoiser > 0']:+.2f} dB; faces "
        f"ConvAE / PCA < 1 ("
        + ", ".join(f"{r:.3f}" for r in targets["faces conv/pca < 1"]) + ").")
    save("conv", {"mnist": mnist, "faces": faces, "targets": targets,
                  "mlp_denoiser_is_fallback": fallback},
         table, notes)
    return targets


if __name__ == "__main__":
    main()
