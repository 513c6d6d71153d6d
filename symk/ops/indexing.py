"""Picking entries by index or condition: take, take_along_axis, where, select, nonzero, unravel_index.

    >>> symk.ops.take(x, [0, 2], axis=1); symk.ops.take_along_axis(x, ops.argsort(x), axis=-1)
    >>> symk.ops.where(x > 0, x, 0.0); symk.ops.nonzero(mask)   # nonzero: on arrays only

get_item lives in symk/ops/index_getitem.py.
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_dims, normalize_axis
from .api import keras_export
from .array import take_rule
from .index_inputs import concrete
from .registry import MULTI_OUTPUT, apply, def_op, spec_of

# NOTE: symk's 'take' op clips out-of-range indices (negative ones to 0); Keras's take is jnp.take's numpy
# semantics: negative indices count from the end, out-of-range ones give NaN (or the int minimum)
def_op("numpy_take", take_rule, lambda x, indices, axis: jnp.take(x, indices, axis=axis), attrs=dict(axis=0),
       inputs=2, doc="Entries of x at the indices along an axis, as numpy's take (negative indices from the end).")


def take_along_axis_rule(specs, attrs):
    x, indices = specs
    if "int" not in indices.dtype:
        raise RuleViolation(f"indices must be integers, got {indices.dtype}", "cast the indices to int32")
    if attrs.axis is None:
        if len(indices.shape) != 1:
            raise RuleViolation(f"with axis=None x is flattened, so indices must be 1-D, got rank "
                                f"{len(indices.shape)}", "flatten the indices, or name an axis")
        return TensorSpec.of(indices.shape, x.dtype)
    if len(x.shape) != len(indices.shape):
        raise RuleViolation(f"x and indices must have the same rank, got {len(x.shape)} and {len(indices.shape)}",
                            "expand_dims the indices so the ranks match")
    axis = normalize_axis(attrs.axis, len(x.shape))
    out = []
    for i, (a, b) in enumerate(zip(x.shape, indices.shape)):
        if i == axis:
            out.append(b)
            continue
        try:
            out.append(broadcast_dims(a, b))
        except ValueError:
            raise RuleViolation(f"axis {i} of x ({a}) and of indices ({b}) must match or be 1 (they broadcast)",
                                "give the indices x's sizes except along `axis`") from None
    return TensorSpec.of(out, x.dtype)


def_op("take_along_axis", take_along_axis_rule,
       lambda x, indices, axis: jnp.take_along_axis(x, indices, axis=axis), attrs=dict(axis=None), inputs=2,
       doc="Entries of x picked along an axis by matching indices (the flattened x for axis=None).")


def nonzero_rule(specs, attrs):
    if not specs[0].shape:
        raise RuleViolation("nonzero needs a tensor of rank >= 1, not a scalar", "reshape it to (1,)")
    return tuple(TensorSpec.of((attrs.size,), "int32") for _ in specs[0].shape)


def_op("nonzero", nonzero_rule, lambda x, size: jnp.nonzero(x, size=size), attrs=dict(size=0),
       doc="The indices of the first `size` nonzero entries, one int32 vector per axis (padded with 0).")
MULTI_OUTPUT.add("nonzero")


def unravel_index_rule(specs, attrs):
    if not attrs.shape or any(not isinstance(d, int) or d < 0 for d in attrs.shape):
        raise RuleViolation(f"shape must be a non-empty tuple of non-negative ints, got {attrs.shape!r}",
                            "pass the shape of the tensor the flat indices point into")
    return tuple(specs[0] for _ in attrs.shape)


def_op("unravel_index", unravel_index_rule, lambda indices, shape: jnp.unravel_index(indices, shape),
       attrs=dict(shape=(1,)), doc="Flat indices into a tensor of `shape` as one coordinate tensor per axis.")
MULTI_OUTPUT.add("unravel_index")


# -- Keras names (symk/ops/api.py) ------------------------------------------------------
@keras_export("numpy")
def take(x, indices, axis=None):
    """Entries of x at the indices along an axis (of the flattened x for axis=None); negative indices count
    from the end."""
    if axis is None:
        x, axis = apply("reshape", [x], shape=(-1,)), 0
    return apply("numpy_take", [x, indices], axis=axis)


@keras_export("numpy")
def take_along_axis(x, indices, axis=None):
    """Entries of x picked along an axis by indices of x's rank (e.g. from argsort); axis=None: of x flattened."""
    return apply("take_along_axis", [x, indices], axis=axis)


@keras_export("numpy")
def nonzero(x):
    """The indices of x's nonzero entries, one int32 vector per axis.

    Their number depends on x's values, so x must be an array (in a graph, `ops.where(x != 0, a, b)` keeps
    shapes static).
    """
    return _nonzero(x, "nonzero")


def _nonzero(x, function: str):
    values = concrete(x, function, "compute it on arrays, or keep shapes static with ops.where(condition, x1, x2)")
    return apply("nonzero", [x], size=int(np.count_nonzero(values)))


@keras_export("numpy")
def where(condition, x1=None, x2=None):
    """x1 where the condition holds, else x2 (broadcast); with neither x1 nor x2, the indices of the nonzero
    entries of the condition, as `nonzero`."""
    if (x1 is None) != (x2 is None):
        raise ValueError("symk.ops.where: pass both x1 and x2, or neither (then where gives the indices of the "
                         "condition's nonzero entries)")
    if x1 is None:
        return _nonzero(condition, "where (with only a condition, the indices of its nonzero entries)")
    if spec_of(condition).dtype != "bool":
        condition = apply("cast", [condition], dtype="bool")
    return apply("where", [condition, x1, x2])


@keras_export("numpy")
def select(condlist, choicelist, default=0):
    """From each position, the entry of the first choice whose condition holds there (default where none does)."""
    if not isinstance(condlist, (list, tuple)) or not isinstance(choicelist, (list, tuple)):
        raise ValueError("symk.ops.select: condlist and choicelist must be lists, got "
                         f"{type(condlist).__name__} and {type(choicelist).__name__}")
    if not condlist or len(condlist) != len(choicelist):
        raise ValueError(f"symk.ops.select: condlist and choicelist must be non-empty and of equal length, got "
                         f"{len(condlist)} and {len(choicelist)}")
    if isinstance(default, (bool, int, float)):  # a Python default takes the choices' dtype, as numpy's weak types do
        default = np.asarray(default, jnp.result_type(*[spec_of(c).dtype for c in choicelist], default))
    out = default
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        out = where(condition, choice, out)
    return out


@keras_export("numpy")
def unravel_index(indices, shape):
    """Flat indices into a tensor of `shape`, as a tuple of coordinate tensors (one per axis)."""
    if any(d is None for d in shape):
        raise ValueError(f"symk.ops.unravel_index: shape must be known ints, got {tuple(shape)}")
    return apply("unravel_index", [indices], shape=tuple(int(d) for d in shape))
