"""Complex tensors as real ones and back: view_as_complex ((..., 2) -> complex64) and view_as_real.

    >>> symk.ops.view_as_complex(np.array([[1.0, 2.0]]))    # [1+2j]
    >>> symk.ops.view_as_real(np.array([1 + 2j]))           # [[1, 2]]
"""
from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import export_op
from .linalg_ops import real_dtype
from .registry import def_op


def _view_as_complex_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) == 0 or shape[-1] not in (2, None):
        raise RuleViolation(f"view_as_complex needs a last axis of size 2 (real, imaginary), got shape {tuple(shape)}",
                            "stack the parts: ops.stack([real, imag], axis=-1)")
    if "complex" in specs[0].dtype:
        raise RuleViolation(f"view_as_complex needs real values, got {specs[0].dtype}", "pass view_as_real(z)")
    return TensorSpec.of(shape[:-1], "complex64")


def _view_as_complex(x):
    parts = x.astype(jnp.float32)
    return lax.complex(parts[..., 0], parts[..., 1])


def _view_as_real_rule(specs, attrs):
    # NOTE: a real input stays its dtype (imaginary part zero), as Keras's eager result does
    return TensorSpec.of(tuple(specs[0].shape) + (2,), real_dtype(specs[0].dtype))


def_op("view_as_complex", _view_as_complex_rule, _view_as_complex)
def_op("view_as_real", _view_as_real_rule, lambda x: jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1))
for _name in ("view_as_complex", "view_as_real"):
    export_op("math", _name)
