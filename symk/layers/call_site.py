"""Call sites (Keras's "nodes"): one record per call of a layer on symbolic tensors, and the
layer API that reads them (input, output, get_output_at, input_shape, ...)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class CallSite:
    layer: Any
    inputs: Any        # the structure passed in (tensor, list or dict)
    outputs: Any       # the structure returned
    arguments: dict = field(default_factory=dict)
    index: int = 0

    @property
    def input_tensors(self) -> list:
        return _flatten(self.inputs)

    @property
    def output_tensors(self) -> list:
        return _flatten(self.outputs)

    @property
    def inbound_layers(self) -> list:
        out = []
        for t in self.input_tensors:
            history = getattr(t, "_keras_history", None)
            out.append(history)
        return out


def _flatten(structure) -> list:
    from ..graph import SymbolicTensor

    if isinstance(structure, SymbolicTensor):
        return [structure]
    if isinstance(structure, dict):
        return [t for v in structure.values() for t in _flatten(v)]
    if isinstance(structure, (list, tuple)):
        return [t for v in structure for t in _flatten(v)]
    return []


def shapes_of(structure):
    """The input_shape passed to build(): a TensorShape, or a list/dict of them."""
    from ..graph import SymbolicTensor
    from ..variables import Variable

    if isinstance(structure, (SymbolicTensor, Variable)):
        return structure.shape
    if isinstance(structure, dict):
        return {k: shapes_of(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [shapes_of(v) for v in structure]
    return getattr(structure, "shape", None)


def _as_tuple_shapes(shape):
    if isinstance(shape, tuple):
        return tuple(shape)
    if isinstance(shape, list):
        return [_as_tuple_shapes(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _as_tuple_shapes(v) for k, v in shape.items()}
    return shape


class CallSiteAPI:
    """Mixed into Layer: Keras's per-call-site accessors."""

    @property
    def inbound_nodes(self) -> list[CallSite]:
        return self._inbound_nodes

    def _only_site(self, what: str) -> CallSite:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has no defined {what}.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer {self.name!r} has multiple inbound nodes, hence the notion of \"layer {what}\" is ill-defined. "
                f"Use `get_{what}_at(node_index)` instead.")
        return self._inbound_nodes[0]

    def _site(self, index: int) -> CallSite:
        if not 0 <= index < len(self._inbound_nodes) and not -len(self._inbound_nodes) <= index < 0:
            raise ValueError(f"Asked to get node {index} of layer {self.name!r}, but the layer has only "
                             f"{len(self._inbound_nodes)} inbound node(s).")
        return self._inbound_nodes[index]

    @property
    def input(self):
        return self._only_site("input").inputs

    @property
    def output(self):
        return self._only_site("output").outputs

    def get_input_at(self, index: int):
        return self._site(index).inputs

    def get_output_at(self, index: int):
        return self._site(index).outputs

    def get_input_shape_at(self, index: int):
        return shapes_of(self._site(index).inputs)

    def get_output_shape_at(self, index: int):
        return shapes_of(self._site(index).outputs)

    def _shared_shape(self, what: str):
        if not self._inbound_nodes:
            if what == "input" and self._build_input_shape is not None:
                return self._build_input_shape
            raise AttributeError(f"The layer {self.name!r} has never been called and thus has no defined {what} shape.")
        shapes = [shapes_of(getattr(s, f"{what}s")) for s in self._inbound_nodes]
        if any(s != shapes[0] for s in shapes[1:]):
            raise AttributeError(
                f"The layer {self.name!r} has multiple inbound nodes with different {what} shapes, hence the notion of "
                f"\"{what} shape\" is ill-defined. Use `get_{what}_shape_at(node_index)` instead.")
        return _as_tuple_shapes(shapes[0])

    @property
    def input_shape(self):
        return self._shared_shape("input")

    @property
    def output_shape(self):
        return self._shared_shape("output")

