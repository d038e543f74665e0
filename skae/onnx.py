"""skl2onnx converters: pipelines with skae's autoencoders as one ONNX graph.

scikit-learn users deploy a fitted pipeline with skl2onnx's ``to_onnx``;
skl2onnx converts scikit-learn's own estimators, and the converters of
other libraries' estimators are registered with its
``update_registered_converter``, as onnxmltools does for LightGBM and
XGBoost. :func:`register_converters` registers one (a shape calculator and
a converter) for each of skae's autoencoders::

    import skae.onnx
    from skl2onnx import to_onnx

    skae.onnx.register_converters()
    onx = to_onnx(pipeline, X[:1])

The converter exports the fitted encoder (:meth:`StackedAE.encoder_module`)
with ``torch.onnx.export`` and embeds its graph among the pipeline's other
steps. Registration is one call rather than a side effect of an import:
``import skae`` never loads skl2onnx, onnx or onnxscript (they are the
optional ``export`` extra), the call stands in the code that needs it
(an import kept only for its side effect is what linters and editors
remove as unused), and the converters are registered only when asked for.
"""

import contextlib
import io
import logging
import re
import warnings

from ._onnx_graph import embed, float64_kernels

__all__ = ["MIN_OPSET", "register_converters"]

#: The lowest ``target_opset`` the converters write: ``torch.onnx.export``
#: exports from opset 18 on.
MIN_OPSET = 18

#: The options of the converters (skl2onnx's ``options`` argument), with
#: the values each takes.
_OPTIONS = {"inverse_transform": [False, True]}


def register_converters(classes=None):
    """Register skl2onnx converters for skae's autoencoders.

    After this call, ``skl2onnx.to_onnx`` (and ``convert_sklearn``)
    converts a fitted skae autoencoder, alone or as a step of a
    :class:`~sklearn.pipeline.Pipeline`, into ONNX, together with the
    scikit-learn steps around it: one graph that ``onnxruntime`` runs. The
    autoencoder's step computes :meth:`~StackedAE.transform` (the codes);
    the encoder is exported with ``torch.onnx.export`` when the pipeline is
    converted. Calling it again does nothing more.

    The converted step takes and returns what ``transform`` does:

    * **dtype**: float32 input (``X.astype(np.float32)``, skl2onnx's
      ``FloatTensorType``) gives float32 codes computed in float32;
      float64 input (``DoubleTensorType``) gives float64 codes from a
      float64 copy of the encoder, as ``transform`` computes them for
      float64 arrays. Other input types are refused: cast ``X`` first.
    * **shape**: rows of ``n_features_in_`` values (a :class:`ConvAE`
      takes its images flattened to rows, as in a pipeline), any number of
      rows.
    * **opset**: the step is written at skl2onnx's ``target_opset``, which
      must be :data:`MIN_OPSET` (18) or more.
    * **option** ``inverse_transform``: with
      ``options={id(ae): {"inverse_transform": True}}`` (or
      ``{StackedAE: {...}}`` for every StackedAE) the step computes
      :meth:`~StackedAE.inverse_transform` instead: it takes codes of
      ``n_components`` columns and returns reconstructions, for deploying
      the decoder as a generator (``to_onnx(ae, codes[:1], options=...)``).

    An estimator whose network ``torch.onnx.export`` cannot export (a
    :class:`CustomAE` whose modules branch in Python on the values of the
    data, for example) raises a ``RuntimeError`` that names it, with the
    exporter's error chained.

    Parameters
    ----------
    classes : sequence of classes, default=None
        The classes to register: None means every transformer of
        :func:`skae.all_estimators` (every autoencoder). Give your own
        subclasses of skae's autoencoders here: skl2onnx finds converters
        by the exact class.

    Returns
    -------
    classes : list of type
        The classes registered.

    Raises
    ------
    ImportError
        skl2onnx is not installed (``pip install skae[export]``).

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import Pipeline
    >>> from skl2onnx import to_onnx
    >>> import skae.onnx
    >>> from skae import StackedAE
    >>> X, y = load_digits(return_X_y=True)
    >>> X = (X / 16).astype(np.float32)
    >>> pipe = Pipeline([
    ...     ("ae", StackedAE(n_components=8, hidden_layer_sizes=(32,),
    ...                      max_iter=10, random_state=0)),
    ...     ("clf", LogisticRegression(max_iter=500))]).fit(X, y)
    >>> _ = skae.onnx.register_converters()
    >>> onx = to_onnx(pipe, X[:1])
    >>> session = onnxruntime.InferenceSession(onx.SerializeToString())
    >>> labels, probabilities = session.run(None, {"X": X})
    >>> bool((labels == pipe.predict(X)).all())
    True
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError as exc:
        raise ImportError(
            "Converting skae estimators to ONNX needs skl2onnx, onnx, "
            "onnxscript and onnxruntime: pip install skae[export]") from exc
    if classes is None:
        from ._registry import all_estimators

        classes = [cls for cls in all_estimators()
                   if hasattr(cls, "transform")
                   and hasattr(cls, "encoder_module")]
    classes = list(classes)
    for cls in classes:
        if not (isinstance(cls, type) and hasattr(cls, "encoder_module")
                and hasattr(cls, "decoder_module")):
            raise TypeError(
                f"register_converters takes skae autoencoder classes (with "
                f"encoder_module and decoder_module); got {cls!r}.")
        alias = (f"Skae{cls.__name__}" if cls.__module__.startswith("skae.")
                 else f"Skae_{cls.__module__}.{cls.__qualname__}")
        update_registered_converter(
            cls, alias, _calculate_output_shapes, _convert,
            options=_OPTIONS)
    return classes


# ----------------------------------------------------------------------
def _inverse(estimator, options_owner):
    """The ``inverse_transform`` option of ``estimator``'s step."""
    options = options_owner.get_options(estimator,
                                        {"inverse_transform": False})
    return bool(options["inverse_transform"])


def _widths(estimator, inverse):
    """(input width, output width) of the step."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    if getattr(estimator, "is_categorical_", None) is not None:
        raise ValueError(
            f"{type(estimator).__name__} was fitted with categorical_features"
            ", so it encodes the table's columns itself (standardised "
            "numbers, one-hot categories), which its ONNX step would not. "
            "Export its networks with encoder_module() / decoder_module() "
            "and torch.onnx.export, taking the encoded rows, or fit it on "
            "numeric columns (a ColumnTransformer in front) to convert the "
            "pipeline.")
    widths = (estimator.n_features_in_, estimator.n_components)
    return widths[::-1] if inverse else widths


def _calculate_output_shapes(operator):
    """skl2onnx's shape calculator: the output has the input's type and
    ``n_components`` columns (``n_features_in_`` for inverse_transform)."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    estimator = operator.raw_operator
    name = type(estimator).__name__
    if len(operator.inputs) != 1 or len(operator.outputs) != 1:
        raise RuntimeError(
            f"The ONNX step of {name} takes one input and gives one output; "
            f"got {len(operator.inputs)} inputs, {len(operator.outputs)} "
            "outputs.")
    inverse = _inverse(estimator, operator.scope_inst)
    width_in, width_out = _widths(estimator, inverse)
    input_type = operator.inputs[0].type
    if not isinstance(input_type, (FloatTensorType, DoubleTensorType)):
        raise TypeError(
            f"{name}'s ONNX converter takes float32 or float64 input (as "
            f"transform computes in those); got {type(input_type).__name__}. "
            "Convert with X.astype(np.float32) (or a FloatTensorType "
            "initial type), or put a cast before it in the pipeline.")
    shape = list(input_type.shape)
    what = "codes" if inverse else "rows"
    if len(shape) != 2 or shape[1] not in (None, width_in):
        raise ValueError(
            f"{name}'s ONNX step takes {what} of {width_in} values, shape "
            f"[n, {width_in}]; got the input shape {shape}."
            + ("" if inverse else " Images go in flattened to rows."))
    operator.outputs[0].type = type(input_type)([shape[0], width_out])


@contextlib.contextmanager
def _quiet_exporter():
    """Keep the exporter's notices (about torchvision, its internals, the
    graphs it tried when it fails) from the user's terminal; its errors
    still surface, as exceptions."""
    loggers = [logger for name, logger in
               logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)
               and name.split(".")[0] in ("torch", "onnxscript")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), \
                contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.filterwarnings("ignore", module=r"(torch|onnxscript)\.")
            # torch's deprecations of its own internals, reported from
            # wherever they surface (copyreg, for one)
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _first_line(exc):
    """The first line of the innermost cause of ``exc``, as
    ``"Type: message"``, without terminal colours."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    lines = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".strip()


def _export(estimator, inverse, double, opset):
    """The encoder (decoder with ``inverse``) of ``estimator`` as an ONNX
    ModelProto at ``opset``, with a dynamic batch axis."""
    import torch

    import onnx

    name = type(estimator).__name__
    half = "decoder" if inverse else "encoder"
    if opset < MIN_OPSET:
        raise RuntimeError(
            f"skae's ONNX converters need target_opset >= {MIN_OPSET} "
            f"(torch.onnx.export writes opset {MIN_OPSET} and later); got "
            f"{opset}. Convert with target_opset={MIN_OPSET} or more.")
    module = (estimator.decoder_module() if inverse
              else estimator.encoder_module())
    dtype = torch.float64 if double else torch.float32
    module = module.to(dtype)
    example = torch.zeros(2, _widths(estimator, inverse)[0], dtype=dtype)
    try:
        with _quiet_exporter():
            program = torch.onnx.export(
                module, (example,), dynamo=True, opset_version=opset,
                dynamic_shapes=({0: torch.export.Dim("batch")},),
                verbose=False)
    except Exception as exc:
        raise RuntimeError(
            f"{name} cannot be converted to ONNX: torch.onnx.export failed "
            f"on its {half} ({_first_line(exc)}). The {half}'s forward must "
            "be exportable by torch.export (no Python control flow that "
            "depends on the values of the data, for example; "
            "torch.cond expresses such a branch). The exporter's error is "
            "chained above.") from exc
    model = program.model_proto
    if model.functions:
        model = onnx.inliner.inline_local_functions(model)
    if double:
        float64_kernels(model.graph)
    return model


def _convert(scope, operator, container):
    """skl2onnx's converter: the exported network's nodes and weights are
    added to the container, between the step's input and output."""
    from skl2onnx.common.data_types import DoubleTensorType

    estimator = operator.raw_operator
    inverse = _inverse(estimator, container)
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    opset = container.target_opset
    if opset is None:
        from skl2onnx import get_latest_tested_opset_version

        opset = get_latest_tested_opset_version()
    model = _export(estimator, inverse, double, opset)
    embed(model.graph, scope, container, operator.inputs[0].full_name,
          operator.outputs[0].full_name, operator.full_name)
