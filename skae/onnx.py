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
        import skae

        classes = [cls for cls in skae.all_estimators()
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
    import onnx
    import torch

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
        _float64_kernels(model.graph)
    return model


# ----------------------------------------------------------------------
# float64 in onnxruntime: the ONNX standard defines these operators for
# double, but onnxruntime's CPU provider has no double kernel for them
# ("NOT_IMPLEMENTED: Could not find an implementation for Elu(22)"). ELU
# and SELU are rewritten exactly with operators it has; the others run on
# float32 copies of their inputs, their outputs cast back to double.
_FLOAT32_ISLANDS = {
    # operator: the positions of its inputs of the data's type
    "Conv": (0, 1, 2),
    "ConvTranspose": (0, 1, 2),
    "Erf": (0,),
    "Gelu": (0,),
    "Resize": (0,),
}
#: SELU's constants in float64, as torch computes SELU in float64 (ONNX's
#: attributes hold their float32 roundings).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_GAMMA = 1.0507009873554804934193349852946


def _float64_kernels(graph):
    """Rewrite the nodes of the float64 ``graph`` that onnxruntime cannot
    run in float64 (in place)."""
    from onnx import TensorProto, helper, numpy_helper

    import numpy as np

    initializers = {tensor.name: tensor for tensor in graph.initializer}
    taken = {name for node in graph.node for name in node.output}
    taken |= set(initializers) | {value.name for value in graph.input}
    counter = iter(range(1 << 30))

    def fresh(stem):
        name = f"{stem}_{next(counter)}"
        while name in taken:
            name = f"{stem}_{next(counter)}"
        taken.add(name)
        return name

    def constant(value, dtype):
        name = fresh("c")
        graph.initializer.append(numpy_helper.from_array(
            np.asarray(value, dtype=dtype), name))
        return name

    nodes = []
    for node in graph.node:
        attributes = {a.name: helper.get_attribute_value(a)
                      for a in node.attribute}
        if node.op_type in ("Elu", "Selu"):
            # x if x > 0 else alpha * (exp(x) - 1), times gamma for SELU
            x, (out,) = node.input[0], node.output
            if node.op_type == "Elu":
                alpha, gamma = attributes.get("alpha", 1.0), None
            else:
                alpha, gamma = (
                    exact if np.float32(given) == np.float32(exact) else given
                    for given, exact in [
                        (attributes.get("alpha", _SELU_ALPHA), _SELU_ALPHA),
                        (attributes.get("gamma", _SELU_GAMMA), _SELU_GAMMA)])
            positive, expx, expm1, negative = (fresh(out) for _ in range(4))
            selected = out if gamma is None else fresh(out)
            nodes += [
                helper.make_node("Greater", [x, constant(0.0, np.float64)],
                                 [positive]),
                helper.make_node("Exp", [x], [expx]),
                helper.make_node("Sub", [expx, constant(1.0, np.float64)],
                                 [expm1]),
                helper.make_node("Mul", [expm1, constant(alpha, np.float64)],
                                 [negative]),
                helper.make_node("Where", [positive, x, negative],
                                 [selected]),
            ]
            if gamma is not None:
                nodes.append(helper.make_node(
                    "Mul", [selected, constant(gamma, np.float64)], [out]))
        elif node.op_type in _FLOAT32_ISLANDS:
            inputs = list(node.input)
            for i in _FLOAT32_ISLANDS[node.op_type]:
                if i >= len(inputs) or not inputs[i]:
                    continue
                if inputs[i] in initializers:
                    value = numpy_helper.to_array(initializers[inputs[i]])
                    inputs[i] = constant(value, np.float32)
                else:
                    cast = fresh(inputs[i])
                    nodes.append(helper.make_node(
                        "Cast", [inputs[i]], [cast], to=TensorProto.FLOAT))
                    inputs[i] = cast
            outputs = [fresh(name) for name in node.output]
            nodes.append(helper.make_node(
                node.op_type, inputs, outputs, domain=node.domain,
                **attributes))
            nodes += [helper.make_node("Cast", [single], [name],
                                       to=TensorProto.DOUBLE)
                      for single, name in zip(outputs, node.output)]
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    # the float64 weights that only float32 islands used
    used = {name for node in graph.node for name in node.input}
    used |= {value.name for value in graph.output}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)


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
    _embed(model.graph, scope, container, operator.inputs[0].full_name,
           operator.outputs[0].full_name, operator.full_name)


def _embed(graph, scope, container, input_name, output_name, prefix):
    """Add ``graph`` (one input, one output) to ``container``, its input
    being ``input_name`` and its output ``output_name``; every other name
    is made unique in ``scope``."""
    from onnx import AttributeProto, TensorProto, helper, numpy_helper

    initializers = {tensor.name for tensor in graph.initializer}
    inputs = [value for value in graph.input if value.name not in
              initializers]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise RuntimeError(
            f"The exported network has {len(inputs)} inputs and "
            f"{len(graph.output)} outputs; skae's converter expects one of "
            "each.")
    graph_output = graph.output[0].name
    names = {inputs[0].name: input_name, "": ""}

    def unique(name):
        return scope.get_unique_variable_name(f"{prefix}_{name}")

    for tensor in graph.initializer:
        names[tensor.name] = unique(tensor.name)
        # through numpy, so that the data is in raw_data, which
        # add_initializer copies
        container.add_initializer(
            names[tensor.name], tensor.data_type, list(tensor.dims),
            numpy_helper.from_array(numpy_helper.to_array(tensor)))
    produced = False
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type in (AttributeProto.GRAPH,
                                  AttributeProto.GRAPHS):
                raise RuntimeError(
                    f"The exported network has control flow ({node.op_type}"
                    "), which skae's converter does not embed.")
        outputs = []
        for output in node.output:
            if output == graph_output:
                names[output], produced = output_name, True
            elif output:
                names[output] = unique(output)
            outputs.append(names.get(output, ""))
        inputs = [names[name] for name in node.input]
        while inputs and not inputs[-1]:
            inputs.pop()  # optional inputs left out at the end
        for i, name in enumerate(inputs):
            if not name:
                # an optional input left out before a given one (Resize's
                # roi and scales before its sizes): skl2onnx cannot order a
                # node with an unnamed input, so give an empty tensor, which
                # means "not given" to these operators
                inputs[i] = scope.get_unique_variable_name(f"{prefix}_empty")
                container.add_initializer(inputs[i], TensorProto.FLOAT, [0],
                                          [])
        container.add_node(
            node.op_type, inputs, outputs,
            op_domain=node.domain,
            name=scope.get_unique_operator_name(f"{prefix}_{node.op_type}"),
            **{attribute.name: helper.get_attribute_value(attribute)
               for attribute in node.attribute})
    if not produced:  # the output is the input or a constant
        container.add_node(
            "Identity", [names[graph_output]], [output_name],
            name=scope.get_unique_operator_name(f"{prefix}_Identity"))
