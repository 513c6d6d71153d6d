"""The elementwise ops of Keras's numpy namespace beyond the core math: inverse trig, predicates, bitwise
and integer arithmetic, complex parts; one line each, dtypes as jax.numpy gives them (what Keras on JAX does)."""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes
from .api import export_op
from .elementwise import (_to_float, align_ranks, broadcast_rule, broadcasting, compare_rule, float_unary_rule,
                          inexact_dtype, numeric_unary_rule, real_dtype, real_unary_rule, refuse_complex,
                          unary_rule)
from .registry import def_op


def real_float_rule(specs, attrs):
    """cbrt, fabs, i0: floats from any real input; complex numbers are refused, as jax does."""
    refuse_complex(specs[0].dtype)
    return float_unary_rule(specs, attrs)


def real_bool_rule(specs, attrs):
    """signbit, isposinf, isneginf: a sign needs a real number."""
    refuse_complex(specs[0].dtype)
    return compare_rule(specs, attrs)


def part_rule(specs, attrs):
    """real, imag: float32 parts of complex64 input; other dtypes are kept."""
    return TensorSpec(specs[0].shape, real_dtype(specs[0].dtype))


def angle_rule(specs, attrs):
    return TensorSpec(specs[0].shape, real_dtype(inexact_dtype(specs[0].dtype)))


def _integer_promotion(specs, allow_bool: bool) -> TensorSpec:
    """The broadcast spec, refused unless the promoted dtype is an integer (or bool, where allowed)."""
    out = broadcast_rule(specs, None)
    if "int" not in out.dtype and not (allow_bool and out.dtype == "bool"):
        accepted = "integers or booleans" if allow_bool else "integers"
        got = ", ".join(s.dtype for s in specs)
        raise RuleViolation(f"this op takes {accepted}, got {got}", "cast to int32 first, e.g. ops.cast(x, 'int32')")
    return out


def bitwise_rule(specs, attrs):
    """bitwise_invert/and/or/xor: integers or booleans, the promoted dtype."""
    return _integer_promotion(specs, allow_bool=True)


def shift_rule(specs, attrs):
    """left_shift/right_shift: booleans shift as int32."""
    out = _integer_promotion(specs, allow_bool=True)
    return TensorSpec(out.shape, "int32" if out.dtype == "bool" else out.dtype)


def integer_rule(specs, attrs):
    """gcd, lcm: integers only (a bool beside an integer is promoted to it)."""
    return _integer_promotion(specs, allow_bool=False)


def float_binary_rule(specs, attrs):
    """arctan2, logaddexp, ...: the promoted dtype, as a float."""
    out = broadcast_rule(specs, attrs)
    return TensorSpec(out.shape, inexact_dtype(out.dtype))


def real_float_binary_rule(specs, attrs):
    for s in specs:
        refuse_complex(s.dtype)
    return float_binary_rule(specs, attrs)


def numeric_binary_rule(specs, attrs):
    """fmod: booleans count as int32; complex numbers have no remainder."""
    for s in specs:
        refuse_complex(s.dtype)
    out = broadcast_rule(specs, attrs)
    return TensorSpec(out.shape, "int32" if out.dtype == "bool" else out.dtype)


def ldexp_rule(specs, attrs):
    """x1 * 2**x2: x2 must be an integer (Keras refuses booleans and floats); the result is x1 as a float."""
    x1, x2 = specs
    if "int" not in x2.dtype:
        raise RuleViolation(f"the exponent x2 must be an integer tensor, got {x2.dtype}",
                            "cast it with ops.cast(x2, 'int32')")
    refuse_complex(x1.dtype)
    return TensorSpec(broadcast_shapes(x1.shape, x2.shape), inexact_dtype(x1.dtype))


def _float_input(fn):
    return lambda x: fn(_to_float(x))


def _angle(x):
    # NOTE: jnp.angle of a float16 scalar gives float32 (of a float16 vector, float16): keep the real dtype
    return jnp.angle(x).astype(jnp.finfo(x.dtype).dtype)


# name -> (rule, lowering)
UNARY = {
    "arccos": (float_unary_rule, jnp.arccos), "arccosh": (float_unary_rule, jnp.arccosh),
    "arcsin": (float_unary_rule, jnp.arcsin), "arcsinh": (float_unary_rule, jnp.arcsinh),
    "arctan": (float_unary_rule, jnp.arctan), "arctanh": (float_unary_rule, jnp.arctanh),
    "cosh": (float_unary_rule, jnp.cosh), "sinh": (float_unary_rule, jnp.sinh), "sinc": (float_unary_rule, jnp.sinc),
    "exp2": (float_unary_rule, jnp.exp2), "log10": (float_unary_rule, jnp.log10), "log2": (float_unary_rule, jnp.log2),
    "deg2rad": (float_unary_rule, jnp.deg2rad), "rad2deg": (float_unary_rule, jnp.rad2deg),
    "cbrt": (real_float_rule, jnp.cbrt), "fabs": (real_float_rule, jnp.fabs), "i0": (real_float_rule, jnp.i0),
    "angle": (angle_rule, _angle),
}
SAME_DTYPE = {  # lowerings that take the input as it is, without a conversion to float
    "trunc": (real_unary_rule, jnp.trunc), "conj": (unary_rule, jnp.conjugate), "real": (part_rule, jnp.real),
    "imag": (part_rule, jnp.imag), "bitwise_invert": (bitwise_rule, jnp.invert),
    "isfinite": (compare_rule, jnp.isfinite), "isinf": (compare_rule, jnp.isinf), "isnan": (compare_rule, jnp.isnan),
    "isreal": (compare_rule, jnp.isreal), "isneginf": (real_bool_rule, jnp.isneginf),
    "isposinf": (real_bool_rule, jnp.isposinf), "signbit": (real_bool_rule, jnp.signbit),
}
BINARY = {
    "fmax": (broadcast_rule, jnp.fmax), "fmin": (broadcast_rule, jnp.fmin), "fmod": (numeric_binary_rule, jnp.fmod),
    "arctan2": (float_binary_rule, jnp.arctan2), "logaddexp": (float_binary_rule, jnp.logaddexp),
    "logaddexp2": (float_binary_rule, jnp.logaddexp2), "hypot": (real_float_binary_rule, jnp.hypot),
    "heaviside": (real_float_binary_rule, jnp.heaviside), "nextafter": (real_float_binary_rule, jnp.nextafter),
    "gcd": (integer_rule, jnp.gcd), "lcm": (integer_rule, jnp.lcm),
    "bitwise_and": (bitwise_rule, jnp.bitwise_and), "bitwise_or": (bitwise_rule, jnp.bitwise_or),
    "bitwise_xor": (bitwise_rule, jnp.bitwise_xor), "left_shift": (shift_rule, jnp.left_shift),
    "right_shift": (shift_rule, jnp.right_shift), "ldexp": (ldexp_rule, jnp.ldexp),
}

for _name, (_rule, _fn) in UNARY.items():
    def_op(_name, _rule, _float_input(_fn), elementwise=True)
for _name, (_rule, _fn) in SAME_DTYPE.items():
    def_op(_name, _rule, _fn, elementwise=True)
for _name, (_rule, _fn) in BINARY.items():
    def_op(_name, _rule, broadcasting(_fn), inputs=2, elementwise=True)


def _divide_no_nan(x1, x2):
    zero = x2 == 0
    return jnp.where(zero, 0, jnp.true_divide(x1, jnp.where(zero, 1, x2)))


def _isclose(x1, x2, rtol, atol, equal_nan):
    return jnp.isclose(*align_ranks(x1, x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


def _nan_to_num(x, nan, posinf, neginf):
    return jnp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def_op("divide_no_nan", float_binary_rule, broadcasting(_divide_no_nan), inputs=2, elementwise=True)
def_op("isclose", compare_rule, _isclose, attrs=dict(rtol=1e-05, atol=1e-08, equal_nan=False), inputs=2,
       elementwise=True)
def_op("nan_to_num", unary_rule, _nan_to_num, attrs=dict(nan=0.0, posinf=None, neginf=None), elementwise=True)


def round_decimals_rule(specs, attrs):
    if not isinstance(attrs.decimals, int) or isinstance(attrs.decimals, bool):
        raise RuleViolation(f"decimals must be a Python int, got {attrs.decimals!r}", "pass e.g. decimals=2")
    return numeric_unary_rule(specs, attrs)


def _round_decimals(x, decimals):
    """jnp.round, and for integers with decimals < 0 Keras's way: scale as floats, round half to even, scale back."""
    if jnp.issubdtype(x.dtype, jnp.integer) and decimals < 0:
        factor = jnp.asarray(10.0 ** decimals, jnp.float32)
        return jnp.divide(jnp.round(x.astype(jnp.float32) * factor), factor).astype(x.dtype)
    return jnp.round(x, decimals)


def_op("round_decimals", round_decimals_rule, _round_decimals, attrs=dict(decimals=0), elementwise=True)

# -- Keras names whose signature is the op's (the others are in symk/ops/numpy_math.py) ---------------------
for _name in ("log10", "log2", "cbrt", "fabs", "deg2rad", "rad2deg", "trunc", "real", "imag", "isfinite", "isinf",
              "isnan", "isreal", "isneginf", "isposinf", "signbit", "fmax", "fmin", "fmod", "hypot", "heaviside",
              "nextafter", "gcd", "lcm", "divide_no_nan", "isclose", "nan_to_num"):
    export_op("numpy", _name)
export_op("numpy", "conj", "conj", "conjugate")
export_op("numpy", "bitwise_invert", "bitwise_invert", "bitwise_not")
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    export_op("numpy", _name, input_names=("x", "y"))
export_op("numpy", "left_shift", "left_shift", "bitwise_left_shift", input_names=("x", "y"))
export_op("numpy", "right_shift", "right_shift", "bitwise_right_shift", input_names=("x", "y"))
