"""Input and InputLayer: placeholders, the entry points of a graph."""
from __future__ import annotations

from typing import Optional

from ..errors import GraphError
from ..graph import default_graph
from ..ops.registry import OPS
from ..shapes import TensorSpec, canonical_dtype
from .base import Layer
from .call_site import CallSite


def make_placeholder(shape, dtype="float32", name: Optional[str] = None):
    """A bare placeholder node in the current graph (no InputLayer)."""
    if shape is None:
        raise GraphError("a placeholder needs a shape; pass shape=(...) (without the batch axis) to Input")
    shape = tuple(None if d is None or d == -1 else int(d) for d in shape)
    dtype = canonical_dtype(dtype)
    graph = default_graph()
    attrs = OPS["placeholder"].attrs_type(shape=shape, dtype=dtype)
    node = graph.add_node("placeholder", attrs, [], [TensorSpec.of(shape, dtype)], name=name)
    return graph.tensor(node)


class InputLayer(Layer):
    """Holds the placeholder of a model input. Usually made through `Input(shape=...)`."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, input_tensor=None,
                 name=None, input_shape=None, batch_input_shape=None, ragged=None, optional=False, **kwargs):
        super().__init__(name=name, dtype=dtype, **{k: v for k, v in kwargs.items() if k == "trainable"})
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        shape = shape if shape is not None else input_shape
        if batch_shape is None:
            if shape is None and input_tensor is None:
                raise ValueError("Input needs `shape` (without the batch axis) or `batch_shape`; e.g. Input(shape=(784,))")
            batch_shape = (batch_size,) + tuple(shape) if shape is not None else tuple(input_tensor.shape)
        self.batch_shape = tuple(batch_shape)
        self.sparse = bool(sparse)
        if input_tensor is None:
            from ..graph import layer_scope

            with layer_scope(self):
                input_tensor = make_placeholder(self.batch_shape, self.dtype, name=self.name)
        self.built = True
        input_tensor._keras_history = (self, 0, 0)
        self._inbound_nodes.append(CallSite(self, input_tensor, input_tensor, {}, 0))

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self.dtype, "sparse": self.sparse, "name": self.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
        config.pop("ragged", None)
        return cls(**config)


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, batch_shape=None, tensor=None,
          **kwargs):
    """A symbolic input: `Input(shape=(784,))` has shape (None, 784)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       input_tensor=tensor, name=name, **kwargs)
    return layer.output
