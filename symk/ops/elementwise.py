"""Elementwise math and activations: one line each, sharing the broadcasting rule.

Dtypes follow jax.numpy (x64 off), which is what Keras on JAX returns: floats from integer input
where the function is not closed over integers, bool -> int32 where arithmetic needs numbers.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, canonical_dtype, normalize_axes
from .api import export_op
from .registry import def_op


def is_inexact(dtype: str) -> bool:
    """Floats and complex numbers: the dtypes that need no conversion for exp, sin, ..."""
    return "float" in dtype or "complex" in dtype


def inexact_dtype(dtype: str) -> str:
    return dtype if is_inexact(dtype) else "float32"


def real_dtype(dtype: str) -> str:
    """The dtype of the real part (abs, real, imag, angle of complex numbers)."""
    return {"complex64": "float32", "complex128": "float32"}.get(dtype, dtype)


def refuse_bool(dtype: str, hint: str = "cast to an integer first, e.g. ops.cast(x, 'int32')") -> None:
    if dtype == "bool":
        raise RuleViolation("booleans are not accepted here", hint)


def refuse_complex(dtype: str) -> None:
    if "complex" in dtype:
        raise RuleViolation(f"complex input ({dtype}) is not accepted here", "take ops.real(x) or ops.abs(x) first")


def unary_rule(specs, attrs):
    return specs[0]


def float_unary_rule(specs, attrs):
    """Ops like exp/log give floats even on integer input."""
    return TensorSpec(specs[0].shape, inexact_dtype(specs[0].dtype))


def magnitude_rule(specs, attrs):
    """abs: the same dtype, but real for complex input."""
    return TensorSpec(specs[0].shape, real_dtype(specs[0].dtype))


def numeric_unary_rule(specs, attrs):
    """negative, sign, round: numbers only, not booleans."""
    refuse_bool(specs[0].dtype, "use ops.logical_not for booleans, or cast to an integer first")
    return specs[0]


def square_rule(specs, attrs):
    """square and relu: bool computes as int32 (as jnp and Keras do); other dtypes are kept."""
    return TensorSpec(specs[0].shape, "int32" if specs[0].dtype == "bool" else specs[0].dtype)


def real_unary_rule(specs, attrs):
    """floor, ceil: the same dtype; complex numbers have no order."""
    refuse_complex(specs[0].dtype)
    return specs[0]


def result_dtype(specs) -> str:
    return canonical_dtype(jnp.result_type(*[jnp.dtype(s.dtype) for s in specs]))


def broadcast_rule(specs, attrs):
    return TensorSpec(broadcast_shapes(*[s.shape for s in specs]), result_dtype(specs))


def compare_rule(specs, attrs):
    return TensorSpec(broadcast_shapes(*[s.shape for s in specs]), "bool")


def align_ranks(*xs):
    """Explicit numpy broadcasting: prepend unit axes so jax never promotes ranks implicitly."""
    rank = max(jnp.ndim(x) for x in xs)
    return [x if jnp.ndim(x) in (0, rank) else jnp.reshape(x, (1,) * (rank - jnp.ndim(x)) + jnp.shape(x)) for x in xs]


def broadcasting(fn):
    return lambda *xs: fn(*align_ranks(*xs))


def numeric_broadcast_rule(specs, attrs):
    """power, mod, floor_divide: booleans count as int32."""
    out = broadcast_rule(specs, attrs)
    return TensorSpec(out.shape, "int32" if out.dtype == "bool" else out.dtype)


def subtract_rule(specs, attrs):
    if all(s.dtype == "bool" for s in specs):
        raise RuleViolation("subtract is not defined for two booleans", "use ops.logical_xor, or cast to int32 first")
    return broadcast_rule(specs, attrs)


def _to_float(x):
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(jnp.float32)


UNARY = {
    "negative": jnp.negative, "abs": jnp.abs, "sign": jnp.sign, "square": jnp.square,
    "floor": jnp.floor, "ceil": jnp.ceil, "round": jnp.round, "identity": lambda x: x,
    "logical_not": jnp.logical_not, "relu": jax.nn.relu, "linear": lambda x: x,
}
FLOAT_UNARY = {
    "exp": jnp.exp, "log": jnp.log, "sqrt": jnp.sqrt, "rsqrt": jax.lax.rsqrt, "log1p": jnp.log1p,
    "expm1": jnp.expm1, "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "tanh": jnp.tanh, "erf": jax.scipy.special.erf,
    "reciprocal": jnp.reciprocal, "sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus,
    "softsign": jax.nn.soft_sign, "selu": jax.nn.selu, "exponential": jnp.exp,
    "relu6": jax.nn.relu6, "silu": jax.nn.silu, "swish": jax.nn.silu, "log_sigmoid": jax.nn.log_sigmoid,
    "mish": lambda x: x * jnp.tanh(jax.nn.softplus(x)),
    # Keras 3's hard_sigmoid: relu6(x + 3) / 6
    "hard_sigmoid": lambda x: jnp.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "hard_swish": lambda x: x * jnp.clip(x / 6.0 + 0.5, 0.0, 1.0),
}
BINARY = {
    "add": jnp.add, "subtract": jnp.subtract, "multiply": jnp.multiply, "maximum": jnp.maximum,
    "minimum": jnp.minimum, "power": jnp.power, "mod": jnp.mod, "floor_divide": jnp.floor_divide,
    "logical_and": jnp.logical_and, "logical_or": jnp.logical_or, "logical_xor": jnp.logical_xor,
}
COMPARE = {
    "equal": jnp.equal, "not_equal": jnp.not_equal, "less": jnp.less, "less_equal": jnp.less_equal,
    "greater": jnp.greater, "greater_equal": jnp.greater_equal,
}

LOGICAL = ("logical_not", "logical_and", "logical_or", "logical_xor")  # bool results, like comparisons

# the rules of the ops whose dtype is not simply their input's (or the promoted inputs')
UNARY_RULES = {"logical_not": compare_rule, "abs": magnitude_rule, "negative": numeric_unary_rule,
               "sign": numeric_unary_rule, "round": numeric_unary_rule, "square": square_rule,
               "floor": real_unary_rule, "ceil": real_unary_rule, "relu": square_rule}
BINARY_RULES = {**{name: compare_rule for name in LOGICAL}, "subtract": subtract_rule,
                "power": numeric_broadcast_rule, "mod": numeric_broadcast_rule, "floor_divide": numeric_broadcast_rule}

for _name, _fn in UNARY.items():
    def_op(_name, UNARY_RULES.get(_name, unary_rule), _fn, elementwise=True)
for _name, _fn in FLOAT_UNARY.items():
    def_op(_name, float_unary_rule, (lambda f: lambda x: f(_to_float(x)))(_fn), elementwise=True)
for _name, _fn in BINARY.items():
    def_op(_name, BINARY_RULES.get(_name, broadcast_rule), broadcasting(_fn), inputs=2, elementwise=True)
for _name, _fn in COMPARE.items():
    def_op(_name, compare_rule, broadcasting(_fn), inputs=2, elementwise=True)


def divide_rule(specs, attrs):
    """True division: the promoted dtype, as a float (int / int is float32)."""
    return TensorSpec(broadcast_shapes(*[s.shape for s in specs]), inexact_dtype(result_dtype(specs)))


def_op("divide", divide_rule, broadcasting(jnp.true_divide), inputs=2, elementwise=True)

# Activations with parameters (Keras's defaults).
def_op("elu", float_unary_rule, lambda x, alpha: jax.nn.elu(_to_float(x), alpha), attrs=dict(alpha=1.0), elementwise=True)
def_op("leaky_relu", float_unary_rule, lambda x, negative_slope: jax.nn.leaky_relu(_to_float(x), negative_slope),
       attrs=dict(negative_slope=0.2), elementwise=True)
def_op("gelu", float_unary_rule, lambda x, approximate: jax.nn.gelu(_to_float(x), approximate=approximate),
       attrs=dict(approximate=False), elementwise=True)
# NOTE: the result keeps x's dtype (TF's clip_by_value casts the bounds), so int x with float bounds stays int
def_op("clip", unary_rule, lambda x, min_value, max_value: jnp.clip(x, min_value, max_value).astype(x.dtype),
       attrs=dict(min_value=None, max_value=None), elementwise=True)


def _relu_general(x, negative_slope, max_value, threshold):
    """Keras's ReLU layer: x >= threshold -> x (capped at max_value); else negative_slope * (x - threshold)."""
    out = jnp.where(x >= threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else jnp.minimum(out, max_value)


def_op("relu_general", float_unary_rule, lambda x, **a: _relu_general(_to_float(x), **a),
       attrs=dict(negative_slope=0.0, max_value=None, threshold=0.0), elementwise=True)


def cast_rule(specs, attrs):
    return TensorSpec(specs[0].shape, attrs.dtype)


def_op("cast", cast_rule, lambda x, dtype: x.astype(dtype), attrs=dict(dtype="float32"), elementwise=True)
def_op("stop_gradient", unary_rule, jax.lax.stop_gradient, foldable=True)


def where_rule(specs, attrs):
    if specs[0].dtype != "bool":
        raise RuleViolation(f"the condition must be bool, got {specs[0].dtype}", "compare first, e.g. ops.greater(x, 0)")
    return TensorSpec(broadcast_shapes(*[s.shape for s in specs]), result_dtype(specs[1:]))


def_op("where", where_rule, broadcasting(jnp.where), inputs=3, elementwise=True)


def softmax_rule(specs, attrs):
    normalize_axes(attrs.axis, len(specs[0].shape))  # in range and not repeated
    return float_unary_rule(specs, attrs)


def_op("softmax", softmax_rule, lambda x, axis: jax.nn.softmax(_to_float(x), axis=axis), attrs=dict(axis=-1))
def_op("log_softmax", softmax_rule, lambda x, axis: jax.nn.log_softmax(_to_float(x), axis=axis), attrs=dict(axis=-1))

# -- Keras names (symk/ops/api.py; sin, exp, floor, ... cast integers to floatx: symk/ops/numpy_math.py) ----
for _name in ("add", "equal", "floor_divide", "greater", "greater_equal", "less", "less_equal", "log", "log1p",
              "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply",
              "negative", "not_equal", "power", "reciprocal", "sign", "sqrt", "square", "subtract"):
    export_op("numpy", _name)
export_op("numpy", "divide", "divide", "true_divide")
export_op("numpy", "abs", "abs", "absolute")
for _name in ("elu", "hard_sigmoid", "hard_swish", "leaky_relu", "log_sigmoid", "log_softmax", "relu", "relu6",
              "selu", "sigmoid", "silu", "softmax", "softplus", "softsign", "swish"):
    export_op("nn", _name)
for _name in ("erf", "rsqrt"):
    export_op("math", _name)
