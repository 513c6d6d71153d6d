"""ONNX import, quantize operators: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
ConvInteger, QLinearMatMul, QLinearConv. All are compositions of symk ops (no op of their own).

The rules follow onnx.defs.get_schema(...).doc and ONNX's reference (onnx/reference/ops/op_quantize_linear.py
and friends), which wrote the backend suite's expected outputs:
- QuantizeLinear: y = saturate(round(x / scale) + zero_point), rounding half to even, saturating to the integer
  type's range; float8 outputs cast x / scale + zero_point with Cast's rules (saturate attribute), float4e2m1
  outputs saturate always. The division runs in the promoted type of x and scale (the `precision` attribute
  overrides it). The output type is output_dtype, else the zero point's, else uint8.
- DequantizeLinear: y = (x - zero_point) * scale, computed in float32 and given the output_dtype (default: the
  scale's type).
- Scales and zero points are per tensor (a scalar or one element), per axis (1-D along `axis`) or blocked (the
  input's shape with `axis` divided into blocks of block_size; the last block may be shorter).
- The integer products (MatMulInteger, ConvInteger and the QLinear ones) accumulate in int32, as ONNX says.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.registry import apply
from ..shapes import canonical_dtype
from .import_element_types import FLOAT8_SATURATING, NARROW_TYPES, cast_to_onnx_type, dtype_name
from .import_ops_nn import _conv  # ONNX Conv's mapping: the integer convs reuse its pads/strides/groups reading
from .import_ops_shape import norm_axis, shape_of
from .import_ops_tensor import onnx_dtype
from .import_registry import NodeView, def_import

# QuantizeLinear's integer outputs and the range each saturates to
INTEGER_RANGES = {"uint8": (0, 255), "int8": (-128, 127), "uint16": (0, 65535), "int16": (-32768, 32767),
                  "uint4": (0, 15), "int4": (-8, 7), "uint2": (0, 3), "int2": (-2, 1)}
QUANTIZED_FLOATS = FLOAT8_SATURATING + ("float4_e2m1fn",)


def as_float32(x):
    """float32 holds every value of the quantized types exactly (8/16-bit ints, 4/2-bit ints, float8/float4)."""
    return x if dtype_name(x) == "float32" else ops.cast(x, "float32")


def as_int32(x):
    return x if dtype_name(x) == "int32" else ops.cast(ops.cast(x, "float32") if dtype_name(x) in NARROW_TYPES
                                                      else x, "int32")


def broadcastable_param(node, value, x_shape: tuple, axis: int, block_size: int):
    """A scale or zero point shaped to broadcast against x: per tensor, per axis or blocked."""
    shape = shape_of(value)
    rank = len(x_shape)
    if len(shape) == 0:
        return value
    if int(np.prod(shape)) == 1:
        return ops.reshape(value, ())
    axis = norm_axis(axis, rank)
    if not block_size:
        if len(shape) != 1 or shape[0] != x_shape[axis]:
            raise node.fail(f"a per-axis scale or zero point must be 1-D with the size of axis {axis} of the input "
                            f"({x_shape[axis]}), got shape {shape}; give block_size for blocked quantization")
        return ops.reshape(value, tuple(-1 if i == axis else 1 for i in range(rank)))
    if block_size < 0:
        raise node.fail(f"block_size must be positive, got {block_size}")
    blocks = -(-x_shape[axis] // block_size)
    if len(shape) != rank or shape[axis] != blocks or any(s != d for i, (s, d) in enumerate(zip(shape, x_shape))
                                                          if i != axis):
        raise node.fail(f"a blocked scale or zero point must have the input's shape {x_shape} with axis {axis} "
                        f"divided into blocks of {block_size} ({blocks}), got shape {shape}")
    value = ops.repeat(value, block_size, axis=axis)
    cut = [slice(None)] * rank
    cut[axis] = slice(0, x_shape[axis])  # a last block shorter than block_size
    return value[tuple(cut)]


def _params(node, x, index: int):
    """The scale (input index) and the zero point (index + 1, or None), shaped for x."""
    axis, block_size = node.attr("axis", 1), node.attr("block_size", 0)
    x_shape = shape_of(x)
    if any(d is None for d in x_shape):
        raise node.fail("quantization parameters need an input of known shape; pass fixed input shapes")
    scale = broadcastable_param(node, node.input(index), x_shape, axis, block_size)
    zero = node.input(index + 1)
    return scale, (None if zero is None else broadcastable_param(node, zero, x_shape, axis, block_size))


def quantize(x, scale, zero_point, dtype: str, saturate: bool = True, precision=None):
    """QuantizeLinear's formula; zero_point may be None (0)."""
    if precision is not None:
        x, scale = ops.cast(x, precision), ops.cast(scale, precision)
    scaled = ops.divide(x, scale)
    if dtype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[dtype]
        # NOTE: saturated in float32 before the cast: float to int casts of out-of-range values are undefined
        rounded = as_float32(ops.round(scaled))
        if zero_point is not None:
            rounded = ops.add(rounded, as_float32(zero_point))
        return ops.cast(apply("clip", [rounded], min_value=float(low), max_value=float(high)), dtype)
    if zero_point is not None:
        scaled = ops.add(as_float32(scaled), as_float32(zero_point))
    return cast_to_onnx_type(scaled, dtype, saturate=saturate)


@def_import("QuantizeLinear")
def _quantize_linear(node):
    x = node.input(0)
    zero = node.input(2)
    dtype = onnx_dtype(node, node.attr("output_dtype")) if node.attr("output_dtype") else None
    if zero is not None:
        if dtype is not None and dtype != dtype_name(zero):
            raise node.fail(f"output_dtype {dtype} differs from the zero point's type {dtype_name(zero)}; "
                            "they must be the same (or leave one out)")
        dtype = dtype_name(zero)
    dtype = dtype or "uint8"
    if dtype not in INTEGER_RANGES and dtype not in QUANTIZED_FLOATS:
        raise node.fail(f"quantizing to {dtype} is not supported: the output type must be one of "
                        f"{sorted(INTEGER_RANGES) + list(QUANTIZED_FLOATS)}")
    precision = canonical_dtype(onnx_dtype(node, node.attr("precision"))) if node.attr("precision") else None
    scale, zero = _params(node, x, 1)
    return quantize(x, scale, zero, dtype, saturate=bool(node.attr("saturate", 1)), precision=precision)


@def_import("DequantizeLinear")
def _dequantize_linear(node):
    x = node.input(0)
    scale, zero = _params(node, x, 1)
    out_dtype = (canonical_dtype(onnx_dtype(node, node.attr("output_dtype"))) if node.attr("output_dtype")
                 else dtype_name(scale))
    shifted = as_float32(x)
    if zero is not None:
        shifted = ops.subtract(shifted, as_float32(zero))
    return ops.cast(ops.multiply(shifted, as_float32(scale)), out_dtype)


@def_import("DynamicQuantizeLinear")
def _dynamic_quantize_linear(node):
    """uint8 with a scale and zero point from the data's range, widened to include 0 (ONNX's formula)."""
    x = as_float32(node.input(0))
    high = ops.maximum(ops.max(x), 0.0)
    low = ops.minimum(ops.min(x), 0.0)
    span = ops.subtract(high, low)
    scale = ops.divide(ops.where(ops.equal(span, 0.0), ops.ones_like(span), span), 255.0)
    zero = ops.round(apply("clip", [ops.negative(ops.divide(low, scale))], min_value=0.0, max_value=255.0))
    y = apply("clip", [ops.add(ops.round(ops.divide(x, scale)), zero)], min_value=0.0, max_value=255.0)
    return [ops.cast(y, "uint8"), ops.cast(scale, dtype_name(node.input(0))), ops.cast(zero, "uint8")]


def _minus_zero_point(x, zero, per_row: bool = False):
    """x - zero_point in int32. A 1-D zero point of a matmul's left input is per row (one per row of x)."""
    x = as_int32(x)
    if zero is None:
        return x
    zero = as_int32(zero)
    if per_row and len(shape_of(zero)) == 1 and shape_of(zero)[0] != 1:
        zero = ops.reshape(zero, (-1, 1))
    elif int(np.prod(shape_of(zero))) == 1:
        zero = ops.reshape(zero, ())
    return ops.subtract(x, zero)


def _per_output_channel(w, zero):
    """ConvInteger's / QLinearConv's weight zero point: a scalar, or one per output channel (axis 0 of w)."""
    w = as_int32(w)
    if zero is None:
        return w
    zero = as_int32(zero)
    if int(np.prod(shape_of(zero))) == 1:
        return ops.subtract(w, ops.reshape(zero, ()))
    return ops.subtract(w, ops.reshape(zero, (-1,) + (1,) * (len(shape_of(w)) - 1)))


def _requantize(acc, multiplier, zero, dtype: str):
    """An int32 accumulator back to the output type: round(acc * multiplier) + zero point, saturated."""
    low, high = INTEGER_RANGES[dtype]
    value = ops.round(ops.multiply(as_float32(acc), as_float32(multiplier)))
    if zero is not None:
        value = ops.add(value, as_float32(zero))
    return ops.cast(apply("clip", [value], min_value=float(low), max_value=float(high)), dtype)


def _check_quantized(node, dtype: str, what: str):
    if dtype not in ("int8", "uint8"):
        raise node.fail(f"{what} must be int8 or uint8, got {dtype}")


@def_import("MatMulInteger")
def _matmul_integer(node):
    a = _minus_zero_point(node.input(0), node.input(2), per_row=True)
    b = _minus_zero_point(node.input(1), node.input(3))
    return ops.matmul(a, b)


@def_import("QLinearMatMul")
def _qlinear_matmul(node):
    a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero = (node.input(i) for i in range(8))
    dtype = dtype_name(y_zero) if y_zero is not None else dtype_name(a)
    _check_quantized(node, dtype, "the output type")
    acc = ops.matmul(_minus_zero_point(a, a_zero, per_row=True), _minus_zero_point(b, b_zero))
    # the multiplier in the scales' own type (float16 scales round it there), as ONNX's reference computes it
    multiplier = ops.divide(ops.multiply(_row_param(a_scale), b_scale), y_scale)
    return _requantize(acc, multiplier, y_zero, dtype)


def _row_param(value):
    """A matmul's left scale: a 1-D one of several entries is per row."""
    shape = shape_of(value)
    return ops.reshape(value, (-1, 1)) if len(shape) == 1 and shape[0] != 1 else value


def _conv_of(node, x, w, bias=None):
    """The ONNX Conv mapping (pads, strides, dilations, group from this node's attributes) on int32 operands."""
    inputs = [x, w] + ([bias] if bias is not None else [])
    return _conv(NodeView(node.proto, inputs, node.opset, node.importer))


@def_import("ConvInteger")
def _conv_integer(node):
    x = _minus_zero_point(node.input(0), node.input(2))
    w = _per_output_channel(node.input(1), node.input(3))
    return _conv_of(node, x, w)


@def_import("QLinearConv")
def _qlinear_conv(node):
    x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero = (node.input(i) for i in range(8))
    dtype = dtype_name(y_zero) if y_zero is not None else dtype_name(x)
    _check_quantized(node, dtype, "the output type")
    bias = node.input(8)
    acc = _conv_of(node, _minus_zero_point(x, x_zero), _per_output_channel(w, w_zero),
                   None if bias is None else as_int32(bias))
    rank = len(shape_of(acc))
    if int(np.prod(shape_of(w_scale))) > 1:  # one scale per output channel (axis 1 of the result)
        w_scale = ops.reshape(w_scale, (1, -1) + (1,) * (rank - 2))
    elif len(shape_of(w_scale)):
        w_scale = ops.reshape(w_scale, ())
    multiplier = ops.divide(ops.multiply(x_scale, w_scale), y_scale)
    return _requantize(acc, multiplier, y_zero, dtype)
