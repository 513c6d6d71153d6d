"""Ops for ONNX's element-type operators that no Keras op has: onnx_bitcast, the bits of a tensor read as another
dtype of the same width (ONNX BitCast; also how symk.onnx builds float8e8m0 values from exponent bytes). The
attribute is `to`, not `dtype`: symk canonicalizes `dtype` attributes (int64 to int32), and a bitcast to int64
must be refused, not silently made 32-bit.

    >>> symk.ops.primitives.onnx_bitcast(x_float32, to="int32")     # 1.0 -> 1065353216

Quantize/dequantize operators need no op of their own: symk.onnx composes them from round, clip and cast.
"""
from __future__ import annotations

import numpy as np
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec, canonical_dtype
from .registry import def_op

# ml_dtypes stores these in a byte each, so itemsize cannot tell their width from int8's
SUB_BYTE_BITS = {"int4": 4, "uint4": 4, "int2": 2, "uint2": 2, "float4_e2m1fn": 4}


def bit_width(dtype: str) -> int:
    if dtype in SUB_BYTE_BITS:
        return SUB_BYTE_BITS[dtype]
    return 8 * np.dtype(dtype).itemsize


def onnx_bitcast_rule(specs, attrs):
    (x,) = specs
    target = canonical_dtype(attrs.to)
    if target != attrs.to:
        raise RuleViolation(f"dtype {attrs.to!r} is computed as {target} in symk (JAX runs with x64 off), so its "
                            "bits cannot be reinterpreted", "bitcast between types of at most 32 bits")
    for dtype in (x.dtype, target):
        if dtype in SUB_BYTE_BITS or dtype.startswith("complex"):
            raise RuleViolation(f"bitcast of {dtype} is not supported", "bitcast between 8, 16 or 32-bit types")
    if bit_width(x.dtype) != bit_width(target):
        raise RuleViolation(f"bitcast needs types of one width: {x.dtype} has {bit_width(x.dtype)} bits, "
                            f"{target} {bit_width(target)}", "pick a target type as wide as the input")
    return TensorSpec(x.shape, target)


def _onnx_bitcast(x, to):
    # NOTE: lax refuses bool; a bool is one byte holding 0 or 1, so it goes through uint8 either way
    if x.dtype == np.bool_:
        x = x.astype(np.uint8)
    if to == "bool":
        return lax.bitcast_convert_type(x, np.uint8) != 0
    return lax.bitcast_convert_type(x, np.dtype(to))


def_op("onnx_bitcast", onnx_bitcast_rule, _onnx_bitcast, attrs=dict(to="int32"), elementwise=True,
       doc="The input's bits read as dtype `to` (same bit width, same shape): ONNX BitCast.")
