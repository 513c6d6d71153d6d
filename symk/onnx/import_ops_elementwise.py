"""ONNX import, elementwise operators: arithmetic, comparisons, logic, math functions and activations.

ONNX broadcasting is numpy's (multidirectional), which symk's elementwise ops already follow; ONNX asks
both operands of Add/Mul/... to share a dtype, so jnp's promotion never widens anything here.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.registry import apply
from .import_registry import def_import

UNARY = {
    "Abs": ops.abs, "Neg": ops.negative, "Exp": ops.exp, "Log": ops.log, "Sqrt": ops.sqrt, "Floor": ops.floor,
    "Ceil": ops.ceil, "Reciprocal": ops.reciprocal, "Sigmoid": ops.sigmoid, "Tanh": ops.tanh, "Relu": ops.relu,
    "Sin": ops.sin, "Cos": ops.cos, "Tan": ops.tan, "Asin": ops.arcsin, "Acos": ops.arccos, "Atan": ops.arctan,
    "Sinh": ops.sinh, "Cosh": ops.cosh, "Asinh": ops.arcsinh, "Acosh": ops.arccosh, "Atanh": ops.arctanh,
    "Erf": ops.erf, "Sign": ops.sign, "Softplus": ops.softplus, "Softsign": ops.softsign, "Not": ops.logical_not,
    "IsNaN": ops.isnan, "BitwiseNot": ops.bitwise_invert, "Round": ops.round,
}
BINARY = {
    "Add": ops.add, "Sub": ops.subtract, "Mul": ops.multiply, "Less": ops.less,
    "LessOrEqual": ops.less_equal, "Greater": ops.greater, "GreaterOrEqual": ops.greater_equal,
    "And": ops.logical_and, "Or": ops.logical_or, "Xor": ops.logical_xor, "BitwiseAnd": ops.bitwise_and,
    "BitwiseOr": ops.bitwise_or, "BitwiseXor": ops.bitwise_xor,
}


def _unary(fn):
    return lambda node: fn(node.input(0))


def _binary(fn):
    return lambda node: fn(node.input(0), node.input(1))


for _name, _fn in UNARY.items():
    def_import(_name)(_unary(_fn))
for _name, _fn in BINARY.items():
    def_import(_name)(_binary(_fn))


def is_string_array(value) -> bool:
    return isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind in "OSU"


@def_import("Equal")
def _equal(node):
    """Strings have no JAX dtype: string operands must be known at import time (the backend fixes string
    inputs to the run's values), and numpy compares them there."""
    a, b = node.input(0), node.input(1)
    if is_string_array(a) or is_string_array(b):
        if hasattr(a, "graph") or hasattr(b, "graph"):
            raise node.fail("Equal of strings with a tensor computed at run time: symk's graph has no string "
                            "dtype, so both operands must be known at import time")
        return np.equal(np.asarray(a).astype(str), np.asarray(b).astype(str))
    return ops.equal(a, b)


def dtype_of(value) -> str:
    return str(value.dtype)


def is_int(value) -> bool:
    return "int" in dtype_of(value)


def scalar_like(value, number):
    """A numpy scalar in `value`'s dtype (so constants never widen a tensor)."""
    return np.asarray(number, dtype=dtype_of(value) if dtype_of(value) != "bool" else "float32")


@def_import("Div")
def _div(node):
    a, b = node.input(0), node.input(1)
    if not is_int(a):
        return ops.divide(a, b)
    # ONNX divides integers as C does (toward zero); floor_divide rounds down, so negative quotients move up one
    q = ops.floor_divide(a, b)
    inexact = ops.logical_and(ops.not_equal(ops.mod(a, b), scalar_like(a, 0)),
                              ops.not_equal(ops.less(a, scalar_like(a, 0)), ops.less(b, scalar_like(b, 0))))
    return ops.add(q, ops.cast(inexact, dtype_of(q)))


@def_import("Mod")
def _mod(node):
    a, b = node.input(0), node.input(1)
    return ops.fmod(a, b) if node.attr("fmod", 0) else ops.mod(a, b)


@def_import("Pow")
def _pow(node):
    base, exponent = node.input(0), node.input(1)
    if dtype_of(exponent) != dtype_of(base):
        exponent = ops.cast(exponent, dtype_of(base))
    return ops.cast(ops.power(base, exponent), dtype_of(base))


@def_import("BitShift")
def _bit_shift(node):
    fn = ops.left_shift if node.attr("direction") == "LEFT" else ops.right_shift
    return fn(node.input(0), node.input(1))


def _variadic(fn):
    def mapping(node):
        values = [v for v in node.inputs if v is not None]
        out = values[0]
        for v in values[1:]:
            out = fn(out, v)
        return out
    return mapping


def_import("Sum")(_variadic(ops.add))
def_import("Max")(_variadic(ops.maximum))
def_import("Min")(_variadic(ops.minimum))


@def_import("Mean")
def _mean(node):
    values = [v for v in node.inputs if v is not None]
    return ops.divide(_variadic(ops.add)(node), scalar_like(values[0], len(values)))


@def_import("IsInf")
def _is_inf(node):
    x = node.input(0)
    pos, neg = node.attr("detect_positive", 1), node.attr("detect_negative", 1)
    if pos and neg:
        return ops.isinf(x)
    if pos:
        return ops.isposinf(x)
    if neg:
        return ops.isneginf(x)
    return ops.zeros_like(x, dtype="bool")


@def_import("Clip")
def _clip(node):
    x = node.input(0)
    if node.opset < 11:
        low, high = node.attr("min"), node.attr("max")
        return apply("clip", [x], min_value=low, max_value=high)
    out = x
    if node.has_input(1):
        out = ops.maximum(out, node.input(1))
    if node.has_input(2):
        out = ops.minimum(out, node.input(2))
    return out


@def_import("Where")
def _where(node):
    return ops.where(node.input(0), node.input(1), node.input(2))


# -- activations with attributes -----------------------------------------------------
@def_import("LeakyRelu")
def _leaky_relu(node):
    return ops.leaky_relu(node.input(0), negative_slope=node.attr("alpha", 0.01))


@def_import("Elu")
def _elu(node):
    return ops.elu(node.input(0), alpha=node.attr("alpha", 1.0))


@def_import("Celu")
def _celu(node):
    return ops.celu(node.input(0), alpha=node.attr("alpha", 1.0))


@def_import("Selu")
def _selu(node):
    x = node.input(0)
    alpha, gamma = node.attr("alpha", 1.67326319217681884765625), node.attr("gamma", 1.05070102214813232421875)
    negative = ops.multiply(scalar_like(x, alpha), ops.subtract(ops.exp(x), scalar_like(x, 1)))
    return ops.multiply(scalar_like(x, gamma), ops.where(ops.greater(x, scalar_like(x, 0)), x, negative))


@def_import("ThresholdedRelu")
def _thresholded_relu(node):
    x = node.input(0)
    return ops.where(ops.greater(x, scalar_like(x, node.attr("alpha", 1.0))), x, ops.zeros_like(x))


@def_import("HardSigmoid")
def _hard_sigmoid(node):
    x = node.input(0)
    alpha, beta = node.attr("alpha", 0.2), node.attr("beta", 0.5)
    return ops.clip(ops.add(ops.multiply(x, scalar_like(x, alpha)), scalar_like(x, beta)), 0.0, 1.0)


@def_import("HardSwish")
def _hard_swish(node):
    x = node.input(0)
    gate = ops.clip(ops.add(ops.multiply(x, scalar_like(x, 1 / 6)), scalar_like(x, 0.5)), 0.0, 1.0)
    return ops.multiply(x, gate)


@def_import("Swish")
def _swish(node):
    x = node.input(0)
    return ops.multiply(x, ops.sigmoid(ops.multiply(x, scalar_like(x, node.attr("alpha", 1.0)))))


@def_import("Gelu")
def _gelu(node):
    return ops.gelu(node.input(0), approximate=node.attr("approximate", "none") == "tanh")


@def_import("PRelu")
def _prelu(node):
    x, slope = node.input(0), node.input(1)
    x_shape, slope_shape = tuple(x.shape), tuple(slope.shape)
    if (len(slope_shape) == 1 and len(x_shape) > 2 and slope_shape[0] not in (1, x_shape[-1])
            and slope_shape[0] == x_shape[1]):
        # NOTE: opset 6 applied a (C,) slope per channel; onnx.version_converter keeps that slope when it
        # upgrades such a model, where numpy broadcasting would refuse it: read it as opset 6 meant it
        slope = ops.reshape(slope, (-1,) + (1,) * (len(x_shape) - 2))
    return ops.where(ops.less(x, scalar_like(x, 0)), ops.multiply(x, slope), x)


@def_import("Shrink")
def _shrink(node):
    x = node.input(0)
    lambd, bias = node.attr("lambd", 0.5), node.attr("bias", 0.0)
    low = ops.add(x, scalar_like(x, bias))
    high = ops.subtract(x, scalar_like(x, bias))
    zero = ops.zeros_like(x)
    return ops.where(ops.less(x, scalar_like(x, -lambd)), low,
                     ops.where(ops.greater(x, scalar_like(x, lambd)), high, zero))


@def_import("Mish")
def _mish(node):
    x = node.input(0)
    return ops.multiply(x, ops.tanh(ops.softplus(x)))
