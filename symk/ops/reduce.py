"""Reductions with axis/keepdims (and their NaN-skipping twins), arg-reductions, and cumulative ops.

Dtypes are jax.numpy's, as Keras on JAX returns them: sums and products of booleans and small integers
accumulate in int32 (uint32 for unsigned), means and spreads are floats, max/min keep the dtype.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axes, normalize_axis
from .api import export_op
from .elementwise import _to_float, inexact_dtype, real_dtype, refuse_complex
from .registry import def_op


def reduced_shape(shape, axis, keepdims):
    axes = normalize_axes(axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def accumulated_dtype(dtype: str) -> str:
    """The dtype jnp.sum/prod accumulate in: at least 32-bit integers."""
    return {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}.get(dtype, dtype)


def reduce_rule(specs, attrs):
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), specs[0].dtype)


def accumulate_rule(specs, attrs):
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), accumulated_dtype(specs[0].dtype))


def float_reduce_rule(specs, attrs):
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), inexact_dtype(specs[0].dtype))


def spread_rule(specs, attrs):
    """var, std: a real float (the spread of complex numbers is real)."""
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims),
                         real_dtype(inexact_dtype(specs[0].dtype)))


def bool_reduce_rule(specs, attrs):
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), "bool")


def _reduction(fn, to_float=False):
    if to_float:
        return lambda x, axis, keepdims: fn(_to_float(x), axis=axis, keepdims=keepdims)
    return lambda x, axis, keepdims: fn(x, axis=axis, keepdims=keepdims)


# name -> (rule, lowering, computes in floats)
REDUCTIONS = {
    "sum": (accumulate_rule, jnp.sum, False), "prod": (accumulate_rule, jnp.prod, False),
    "max": (reduce_rule, jnp.max, False), "min": (reduce_rule, jnp.min, False),
    "mean": (float_reduce_rule, jnp.mean, True), "var": (spread_rule, jnp.var, True),
    "std": (spread_rule, jnp.std, True), "logsumexp": (float_reduce_rule, jax.scipy.special.logsumexp, True),
    "any": (bool_reduce_rule, jnp.any, False), "all": (bool_reduce_rule, jnp.all, False),
    "nansum": (accumulate_rule, jnp.nansum, False), "nanprod": (accumulate_rule, jnp.nanprod, False),
    "nanmax": (reduce_rule, jnp.nanmax, False), "nanmin": (reduce_rule, jnp.nanmin, False),
    "nanmean": (float_reduce_rule, jnp.nanmean, True), "nanvar": (spread_rule, jnp.nanvar, True),
    "nanstd": (spread_rule, jnp.nanstd, True),
}
for _name, (_rule, _fn, _floats) in REDUCTIONS.items():
    def_op(_name, _rule, _reduction(_fn, _floats), attrs=dict(axis=None, keepdims=False))


def initial_rule(specs, attrs):
    if not isinstance(attrs.initial, (int, float)):
        raise RuleViolation(f"initial must be a Python number, got {attrs.initial!r}", "pass e.g. initial=0.0")
    return reduce_rule(specs, attrs)


# max/min with a starting value (Keras's `initial`: also defines the result of an empty reduction)
for _name, _fn in {"max_initial": jnp.max, "min_initial": jnp.min}.items():
    def_op(_name, initial_rule,
           (lambda f: lambda x, axis, keepdims, initial: f(x, axis=axis, keepdims=keepdims, initial=initial))(_fn),
           attrs=dict(axis=None, keepdims=False, initial=0.0))


def arg_rule(specs, attrs):
    shape = specs[0].shape
    refuse_complex(specs[0].dtype)
    if attrs.axis is None:
        out = (1,) * len(shape) if attrs.keepdims else ()
    else:
        out = reduced_shape(shape, attrs.axis, attrs.keepdims)
    return TensorSpec.of(out, "int32")


def _arg_reduction(fn):
    return lambda x, axis, keepdims: fn(x, axis=axis, keepdims=keepdims).astype(jnp.int32)


for _name, _fn in {"argmax": jnp.argmax, "argmin": jnp.argmin}.items():
    def_op(_name, arg_rule, _arg_reduction(_fn), attrs=dict(axis=-1, keepdims=False))
for _name, _fn in {"nanargmax": jnp.nanargmax, "nanargmin": jnp.nanargmin}.items():
    def_op(_name, arg_rule, _arg_reduction(_fn), attrs=dict(axis=None, keepdims=False))


def cumulative_rule(specs, attrs):
    """The input's dtype (booleans count as int32); axis None flattens."""
    dtype = "int32" if specs[0].dtype == "bool" else specs[0].dtype
    if attrs.axis is not None:
        normalize_axis(attrs.axis, len(specs[0].shape))
        return TensorSpec(specs[0].shape, dtype)
    return TensorSpec.of((specs[0].shape.num_elements(),), dtype)


for _name, _fn in {"cumsum": jnp.cumsum, "cumprod": jnp.cumprod, "nancumsum": jnp.nancumsum,
                   "nancumprod": jnp.nancumprod}.items():
    def_op(_name, cumulative_rule, (lambda f: lambda x, axis: f(x, axis=axis))(_fn), attrs=dict(axis=None))

# -- Keras names whose signature is the op's (the others are in symk/ops/numpy_reduce.py) ------------------
for _name in ("all", "any", "mean", "std", "sum", "var", "nansum", "nanprod", "nanmax", "nanmin", "nanmean",
              "nanvar", "nanstd", "nanargmax", "nanargmin"):
    export_op("numpy", _name)
export_op("numpy", "max", "amax")
export_op("numpy", "min", "amin")
export_op("math", "logsumexp")
