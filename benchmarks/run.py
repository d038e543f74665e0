"""Run every benchmark (``make bench``); each writes results/<name>.json."""

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHMARKS = ["overhead", "pca", "regularized", "pretraining", "conv",
              "generative", "persistence", "outlier", "defaults", "batch_size",
              "scale"]

if __name__ == "__main__":
    names = sys.argv[1:] or BENCHMARKS
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(name).main([])
