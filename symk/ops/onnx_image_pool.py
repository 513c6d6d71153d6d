"""Ops for ONNX's block operators that no Keras op has: Col2Im (onnx_col2im: sum sliding blocks back into an
image) and MaxPool with its Indices output (onnx_max_pool_with_indices), channels-first as ONNX is.

Both index their windows with tables computed in numpy from the static geometry (which padded pixel each
block element comes from), so the lowering is one scatter-add or one gather.

    >>> symk.ops.primitives.onnx_col2im(cols, image_shape=(5, 5), block_shape=(1, 5))
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .onnx_compat import pool_output_size
from .registry import def_op


def _check_geometry(n: int, attrs, names=("strides", "dilations")):
    for key in names:
        value = getattr(attrs, key)
        if len(value) != n or any(v < 1 for v in value):
            raise RuleViolation(f"{key} {value} needs {n} positive entries", "one per spatial axis")
    if len(attrs.pads) != 2 * n or any(p < 0 for p in attrs.pads):
        raise RuleViolation(f"pads {attrs.pads} needs {2 * n} non-negative entries", "begin pads, then end pads")


# -- Col2Im ---------------------------------------------------------------------------
def col2im_blocks(image_shape, block_shape, strides, pads, dilations) -> list:
    """How many block positions fit along each axis of the padded image."""
    n = len(image_shape)
    counts = []
    for i in range(n):
        room = image_shape[i] + pads[i] + pads[n + i] - (dilations[i] * (block_shape[i] - 1) + 1)
        if room < 0:
            raise RuleViolation(f"a block of {block_shape[i]} (dilation {dilations[i]}) does not fit axis {i} of "
                                f"the padded image ({image_shape[i]} + pads)", "use a smaller block or more padding")
        counts.append(room // strides[i] + 1)
    return counts


def col2im_rule(specs, attrs):
    (x,) = specs
    n = len(attrs.image_shape)
    if len(attrs.block_shape) != n or n < 1:
        raise RuleViolation(f"image_shape {attrs.image_shape} and block_shape {attrs.block_shape} need one entry "
                            "per spatial axis", "give both with the same length")
    _check_geometry(n, attrs)
    if len(x.shape) != 3:
        raise RuleViolation(f"Col2Im needs input (N, C * prod(block), L), got rank {len(x.shape)}", "reshape it")
    block = math.prod(attrs.block_shape)
    counts = col2im_blocks(attrs.image_shape, attrs.block_shape, attrs.strides, attrs.pads, attrs.dilations)
    if x.shape[1] is None or x.shape[1] % block or x.shape[2] != math.prod(counts):
        raise RuleViolation(f"input {x.shape} must be (N, C * {block}, {math.prod(counts)}) for blocks "
                            f"{attrs.block_shape} over {attrs.image_shape}", "check image_shape and block_shape")
    return TensorSpec.of((x.shape[0], x.shape[1] // block, *attrs.image_shape), x.dtype)


def _col2im(x, image_shape, block_shape, strides, pads, dilations):
    n = len(image_shape)
    counts = col2im_blocks(image_shape, block_shape, strides, pads, dilations)
    padded = [image_shape[i] + pads[i] + pads[n + i] for i in range(n)]
    # padded pixel of (block element k, block position l): position * stride + element * dilation, per axis
    element = np.indices(block_shape).reshape(n, -1)        # (n, K)
    position = np.indices(counts).reshape(n, -1)            # (n, L)
    coords = position[:, None, :] * np.asarray(strides)[:, None, None] + element[:, :, None] * np.asarray(
        dilations)[:, None, None]
    target = np.ravel_multi_index(tuple(coords), padded).reshape(-1)   # (K * L,)
    batch, channels = x.shape[0], x.shape[1] // math.prod(block_shape)
    values = x.reshape(batch, channels, -1)
    image = jnp.zeros((batch, channels, math.prod(padded)), x.dtype).at[:, :, target].add(values)
    image = image.reshape((batch, channels, *padded))
    return image[(slice(None), slice(None)) + tuple(slice(pads[i], pads[i] + image_shape[i]) for i in range(n))]


def_op("onnx_col2im", col2im_rule, _col2im,
       attrs=dict(image_shape=(1, 1), block_shape=(1, 1), strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1)),
       doc="ONNX Col2Im: add each column's block back at its place in the (padded) image; overlaps sum.")


# -- MaxPool with indices ---------------------------------------------------------------
def _window_table(sizes, kernel, strides, pads, dilations, ceil_mode):
    """(output sizes, (Q, K) input position of each window element, (Q, K) inside-the-image flags)."""
    n = len(sizes)
    outs = [pool_output_size(sizes[i], kernel[i], strides[i], (pads[i], pads[n + i]), dilations[i], ceil_mode)
            for i in range(n)]
    out_pos = np.indices(outs).reshape(n, -1)
    elem = np.indices(kernel).reshape(n, -1)
    coords = (out_pos[:, :, None] * np.asarray(strides)[:, None, None] - np.asarray(pads[:n])[:, None, None]
              + elem[:, None, :] * np.asarray(dilations)[:, None, None])     # (n, Q, K)
    inside = np.all((coords >= 0) & (coords < np.asarray(sizes)[:, None, None]), axis=0)
    clipped = np.clip(coords, 0, np.asarray(sizes)[:, None, None] - 1)
    return outs, clipped, inside


def max_pool_indices_rule(specs, attrs):
    (x,) = specs
    n = len(x.shape) - 2
    if n < 1:
        raise RuleViolation(f"MaxPool needs (N, C, *spatial), got rank {len(x.shape)}", "add the batch/channel axes")
    if len(attrs.kernel) != n or any(k < 1 for k in attrs.kernel):
        raise RuleViolation(f"kernel {attrs.kernel} needs {n} positive entries", "one per spatial axis")
    _check_geometry(n, attrs)
    if attrs.storage_order not in (0, 1) or x.dtype == "bool":
        raise RuleViolation(f"storage_order {attrs.storage_order} (0 row major, 1 column major), dtype {x.dtype}",
                            "use 0 or 1 on a numeric input")
    if any(s is None for s in x.shape[1:]):
        raise RuleViolation(f"MaxPool's indices need known channels and spatial sizes, got {x.shape}",
                            "give fixed input shapes")
    outs = [pool_output_size(x.shape[2 + i], attrs.kernel[i], attrs.strides[i], (attrs.pads[i], attrs.pads[n + i]),
                             attrs.dilations[i], attrs.ceil_mode) for i in range(n)]
    shape = tuple(x.shape[:2]) + tuple(outs)
    return TensorSpec.of(shape, x.dtype), TensorSpec.of(shape, "int32")


def _max_pool_with_indices(x, kernel, strides, pads, dilations, ceil_mode, storage_order):
    sizes = x.shape[2:]
    outs, coords, inside = _window_table(sizes, kernel, strides, pads, dilations, ceil_mode)
    flat_in = np.ravel_multi_index(tuple(coords), sizes)                      # (Q, K) row-major
    batch, channels = x.shape[:2]
    values = x.reshape(batch, channels, -1)[:, :, flat_in]                    # (N, C, Q, K)
    lowest = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
    values = jnp.where(inside[None, None], values, lowest)
    best = jnp.argmax(values, axis=-1)                                        # first largest, as ONNX's reference
    pooled = jnp.max(values, axis=-1)
    order = "F" if storage_order == 1 else "C"
    flat_out = np.ravel_multi_index(tuple(coords), sizes, order=order)       # the index ONNX reports
    index = jnp.asarray(flat_out.astype(np.int32))[jnp.arange(flat_out.shape[0]), best]
    plane = math.prod(sizes)
    offsets = (jnp.arange(batch)[:, None] * channels + jnp.arange(channels)[None, :]) * plane
    index = index + offsets[:, :, None].astype(jnp.int32)
    shape = (batch, channels, *outs)
    return pooled.reshape(shape).astype(x.dtype), index.reshape(shape).astype(jnp.int32)


def_op("onnx_max_pool_with_indices", max_pool_indices_rule, _max_pool_with_indices,
       attrs=dict(kernel=(2, 2), strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), ceil_mode=False,
                  storage_order=0),
       doc="ONNX MaxPool with its Indices output: flat indices into (N, C, *spatial) of each window's maximum.")
