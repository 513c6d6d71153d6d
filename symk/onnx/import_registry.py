"""ONNX import: the table of ONNX operators symk reads, and the view of one ONNX node that each mapping gets.

Each family module (symk/onnx/import_ops_<family>.py) declares its mappings with `def_import`:

    @def_import("Relu")
    def _relu(node):
        return ops.relu(node.input(0))

A mapping returns the node's outputs (one value or a list). Values are symbolic tensors, or numpy arrays
when every input is known at import time (initializers, Constant nodes, shapes): symk.ops run eagerly on
arrays, so one mapping both builds graph nodes and folds constants.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

IMPORTERS: dict[str, Callable] = {}


class OnnxImportError(NotImplementedError):
    """An ONNX operator (or an attribute value of one) that symk cannot import; names the node."""


class NeedsStaticValue(OnnxImportError):
    """An input that must be known at import time (a shape, axes, pads) is computed at run time; the backend
    answers by importing again with the model's integer inputs fixed to the values of the run."""


def def_import(*op_types: str):
    """Declare the symk form of one or more ONNX operators (default domain)."""
    def register(fn):
        for op_type in op_types:
            if op_type in IMPORTERS:
                raise ValueError(f"ONNX operator {op_type!r} has two import mappings")
            IMPORTERS[op_type] = fn
        return fn

    return register


def load_import_families() -> None:
    """Import every family module, so their declarations fill IMPORTERS."""
    from . import (import_ops_attention, import_ops_control, import_ops_elementwise,  # noqa: F401
                   import_ops_image, import_ops_losses, import_ops_misc, import_ops_nn, import_ops_quantize,
                   import_ops_recurrent, import_ops_reduce, import_ops_shape, import_ops_signal, import_ops_tensor,
                   import_ops_transformer)


def is_static(value) -> bool:
    """True for a value known at import time (a numpy array), False for a symbolic tensor."""
    return isinstance(value, (np.ndarray, np.generic))


class NodeView:
    """One ONNX node as its mapping sees it: inputs (values, None where an optional input is left out),
    attributes (decoded), the opset and the number of outputs."""

    def __init__(self, proto, inputs: list, opset: int, importer):
        import onnx.helper

        self.proto, self.inputs, self.opset, self.importer = proto, inputs, opset, importer
        self.op_type, self.name = proto.op_type, proto.name or proto.output[0]
        self.attrs = {a.name: (a if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
                               else onnx.helper.get_attribute_value(a)) for a in proto.attribute}
        self.num_outputs = len(proto.output)
        self.output_names = list(proto.output)

    def input(self, i: int, default=None):
        return self.inputs[i] if i < len(self.inputs) and self.inputs[i] is not None else default

    def has_input(self, i: int) -> bool:
        return i < len(self.inputs) and self.inputs[i] is not None

    def static(self, i: int, default=None):
        """Input i as a numpy array; it must be known when the graph is imported (a shape, axes, pads)."""
        value = self.input(i)
        if value is None:
            return default
        if not is_static(value):
            from_init = self.importer.static_value_of(self.proto.input[i])
            if from_init is not None:
                return from_init
            raise NeedsStaticValue(
                f"ONNX node {self.name!r} ({self.op_type}): input {i} ({self.proto.input[i]!r}) must be known when "
                "the model is imported (a constant or an initializer), but it is computed at run time. symk builds "
                "static shapes; give fixed input shapes to the model, or fold this input first (onnxsim).")
        return np.asarray(value)

    def attr(self, name: str, default=None):
        value = self.attrs.get(name, default)
        if isinstance(value, bytes):
            return value.decode()
        if isinstance(value, list) and value and isinstance(value[0], bytes):
            return [v.decode() for v in value]
        return value

    def fail(self, why: str) -> OnnxImportError:
        return OnnxImportError(f"ONNX node {self.name!r} ({self.op_type}, opset {self.opset}): {why}")
