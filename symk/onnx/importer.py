"""ONNX import: an ONNX ModelProto becomes a symk functional Model (graph walk, initializers, inputs, outputs).

    m = symk.onnx.load_model("resnet50.onnx"); m.summary(); m.predict(x)

Each ONNX node becomes symk ops through the mapping its operator declares (symk/onnx/import_ops_*.py),
inside a layer named after the node, which owns the node's initializers as trainable weights (float
initializers; integer ones are shapes and indices, so they stay constants). Values known at import time
(Constant nodes, shapes, integer initializers) are folded as they are met: symk.ops run eagerly on arrays.
Dynamic dimensions (dim_param or no value) become None. symk computes as JAX does with x64 off: int64 and
float64 tensors run as int32 and float32 (symk.onnx.backend casts results back to the declared types).
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
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return versions[0] if versions else 1


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


def value_shape(value_info) -> Optional[tuple]:
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim)


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
    def run_body(self, inputs: list) -> list:
        """Import this graph as a control-flow body: `inputs` feed its graph inputs in order; returns its outputs
        (constants made graph nodes, so the region's tracer sees tensors)."""
        from ..ops.registry import constant

        for info, value in zip(self.graph.input, inputs):
            self.env[info.name] = value
        self.run_nodes()
        outs = [self.lookup(o.name, None) for o in self.graph.output]
        return [constant(o) if is_static(o) else o for o in outs]

    def run_nodes(self) -> None:
        from ..graph import layer_scope

        for proto in self.graph.node:
            if proto.domain not in ("", "ai.onnx"):
                raise unsupported(proto, f"domain {proto.domain!r}")
            mapping = IMPORTERS.get(proto.op_type)
            if mapping is None:
                raise unsupported(proto)
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
    if value is None or is_static(value) or hasattr(value, "graph"):
        return value
    return np.asarray(value)


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
    importer = GraphImporter(proto.graph, default_opset(proto))
    inputs = []
    graph = Graph()
    with graph_scope(graph):
        for info in proto.graph.input:
            if info.name in importer.initializers:
                continue  # IR < 4 lists initializers among the inputs
            if info.name in (input_values or {}):
                importer.env[info.name] = np.asarray(input_values[info.name])
                continue
            shape = (input_shapes or {}).get(info.name, value_shape(info))
            if shape is None:
                raise OnnxImportError(f"ONNX input {info.name!r} has no shape; pass input_shapes={{{info.name!r}: (...)}}")
            dtype = numpy_dtype(info.type.tensor_type.elem_type)
            tensor = Input(batch_shape=tuple(shape), dtype=dtype.name)
            importer.env[info.name] = tensor
            inputs.append(tensor)
        importer.run_nodes()
        outputs = [importer.env[o.name] for o in proto.graph.output]
    return graph, inputs, outputs, proto


def load_model(model, input_shapes: Optional[dict] = None, name: Optional[str] = None,
               input_values: Optional[dict] = None):
    """An ONNX model (path, bytes or ModelProto) as a symk functional Model.

        m = symk.onnx.load_model("resnet50.onnx"); m.predict(x)

    `input_shapes` maps input names to shapes that replace the declared ones (to fix dynamic dims);
    `input_values` fixes inputs to arrays (a shape fed as an input becomes a constant)."""
    from ..graph import graph_scope
    from ..models.model import Model
    from ..ops.registry import constant

    graph, inputs, outputs, proto = import_graph(model, input_shapes, input_values)
    if not inputs:
        raise OnnxImportError("the ONNX model has no inputs: every output is a constant, so there is no model to "
                              "build (symk.onnx.backend returns such outputs directly)")
    with graph_scope(graph):
        outputs = [constant(o) if is_static(o) else o for o in outputs]
    single = len(outputs) == 1  # one output: predict returns an array, as for a Keras model built that way
    return Model(inputs[0] if len(inputs) == 1 else inputs, outputs[0] if single else outputs,
                 name=name or layer_name(proto.graph.name, "onnx_model"))
