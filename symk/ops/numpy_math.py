"""Keras's elementwise numpy functions whose signature or dtype rule is not an op's own: functions that cast
integers to floatx first (sin, exp, floor, ...), round with decimals, clip with tensor bounds, allclose.

    >>> symk.ops.sin(np.arange(3))        # int32 in, floatx out, as in Keras
    >>> symk.ops.clip(x, 0.0, upper)      # the bounds may be tensors
"""
from __future__ import annotations

from typing import Callable

from .. import config
from .api import keras_export
from .elementwise import is_inexact
from .numpy_dtypes import cast, dtype_of, promoted_dtype, to_floatx
from .registry import apply

# Keras casts integer and boolean input of these to floatx() (log, sqrt, ... leave it to jax: float32)
FLOATX_UNARY = ("sin", "cos", "tan", "tanh", "exp", "expm1", "exp2", "arccos", "arccosh", "arcsin", "arcsinh",
                "arctan", "arctanh", "cosh", "sinh", "sinc", "angle", "floor", "ceil")
FLOATX_BINARY = ("arctan2", "logaddexp", "logaddexp2")


def _floatx_unary(op_name: str) -> Callable:
    def fn(x):
        return apply(op_name, [to_floatx(x)])

    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = f"Elementwise {op_name}; integer and boolean input is cast to floatx() first, as Keras does."
    return fn


def _floatx_binary(op_name: str) -> Callable:
    def fn(x1, x2):
        if not is_inexact(promoted_dtype(x1, x2)):
            x1, x2 = cast(x1, config.floatx()), cast(x2, config.floatx())
        return apply(op_name, [x1, x2])

    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = f"Elementwise {op_name} of two broadcast tensors; integer input gives floatx(), as in Keras."
    return fn


for _name in FLOATX_UNARY:
    keras_export("numpy")(_floatx_unary(_name))
for _name in FLOATX_BINARY:
    keras_export("numpy")(_floatx_binary(_name))


@keras_export("numpy")
def i0(x):
    """The modified Bessel function of order 0. Keras computes it in floatx() unless x is float16/bfloat16."""
    if dtype_of(x) not in ("float16", "bfloat16"):
        x = cast(x, config.floatx())
    return apply("i0", [x])


@keras_export("numpy")
def round(x, decimals=0):
    """Round half to even, to `decimals` places (negative: tens, hundreds, ...). Integers stay integers."""
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be a Python int, got {decimals!r}")
    if decimals == 0:
        return apply("round", [x])
    return apply("round_decimals", [x], decimals=decimals)


@keras_export("numpy")
def clip(x, x_min, x_max):
    """Limit x to [x_min, x_max] (either may be None, a number or a tensor). Booleans are clipped as int32.

    The dtype is the promoted one, as jax's clip gives it: an int tensor clipped to 0.5 becomes float32.
    """
    if dtype_of(x) == "bool":
        x = cast(x, "int32")
    if x_min is not None:
        x = apply("maximum", [x, x_min])
    if x_max is not None:
        x = apply("minimum", [x, x_max])
    return x


@keras_export("numpy")
def ldexp(x1, x2):
    """x1 * 2**x2, with an integer exponent x2 (a Python int is int32 here, not weakly typed like x1)."""
    if isinstance(x2, int) and not isinstance(x2, bool):
        x2 = cast(x2, "int32")
    return apply("ldexp", [x1, x2])


@keras_export("numpy")
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a bool scalar) when every |x1 - x2| <= atol + rtol * |x2| (see isclose)."""
    return apply("all", [apply("isclose", [x1, x2], rtol=rtol, atol=atol, equal_nan=equal_nan)])
