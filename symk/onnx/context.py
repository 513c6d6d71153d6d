"""EmitContext: what an ONNX emitter writes through (nodes, constants, fresh names), and NodeView, what
it reads about the symk node it translates (input names and specs, attrs, layer-scoped name)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

from .registry import OnnxExportError


@dataclass
class NodeView:
    """One symk node as an emitter sees it."""

    op: str
    attrs: Any
    inputs: list           # ONNX value names, in input order
    in_specs: list         # symk TensorSpecs of the inputs
    out_specs: list        # symk TensorSpecs of the outputs
    name: str              # ONNX node-name prefix: the layer scope and the symk node name

    def fail(self, what: str, hint: str = "") -> OnnxExportError:
        """An error naming the op and the layer, for attributes this emitter cannot express."""
        msg = f"ONNX export: op {self.op!r} in {self.name!r}: {what}."
        return OnnxExportError(msg + (f" {hint}." if hint else ""))


class EmitContext:
    """Collects ONNX nodes and initializers while the graph is walked."""

    def __init__(self, opset: int):
        import onnx.helper  # noqa: F401  (the onnx extra)

        self.opset = opset
        self.nodes: list = []
        self.initializers: list = []
        self._ids = itertools.count()
        self._prefix = "node"
        self._const_cache: dict = {}

    def child(self) -> "EmitContext":
        """A context for a subgraph (a Scan body): its own node list; names, constants and initializers shared
        with this one, so every value name is unique in the whole model and bodies read constants from the
        outer scope."""
        sub = EmitContext.__new__(EmitContext)
        sub.__dict__.update(self.__dict__)
        sub.nodes = []
        return sub

    def set_prefix(self, prefix: str) -> None:
        self._prefix = prefix

    def fresh(self, hint: str = "t") -> str:
        return f"{self._prefix}/{hint}_{next(self._ids)}"

    def op(self, op_type: str, inputs: Sequence[str], outputs: int = 1, **attrs) -> Any:
        """Add one ONNX node; returns its output name (or a list for outputs > 1)."""
        from onnx import helper

        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=self.fresh(op_type), **attrs))
        return names[0] if outputs == 1 else names

    def const(self, value, dtype=None) -> str:
        """An initializer holding a (small) array; equal arrays share one."""
        from onnx import numpy_helper

        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key not in self._const_cache:
            name = f"const_{len(self._const_cache)}"
            self.initializers.append(numpy_helper.from_array(array, name))
            self._const_cache[key] = name
        return self._const_cache[key]

    def ints(self, values) -> str:
        return self.const(np.asarray(list(values), np.int64))

    def initializer(self, name: str, array) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    # -- helpers many emitters share --------------------------------------------------
    def shape_of(self, x: str, start: int = 0, end: Optional[int] = None) -> str:
        """The run-time shape of `x` (axes start:end), an int64 vector: dynamic batch sizes stay dynamic."""
        attrs = {"start": start} if start else {}
        if end is not None:
            attrs["end"] = end
        return self.op("Shape", [x], **attrs)

    def transpose(self, x: str, perm) -> str:
        return self.op("Transpose", [x], perm=list(perm))

    def reshape(self, x: str, shape) -> str:
        return self.op("Reshape", [x, shape if isinstance(shape, str) else self.ints(shape)])

    def cast(self, x: str, dtype: str) -> str:
        from onnx import helper

        return self.op("Cast", [x], to=helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))
