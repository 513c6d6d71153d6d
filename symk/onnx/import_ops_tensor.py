"""ONNX import, tensor-making operators and dtypes: Constant, ConstantOfShape, Range, Cast, CastLike,
EyeLike, NonZero, Dropout.

Constants are numpy arrays at import time (folded); Cast maps ONNX's element types to symk dtypes
(int64 and float64 compute as int32 and float32, as JAX with x64 off does).
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..shapes import canonical_dtype
from .import_registry import def_import, is_static


def onnx_dtype(node, elem_type: int) -> str:
    """The symk dtype of an ONNX element type, or a clear refusal (strings, float8, 4-bit types)."""
    import onnx.helper

    try:
        np_dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
    except Exception:  # noqa: BLE001 - unknown element types raise KeyError or TypeError depending on onnx
        raise node.fail(f"element type {elem_type} has no numpy form") from None
    name = onnx.TensorProto.DataType.Name(elem_type)
    if np_dtype.kind in "OSU" or name.startswith(("FLOAT8", "FLOAT4", "INT4", "UINT4", "INT2", "UINT2")):
        raise node.fail(f"element type {name} is not supported (symk computes in numeric JAX dtypes)")
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


@def_import("Cast")
def _cast(node):
    x = node.input(0)
    dtype = onnx_dtype(node, node.attr("to"))
    if is_static(x):
        return np.asarray(x).astype(dtype)
    return ops.cast(x, canonical_dtype(dtype))


@def_import("CastLike")
def _cast_like(node):
    x, like = node.input(0), node.input(1)
    dtype = str(like.dtype)
    if dtype.startswith(("float8", "float4", "int4", "uint4", "int2", "uint2")):
        raise node.fail(f"casting to {dtype} is not supported (symk computes in numeric JAX dtypes)")
    if is_static(x):
        return np.asarray(x).astype(dtype)
    return ops.cast(x, canonical_dtype(dtype))


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
            raise node.fail("Dropout with training_mode=True is not supported (import runs inference graphs)")
    if node.num_outputs > 1 and node.output_names[1]:
        return [x, ops.ones_like(x, dtype="bool") if not is_static(x) else np.ones(x.shape, bool)]
    return x
