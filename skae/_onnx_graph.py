"""ONNX graph surgery for :mod:`skae.onnx`: an exported network's graph
placed into skl2onnx's container, and its float64 operators that
onnxruntime cannot run rewritten.

Imports onnx only inside its functions (it is an optional dependency).
"""

import numpy as np

# ----------------------------------------------------------------------
# float64 in onnxruntime: the ONNX standard defines these operators for
# double, but onnxruntime's CPU provider has no double kernel for them
# ("NOT_IMPLEMENTED: Could not find an implementation for Elu(22)"). ELU
# and SELU are rewritten exactly with operators it has; the others run on
# float32 copies of their inputs, their outputs cast back to double.
FLOAT32_ISLANDS = {
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


class _Names:
    """New names and constants for rewriting ``graph``."""

    def __init__(self, graph):
        self.graph = graph
        self.initializers = {t.name: t for t in graph.initializer}
        self.taken = {name for node in graph.node for name in node.output}
        self.taken |= set(self.initializers)
        self.taken |= {value.name for value in graph.input}
        self.count = 0

    def fresh(self, stem):
        while f"{stem}_{self.count}" in self.taken:
            self.count += 1
        self.taken.add(f"{stem}_{self.count}")
        return f"{stem}_{self.count}"

    def constant(self, value, dtype):
        from onnx import numpy_helper

        name = self.fresh("c")
        self.graph.initializer.append(numpy_helper.from_array(
            np.asarray(value, dtype=dtype), name))
        return name


def float64_kernels(graph):
    """Rewrite, in place, the nodes of the float64 ``graph`` that
    onnxruntime cannot run in float64."""
    names = _Names(graph)
    nodes = []
    for node in graph.node:
        if node.op_type in ("Elu", "Selu"):
            nodes += _exponential_unit(node, names)
        elif node.op_type in FLOAT32_ISLANDS:
            nodes += _float32_island(node, names)
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


def _exponential_unit(node, names):
    """ELU or SELU in float64 operators: ``x if x > 0 else alpha *
    (exp(x) - 1)``, times ``gamma`` for SELU."""
    from onnx import helper

    attributes = {a.name: helper.get_attribute_value(a)
                  for a in node.attribute}
    x, (out,) = node.input[0], node.output
    if node.op_type == "Elu":
        alpha, gamma = attributes.get("alpha", 1.0), None
    else:  # torch's exact constants where ONNX holds their roundings
        alpha, gamma = (
            exact if np.float32(given) == np.float32(exact) else given
            for given, exact in [
                (attributes.get("alpha", _SELU_ALPHA), _SELU_ALPHA),
                (attributes.get("gamma", _SELU_GAMMA), _SELU_GAMMA)])
    positive, expx, expm1, negative = (names.fresh(out) for _ in range(4))
    selected = out if gamma is None else names.fresh(out)
    nodes = [
        helper.make_node("Greater", [x, names.constant(0.0, np.float64)],
                         [positive]),
        helper.make_node("Exp", [x], [expx]),
        helper.make_node("Sub", [expx, names.constant(1.0, np.float64)],
                         [expm1]),
        helper.make_node("Mul", [expm1, names.constant(alpha, np.float64)],
                         [negative]),
        helper.make_node("Where", [positive, x, negative], [selected]),
    ]
    if gamma is not None:
        nodes.append(helper.make_node(
            "Mul", [selected, names.constant(gamma, np.float64)], [out]))
    return nodes


def _float32_island(node, names):
    """``node`` computed in float32: its float64 inputs cast (weights
    converted), its outputs cast back to float64."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inputs = [], list(node.input)
    for i in FLOAT32_ISLANDS[node.op_type]:
        if i >= len(inputs) or not inputs[i]:
            continue
        if inputs[i] in names.initializers:
            value = numpy_helper.to_array(names.initializers[inputs[i]])
            inputs[i] = names.constant(value, np.float32)
        else:
            cast = names.fresh(inputs[i])
            nodes.append(helper.make_node("Cast", [inputs[i]], [cast],
                                          to=TensorProto.FLOAT))
            inputs[i] = cast
    outputs = [names.fresh(name) for name in node.output]
    nodes.append(helper.make_node(
        node.op_type, inputs, outputs, domain=node.domain,
        **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
    return nodes + [helper.make_node("Cast", [single], [name],
                                     to=TensorProto.DOUBLE)
                    for single, name in zip(outputs, node.output)]


# ----------------------------------------------------------------------
def embed(graph, scope, container, input_name, output_name, prefix):
    """Add ``graph`` (one input, one output) to skl2onnx's ``container``,
    its input being ``input_name`` and its output ``output_name``; every
    other name is made unique in ``scope``."""
    initializers = {tensor.name for tensor in graph.initializer}
    inputs = [value for value in graph.input
              if value.name not in initializers]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise RuntimeError(
            f"The exported network has {len(inputs)} inputs and "
            f"{len(graph.output)} outputs; skae's converter expects one of "
            "each.")
    output = graph.output[0].name
    produced = {name for node in graph.node for name in node.output}
    names = {inputs[0].name: input_name, "": ""}
    if output in produced:
        names[output] = output_name

    def unique(name):
        return scope.get_unique_variable_name(f"{prefix}_{name}")

    _add_initializers(graph, container, names, unique)
    for node in graph.node:
        _add_node(node, scope, container, names, unique, prefix)
    if output not in produced:  # the input itself, or a constant
        container.add_node(
            "Identity", [names[output]], [output_name],
            name=scope.get_unique_operator_name(f"{prefix}_Identity"))


def _add_initializers(graph, container, names, unique):
    from onnx import numpy_helper

    for tensor in graph.initializer:
        names[tensor.name] = unique(tensor.name)
        # through numpy, so that the data is in raw_data, which
        # add_initializer copies
        container.add_initializer(
            names[tensor.name], tensor.data_type, list(tensor.dims),
            numpy_helper.from_array(numpy_helper.to_array(tensor)))


def _add_node(node, scope, container, names, unique, prefix):
    from onnx import AttributeProto, TensorProto, helper

    if any(attribute.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS)
           for attribute in node.attribute):
        raise RuntimeError(
            f"The exported network has control flow ({node.op_type}), "
            "which skae's converter does not embed.")
    for output in node.output:
        if output not in names:
            names[output] = unique(output)
    inputs = [names[name] for name in node.input]
    while inputs and not inputs[-1]:
        inputs.pop()  # optional inputs left out at the end
    for i, name in enumerate(inputs):
        if not name:
            # an optional input left out before a given one (Resize's roi
            # and scales before its sizes): skl2onnx cannot order a node
            # with an unnamed input, so give an empty tensor, which means
            # "not given" to these operators
            inputs[i] = unique("empty")
            container.add_initializer(inputs[i], TensorProto.FLOAT, [0], [])
    container.add_node(
        node.op_type, inputs, [names[name] for name in node.output],
        op_domain=node.domain,
        name=scope.get_unique_operator_name(f"{prefix}_{node.op_type}"),
        **{attribute.name: helper.get_attribute_value(attribute)
           for attribute in node.attribute})
