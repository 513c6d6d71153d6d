"""ONNX import, tensor-making operators and dtypes: Constant, ConstantOfShape, Range, Cast, CastLike, BitCast,
EyeLike, NonZero, Dropout.

Constants are numpy arrays at import time (folded); Cast maps ONNX's element types to symk dtypes
(int64 and float64 compute as int32 and float32, as JAX with x64 off does), with ONNX's rules for the float8,
4-bit and 2-bit types (symk/onnx/import_element_types.py).
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.onnx_quantize import SUB_BYTE_BITS, bit_width
from ..shapes import canonical_dtype
from .import_element_types import E8M0_ROUND_MODES, NARROW_TYPES, bitcast, cast_to_onnx_type, dtype_name
from .import_registry import def_import, is_static


def onnx_dtype(node, elem_type: int) -> str:
    """The symk dtype of an ONNX element type (float8, 4-bit and 2-bit types included), or a clear refusal
    (strings, and types with no numpy form such as float6)."""
    import onnx.helper

    try:
        np_dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
    except Exception:  # noqa: BLE001 - unknown element types raise KeyError or TypeError depending on onnx
        raise node.fail(f"element type {elem_type} has no numpy form") from None
    name = onnx.TensorProto.DataType.Name(elem_type)
    if np_dtype.kind in "OSU":
        raise node.fail(f"element type {name} is not supported (symk computes in numeric JAX dtypes)")
    if np_dtype.kind == "V" and np_dtype.name not in ("bfloat16", *NARROW_TYPES):
        raise node.fail(f"element type {name} is not supported (JAX has no {np_dtype.name} dtype)")
    return np_dtype.name


def numpy_of(node, attr_value):
    import onnx.numpy_helper

    return onnx.numpy_helper.to_array(attr_value)


@def_import("Constant")
def _constant(node):
    for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if key in node.attrs:
            value = node.attrs[key]
            if key == "value":
                return numpy_of(node, value)
            dtype = np.float32 if "float" in key else np.int64
            return np.asarray(value, dtype=dtype)
    raise node.fail(f"Constant with attribute(s) {sorted(node.attrs)} (sparse or string values) is not supported")


@def_import("ConstantOfShape")
def _constant_of_shape(node):
    shape = tuple(int(v) for v in node.static(0).reshape(-1))
    value = numpy_of(node, node.attrs["value"]) if "value" in node.attrs else np.zeros(1, np.float32)
    return np.full(shape, value.reshape(-1)[0], dtype=value.dtype)


@def_import("Range")
def _range(node):
    start, limit, delta = (node.static(i) for i in range(3))
    return np.arange(start.item(), limit.item(), delta.item()).astype(start.dtype)


def _cast_attrs(node) -> dict:
    """saturate (float8 targets, opset 19) and round_mode (float8e8m0 targets, opset 24)."""
    round_mode = node.attr("round_mode", "up")
    if round_mode not in E8M0_ROUND_MODES:
        raise node.fail(f"round_mode {round_mode!r} is not one of {E8M0_ROUND_MODES}")
    return {"saturate": bool(node.attr("saturate", 1)), "round_mode": round_mode}


def _cast_to(node, x, dtype: str):
    """Arrays known at import time keep their 64-bit types (numpy casts them: shapes, int64 bounds); the narrow
    types and run-time tensors follow ONNX's rules in symk ops."""
    if is_static(x) and dtype not in NARROW_TYPES and dtype_name(x) not in NARROW_TYPES:
        return np.asarray(x).astype(dtype)
    return cast_to_onnx_type(x, canonical_dtype(dtype), **_cast_attrs(node))


@def_import("Cast")
def _cast(node):
    return _cast_to(node, node.input(0), onnx_dtype(node, node.attr("to")))


@def_import("CastLike")
def _cast_like(node):
    x, like = node.input(0), node.input(1)
    dtype = dtype_name(like)
    if np.dtype(dtype).kind in "OSU":
        raise node.fail(f"casting to {dtype} is not supported (symk computes in numeric JAX dtypes)")
    return _cast_to(node, x, dtype)


@def_import("BitCast")
def _bitcast(node):
    """The same bits as another type of one width. Arrays known at import time are viewed exactly (64-bit types
    too); a tensor of a 64-bit type is computed as 32-bit in symk, so its bits are not ONNX's: refused."""
    x = node.input(0)
    dtype = onnx_dtype(node, node.attr("to"))
    if is_static(x):
        source = np.asarray(x).dtype.name
        if bit_width(source) != bit_width(dtype) or source in SUB_BYTE_BITS or dtype in SUB_BYTE_BITS:
            raise node.fail(f"BitCast from {source} to {dtype} is not supported: it needs two types of one width, "
                            "8 bits or more")
        return bitcast(x, dtype)
    if canonical_dtype(dtype) != dtype:
        raise node.fail(f"BitCast to {dtype} of a tensor computed at run time is not supported: symk computes "
                        f"64-bit types as 32-bit (JAX with x64 off), so the bits differ from ONNX's")
    return bitcast(x, dtype)


@def_import("EyeLike")
def _eye_like(node):
    x = node.input(0)
    dtype = onnx_dtype(node, node.attr("dtype")) if "dtype" in node.attrs else str(x.dtype)
    rows, cols = tuple(x.shape)
    return np.eye(rows, cols, k=node.attr("k", 0), dtype=dtype)


@def_import("NonZero")
def _non_zero(node):
    return np.asarray(np.nonzero(node.static(0)), dtype=np.int64)


@def_import("Dropout")
def _dropout(node):
    """Inference: the identity (and an all-true mask). Training mode would need a seed: refused."""
    x = node.input(0)
    if node.has_input(2):
        training = node.static(2)
        if bool(np.asarray(training).reshape(-1)[0]):
            from .import_ops_training import training_dropout

            return training_dropout(node)
    if node.num_outputs > 1 and node.output_names[1]:
        return [x, ops.ones_like(x, dtype="bool") if not is_static(x) else np.ones(x.shape, bool)]
    return x
