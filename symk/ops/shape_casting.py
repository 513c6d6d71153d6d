"""Dtype conversions: cast, saturate_cast (clip into the target's range first) and view (reinterpret the bytes).

    >>> symk.ops.saturate_cast(np.array([-1.0, 256.0]), "uint8")    # [0, 255], where cast wraps around
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .registry import apply, def_op, spec_of
from .shape_args import float_dtype, keras_dtype


@keras_export("core")
def cast(x, dtype):
    """x converted to `dtype` (floats to ints truncate towards zero)."""
    return apply("cast", [x], dtype=float_dtype("cast", dtype))


def _value_range(dtype: str):
    if dtype == "bool":
        return 0, 1
    info = jnp.iinfo(dtype) if "int" in dtype else jnp.finfo(dtype)
    return info.min, info.max


def saturation_bounds(in_dtype: str, out_dtype: str) -> tuple:
    """The clip bounds, as values of `in_dtype`, that keep a cast into `out_dtype` in range.

    The ends of the narrower range are converted to `in_dtype`; one that rounds outside the target range
    there (float32(2**31 - 1) is 2**31) is moved one step towards zero. Comparisons are numpy's, in
    `in_dtype`, as Keras's own saturate_cast makes them.
    """
    in_low, in_high = _value_range(in_dtype)
    out_low, out_high = _value_range(out_dtype)
    low = np.asarray(np.maximum(in_low, out_low)).astype(in_dtype)
    high = np.asarray(np.minimum(in_high, out_high)).astype(in_dtype)
    if low < out_low:
        low = np.nextafter(low, np.zeros((), in_dtype))
    if high > out_high:
        high = np.nextafter(high, np.zeros((), in_dtype))
    return low.item(), high.item()


@keras_export("core")
def saturate_cast(x, dtype):
    """x cast to `dtype`, its values first clipped into the range `dtype` can hold (no wrap-around)."""
    dtype = float_dtype("saturate_cast", dtype)
    in_dtype = spec_of(x).dtype
    if in_dtype == "bool":  # False and True fit every type
        return apply("cast", [x], dtype=dtype)
    low, high = saturation_bounds(in_dtype, dtype)
    return apply("cast", [apply("clip", [x], min_value=low, max_value=high)], dtype=dtype)


def view_rule(specs, attrs):
    shape, dtype = list(specs[0].shape), specs[0].dtype
    size_in, size_out = jnp.dtype(dtype).itemsize, jnp.dtype(attrs.dtype).itemsize
    if size_in == size_out:
        return TensorSpec.of(shape, attrs.dtype)
    if not shape:
        raise RuleViolation(f"a scalar {dtype} cannot be viewed as {attrs.dtype} (the item sizes differ)",
                            "view a tensor of rank >= 1, or a dtype of the same size")
    last = shape[-1]
    if last is not None and (last * size_in) % size_out:
        raise RuleViolation(f"the last axis ({last} x {size_in} bytes) does not divide into {attrs.dtype} items "
                            f"of {size_out} bytes", "view a dtype whose size divides the last axis's bytes")
    shape[-1] = None if last is None else last * size_in // size_out
    return TensorSpec.of(shape, attrs.dtype)


def_op("view", view_rule, lambda x, dtype: x.view(dtype), attrs=dict(dtype="float32"),
       doc="The bytes of x read as `dtype` (the last axis rescales when the item sizes differ).")


@keras_export("numpy")
def view(x, dtype=None):
    """The bytes of x reinterpreted as `dtype` (None: x as it is)."""
    dtype = keras_dtype("view", dtype)
    if dtype is None:
        return apply("identity", [x])
    return apply("view", [x], dtype=dtype)
