"""Call sites (Keras's "nodes"): one record per call of a layer on symbolic tensors."""
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
