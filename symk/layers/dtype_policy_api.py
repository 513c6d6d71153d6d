"""DTypePolicyAPI, mixed into Layer: the dtype policy (dtype / compute_dtype / variable_dtype) and autocasting.

As Keras 3's Layer.__call__: floating inputs are cast to the compute dtype before `call`, and floating
weights are read in the compute dtype inside it (an autocast scope that Variable.symbolic() reads).

    Dense(8, dtype="mixed_bfloat16")   # dtype 'float32' (the variables'), compute_dtype 'bfloat16'
"""
from __future__ import annotations

from .. import dtype_policies
from ..dtype_policies import DTypePolicy
from ..graph import SymbolicTensor
from ..variables import autocast_dtype


class DTypePolicyAPI:
    """The dtype policy of a layer (set from `dtype=`) and the casts Keras 3 applies around its call."""

    @property
    def dtype_policy(self) -> DTypePolicy:
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        self._dtype_policy = dtype_policies.get(value)

    @property
    def dtype(self) -> str:
        """As in Keras 3: the variable dtype ('float32' under 'mixed_bfloat16'); see compute_dtype."""
        return self._dtype_policy.variable_dtype

    @dtype.setter
    def dtype(self, value) -> None:
        try:
            self._dtype_policy = dtype_policies.get(value)
        except (TypeError, ValueError) as err:
            where = f"Layer {getattr(self, 'name', None)!r} ({type(self).__name__})"
            raise type(err)(f"{where}: dtype={value!r} is not a dtype or a dtype policy. {err}") from None

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def input_dtype(self) -> str:
        """The dtype floating inputs are cast to before `call` (when `autocast`)."""
        return self._dtype_policy.compute_dtype

    _convert_input_args = True  # False: inputs reach call() in their own dtype (functional models)

    def _cast_inputs(self, structure):
        """Floating symbolic tensors in `structure` cast to the compute dtype (masks kept), when autocasting."""
        target = self.input_dtype
        # NOTE: float targets only: a layer with an integer policy (lookups, Discretization) takes floats as they are
        if (not self.autocast or not self._convert_input_args or getattr(self, "_functional", False)
                or not _is_float(target)):
            return structure

        def cast(t):
            if not isinstance(t, SymbolicTensor) or not _is_float(t.dtype) or t.dtype == target:
                return t
            from ..ops.registry import apply

            out = apply("cast", [t], dtype=target)
            out._keras_mask = getattr(t, "_keras_mask", None)
            return out

        return _map_structure(cast, structure)

    def _autocast_dtype_for_call(self):
        """The dtype variables are read in during this call: Keras's AutocastScope rules (None: as stored)."""
        current = autocast_dtype()
        if current is not None:
            if not self.autocast or not _is_float(self.compute_dtype):
                return None
            return self.compute_dtype
        if self.autocast and self.compute_dtype != self.variable_dtype:
            return self.compute_dtype
        return None


def _map_structure(fn, value):
    """fn on every leaf of nested lists, tuples and dicts, keeping their types and key order (unlike tree_map)."""
    if isinstance(value, dict):
        return {k: _map_structure(fn, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_map_structure(fn, v) for v in value)
    return fn(value)


def _is_float(dtype) -> bool:
    return str(dtype) in ("float16", "bfloat16", "float32", "float64")
