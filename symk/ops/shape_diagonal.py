"""Diagonals and triangles: diag, diagflat, diagonal, trace, tril, triu, and vander (powers of a vector).

    >>> symk.ops.diag(np.array([1, 2]))         # [[1, 0], [0, 2]]
    >>> symk.ops.trace(x, axis1=1, axis2=2)     # one trace per batch element
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axis
from .api import keras_export
from .registry import apply, def_op, spec_of
from .shape_args import static_int


def diagonal_length(rows, cols, offset: int):
    """How many elements diagonal `offset` of a (rows, cols) matrix has (None if a size is unknown)."""
    if rows is None or cols is None:
        return None
    return max(0, min(rows, cols - offset) if offset >= 0 else min(rows + offset, cols))


def diag_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) == 1:
        n = None if shape[0] is None else shape[0] + abs(attrs.k)
        return TensorSpec.of((n, n), specs[0].dtype)
    if len(shape) == 2:
        return TensorSpec.of((diagonal_length(shape[0], shape[1], attrs.k),), specs[0].dtype)
    raise RuleViolation(f"diag takes a vector (to build a matrix) or a matrix (to read a diagonal), got rank "
                        f"{len(shape)}", "use diagonal(x, offset, axis1, axis2) for higher ranks")


def diagonal_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) < 2:
        raise RuleViolation(f"diagonal needs a tensor of rank >= 2, got rank {len(shape)}", "pass a matrix")
    first = normalize_axis(attrs.axis1, len(shape), "axis1")
    second = normalize_axis(attrs.axis2, len(shape), "axis2")
    if first == second:
        raise RuleViolation(f"axis1 and axis2 name the same axis ({attrs.axis1}, {attrs.axis2})",
                            "pass two different axes")
    rest = [d for i, d in enumerate(shape) if i not in (first, second)]
    return TensorSpec.of(rest + [diagonal_length(shape[first], shape[second], attrs.offset)], specs[0].dtype)


def triangle_rule(specs, attrs):
    if len(specs[0].shape) < 2:
        raise RuleViolation(f"tril/triu need a tensor of rank >= 2 (matrices in the last two axes), got rank "
                            f"{len(specs[0].shape)}", "pass a matrix")
    return specs[0]


def vander_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) != 1:
        raise RuleViolation(f"vander needs a vector, got rank {len(shape)}", "pass a 1-D tensor")
    if specs[0].dtype == "bool":
        raise RuleViolation("vander cannot raise bool values to powers", "cast x to int32 or float32")
    if attrs.N is not None and attrs.N < 0:
        raise RuleViolation(f"N must be non-negative, got {attrs.N}", "pass N >= 0, or None for len(x) columns")
    return TensorSpec.of((shape[0], shape[0] if attrs.N is None else attrs.N), specs[0].dtype)


def_op("diag", diag_rule, lambda x, k: jnp.diag(x, k), attrs=dict(k=0),
       doc="A vector placed on diagonal k of a square matrix, or diagonal k of a matrix.")
def_op("diagonal", diagonal_rule,
       lambda x, offset, axis1, axis2: jnp.diagonal(x, offset, axis1, axis2), attrs=dict(offset=0, axis1=0, axis2=1),
       doc="Diagonal `offset` of the matrices in axes (axis1, axis2), as the last axis.")
for _name, _fn in {"tril": jnp.tril, "triu": jnp.triu}.items():
    def_op(_name, triangle_rule, (lambda f: lambda x, k: f(x, k))(_fn), attrs=dict(k=0),
           doc=f"jnp.{_name}: zeros {'above' if _name == 'tril' else 'below'} diagonal k of the last two axes.")
def_op("vander", vander_rule, lambda x, N, increasing: jnp.vander(x, N, increasing), attrs=dict(N=None,
       increasing=False), doc="The matrix of powers of a vector (decreasing powers unless `increasing`).")


@keras_export("numpy")
def diag(x, k=0):
    return apply("diag", [x], k=static_int("diag", "k", k))


@keras_export("numpy")
def diagflat(x, k=0):
    """The flattened x placed on diagonal k of a square matrix."""
    return apply("diag", [apply("reshape", [x], shape=(-1,))], k=static_int("diagflat", "k", k))


@keras_export("numpy")
def diagonal(x, offset=0, axis1=0, axis2=1):
    return apply("diagonal", [x], offset=static_int("diagonal", "offset", offset),
                 axis1=static_int("diagonal", "axis1", axis1), axis2=static_int("diagonal", "axis2", axis2))


def trace_dtype(dtype: str) -> str:
    """jnp.trace sums as jnp.sum does: bools and small ints widen to int32 (unsigned ones to uint32)."""
    if dtype in ("bool", "int8", "int16"):
        return "int32"
    if dtype in ("uint8", "uint16"):
        return "uint32"
    return dtype


@keras_export("numpy")
def trace(x, offset=0, axis1=0, axis2=1):
    """The sums along diagonal `offset` of the matrices in axes (axis1, axis2)."""
    dtype = spec_of(x).dtype
    if trace_dtype(dtype) != dtype:
        x = apply("cast", [x], dtype=trace_dtype(dtype))
    return apply("sum", [diagonal(x, offset, axis1, axis2)], axis=-1, keepdims=False)


@keras_export("numpy")
def tril(x, k=0):
    return apply("tril", [x], k=static_int("tril", "k", k))


@keras_export("numpy")
def triu(x, k=0):
    return apply("triu", [x], k=static_int("triu", "k", k))


@keras_export("numpy")
def vander(x, N=None, increasing=False):
    """Columns x**(N-1), ..., x**0 (x**0, ..., x**(N-1) if `increasing`); N=None gives len(x) columns."""
    if N is not None and (not isinstance(N, int) or isinstance(N, bool)):
        raise TypeError(f"vander: `N` must be an int or None, got {N!r}")
    if not isinstance(increasing, bool):
        raise TypeError(f"vander: `increasing` must be a bool, got {increasing!r}")
    return apply("vander", [x], N=N, increasing=increasing)
