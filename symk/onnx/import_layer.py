"""OnnxNode: the layer each node of an imported ONNX model becomes (its scope, its weights, its summary row)."""
from __future__ import annotations

from ..layers.base import Layer


class OnnxNode(Layer):
    """One ONNX node of an imported model: its ops carry this layer's scope; it owns the node's initializers."""

    def __init__(self, op_type: str = "", **kwargs):
        super().__init__(**kwargs)
        self.op_type = op_type
        self.built = True

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"OnnxNode {self.name!r} ({self.op_type}) is part of an imported ONNX graph and "
                                  "cannot be called on its own; call the imported model instead")

    def get_config(self):
        return {"name": self.name, "op_type": self.op_type}
