"""Model files that cannot run code: :func:`save` and :func:`load`.

A model file is a zip archive holding

* ``skae.json``: the format and its version, then for the estimator (and
  for each estimator it holds, such as a PretrainedClassifier's
  autoencoder) its class name, its parameters and its fitted attributes as
  JSON, the per-epoch training history, and where its arrays and weights
  are;
* ``.npy`` arrays, written and read with ``allow_pickle=False``;
* the network's weights as ``safetensors``.

Nothing in it is unpickled, and :func:`load` builds only skae's own
classes (those of :func:`skae.all_estimators`): a file cannot make it run
code. Pickle (or joblib) stays the way to save for files you trust; it
keeps more (the user's callbacks, any optimizer class), and loads only with
compatible versions of skae, torch and skorch.
"""

import io
import json
import numbers
import warnings
import zipfile

import numpy as np
import torch

from ._version import __version__

#: The file format's name and version; :func:`load` refuses others.
FORMAT = "skae.model"
FORMAT_VERSION = 1

_MANIFEST = "skae.json"

#: Attributes that are not state: rebuilt on load (``net_``), caches
#: recomputed on first use (``sampler_``), or transient.
_NOT_SAVED = {"net_", "sampler_", "_module_arguments"}


def _skae_classes():
    from ._registry import all_estimators

    return {cls.__name__: cls for cls in all_estimators()}


# ----------------------------------------------------------------------
# values <-> JSON
class _Writer:
    def __init__(self, archive):
        self.archive = archive
        self.count = 0

    def _name(self, suffix):
        self.count += 1
        return f"data/{self.count}{suffix}"

    def array(self, value):
        name = self._name(".npy")
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        # numbers barely compress; storing them keeps save fast
        self.archive.writestr(name, buffer.getvalue(),
                              compress_type=zipfile.ZIP_STORED)
        return name

    def weights(self, module):
        from safetensors.torch import save

        tensors, aliases = _unique_tensors(module.state_dict())
        name = self._name(".safetensors")
        self.archive.writestr(name, save(tensors),
                              compress_type=zipfile.ZIP_STORED)
        return {"file": name, "aliases": aliases}

    def encode(self, value, where):
        """``value`` as JSON (arrays and estimators written aside)."""
        from sklearn.base import BaseEstimator

        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, numbers.Integral) and not isinstance(
                value, np.generic):
            return int(value)
        if isinstance(value, float):
            return {"float": repr(float(value))}  # inf and nan survive
        if isinstance(value, np.generic):
            return {"scalar": self.array(np.asarray(value))}
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                if all(isinstance(v, str) for v in value.ravel()):
                    return {"str_array": value.tolist()}
                raise TypeError(f"{where}: an object array of non-strings")
            return {"array": self.array(value)}
        if isinstance(value, (list, tuple)):
            items = [self.encode(v, f"{where}[{i}]")
                     for i, v in enumerate(value)]
            return {"tuple" if isinstance(value, tuple) else "list": items}
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                raise TypeError(f"{where}: a dict with non-string keys")
            return {"dict": {k: self.encode(v, f"{where}[{k!r}]")
                             for k, v in value.items()}}
        if isinstance(value, torch.device):
            return {"device": str(value)}
        if isinstance(value, type) and issubclass(
                value, torch.optim.Optimizer) and getattr(
                torch.optim, value.__name__, None) is value:
            return {"optimizer": value.__name__}
        if isinstance(value, BaseEstimator):
            return {"estimator": self.estimator(value, where)}
        if isinstance(value, type) and issubclass(value, torch.nn.Module):
            # the user's module class (CustomAE), by name: load() builds it
            # only from the classes it is given
            return {"module_class": _qualified_name(value)}
        if isinstance(value, torch.nn.Module):
            raise TypeError(
                f"skae.save cannot store {where}, a torch module instance, "
                "without pickling it; give its class and arguments instead "
                f"({where.rsplit('.', 1)[-1]}={type(value).__name__}, "
                f"{where.rsplit('.', 1)[-1]}__<name>=...), or use pickle or "
                "joblib (trusted files only).")
        raise TypeError(
            f"skae.save cannot store {where} = {value!r} (a "
            f"{type(value).__name__}) without pickling it; use pickle or "
            "joblib for this estimator (trusted files only).")

    def estimator(self, est, where="estimator"):
        name = type(est).__name__
        if _skae_classes().get(name) is not type(est):
            raise TypeError(
                f"skae.save stores skae's own estimators; {where} is a "
                f"{type(est).__module__}.{name}.")
        params = est.get_params(deep=False)
        if params.get("callbacks"):
            warnings.warn(
                f"{name}'s callbacks are not saved (they are code); the "
                "loaded estimator has callbacks=None.", UserWarning,
                stacklevel=3)
            params["callbacks"] = None
        record = {
            "class": name,
            "params": {k: self.encode(v, f"{name}.{k}")
                       for k, v in params.items()},
            "attributes": {},
            "module": None,
            "history": None,
        }
        for key, value in vars(est).items():
            if key in params or key in _NOT_SAVED:
                continue
            record["attributes"][key] = self.encode(value, f"{name}.{key}")
        net = vars(est).get("net_")
        if net is not None:
            record["module"] = self.weights(est.module_)
            record["history"] = [
                {k: self.encode(v, f"{name}.net_.history")
                 for k, v in epoch.items() if k != "batches"}
                for epoch in net.history]
        return record


def _unique_tensors(state):
    """The state dict without aliases (tied weights share their tensor;
    safetensors stores each tensor once): ``(tensors, {alias: name})``."""
    tensors, aliases, seen = {}, {}, {}
    for name, tensor in state.items():
        key = (tensor.data_ptr(), tensor.shape, tensor.stride(),
               tensor.dtype) if tensor.numel() else None
        if key is not None and key in seen:
            aliases[name] = seen[key]
            continue
        if key is not None:
            seen[key] = name
        tensors[name] = tensor.detach().cpu().contiguous()
    return tensors, aliases


def _qualified_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


class _Reader:
    def __init__(self, archive, modules=()):
        self.archive = archive
        self.modules = {_qualified_name(cls): cls for cls in modules}

    def read(self, name):
        try:
            return self.archive.read(name)
        except KeyError:
            raise ValueError(
                f"The model file lacks {name!r}: it is incomplete or was "
                "not written by skae.save.") from None

    def array(self, name):
        return np.load(io.BytesIO(self.read(name)), allow_pickle=False)

    def decode(self, value):
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(f"Unexpected value {value!r} in the model file.")
        (kind, content), = value.items()
        if kind == "float":
            return float(content)
        if kind == "scalar":
            return self.array(content)[()]
        if kind == "array":
            return self.array(content)
        if kind == "str_array":
            return np.asarray(content, dtype=object)
        if kind == "list":
            return [self.decode(v) for v in content]
        if kind == "tuple":
            return tuple(self.decode(v) for v in content)
        if kind == "dict":
            return {k: self.decode(v) for k, v in content.items()}
        if kind == "device":
            return torch.device(content)
        if kind == "optimizer":
            cls = getattr(torch.optim, content, None)
            if not (isinstance(cls, type)
                    and issubclass(cls, torch.optim.Optimizer)):
                raise ValueError(f"Unknown optimizer {content!r}.")
            return cls
        if kind == "estimator":
            return self.estimator(content)
        if kind == "module_class":
            if content not in self.modules:
                given = sorted(self.modules) or "none"
                raise ValueError(
                    f"The model file uses the torch module class {content!r}; "
                    "skae.load builds no class it is not given: pass it, "
                    f"skae.load(path, modules=[...]) (given: {given}).")
            return self.modules[content]
        raise ValueError(f"Unknown value kind {kind!r} in the model file.")

    def estimator(self, record):
        classes = _skae_classes()
        name = record.get("class")
        if name not in classes:
            raise ValueError(
                f"The model file holds a {name!r}, which is not one of "
                f"skae's estimators ({', '.join(sorted(classes))}); skae.load "
                "builds nothing else.")
        cls = classes[name]
        est = cls(**{k: self.decode(v) for k, v in record["params"].items()})
        for key, value in record["attributes"].items():
            setattr(est, key, self.decode(value))
        if record.get("module") is not None:
            from safetensors.torch import load

            module = est._rebuild_module()
            tensors = load(self.read(record["module"]["file"]))
            for alias, name_ in record["module"]["aliases"].items():
                tensors[alias] = tensors[name_]
            try:
                module.load_state_dict(tensors, strict=True)
            except RuntimeError as exc:
                raise ValueError(
                    f"The weights in the model file do not match the "
                    f"network that {name}'s parameters describe: {exc}"
                ) from None
            device = _load_device(est.device)
            est._attach_net(module.to(device), device, history=[
                {k: self.decode(v) for k, v in epoch.items()}
                for epoch in record["history"] or []])
        return est


def _load_device(device):
    """Where a loaded model lives: its ``device`` if torch sees it here,
    else the CPU (a model fitted on a GPU loads on a CPU-only machine)."""
    from ._training import resolve_device

    try:
        return resolve_device(device)
    except ValueError:
        warnings.warn(
            f"The model was fitted with device={device!r}, which is not "
            "available here; it is loaded on the CPU (its device parameter "
            "is unchanged).", UserWarning, stacklevel=4)
        return torch.device("cpu")


# ----------------------------------------------------------------------
def save(estimator, path):
    """Save a skae estimator to a file that cannot execute code.

    The file (a zip archive) holds the parameters and fitted attributes as
    JSON and ``.npy`` arrays and the network's weights as ``safetensors``;
    nothing in it is pickled. :func:`load` reads it back with bit-identical
    ``transform``, ``inverse_transform``, ``score_samples`` and ``sample``.
    Unlike a pickle, the file keeps neither the user's ``callbacks``
    (they are code; a warning says so) nor the optimizer's state, which
    only continuing the same training would need.

    Parameters
    ----------
    estimator : skae estimator
        Fitted or not; one of :func:`skae.all_estimators` (including the
        results of :func:`skae.stack`).
    path : str or path-like or file-like
        Where to write.

    See Also
    --------
    load : read the file back.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn.datasets import load_digits
    >>> import skae
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = skae.StackedAE(n_components=4, hidden_layer_sizes=(16,),
    ...                     max_iter=2, random_state=0).fit(X / 16)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skae")
    >>> skae.save(ae, path)
    >>> loaded = skae.load(path)
    >>> bool((loaded.transform(X / 16) == ae.transform(X / 16)).all())
    True
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        record = _Writer(archive).estimator(estimator)
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                    "skae_version": __version__,
                    "torch_version": torch.__version__,
                    "estimator": record}
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=1))
    data = buffer.getvalue()
    if hasattr(path, "write"):
        path.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def load(path, modules=()):
    """Load an estimator written by :func:`save`, without running code.

    Only skae's estimator classes are built, and the torch module classes
    given in ``modules``; arrays are read with ``allow_pickle=False`` and
    weights from ``safetensors``. A model fitted on a GPU loads on the CPU
    when torch sees no GPU (with a warning).

    Parameters
    ----------
    path : str or path-like or file-like
    modules : sequence of torch.nn.Module classes, default=()
        The classes of the ``encoder`` / ``decoder`` of a :class:`CustomAE`
        in the file (matched by module and qualified name). The file names
        them but cannot hold their code; a missing one is a ValueError.

    Returns
    -------
    estimator : skae estimator

    Raises
    ------
    ValueError
        The file is not a skae model file, is truncated or corrupted, has
        another format version, names a class that is not skae's, or holds
        weights that do not match the estimator's parameters. Nothing is
        returned half-loaded.

    See Also
    --------
    save : write an estimator to such a file.
    """
    try:
        if hasattr(path, "read"):
            data = path.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path!r} is not a skae model file (not a zip archive, or "
            "truncated); write one with skae.save.") from None
    with archive:
        try:
            manifest = json.loads(_Reader(archive).read(_MANIFEST))
        except (ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(
                f"{path!r} is not a readable skae model file: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"{path!r} is not a skae model file.")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{path!r} has skae model format version "
                f"{manifest.get('format_version')!r}; this skae reads version "
                f"{FORMAT_VERSION} (the file was written by skae "
                f"{manifest.get('skae_version')}).")
        try:
            return _Reader(archive, modules).estimator(manifest["estimator"])
        except (KeyError, TypeError, zipfile.BadZipFile, OSError) as exc:
            raise ValueError(
                f"{path!r} is a damaged skae model file ({type(exc).__name__}:"
                f" {exc}).") from None
