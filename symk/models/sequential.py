"""Sequential: a linear stack of layers, built as soon as its input shape is known."""
from __future__ import annotations

import numpy as np

from ..errors import GraphError
from ..graph import SymbolicTensor
from ..layers.base import Layer
from ..layers.input_layer import Input, InputLayer
from .model import Model


class Sequential(Model):
    """`Sequential([Dense(32, input_shape=(784,)), Activation('relu')])` or `.add(...)` layer by layer."""

    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._functional = True
        self._stack: list[Layer] = []
        self._input_layer = None
        self._own_sites: list = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def _weight_layers(self):
        return self.layers

    def _sublayers(self):
        return list(self._stack)

    def add(self, layer) -> None:
        if isinstance(layer, SymbolicTensor):
            history = layer._keras_history
            if history is None or not isinstance(history[0], InputLayer):
                raise TypeError("Sequential.add() takes layers, or a tensor from Input(...); got a computed tensor")
            layer = history[0]
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add() takes Layer instances; got {type(layer).__name__} ({layer!r}). "
                            "Did you forget to instantiate the layer, e.g. Dense(10) rather than Dense?")
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("an InputLayer can only be the first layer of a Sequential model")
            self._input_layer = layer
            self._rebuild()
            return
        if any(l is layer for l in self._stack):
            raise ValueError(f"layer {layer.name!r} is already in Sequential model {self.name!r}")
        self._stack.append(layer)
        if self._graph is not None:
            self._extend(layer)
        elif len(self._stack) == 1 and _declared_input_shape(layer) is not None and self._input_layer is None:
            self._rebuild()
        elif self._input_layer is not None:
            self._rebuild()

    def pop(self) -> Layer:
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._rebuild()
        return layer

    def _forget_sites(self) -> None:
        for site in self._own_sites:
            if site in site.layer._inbound_nodes:
                site.layer._inbound_nodes.remove(site)
        self._own_sites = []

    def _call_recorded(self, layer, x):
        before = len(layer._inbound_nodes)
        y = layer(x)
        self._own_sites += layer._inbound_nodes[before:]
        if isinstance(y, (list, tuple)):
            raise GraphError(f"layer {layer.name!r} returns {len(y)} tensors; a Sequential model needs layers "
                             "with one output each (use the functional API)")
        return y

    def _rebuild(self, batch_shape=None, dtype=None) -> None:
        """(Re)build the graph from an input shape: the InputLayer's, the first layer's, or the one given."""
        self._forget_sites()
        self._graph = None
        if self._input_layer is not None:
            x = self._input_layer.output
        else:
            first = self._stack[0] if self._stack else None
            batch_shape = batch_shape or _declared_input_shape(first)
            if batch_shape is None:
                return
            x = Input(batch_shape=batch_shape, dtype=dtype or getattr(first, "_input_dtype", None) or "float32")
            self._input_layer = x._keras_history[0]
        inputs = x
        for layer in self._stack:
            x = self._call_recorded(layer, x)
        self._init_graph(inputs, x)

    def _extend(self, layer) -> None:
        y = self._call_recorded(layer, self.outputs[0])
        self._init_graph(self.inputs[0], y)

    def build(self, input_shape=None):
        if self._graph is not None:
            return
        if input_shape is None:
            raise ValueError(f"Sequential model {self.name!r}.build() needs an input_shape with the batch axis, "
                             "e.g. build((None, 784))")
        self._rebuild(tuple(input_shape))

    def _ensure_graph_for(self, arrays) -> None:
        if self._graph is None:
            if len(arrays) != 1:
                raise ValueError(f"Sequential model {self.name!r} takes one input; got {len(arrays)} arrays")
            a = arrays[0]
            self._rebuild((None,) + tuple(a.shape[1:]), dtype=str(a.dtype))

    def _build_for_text(self, x) -> None:
        """Built by its first data when that is text: the first layer must be a host layer (strings in)."""
        first = np.asarray(x if not isinstance(x, (list, tuple)) else list(x), dtype=object)
        self._rebuild((None,) + tuple(first.shape[1:]), dtype="string")

    def _maybe_build(self, inputs) -> None:
        if self._graph is None:
            self._rebuild((None,) + tuple(inputs.shape[1:]), dtype=inputs.dtype)
        self.built = True

    @property
    def input_shape(self):
        self._require_graph("input shape")
        return tuple(self.inputs[0].shape)

    @property
    def output_shape(self):
        self._require_graph("output shape")
        return tuple(self.outputs[0].shape)

    def get_config(self):
        from ..saving.model_config import sequential_config  # written by [save]

        return sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving.model_config import sequential_from_config  # written by [save]

        return sequential_from_config(config, custom_objects)


def _declared_input_shape(layer):
    """The batch input shape a first layer declares: input_shape=..., or a built model's single input."""
    if getattr(layer, "_batch_input_shape", None) is not None:
        return layer._batch_input_shape
    if isinstance(layer, Model) and layer._graph is not None and len(layer.inputs) == 1:
        return tuple(layer.inputs[0].shape)
    return None
