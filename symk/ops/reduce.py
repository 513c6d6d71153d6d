"""Reductions with axis/keepdims, arg-reductions, and cumulative ops."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..shapes import TensorSpec, normalize_axes, normalize_axis
from .elementwise import _to_float
from .api import export_op
from .registry import def_op


def reduced_shape(shape, axis, keepdims):
    axes = normalize_axes(axis, len(shape))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def reduce_rule(specs, attrs):
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), specs[0].dtype)


def float_reduce_rule(specs, attrs):
    dtype = specs[0].dtype
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims),
                         dtype if "float" in dtype else "float32")


def bool_reduce_rule(specs, attrs):
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), "bool")


_REDUCE = {"sum": jnp.sum, "max": jnp.max, "min": jnp.min, "prod": jnp.prod}
_FLOAT_REDUCE = {"mean": jnp.mean, "var": jnp.var, "std": jnp.std, "logsumexp": jax.scipy.special.logsumexp}
for _name, _fn in _REDUCE.items():
    def_op(_name, reduce_rule, (lambda f: lambda x, axis, keepdims: f(x, axis=axis, keepdims=keepdims))(_fn),
           attrs=dict(axis=None, keepdims=False))
for _name, _fn in _FLOAT_REDUCE.items():
    def_op(_name, float_reduce_rule,
           (lambda f: lambda x, axis, keepdims: f(_to_float(x), axis=axis, keepdims=keepdims))(_fn),
           attrs=dict(axis=None, keepdims=False))
for _name, _fn in {"any": jnp.any, "all": jnp.all}.items():
    def_op(_name, bool_reduce_rule, (lambda f: lambda x, axis, keepdims: f(x, axis=axis, keepdims=keepdims))(_fn),
           attrs=dict(axis=None, keepdims=False))


def arg_rule(specs, attrs):
    shape = specs[0].shape
    if attrs.axis is None:
        out = (1,) * len(shape) if attrs.keepdims else ()
    else:
        out = reduced_shape(shape, attrs.axis, attrs.keepdims)
    return TensorSpec.of(out, "int32")


for _name, _fn in {"argmax": jnp.argmax, "argmin": jnp.argmin}.items():
    def_op(_name, arg_rule,
           (lambda f: lambda x, axis, keepdims: f(x, axis=axis, keepdims=keepdims).astype(jnp.int32))(_fn),
           attrs=dict(axis=-1, keepdims=False))


def cumulative_rule(specs, attrs):
    if attrs.axis is not None:
        normalize_axis(attrs.axis, len(specs[0].shape))
        return specs[0]
    n = specs[0].shape.num_elements()
    return TensorSpec.of((n,), specs[0].dtype)


def_op("cumsum", cumulative_rule, lambda x, axis: jnp.cumsum(x, axis=axis), attrs=dict(axis=None))
def_op("cumprod", cumulative_rule, lambda x, axis: jnp.cumprod(x, axis=axis), attrs=dict(axis=None))

# -- Keras names (symk/ops/api.py) ------------------------------------------------------
for _name in ("all", "any", "mean", "std", "sum", "var"):
    export_op("numpy", _name)
export_op("math", "logsumexp")
