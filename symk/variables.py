"""Variables: a layer's weights. In a graph a variable is a parameter node naming it.

The value lives here (numpy or jax array). Trainers copy values in, run the jitted step
and write the new values back; `assign` with a symbolic tensor records a state update
(e.g. batch-norm moving statistics) instead of mutating anything while tracing.
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from typing import Optional

import numpy as np

from . import stateless_scope
from .shapes import TensorSpec, as_shape, canonical_dtype

_used_paths: set[str] = set()
_uid = itertools.count()
# the dtype floating variables are read in while a mixed-precision layer calls (Keras's AutocastScope); None: as stored
_autocast_stack: list = [None]
_FLOATS = ("float16", "bfloat16", "float32", "float64")


@contextmanager
def autocast_scope(dtype: Optional[str]):
    """Inside: `Variable.symbolic()` reads floating variables (autocast=True) cast to `dtype`; None turns it off."""
    _autocast_stack.append(dtype)
    try:
        yield
    finally:
        _autocast_stack.pop()


def autocast_dtype() -> Optional[str]:
    return _autocast_stack[-1]


def reset_paths() -> None:
    """Forget used variable paths (K.clear_session: names start over, as layer names do)."""
    _used_paths.clear()


def _unique_path(path: str) -> str:
    if path not in _used_paths:
        _used_paths.add(path)
        return path
    for i in itertools.count(1):
        candidate = f"{path}_{i}"
        if candidate not in _used_paths:
            _used_paths.add(candidate)
            return candidate


class Variable:
    """A named, mutable array. As in Keras 3, `name` is the short name ('kernel') and `path`
    ('dense_1/kernel') is unique in the session (graphs and weight files key variables by path)."""

    def __init__(self, value, name: str = "variable", path: Optional[str] = None, trainable: bool = True,
                 dtype=None, regularizer=None, constraint=None, autocast: bool = True):
        self.dtype = canonical_dtype(dtype if dtype is not None else getattr(value, "dtype", "float32"))
        self._value = np.asarray(value, dtype=self.dtype)
        self.short_name = name
        self.path = _unique_path(path or name)
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
        self.uid = next(_uid)
        self.autocast = autocast  # False: read as stored even in a mixed-precision layer (BN's moving statistics)

    # -- identity -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.short_name

    @property
    def shape(self):
        return as_shape(self._value.shape)

    @property
    def spec(self) -> TensorSpec:
        return TensorSpec.of(self._value.shape, self.dtype)

    @property
    def ndim(self) -> int:
        return len(self._value.shape)

    def __repr__(self) -> str:
        return f"<Variable path={self.path} shape={tuple(self.shape)} dtype={self.dtype}>"

    # -- value ----------------------------------------------------------------------
    @property
    def value(self):
        """The value; inside a StatelessScope, the value the scope gives this variable (Keras 3)."""
        if stateless_scope.in_stateless_scope():
            return stateless_scope.read(self)
        return self._value

    def device_value(self):
        """The value as a jax array (converted once, then kept)."""
        if isinstance(self._value, np.ndarray):
            import jax.numpy as jnp

            self._value = jnp.asarray(self._value)
        return self._value

    def numpy(self) -> np.ndarray:
        return np.asarray(self._value)

    def __array__(self, dtype=None, copy=None):
        arr = np.asarray(self._value)
        return arr.astype(dtype) if dtype is not None else arr

    def set_value(self, value) -> None:
        value = np.asarray(value) if not hasattr(value, "shape") else value
        if tuple(value.shape) != tuple(self._value.shape):
            raise ValueError(
                f"cannot assign a value of shape {tuple(value.shape)} to variable {self.path!r} "
                f"of shape {tuple(self._value.shape)}")
        self._value = value if hasattr(value, "block_until_ready") else np.asarray(value, dtype=self.dtype)

    def assign(self, value):
        """Concrete value: set it. Symbolic tensor: record a state update in the graph."""
        from .graph import SymbolicTensor
        from .ops.registry import apply

        if isinstance(value, SymbolicTensor):
            update = apply("assign", [value], path=self.path, variable_id=self.uid)
            value.graph.assigned_values[self.path] = value
            return update
        if stateless_scope.in_stateless_scope():  # recorded, not written: the value may be a jax tracer
            import jax.numpy as jnp

            stateless_scope.write(self, jnp.asarray(value, dtype=self.dtype))
            return self
        self.set_value(np.asarray(value, dtype=self.dtype))
        return self

    def assign_add(self, delta):
        if _is_sym(delta):
            return self.assign(self + delta)
        if stateless_scope.in_stateless_scope():
            return self.assign(self.value + delta)
        return self.assign(self.numpy() + np.asarray(delta))

    def assign_sub(self, delta):
        if _is_sym(delta):
            return self.assign(self - delta)
        if stateless_scope.in_stateless_scope():
            return self.assign(self.value - delta)
        return self.assign(self.numpy() - np.asarray(delta))

    # -- graph ----------------------------------------------------------------------
    def symbolic(self, graph=None, latest: bool = True):
        """This variable's parameter node in `graph` (created once per graph), or with `latest` the value an
        `assign` gave it earlier in that graph. Inside an autocast scope a floating variable is read cast to the
        scope's dtype (a `cast` node after the parameter, so gradients still reach the stored dtype)."""
        tensor = self._stored_symbolic(graph, latest)
        target = autocast_dtype()
        # NOTE: only reads into the current graph; a region body reading the root graph's parameter gets it as stored
        if graph is None and target is not None and self.autocast and self.dtype in _FLOATS and tensor.dtype != target:
            from .ops.registry import apply

            return apply("cast", [tensor], dtype=target)
        return tensor

    def _stored_symbolic(self, graph=None, latest: bool = True):
        from .graph import default_graph, graph_scope
        from .ops.registry import OPS

        graph = graph or default_graph()
        if latest and self.path in graph.assigned_values:
            return graph.assigned_values[self.path]
        node = graph.param_nodes.get(self.path)
        if node is None:
            attrs = OPS["parameter"].attrs_type(path=self.path, shape=tuple(self._value.shape), dtype=self.dtype)
            with graph_scope(graph):  # parameter nodes belong to no layer call
                node = graph.add_node("parameter", attrs, [], [self.spec], name=self.path, variable=self)
            graph.param_nodes[self.path] = node
        return graph.tensor(node)


def _is_sym(x) -> bool:
    from .graph import SymbolicTensor

    return isinstance(x, SymbolicTensor)
