"""ONNX import: an ONNX ModelProto becomes a symk functional Model (graph walk, initializers, inputs, outputs).

    m = symk.onnx.load_model("resnet50.onnx"); m.summary(); m.predict(x)

Each ONNX node becomes symk ops through the mapping its operator declares (symk/onnx/import_ops_*.py),
inside a layer named after the node, which owns the node's initializers as trainable weights (float
initializers; integer ones are shapes and indices, so they stay constants). Values known at import time
(Constant nodes, shapes, integer initializers) are folded as they are met: symk.ops run eagerly on arrays.
Dynamic dimensions (dim_param or no value) become None. symk computes as JAX does with x64 off: int64 and
float64 tensors run as int32 and float32 (symk.onnx.backend casts results back to the declared types).
ONNX sequences are Python lists of values at import time (a sequence input: one graph input per element;
sequence outputs are flattened), an optional is its value or None; see symk/onnx/import_ops_misc.py.
"""
from __future__ import annotations

import re
from typing import Optional

import numpy as np

from .import_layer import OnnxNode
from .import_registry import IMPORTERS, NodeView, OnnxImportError, is_static, load_import_families

MIN_OPSET = 7   # older models are converted up with onnx.version_converter first


def as_model_proto(model):
    import onnx

    if isinstance(model, onnx.ModelProto):
        return model
    if isinstance(model, (bytes, bytearray)):
        return onnx.load_from_string(bytes(model))
    return onnx.load(str(model))


def default_opset(model) -> int:
    """The model's version of the default (ai.onnx) domain; the newest one when it imports none (a model of
    ai.onnx.ml or training operators only)."""
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if not versions:
        import onnx.defs

        return onnx.defs.onnx_opset_version()
    return versions[0]


# domains besides the default one whose operators some mappings read: def_import("<domain>:<OpType>")
EXTRA_DOMAINS = ("ai.onnx.ml", "ai.onnx.preview.training")


def upgrade_if_old(model):
    """Models older than MIN_OPSET are converted up (the mappings read opset 7 onwards)."""
    if default_opset(model) >= MIN_OPSET:
        return model
    import onnx.version_converter

    try:
        return onnx.version_converter.convert_version(model, 13)
    except Exception as err:  # noqa: BLE001 - the converter raises many kinds; say which model and why
        raise OnnxImportError(f"the model uses opset {default_opset(model)}, older than symk reads ({MIN_OPSET}), "
                              f"and onnx.version_converter could not upgrade it: {err}") from None


def numpy_dtype(elem_type: int) -> np.dtype:
    import onnx.helper

    return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))


def tensor_type_of(type_proto):
    """The tensor type inside a type: itself, or what an optional or a sequence holds (None for maps)."""
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type":
        return type_proto.tensor_type
    if kind in ("optional_type", "sequence_type"):
        return tensor_type_of(getattr(type_proto, kind).elem_type)
    return None


def declared_elem_type(type_proto) -> int:
    """The element type of a tensor, or of the tensors an optional or a sequence holds; 0 when not declared."""
    t = tensor_type_of(type_proto)
    return t.elem_type if t is not None else 0


def value_shape(value_info) -> Optional[tuple]:
    t = tensor_type_of(value_info.type)
    if t is None or not t.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim)


def flatten_values(values: list) -> tuple:
    """Sequences (Python lists) and empty optionals (None) flattened for a graph that carries tensors only:
    (the tensors in order, one form per value: "tensor", "none", or the length of a sequence)."""
    flat, forms = [], []
    for value in values:
        if value is None:
            forms.append("none")
        elif isinstance(value, list):
            flat.extend(value)
            forms.append(len(value))
        else:
            flat.append(value)
            forms.append("tensor")
    return flat, forms


def unflatten_values(flat: list, forms: list) -> list:
    """flatten_values undone: the tensors regrouped into sequences and optionals."""
    out, at = [], 0
    for form in forms:
        if form == "none":
            out.append(None)
        elif form == "tensor":
            out.append(flat[at])
            at += 1
        else:
            out.append(list(flat[at:at + form]))
            at += form
    return out


def layer_name(node_name: str, fallback: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", node_name or fallback)
    return name if name and name[0].isalpha() else f"onnx_{name}"


class GraphImporter:
    """Walks one ONNX graph (the model's, or an If/Loop/Scan body) in order, filling `env`: ONNX value
    name -> symbolic tensor or numpy array."""

    def __init__(self, graph_proto, opset: int, outer: Optional["GraphImporter"] = None, trainable: bool = True):
        self.graph, self.opset, self.outer, self.trainable = graph_proto, opset, outer, trainable
        self.env: dict = {}
        self.initializers = {t.name: t for t in graph_proto.initializer}
        self.variables: dict = {}       # initializer name -> Variable (made when a node first reads it)
        self.layers: list = []

    # -- values -------------------------------------------------------------------
    def static_value_of(self, name: str):
        if name in self.initializers:
            import onnx.numpy_helper

            return onnx.numpy_helper.to_array(self.initializers[name])
        value = self.env.get(name)
        if value is not None and is_static(value):
            return value
        return self.outer.static_value_of(name) if self.outer is not None else None

    def lookup(self, name: str, layer):
        if name == "":
            return None
        if name in self.env:
            return self.env[name]
        if name in self.initializers:
            return self._initializer(name, layer)
        if self.outer is not None:  # a body reads an outer value: weights it reads stay constants there
            return self.outer.lookup(name, None)
        raise OnnxImportError(f"ONNX value {name!r} is read before any node or input defines it "
                              "(the graph is not in topological order, or an input is missing)")

    def _initializer(self, name: str, layer):
        import onnx.numpy_helper

        array = onnx.numpy_helper.to_array(self.initializers[name])
        if not self.trainable or array.dtype.kind != "f" or layer is None:
            self.env[name] = array
            return array
        from ..variables import Variable

        var = Variable(array, name=layer_name(name, "weight").split("/")[-1], path=f"{layer.name}/{layer_name(name, 'w')}")
        layer._own_weights.append(var)
        self.variables[name] = var
        self.env[name] = var.symbolic()
        return self.env[name]

    # -- nodes --------------------------------------------------------------------
    def run_body(self, inputs: list, unrolled: bool = False) -> list:
        """Import this graph as a control-flow body: `inputs` feed its graph inputs in order; returns its outputs
        (constants made graph nodes, so the region's tracer sees tensors; a body unrolled at import time, into
        the outer graph, keeps them as arrays)."""
        from ..ops.registry import constant

        for info, value in zip(self.graph.input, inputs):
            self.env[info.name] = value
        self.run_nodes()
        outs = [self.lookup(o.name, None) for o in self.graph.output]
        return outs if unrolled else [_as_graph_value(o, constant) for o in outs]

    def run_nodes(self) -> None:
        from ..graph import layer_scope

        for proto in self.graph.node:
            mapping = mapping_of(proto)
            layer = OnnxNode(name=layer_name(proto.name, f"{proto.op_type}_{proto.output[0]}"), op_type=proto.op_type)
            self.layers.append(layer)
            with layer_scope(layer):
                inputs = [self.lookup(n, layer) for n in proto.input]
                view = NodeView(proto, inputs, self.opset, self)
                outs = mapping(view)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            for name, value in zip(proto.output, outs):
                if name:
                    self.env[name] = _settle(value)


def _settle(value):
    """Eager results (jax arrays) become numpy, so later mappings see them as known at import time."""
    if isinstance(value, list):  # an ONNX sequence: a Python list of tensors at import time
        return [_settle(v) for v in value]
    if value is None or is_static(value) or hasattr(value, "graph"):
        return value
    return np.asarray(value)


def mapping_of(proto):
    """The import mapping of one NodeProto, or the error naming its operator (and domain) and the node."""
    if proto.domain in ("", "ai.onnx"):
        mapping = IMPORTERS.get(proto.op_type)
    elif proto.domain in EXTRA_DOMAINS:
        mapping = IMPORTERS.get(f"{proto.domain}:{proto.op_type}")
    else:
        raise unsupported(proto, f"domain {proto.domain!r}")
    if mapping is None:
        of_domain = f" of domain {proto.domain!r}" if proto.domain not in ("", "ai.onnx") else ""
        raise unsupported(proto, f"operator {proto.op_type!r}{of_domain}")
    return mapping


def _as_graph_value(value, constant):
    """Import-time constants made graph nodes, inside sequences too (None, an empty optional, stays)."""
    if isinstance(value, list):
        return [_as_graph_value(v, constant) for v in value]
    return constant(value) if is_static(value) else value


def unsupported(proto, what: str = "") -> OnnxImportError:
    from .import_unsupported import UNSUPPORTED_DOC

    what = what or f"operator {proto.op_type!r}"
    return OnnxImportError(f"ONNX node {proto.name or proto.output[0]!r} uses {what}, which symk cannot import. "
                           f"The operators symk does not import are listed in {UNSUPPORTED_DOC}.")


def import_graph(model, input_shapes: Optional[dict] = None, input_values: Optional[dict] = None):
    """Walk an ONNX model into a fresh symk Graph: returns (graph, input tensors, output values, proto).
    Output values known at import time come back as numpy arrays. `input_values` fixes some inputs to
    arrays (they become constants, not model inputs)."""
    from ..graph import Graph, graph_scope
    from ..layers.input_layer import Input

    load_import_families()
    proto = upgrade_if_old(as_model_proto(model))
    for node in proto.graph.node:  # an operator symk cannot import is named before anything else is built
        mapping_of(node)
    importer = GraphImporter(proto.graph, default_opset(proto))
    inputs = []
    graph = Graph()
    with graph_scope(graph):
        for info in proto.graph.input:
            if info.name in importer.initializers:
                continue  # IR < 4 lists initializers among the inputs
            if info.name in (input_values or {}):
                importer.env[info.name] = _fixed_value(input_values[info.name])
                continue
            importer.env[info.name] = _graph_input(info, (input_shapes or {}).get(info.name, value_shape(info)), Input)
            inputs.extend(importer.env[info.name] if isinstance(importer.env[info.name], list)
                          else [importer.env[info.name]])
        importer.run_nodes()
        outputs = [importer.env[o.name] for o in proto.graph.output]
    return graph, inputs, outputs, proto


def _fixed_value(value):
    """An input fixed to a value: an array, a sequence of arrays (a list), or None (an empty optional)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [np.asarray(v) for v in value]
    return np.asarray(value)


def _graph_input(info, shape, make_input):
    """The placeholder(s) of one ONNX graph input: one Input for a tensor, one per element for a sequence
    (whose shapes come as a list of shapes: a graph of tensors holds a sequence of known length)."""
    elem_type = declared_elem_type(info.type)
    is_sequence = tensor_type_of(info.type) is not None and _holds_sequence(info.type)
    if not elem_type:
        raise OnnxImportError(f"ONNX input {info.name!r} declares no tensor element type (maps and sparse tensors "
                              "are not imported)")
    dtype = numpy_dtype(elem_type)
    if dtype.kind in "OSU":
        raise OnnxImportError(f"ONNX input {info.name!r} holds strings, which symk's graph cannot carry (JAX has no "
                              f"string dtype); fix it to an array at import: input_values={{{info.name!r}: ...}}")
    if is_sequence or isinstance(shape, list):
        if not isinstance(shape, list):
            raise OnnxImportError(f"ONNX input {info.name!r} is a sequence of tensors; give the shape of each "
                                  f"element: input_shapes={{{info.name!r}: [(...), (...)]}}")
        return [make_input(batch_shape=tuple(s), dtype=dtype.name) for s in shape]
    if shape is None:
        raise OnnxImportError(f"ONNX input {info.name!r} has no shape; pass input_shapes={{{info.name!r}: (...)}}")
    return make_input(batch_shape=tuple(shape), dtype=dtype.name)


def _holds_sequence(type_proto) -> bool:
    kind = type_proto.WhichOneof("value")
    if kind == "sequence_type":
        return True
    return kind == "optional_type" and _holds_sequence(type_proto.optional_type.elem_type)


def import_model(model, input_shapes: Optional[dict] = None, input_values: Optional[dict] = None,
                 name: Optional[str] = None, constants_alone: bool = False) -> tuple:
    """(a symk Model or None, flat outputs, output forms): the outputs flattened by flatten_values (sequences
    become their tensors). The Model is None when the graph has no inputs left, or (constants_alone) when no
    output depends on one; the flat outputs are then the arrays, computed at import time."""
    from ..graph import graph_scope
    from ..models.model import Model
    from ..ops.registry import constant

    graph, inputs, outputs, proto = import_graph(model, input_shapes, input_values)
    flat, forms = flatten_values(outputs)
    if not inputs or not flat or (constants_alone and all(is_static(o) for o in flat)):
        return None, [np.asarray(o) for o in flat], forms
    with graph_scope(graph):
        flat = [constant(o) if is_static(o) else o for o in flat]
    single = len(flat) == 1  # one output: predict returns an array, as for a Keras model built that way
    built = Model(inputs[0] if len(inputs) == 1 else inputs, flat[0] if single else flat,
                  name=name or layer_name(proto.graph.name, "onnx_model"))
    return built, flat, forms


def load_model(model, input_shapes: Optional[dict] = None, name: Optional[str] = None,
               input_values: Optional[dict] = None):
    """An ONNX model (path, bytes or ModelProto) as a symk functional Model.

        m = symk.onnx.load_model("resnet50.onnx"); m.predict(x)

    `input_shapes` maps input names to shapes that replace the declared ones (to fix dynamic dims);
    `input_values` fixes inputs to arrays (a shape fed as an input becomes a constant). A sequence input takes
    one model input per element (input_shapes gives it a list of shapes); sequence outputs are flattened."""
    built, _, _ = import_model(model, input_shapes, input_values, name)
    if built is None:
        raise OnnxImportError("no output of the ONNX model depends on its inputs: every output is a constant, so "
                              "there is no model to build (symk.onnx.backend returns such outputs directly)")
    return built
