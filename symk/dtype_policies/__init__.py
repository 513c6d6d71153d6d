"""`symk.dtype_policies` (Keras's `keras.dtype_policies`): DTypePolicy, get, serialize, deserialize.

    policy = symk.dtype_policies.get("mixed_float16")
    symk.dtype_policies.serialize(policy)
    # {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'mixed_float16'}, 'registered_name': None}
"""
from __future__ import annotations

from .policy import (FLOAT_DTYPES, MIXED_POLICIES, DTypePolicy, FloatDTypePolicy, global_policy,  # noqa: F401
                     set_global_policy)

# class names Keras 3 (DTypePolicy, FloatDTypePolicy) and Keras 2 (Policy) write for a float policy
POLICY_CLASS_NAMES = ("DTypePolicy", "FloatDTypePolicy", "Policy")


def serialize(policy) -> dict:
    """The dict Keras 3 writes into a layer config for `policy`."""
    policy = get(policy)
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> DTypePolicy:
    """A DTypePolicy from Keras 3's dict or Keras 2's {'class_name': 'Policy', 'config': {'name': ...}}."""
    if not isinstance(config, dict) or config.get("class_name") not in POLICY_CLASS_NAMES:
        raise ValueError(f"dtype_policies.deserialize: expected a DTypePolicy config such as {{'class_name': "
                         f"'DTypePolicy', 'config': {{'name': 'mixed_float16'}}}}; received {str(config)[:120]}. "
                         "Quantized policies (int8, float8, ...) are not supported by symk.")
    inner = config.get("config") or {}
    return DTypePolicy(inner.get("name") if isinstance(inner, dict) else None)


def get(identifier) -> DTypePolicy:
    """None -> the global policy; a name, a config dict or a DTypePolicy -> that policy."""
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    try:  # a numpy / jax dtype object, as layers always accepted
        from ..shapes import canonical_dtype

        return DTypePolicy(canonical_dtype(identifier))
    except (TypeError, ValueError):
        raise ValueError("Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. "
                         f"Received: dtype={identifier!r}") from None
