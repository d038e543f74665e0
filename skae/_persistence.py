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

import contextlib
import io
import json
import numbers
import os
import warnings
import zipfile

import numpy as np
import torch

from ._errors import ModelFileError
from ._version import __version__

#: The file format's name and version; :func:`load` refuses others.
FORMAT = "skae.model"
FORMAT_VERSION = 1

_MANIFEST = "skae.json"

#: Attributes that are not state: rebuilt on load (``net_``), caches
#: recomputed on first use (``sampler_``), or transient.
_NOT_SAVED = {"net_", "sampler_", "_module_arguments"}

#: :func:`load` refuses a member that would expand more than this many
#: times (a "zip bomb"); :func:`save` stores arrays and weights as they are
#: and deflates only the JSON manifest, which shrinks about tenfold.
_MAX_EXPANSION = 200
#: ... unless it is smaller than this.
_MAX_UNCHECKED_SIZE = 1 << 20


def _skae_classes():
    """The estimator classes a model file may hold: skae's own, and the
    scikit-learn parts they keep (an imputer's MissingIndicator)."""
    from sklearn.impute import MissingIndicator

    from ._registry import all_estimators

    return {cls.__name__: cls
            for cls in [*all_estimators(), MissingIndicator]}


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
        return self.encode_object(value, where)

    def encode_object(self, value, where):
        """A device, an optimizer or module class, or an estimator, as
        JSON; anything else cannot be stored without pickling."""
        from sklearn.base import BaseEstimator

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


class _Refused(Exception):
    """Raised inside :class:`_Reader`: the part being read is refused for
    the reason the message gives."""


class _Reader:
    """Reads the estimator out of an open model file; every failure is a
    :class:`ModelFileError` naming the file (``where``) and the part."""

    def __init__(self, archive, where, modules=()):
        self.archive = archive
        self.where = where
        self.modules = {_qualified_name(cls): cls for cls in modules}

    def error(self, part, clause):
        return ModelFileError(f"Cannot load {self.where}: {part}: {clause}",
                              path=self.where, part=part)

    @contextlib.contextmanager
    def part(self, part):
        """Any failure while reading ``part`` of the file (an exception of
        any type: the parsers of zip, JSON, ``.npy`` and safetensors, and
        the estimator's own code, raise many) becomes a ModelFileError
        naming it, with the failure chained."""
        try:
            yield
        except ModelFileError:
            raise  # a finer part already named
        except _Refused as exc:
            raise self.error(part, str(exc)) from None
        except Exception as exc:
            raise self.error(
                part, f"damaged ({type(exc).__name__}: {exc}). Save the "
                "estimator again with skae.save, or load an intact copy of "
                "the file.") from exc

    def read(self, name):
        with self.part(f"the member {name!r}"):
            try:
                info = self.archive.getinfo(name)
            except KeyError:
                raise _Refused(
                    "missing; the file is incomplete or was not written by "
                    "skae.save.") from None
            if info.file_size > max(_MAX_UNCHECKED_SIZE,
                                    _MAX_EXPANSION * info.compress_size):
                raise _Refused(
                    f"it would expand from {info.compress_size} to "
                    f"{info.file_size} bytes, which skae.save never writes "
                    "(refused as a zip bomb).")
            return self.archive.read(info)

    def array(self, name):
        data = self.read(name)
        with self.part(f"the array {name!r}"):
            if not data.startswith(b"\x93NUMPY"):
                # np.load would take it for a pickle, and its message
                # suggests loading that unsafely
                raise _Refused(
                    "not a .npy array, as skae.save writes (skae.load never "
                    "unpickles: a pickle can run code).")
            return np.load(io.BytesIO(data), allow_pickle=False)

    def decode(self, value):
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            raise _Refused(f"unexpected value {value!r}.")
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
                raise _Refused(f"unknown optimizer {content!r}.")
            return cls
        if kind == "estimator":
            return self.estimator(content)
        if kind == "module_class":
            if content not in self.modules:
                given = sorted(self.modules) or "none"
                raise _Refused(
                    f"the torch module class {content!r}, which skae.load "
                    "builds only when given it: pass it, "
                    f"skae.load(path, modules=[...]) (given: {given}).")
            return self.modules[content]
        raise _Refused(f"unknown value kind {kind!r}.")

    def estimator(self, record):
        with self.part("an estimator's record"):
            classes = _skae_classes()
            name = record.get("class")
            if not isinstance(name, str) or name not in classes:
                raise _Refused(
                    f"the class {name!r} is not one of skae's estimators "
                    f"({', '.join(sorted(classes))}); skae.load builds "
                    "nothing else.")
            cls = classes[name]
            params, attributes = record["params"], record["attributes"]
        decoded = {}
        for key, value in params.items():
            with self.part(f"{name}'s parameter {key!r}"):
                decoded[key] = self.decode(value)
        with self.part(f"{name}'s parameters"):
            est = cls(**decoded)
        for key, value in attributes.items():
            with self.part(f"{name}'s attribute {key!r}"):
                if (not isinstance(key, str) or not key.isidentifier()
                        or key.startswith("__") or hasattr(cls, key)):
                    raise _Refused(f"not a fitted attribute of {name}.")
                setattr(est, key, self.decode(value))
        if record.get("module") is not None:
            self.network(est, name, record)
        return est

    def network(self, est, name, record):
        """Rebuild ``est``'s fitted network from ``record``."""
        from safetensors.torch import load

        with self.part(f"{name}'s network"):
            module = est._rebuild_module()
        with self.part(f"{name}'s weights"):
            tensors = load(self.read(record["module"]["file"]))
            for alias, name_ in record["module"]["aliases"].items():
                tensors[alias] = tensors[name_]
            try:
                module.load_state_dict(tensors, strict=True)
            except RuntimeError as exc:
                raise _Refused(
                    f"they do not match the network that {name}'s "
                    f"parameters describe: {exc}") from None
        with self.part(f"{name}'s training history"):
            history = [{k: self.decode(v) for k, v in epoch.items()}
                       for epoch in record["history"] or []]
        with self.part(f"{name}'s device"):
            device = _load_device(est.device)
            est._attach_net(module.to(device), device, history=history)


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
        them but cannot hold their code; a missing one is a
        :class:`ModelFileError`.

    Returns
    -------
    estimator : skae estimator

    Raises
    ------
    ModelFileError
        For every failure on the file's content: it is not a skae model
        file, is truncated or damaged, has another format version, names a
        class that is not skae's or a module class not given in
        ``modules``, or holds weights that do not match the estimator's
        parameters. The message names the file and the part that failed
        (also in the exception's ``path`` and ``part``); the underlying
        error is chained. A ``ValueError``, so ``except ValueError`` catches
        it too. Nothing is returned half-loaded.
    OSError
        The file cannot be opened or read (a missing path, for example).

    See Also
    --------
    save : write an estimator to such a file.
    ModelFileError : the exception for a file that cannot be loaded.
    """
    where = _file_name(path)
    if hasattr(path, "read"):
        data = path.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, and more for some damage
        raise ModelFileError(
            f"Cannot load {where}: the zip archive is unreadable "
            f"({type(exc).__name__}: {exc}): this is not a skae model file, "
            "or it is truncated; write one with skae.save.",
            path=where, part="the zip archive") from exc
    reader = _Reader(archive, where, modules)
    with archive:
        with reader.part(f"the manifest {_MANIFEST!r}"):
            manifest = json.loads(reader.read(_MANIFEST))
            if not isinstance(manifest, dict) or manifest.get(
                    "format") != FORMAT:
                raise _Refused("not skae's model format: this is not a "
                               "skae model file.")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise _Refused(
                    "skae model format version "
                    f"{manifest.get('format_version')!r}; this skae reads "
                    f"version {FORMAT_VERSION} (the file was written by skae "
                    f"{manifest.get('skae_version')}).")
            record = manifest["estimator"]
        return reader.estimator(record)


def _file_name(path):
    """How messages name the file ``path`` (a path, or a file object)."""
    if hasattr(path, "read"):
        name = getattr(path, "name", None)
        return (repr(name) if isinstance(name, str)
                else f"the {type(path).__name__} object")
    if isinstance(path, (str, bytes, os.PathLike)):
        return repr(os.fspath(path))
    return repr(path)
