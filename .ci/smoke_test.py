"""A short fit / save / load with the installed skae, from outside the
source tree: what a user who ran ``pip install skae`` gets.

``make check-dist`` runs it in a new virtual environment holding only the
built wheel and its dependencies (no extras), from an empty folder.
"""

import importlib
import importlib.metadata
import io
import os
import sysconfig
import tempfile
import warnings

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

torch.set_num_threads(1)
warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs, on purpose

import skae  # noqa: E402

# the installed copy, not a source tree on the path
location = os.path.realpath(os.path.dirname(skae.__file__))
site = os.path.realpath(sysconfig.get_paths()["purelib"])
assert location.startswith(site + os.sep), (location, site)
assert importlib.metadata.version("skae") == skae.__version__

# every module imports with the required dependencies alone
for module in ("skae.nn", "skae.datasets", "skae.plotting", "skae.onnx"):
    importlib.import_module(module)

X, y = load_digits(return_X_y=True)
X = (X / 16).astype(np.float32)
ae = skae.StackedAE(n_components=8, hidden_layer_sizes=(32,), max_iter=5,
                    random_state=0).fit(X)
path = os.path.join(tempfile.mkdtemp(), "model.skae")
skae.save(ae, path)
loaded = skae.load(path)
assert (loaded.transform(X) == ae.transform(X)).all()
pipe = make_pipeline(loaded, LogisticRegression(max_iter=300)).fit(X, y)
assert pipe.score(X, y) > 0.8

detector = skae.AutoencoderOutlierDetector(random_state=0).set_params(
    autoencoder=skae.StackedAE(n_components=4, max_iter=3)).fit(X[:300])
assert set(detector.predict(X[:50])) <= {-1, 1}

try:
    skae.load(io.BytesIO(b"not a model file"))
except skae.ModelFileError as exc:
    assert exc.part == "the zip archive"
else:
    raise AssertionError("a damaged file loaded")

# the optional extras say how to install them
for call, extra in [(skae.onnx.register_converters, "skae[export]"),
                    (skae.datasets.load_mnist, "skae[datasets]")]:
    try:
        call()
    except ImportError as exc:
        assert extra in str(exc), str(exc)

print(f"smoke test passed: skae {skae.__version__} from {location}")
