"""Vector and matrix norms (keras.ops.linalg.norm): one axis gives vector norms, two axes matrix norms.

    >>> symk.ops.linalg.norm(x)                      # 2-norm of the flattened x
    >>> symk.ops.linalg.norm(x, ord="nuc", axis=(1, 2))
"""
from __future__ import annotations

import math

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axes
from .api import export_op
from .linalg_ops import inexact_dtype, real_dtype
from .reduce import reduced_shape
from .registry import def_op

MATRIX_ORDERS = (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _norm_axes(shape, attrs) -> tuple:
    rank = len(shape)
    if attrs.axis is None:
        if attrs.ord is None:
            return tuple(range(rank))  # the 2-norm of the flattened tensor, whatever its rank
        if rank not in (1, 2):
            raise RuleViolation(f"norm with ord={attrs.ord!r} and axis=None needs a vector or a matrix, got rank "
                                f"{rank}", "name the axes: axis=-1 for vector norms, axis=(-2, -1) for matrix norms")
        return tuple(range(rank))
    axes = normalize_axes(attrs.axis, rank)
    if len(axes) not in (1, 2):
        raise RuleViolation(f"norm takes one axis (vector norms) or two (matrix norms), got axis={attrs.axis}",
                            "reshape to put the values in one or two axes")
    return axes


def _norm_rule(specs, attrs):
    shape = specs[0].shape
    axes = _norm_axes(shape, attrs)
    if attrs.axis is not None or attrs.ord is not None:
        if len(axes) == 1 and isinstance(attrs.ord, str):
            raise RuleViolation(f"norm: ord={attrs.ord!r} is a matrix norm, but one axis gives vector norms",
                                "use a number for ord, or pass two axes")
        if len(axes) == 2 and attrs.ord not in MATRIX_ORDERS:
            raise RuleViolation(f"norm: ord={attrs.ord!r} is not a matrix norm; matrix norms are {MATRIX_ORDERS}",
                                "pick one of them, or pass one axis for vector norms")
    return TensorSpec.of(reduced_shape(shape, axes, attrs.keepdims), real_dtype(inexact_dtype(specs[0].dtype)))


def_op("norm", _norm_rule, lambda x, ord, axis, keepdims: jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims),
       attrs=dict(ord=None, axis=None, keepdims=False))
export_op("linalg", "norm")
