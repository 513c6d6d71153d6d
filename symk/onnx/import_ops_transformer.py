"""ONNX import, the other pieces of transformer blocks: RotaryEmbedding and SwiGLU (onnx 1.23) and
GroupNormalization, each a composition of symk ops.

RotaryEmbedding rotates pairs of each head's first rotary_embedding_dim features (the two halves, or
even/odd features when interleaved) by the angles whose cosines and sines the caches hold, gathered by
position_ids when given. Inputs are (batch, heads, seq, size), or (batch, seq, heads * size) with num_heads.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import shape_of
from .import_registry import def_import


@def_import("RotaryEmbedding")
def _rotary_embedding(node):
    x, cos, sin, positions = node.input(0), node.input(1), node.input(2), node.input(3)
    shape = shape_of(x)
    if len(shape) == 4:
        x = ops.transpose(x, (0, 2, 1, 3))                       # (batch, seq, heads, size)
    elif len(shape) == 3:
        heads = node.attr("num_heads", 0)
        if not heads or shape[2] % heads:
            raise node.fail(f"a 3-D input (batch, seq, hidden) needs num_heads dividing hidden ({shape[2]}), "
                            f"got num_heads={heads}")
        x = ops.reshape(x, (shape[0], shape[1], heads, shape[2] // heads))
    else:
        raise node.fail(f"the input must be rank 3 or 4, got shape {shape}")
    size = shape_of(x)[3]
    dim = node.attr("rotary_embedding_dim", 0) or size
    if positions is not None:
        cos, sin = ops.take(cos, positions, axis=0), ops.take(sin, positions, axis=0)
    if shape_of(cos)[-1] != dim // 2 or shape_of(sin)[-1] != dim // 2:
        raise node.fail(f"the cos/sin caches end in {shape_of(cos)[-1]}/{shape_of(sin)[-1]} values, but rotating "
                        f"{dim} features needs {dim // 2}")
    cos, sin = ops.expand_dims(cos, 2), ops.expand_dims(sin, 2)    # (batch, seq, 1, dim/2)
    rotated, kept = x[:, :, :, :dim], x[:, :, :, dim:]
    interleaved = node.attr("interleaved", 0)
    x1, x2 = (rotated[:, :, :, 0::2], rotated[:, :, :, 1::2]) if interleaved else \
        (rotated[:, :, :, :dim // 2], rotated[:, :, :, dim // 2:])
    real = ops.subtract(ops.multiply(cos, x1), ops.multiply(sin, x2))
    imag = ops.add(ops.multiply(sin, x1), ops.multiply(cos, x2))
    if interleaved:
        rotated = ops.reshape(ops.stack([real, imag], axis=-1), shape_of(rotated))
    else:
        rotated = ops.concatenate([real, imag], axis=-1)
    out = ops.concatenate([rotated, kept], axis=-1) if dim < size else rotated
    return ops.reshape(out, shape) if len(shape) == 3 else ops.transpose(out, (0, 2, 1, 3))


@def_import("SwiGLU")
def _swiglu(node):
    a, b = node.input(0), node.input(1)
    if shape_of(a) != shape_of(b) or str(a.dtype) != str(b.dtype):
        raise node.fail(f"A and B must have one shape and dtype (no broadcasting), got {shape_of(a)} {a.dtype} and "
                        f"{shape_of(b)} {b.dtype}")
    alpha = np.asarray(node.attr("alpha", 1.0), str(a.dtype))
    return ops.multiply(ops.multiply(a, ops.sigmoid(ops.multiply(a, alpha))), b)


@def_import("GroupNormalization")
def _group_normalization(node):
    """Statistics per (instance, group of channels) in stash_type precision (float32), then per-channel scale and
    bias (per group before opset 21, repeated over the group's channels)."""
    x, scale, bias = node.input(0), node.input(1), node.input(2)
    groups, eps = node.attr("num_groups"), node.attr("epsilon", 1e-5)
    shape = shape_of(x)
    channels = shape[1]
    if not groups or channels % groups:
        raise node.fail(f"num_groups ({groups}) must divide the {channels} channels")
    dtype = str(x.dtype)
    grouped = ops.reshape(ops.cast(x, "float32"), (shape[0], groups, -1))
    mean = ops.mean(grouped, axis=-1, keepdims=True)
    centered = ops.subtract(grouped, mean)
    variance = ops.mean(ops.square(centered), axis=-1, keepdims=True)
    normalized = ops.cast(ops.reshape(ops.divide(centered, ops.sqrt(ops.add(variance, np.float32(eps)))), shape),
                          dtype)
    if shape_of(scale)[0] != channels:                       # opset 18: one scale and bias per group
        scale, bias = ops.repeat(scale, channels // groups, axis=0), ops.repeat(bias, channels // groups, axis=0)
    per_channel = (channels,) + (1,) * (len(shape) - 2)
    return ops.add(ops.multiply(normalized, ops.reshape(scale, per_channel)), ops.reshape(bias, per_channel))
