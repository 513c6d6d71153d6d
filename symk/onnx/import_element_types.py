"""ONNX import, conversion to ONNX's element types with ONNX's rules: float8 saturation, the 4-bit and 2-bit
integers, float4e2m1 and float8e8m0 (the narrow types JAX stores but whose casts follow XLA's rules, not ONNX's).

    y = cast_to_onnx_type(x, "float8_e4m3fn", saturate=True)    # symbolic tensor or numpy array

Cast, CastLike and QuantizeLinear share this. The rules, from onnx.defs.get_schema("Cast").doc and the reference
(onnx/reference/ops/op_cast.py, onnx.numpy_helper), which wrote the backend suite's expected outputs:
- float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz), saturate=1: round to nearest even, and what rounds past the largest
  finite value (infinities included) becomes it; NaN stays NaN. saturate=0: XLA's conversion, which is ONNX's
  (overflow gives NaN, or inf for e5m2).
- float4e2m1: round to nearest even, saturating (it has no inf or NaN; NaN becomes -0 there, as in ml_dtypes).
- int4/uint4/int2/uint2 from floats: truncated toward zero; a value outside the type's range gives 0. ONNX leaves
  out-of-range float-to-int casts undefined; 0 is what the reference (ml_dtypes) gives. From integers: the higher
  bits are dropped (two's complement), as ONNX says for every fixed-point cast.
- float8e8m0 (a power of two, exponent only): round_mode "up" (default), "down" or "nearest", as
  onnx.numpy_helper.to_float8e8m0 computes it on float32 bits.
Arithmetic on the narrow types runs in float32 (every narrow float value is exact there).
"""
from __future__ import annotations

import ml_dtypes
import numpy as np

from .. import ops
from ..ops.registry import apply
from .import_registry import is_static

FLOAT8_SATURATING = ("float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz")
NARROW_INTS = ("int4", "uint4", "int2", "uint2")
NARROW_FLOATS = FLOAT8_SATURATING + ("float4_e2m1fn", "float8_e8m0fnu")
NARROW_TYPES = NARROW_FLOATS + NARROW_INTS
E8M0_ROUND_MODES = ("up", "down", "nearest")


def dtype_name(x) -> str:
    return np.dtype(x.dtype).name if is_static(x) else str(x.dtype)


def is_float_name(dtype: str) -> bool:
    """float16/32/64, bfloat16 and the narrow floats (ml_dtypes' dtypes have numpy kind 'V', not 'f')."""
    return dtype.startswith("float") or dtype == "bfloat16"


def _as_float32(x):
    return ops.cast(x, "float32")


def _saturating_float8(x, dtype: str):
    """RNE with overflow (and infinities) clamped to the largest finite value: clamping first is the same, since
    anything above FLT_MAX rounds to FLT_MAX or past it."""
    if dtype_name(x) not in ("float16", "bfloat16", "float32"):
        x = _as_float32(x)  # integers, bool and the narrow floats: float32 holds them (ints past 2**24 round twice)
    largest = float(ml_dtypes.finfo(dtype).max)
    return ops.cast(apply("clip", [x], min_value=-largest, max_value=largest), dtype)


def _narrow_int_from_float(x, dtype: str):
    info = ml_dtypes.iinfo(dtype)
    whole = ops.trunc(_as_float32(x))
    in_range = ops.logical_and(ops.greater_equal(whole, float(info.min)), ops.less_equal(whole, float(info.max)))
    return ops.cast(ops.where(in_range, whole, ops.zeros_like(whole)), dtype)


def _float8e8m0(x, saturate: bool, round_mode: str):
    """The float32 exponent byte, rounded by the mantissa bits as onnx.numpy_helper.to_float8e8m0 does."""
    bits = bitcast(_as_float32(x), "uint32")
    exponent = ops.bitwise_and(ops.right_shift(bits, 23), 0xFF)
    special = ops.equal(exponent, 0xFF)  # inf and NaN keep the all-ones exponent (NaN in e8m0)
    if round_mode == "up":
        round_up = ops.not_equal(ops.bitwise_and(bits, 0x7FFFFF), 0)
    elif round_mode == "nearest":
        guard = ops.not_equal(ops.bitwise_and(bits, 0x400000), 0)
        round_bit = ops.not_equal(ops.bitwise_and(bits, 0x200000), 0)
        sticky = ops.not_equal(ops.bitwise_and(bits, 0x1FFFFF), 0)
        round_up = ops.logical_and(guard, ops.logical_or(ops.logical_or(round_bit, sticky),
                                                         ops.greater(exponent, 0)))
    else:
        round_up = ops.zeros_like(special)
    round_up = ops.logical_and(round_up, ops.logical_not(special))
    if saturate:
        round_up = ops.logical_and(round_up, ops.not_equal(exponent, 0xFE))
    exponent = ops.add(exponent, ops.cast(round_up, "uint32"))
    byte = ops.cast(ops.where(special, ops.full_like(exponent, 0xFF), exponent), "uint8")
    return bitcast(byte, "float8_e8m0fnu")


def bitcast(x, dtype: str):
    """The same bits read as `dtype` (equal widths): numpy's view on arrays, the onnx_bitcast op on tensors."""
    if is_static(x):
        return np.ascontiguousarray(x).view(np.dtype(dtype))
    return apply("onnx_bitcast", [x], to=dtype)


def cast_to_onnx_type(x, dtype: str, saturate: bool = True, round_mode: str = "up"):
    """x converted to the symk dtype `dtype` by ONNX's rules (see the module docstring); other dtypes: ops.cast."""
    source = dtype_name(x)
    if source == dtype:
        return x
    if source in NARROW_FLOATS and dtype not in ("float16", "bfloat16", "float32"):
        x, source = _as_float32(x), "float32"  # XLA converts few pairs of narrow types directly
    if dtype in FLOAT8_SATURATING and saturate:
        return _saturating_float8(x, dtype)
    if dtype == "float8_e8m0fnu":
        return _float8e8m0(x, saturate, round_mode)
    if dtype in NARROW_INTS and is_float_name(source):
        return _narrow_int_from_float(x, dtype)
    if dtype in NARROW_INTS and source == "bool":
        x = ops.cast(x, "int32")
    return ops.cast(x, dtype)
