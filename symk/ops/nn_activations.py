"""The activations of keras.ops.nn that symk/ops/elementwise.py does not declare: celu, the shrinks,
sparse_plus/sigmoid, squareplus, hard_tanh, threshold, glu and sparsemax, and Keras's gelu default.

Elementwise ones are one line each in a table; like Keras on JAX, integer and bool inputs give
float32 (hard_tanh and threshold keep integers, as jax.nn's formulas do).

    >>> symk.ops.nn.soft_shrink(x, threshold=0.5); symk.ops.nn.sparsemax(logits, axis=-1)
"""
from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, canonical_dtype, normalize_axis
from .api import export_op, keras_export
from .elementwise import _to_float, float_unary_rule
from .registry import apply, def_op

# name -> (lowering on a float x, attrs with Keras's defaults)
FLOAT_ACTIVATIONS = {
    "celu": (lambda x, alpha: jax.nn.celu(x, alpha=alpha), dict(alpha=1.0)),
    "hard_shrink": (lambda x, threshold: jnp.where(jnp.abs(x) > threshold, x, 0.0), dict(threshold=0.5)),
    "soft_shrink": (lambda x, threshold: jnp.where(x > threshold, x - threshold,
                                                   jnp.where(x < -threshold, x + threshold, 0.0)),
                    dict(threshold=0.5)),
    "sparse_plus": (jax.nn.sparse_plus, {}),
    "sparse_sigmoid": (jax.nn.sparse_sigmoid, {}),
    "squareplus": (lambda x, b: jax.nn.squareplus(x, b=b), dict(b=4)),
    "tanh_shrink": (lambda x: x - jnp.tanh(x), {}),
}
for _name, (_fn, _attrs) in FLOAT_ACTIVATIONS.items():
    def_op(_name, float_unary_rule, (lambda f: lambda x, **a: f(_to_float(x), **a))(_fn), attrs=_attrs,
           elementwise=True)


def hard_tanh_rule(specs, attrs):
    """clip to [-1, 1] keeps ints and floats; bools become int32 (jax compares them with the int bounds)."""
    dtype = specs[0].dtype
    return TensorSpec(specs[0].shape, "int32" if dtype == "bool" else dtype)


def_op("hard_tanh", hard_tanh_rule, jax.nn.hard_tanh, elementwise=True)


def threshold_rule(specs, attrs):
    # jnp.where(x > threshold, x, default_value): a Python default is weakly typed, so ints stay ints
    # unless the default is a float
    return TensorSpec(specs[0].shape, canonical_dtype(jnp.result_type(jnp.dtype(specs[0].dtype),
                                                                      attrs.default_value)))


def_op("threshold", threshold_rule,
       lambda x, threshold, default_value: jnp.where(x > threshold, x, default_value),
       attrs=dict(threshold=0.0, default_value=0.0), elementwise=True,
       doc="x where x > threshold, else default_value.")


def glu_rule(specs, attrs):
    (x,) = specs
    axis = normalize_axis(attrs.axis, len(x.shape))
    size = x.shape[axis]
    if size is not None and size % 2:
        raise RuleViolation(f"glu splits axis {attrs.axis} into two halves, but its size {size} is odd",
                            "apply glu along an axis of even size")
    shape = list(x.shape)
    shape[axis] = None if size is None else size // 2
    return TensorSpec.of(shape, float_unary_rule(specs, attrs).dtype)


def_op("glu", glu_rule, lambda x, axis: jax.nn.glu(_to_float(x), axis=axis), attrs=dict(axis=-1),
       doc="Gated linear unit: a * sigmoid(b), with a and b the two halves of `axis`.")


def sparsemax_rule(specs, attrs):
    normalize_axis(attrs.axis, len(specs[0].shape))
    return float_unary_rule(specs, attrs)


def _sparsemax(x, axis):
    """Euclidean projection onto the simplex along `axis` (Martins & Astudillo, 2016)."""
    x = jnp.moveaxis(_to_float(x), axis, -1)
    descending = -jnp.sort(-x, axis=-1)
    cumulative = jnp.cumsum(descending, axis=-1)
    ranks = jnp.arange(1, x.shape[-1] + 1, dtype=x.dtype).reshape((1,) * (x.ndim - 1) + (-1,))
    in_support = descending - (cumulative - 1) / ranks > 0
    support_size = jnp.sum(in_support, axis=-1, keepdims=True)
    # NOTE: Keras 3.15 sums the cumulative sums over the support here (keras-team/keras#23425, fixed
    # upstream by #23469); the threshold sums the sorted values themselves
    tau = (jnp.sum(jnp.where(in_support, descending, 0.0), axis=-1, keepdims=True) - 1) / support_size
    return jnp.moveaxis(jnp.maximum(x - tau.astype(x.dtype), 0.0), -1, axis)


def_op("sparsemax", sparsemax_rule, _sparsemax, attrs=dict(axis=-1),
       doc="Sparsemax along `axis`: like softmax, but many outputs are exactly zero.")


# -- Keras names (symk/ops/api.py) ------------------------------------------------------
for _name in (*FLOAT_ACTIVATIONS, "hard_tanh", "glu", "sparsemax"):
    export_op("nn", _name)
export_op("nn", "hard_swish", "hard_silu")


@keras_export("nn")
def gelu(x, approximate=True):
    """Gaussian error linear unit; Keras's default is the tanh approximation."""
    return apply("gelu", [x], approximate=bool(approximate))


@keras_export("nn")
def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value (both Python numbers)."""
    for name, value in (("threshold", threshold), ("default_value", default_value)):
        if not isinstance(value, numbers.Number):
            raise TypeError(f"threshold: {name} must be a Python number, got {type(value).__name__}; "
                            "use ops.where(x > t, x, v) for tensor-valued bounds")
    return apply("threshold", [x], threshold=threshold, default_value=default_value)
