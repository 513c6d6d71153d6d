"""DTypePolicy: the dtype a layer computes in and the dtype its variables are stored in (mixed precision).

    DTypePolicy("mixed_bfloat16").compute_dtype   # 'bfloat16' (variables stay 'float32')
    DTypePolicy("float16").variable_dtype         # 'float16'

Only `config` and `shapes` below it, so layers, saving and training can all use it.
"""
from __future__ import annotations

from ..shapes import canonical_dtype

# policy name -> (compute dtype, variable dtype); any other name is one dtype used for both
MIXED_POLICIES = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}
FLOAT_DTYPES = ("float16", "bfloat16", "float32")


def _parse(name: str) -> tuple:
    """(canonical name, compute dtype, variable dtype), or a ValueError as Keras words it."""
    if name in MIXED_POLICIES:
        return (name,) + MIXED_POLICIES[name]
    try:
        # NOTE: a 'mixed_*' typo is refused as in Keras (canonical_dtype would quietly map it to float32); 'float'
        # and 'float64' stay float32, as layers always read them (jax runs without x64)
        if name.startswith("mixed_"):
            raise TypeError
        dtype = canonical_dtype(name)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot convert {name!r} to a mixed precision DTypePolicy. Valid policies include "
                         "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as "
                         "'float32'.") from None
    return dtype, dtype, dtype


class DTypePolicy:
    """A layer's dtype policy. `name` None takes the global policy (symk.config.dtype_policy())."""

    def __init__(self, name=None):
        if name is None:
            name = global_policy().name
        if not isinstance(name, str):
            raise TypeError(f"'name' must be a string, such as 'mixed_float16'. Received: name={name!r} "
                            f"(of type {type(name)})")
        self._name, self._compute_dtype, self._variable_dtype = _parse(name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    @property
    def quantization_mode(self):
        return None  # symk has no quantized policies

    @property
    def is_mixed(self) -> bool:
        return self._compute_dtype != self._variable_dtype

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> "DTypePolicy":
        return cls(**config)

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("DTypePolicy", self._name))

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy  # Keras 3's older name

# the global policy (None: floatx()); kept here rather than in config so config stays the lowest layer
_global = {"policy": None}


def global_policy() -> DTypePolicy:
    """The policy layers built without `dtype=` take (default: the floatx() dtype, 'float32')."""
    from ..config import floatx

    return _global["policy"] or DTypePolicy(floatx())


def reset_global_policy() -> None:
    """Back to the floatx policy (what clear_session does, as Keras's resets its global settings)."""
    _global["policy"] = None


def set_global_policy(policy) -> None:
    """`set_global_policy("mixed_bfloat16")`: layers created afterwards compute in bfloat16, keep float32 variables."""
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, DTypePolicy):
        raise ValueError("Invalid `policy` argument. Expected the string name of a policy (such as "
                         f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy!r} "
                         f"(of type {type(policy)})")
    _global["policy"] = policy
