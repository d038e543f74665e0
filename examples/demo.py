"""skae demo: PCA, LinearAE and StackedAE side by side on real MNIST digits.

Fits each model on 4,000 of the 5,000 bundled MNIST digits, then reports on
the 1,000 held out: reconstruction MSE, the accuracy of a LogisticRegression
trained on the codes, and the fit time. Writes original and reconstructed
digits to ``demo-output/reconstructions.png``.

Run with ``make demo`` (or ``python examples/demo.py [--verbose]``).
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skae import LinearAE, StackedAE  # noqa: E402
from skae.datasets import load_mnist  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true",
                        help="print one line per training epoch")
    parser.add_argument("--out", default="demo-output")
    args = parser.parse_args(argv)

    X, y = load_mnist(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1000, random_state=0, stratify=y)
    verbose = int(args.verbose)
    models = {
        "PCA(32)": PCA(n_components=32, random_state=0),
        "LinearAE(32)": LinearAE(n_components=32, random_state=0,
                                 verbose=verbose),
        "StackedAE(32)": StackedAE(n_components=32, random_state=0,
                                   verbose=verbose),
    }
    rows, reconstructions = [], {}
    for name, model in models.items():
        print(f"fitting {name} ...", flush=True)
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        rec = model.inverse_transform(model.transform(X_test))
        reconstructions[name] = rec
        clf = LogisticRegression(max_iter=1000).fit(model.transform(X_train),
                                                    y_train)
        rows.append((name, float(np.mean((rec - X_test) ** 2)),
                     clf.score(model.transform(X_test), y_test), seconds,
                     getattr(model, "n_iter_", "-")))

    print()
    print("MNIST, 4,000 train / 1,000 held out; code size 32")
    print(f"{'model':<15}{'held-out MSE':>14}{'LogReg acc':>12}"
          f"{'fit (s)':>10}{'epochs':>8}")
    for name, mse, acc, seconds, epochs in rows:
        print(f"{name:<15}{mse:>14.5f}{acc:>12.3f}{seconds:>10.1f}{epochs:>8}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n = 10
    fig, axes = plt.subplots(1 + len(models), n, figsize=(n, 1.15 * (1 + len(models))))
    for j in range(n):
        panels = [("original", X_test)] + list(reconstructions.items())
        for i, (label, images) in enumerate(panels):
            ax = axes[i, j]
            ax.imshow(images[j].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(label, rotation=0, ha="right", va="center",
                              fontsize=8)
    fig.suptitle("Held-out MNIST digits and their reconstructions (code size 32)")
    fig.savefig(out / "reconstructions.png", dpi=100, bbox_inches="tight")
    print(f"\nwrote {out / 'reconstructions.png'}")


if __name__ == "__main__":
    main()
