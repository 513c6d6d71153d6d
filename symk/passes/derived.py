"""DerivedVariable: a weight computed on the host from other weights (a folded batch-norm kernel).

Inference pipelines replace weight-only subgraphs by a parameter node whose `variable` is a
DerivedVariable. Programs read it like any Variable (`device_value()`), so the folded array
reaches the jitted function as an argument, never as a captured constant. It recomputes
itself when any source variable's value object changes (set_weights, fit, load_weights).
"""
from __future__ import annotations

from ..codegen import Program
from ..graph import Graph
from ..shapes import TensorSpec


class DerivedVariable:
    """A read-only, non-trainable value: `graph`'s output `ref` evaluated on the current weights."""

    trainable = False
    regularizer = None
    constraint = None

    def __init__(self, path: str, graph: Graph, ref: tuple, spec: TensorSpec, provenance: tuple = ()):
        self.path = path
        self.dtype = spec.dtype
        self.spec = spec
        self.provenance = provenance
        self._program = Program(graph, [], [ref])
        self.sources = list(self._program.variables.values())
        self._computed_from: tuple = ()
        self._value = None

    @property
    def name(self) -> str:
        return self.path

    @property
    def shape(self):
        return self.spec.shape

    def __repr__(self) -> str:
        return f"<DerivedVariable path={self.path} shape={tuple(self.shape)} from {[v.path for v in self.sources]}>"

    def device_value(self):
        """The folded value, recomputed only when a source's value changed (compared by identity)."""
        values = [v.device_value() for v in self.sources]
        if self._value is None or len(values) != len(self._computed_from) or \
                any(a is not b for a, b in zip(values, self._computed_from)):
            params = {v.path: value for v, value in zip(self.sources, values)}
            # NOTE: eager on purpose: a few small ops once per weight change; a jit would add a compile
            (self._value,), _ = self._program(params, {}, [], None, self._program.consts)
            self._computed_from = tuple(values)
        return self._value

    def compute(self, arrays: dict):
        """The value from explicit source arrays (path -> array); pure, so it also works inside jit."""
        params = {v.path: arrays[v.path] if v.path in arrays else v.device_value() for v in self.sources}
        (out,), _ = self._program(params, {}, [], None, self._program.consts)
        return out

    @property
    def value(self):
        return self.device_value()

    def numpy(self):
        import numpy as np

        return np.asarray(self.device_value())

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out.astype(dtype) if dtype is not None else out


def with_derived(program, arrays: dict) -> dict:
    """`arrays` (path -> array: a trainer's params and state) plus every folded weight the program
    reads, computed from those arrays. Trainers evaluating an inference program call it inside
    their jitted step, so folded weights follow the weights being trained."""
    out = dict(arrays)
    for path, variable in program.variables.items():
        if isinstance(variable, DerivedVariable) and path not in out:
            out[path] = variable.compute(out)
    return out
