"""Ops for ONNX semantics that no Keras op has: pooling with explicit (asymmetric) pads, ceil mode and
count_include_pad (onnx_pool), and local response normalization across channels (onnx_lrn).

Both take channels-first input (batch, channels, *spatial), as ONNX does. symk.onnx's importer uses them
for MaxPool / AveragePool / LpPool and LRN; they are ordinary ops (shape rule, JAX lowering), so passes,
codegen and export see them like any other.

    >>> symk.ops.primitives.onnx_pool(x, kind="avg", kernel=(3, 3), strides=(2, 2), pads=((1, 1), (0, 1)))
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .registry import def_op

POOL_KINDS = ("max", "avg", "lp")


def pool_output_size(size: int, kernel: int, stride: int, pad: tuple, dilation: int, ceil_mode: bool) -> int:
    """ONNX's pooled length: floor (or ceil) of (size + pads - dilated kernel) / stride + 1; with ceil mode a
    last window that would start inside the right padding is dropped."""
    span = dilation * (kernel - 1) + 1
    room = size + pad[0] + pad[1] - span
    if room < 0:
        raise RuleViolation(f"a window of {span} (kernel {kernel}, dilation {dilation}) does not fit an axis of "
                            f"{size} padded by {pad}", "use a smaller kernel or more padding")
    out = (math.ceil if ceil_mode else math.floor)(room / stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad[0]:
        out -= 1
    return out


def _pool_geometry(attrs, rank: int):
    n = rank - 2
    fields = {"kernel": attrs.kernel, "strides": attrs.strides, "pads": attrs.pads, "dilations": attrs.dilations}
    for key, value in fields.items():
        if len(value) != n:
            raise RuleViolation(f"{key} {value} needs one entry per spatial axis ({n})",
                                "give the input as (batch, channels, *spatial)")
    if any(k < 1 for k in attrs.kernel) or any(s < 1 for s in attrs.strides) or any(d < 1 for d in attrs.dilations):
        raise RuleViolation("kernel, strides and dilations must be positive", "check the pooling attributes")
    if any(p < 0 for pair in attrs.pads for p in pair):
        raise RuleViolation(f"pads {attrs.pads} must not be negative", "crop the input first")
    return n


def onnx_pool_rule(specs, attrs):
    (x,) = specs
    if len(x.shape) < 3:
        raise RuleViolation(f"pooling needs (batch, channels, *spatial), got rank {len(x.shape)}",
                            "add the batch and channel axes")
    if attrs.kind not in POOL_KINDS:
        raise RuleViolation(f"unknown pooling kind {attrs.kind!r}", f"use one of {POOL_KINDS}")
    if "int" in x.dtype and attrs.kind != "max" or x.dtype == "bool":
        raise RuleViolation(f"{attrs.kind} pooling needs floats, got {x.dtype}", "cast the input to float32")
    n = _pool_geometry(attrs, len(x.shape))
    spatial = []
    for i in range(n):
        size = x.shape[2 + i]
        spatial.append(None if size is None else pool_output_size(
            size, attrs.kernel[i], attrs.strides[i], tuple(attrs.pads[i]), attrs.dilations[i], attrs.ceil_mode))
    return TensorSpec.of(tuple(x.shape[:2]) + tuple(spatial), x.dtype)


def _onnx_pool(x, kind, kernel, strides, pads, dilations, ceil_mode, count_include_pad, p):
    n = len(kernel)
    outs = [pool_output_size(x.shape[2 + i], kernel[i], strides[i], tuple(pads[i]), dilations[i], ceil_mode)
            for i in range(n)]
    # ceil mode: extra right padding so the last window exists; it never counts as padding for averages
    extra = [max(0, (outs[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1
                 - (x.shape[2 + i] + pads[i][0] + pads[i][1])) for i in range(n)]
    window, window_strides = (1, 1) + tuple(kernel), (1, 1) + tuple(strides)
    window_dilation = (1, 1) + tuple(dilations)
    padding = ((0, 0), (0, 0)) + tuple((pads[i][0], pads[i][1] + extra[i]) for i in range(n))

    def reduce(values, init, op):
        return lax.reduce_window(values, init, op, window, window_strides, padding, window_dilation=window_dilation)

    if kind == "max":
        init = -np.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min  # numpy: jax sees a max-pool and can differentiate it
        out = reduce(x, np.asarray(init, x.dtype), lax.max)
    elif kind == "lp":
        out = reduce(jnp.abs(x) ** p, np.asarray(0, x.dtype), lax.add) ** (1.0 / p)
    else:
        total = reduce(x, np.asarray(0, x.dtype), lax.add)
        if count_include_pad:  # the explicit pads count, the ceil-mode extension does not
            ones = jnp.pad(jnp.ones(x.shape[2:], x.dtype), [tuple(pads[i]) for i in range(n)], constant_values=1)
            count_padding = tuple((0, extra[i]) for i in range(n))
        else:
            ones = jnp.ones(x.shape[2:], x.dtype)
            count_padding = tuple((pads[i][0], pads[i][1] + extra[i]) for i in range(n))
        counts = lax.reduce_window(ones, np.asarray(0, x.dtype), lax.add, tuple(kernel), tuple(strides),
                                   count_padding, window_dilation=tuple(dilations))
        out = total / counts[None, None]  # one count per window, shared by batch and channels
    # a ceil-mode window dropped for starting inside the right padding is cut off here
    out = out[(slice(None), slice(None)) + tuple(slice(0, o) for o in outs)]
    return out.astype(x.dtype)


def_op("onnx_pool", onnx_pool_rule, _onnx_pool,
       attrs=dict(kind="max", kernel=(2, 2), strides=(1, 1), pads=((0, 0), (0, 0)), dilations=(1, 1),
                  ceil_mode=False, count_include_pad=False, p=2),
       doc="ONNX MaxPool / AveragePool / LpPool on (batch, channels, *spatial) with explicit begin/end pads.")


def onnx_lrn_rule(specs, attrs):
    (x,) = specs
    if len(x.shape) < 3:
        raise RuleViolation(f"LRN needs (batch, channels, *spatial), got rank {len(x.shape)}",
                            "add the batch and channel axes")
    if "float" not in x.dtype:
        raise RuleViolation(f"LRN needs floats, got {x.dtype}", "cast the input to float32")
    if not isinstance(attrs.size, int) or attrs.size < 1:
        raise RuleViolation(f"size {attrs.size} must be a positive integer", "give the window over channels")
    return x


def _onnx_lrn(x, size, alpha, beta, bias):
    # the window over channels reaches floor((size-1)/2) back and ceil((size-1)/2) forward, as ONNX defines
    back, forward = (size - 1) // 2, size - 1 - (size - 1) // 2
    window = (1, size) + (1,) * (x.ndim - 2)
    padding = ((0, 0), (back, forward)) + ((0, 0),) * (x.ndim - 2)
    square_sum = lax.reduce_window(x * x, np.asarray(0, x.dtype), lax.add, window, (1,) * x.ndim, padding)
    return x / (bias + (alpha / size) * square_sum) ** beta


def_op("onnx_lrn", onnx_lrn_rule, _onnx_lrn, attrs=dict(size=5, alpha=1e-4, beta=0.75, bias=1.0),
       elementwise=False, doc="ONNX LRN: x / (bias + alpha/size * sum of squares over nearby channels) ** beta.")


def onnx_softmax_rule(specs, attrs):
    (x,) = specs
    if "float" not in x.dtype:
        raise RuleViolation(f"softmax needs floats, got {x.dtype}", "cast the input to float32")
    if not -len(x.shape) <= attrs.axis < len(x.shape):
        raise RuleViolation(f"axis {attrs.axis} is out of range for rank {len(x.shape)}", "pick an existing axis")
    return x


def _onnx_softmax(x, axis):
    # NOTE: shifted twice. XLA on CPU may compute a fused producer of the logits (GlobalAveragePool's mean)
    # once for the max and once, in another summation order, for x - max: with the huge logits of ONNX's
    # light models (1e10) every x - max came out -270, exp underflowed to 0 and the softmax was 0/0. The
    # second shift is taken from the shifted values themselves, so their largest is 0 in either order.
    shifted = x - jnp.max(x, axis=axis, keepdims=True)
    shifted = shifted - jnp.max(shifted, axis=axis, keepdims=True)
    e = jnp.exp(shifted)
    return e / jnp.sum(e, axis=axis, keepdims=True)


def_op("onnx_softmax", onnx_softmax_rule, _onnx_softmax, attrs=dict(axis=-1), foldable=True,
       doc="Softmax over one axis, safe against logits XLA computes in two orders (ONNX Softmax on extreme logits).")
