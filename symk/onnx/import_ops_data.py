"""ONNX import, operators whose result size comes from the data (Compress, Unique: their inputs must be known
at import time, which the backend's re-import with fixed inputs gives), ReverseSequence, TensorScatter, Det,
and the random draws.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..shapes import canonical_dtype
from .import_ops_shape import norm_axis, shape_of
from .import_registry import def_import, is_static


# -- data-dependent sizes, known at import time ---------------------------------------------------------------
@def_import("Compress")
def _compress(node):
    """The slices where the condition holds; the condition must be known at import time (the backend fixes
    it to the run's value), since it sets the output's size."""
    x = node.input(0)
    keep = np.nonzero(np.asarray(node.static(1)).reshape(-1).astype(bool))[0]
    axis = node.attr("axis")
    if axis is None:
        x, axis = ops.reshape(x, (-1,)) if not is_static(x) else np.asarray(x).reshape(-1), 0
    axis = norm_axis(axis, len(shape_of(x)))
    size = shape_of(x)[axis]
    if len(keep) and keep[-1] >= size:
        raise node.fail(f"the condition selects index {keep[-1]} along axis {axis}, of size {size}")
    return ops.take(x, keep.astype(np.int32), axis=axis)


@def_import("Unique")
def _unique(node):
    """np.unique on the input, which must be known at import time (the output's size is its count of distinct
    values): Y, the first index of each, the inverse indices, the counts (int64), sorted or in order of first
    appearance."""
    x = np.asarray(node.static(0))
    axis = node.attr("axis")
    axis = None if axis is None else norm_axis(axis, x.ndim)
    work = x.astype(np.float32) if x.dtype.name == "bfloat16" else x  # numpy sorts bfloat16 only as floats
    values, first, inverse, counts = np.unique(work, return_index=True, return_inverse=True, return_counts=True,
                                               axis=axis)
    inverse = inverse.reshape(-1)
    if not node.attr("sorted", 1):  # order of first appearance
        order = np.argsort(first, kind="stable")
        values = np.take(values, order, axis=0 if axis is None else axis)
        first, counts = first[order], counts[order]
        inverse = np.argsort(order)[inverse]
    outs = [values.astype(x.dtype), first.astype(np.int64), inverse.astype(np.int64), counts.astype(np.int64)]
    return outs[:node.num_outputs]


# -- sequences of time steps, caches, determinants ------------------------------------------------------------
@def_import("ReverseSequence")
def _reverse_sequence(node):
    """Each batch entry's first sequence_lens[b] steps reversed along time_axis, the rest kept: a gather along
    time at index L-1-t where t < L, t elsewhere."""
    x, lengths = node.input(0), node.input(1)
    shape = shape_of(x)
    batch_axis, time_axis = norm_axis(node.attr("batch_axis", 1), len(shape)), norm_axis(node.attr("time_axis", 0),
                                                                                           len(shape))
    if any(d is None for d in shape):
        raise node.fail(f"ReverseSequence needs the input's shape known, got {shape}")
    lens_shape = [1] * len(shape)
    lens_shape[batch_axis] = shape[batch_axis]
    steps_shape = [1] * len(shape)
    steps_shape[time_axis] = shape[time_axis]
    steps = np.arange(shape[time_axis], dtype=np.int32).reshape(steps_shape)
    lens = ops.reshape(ops.cast(lengths, "int32"), tuple(lens_shape))
    index = ops.where(ops.less(steps, lens), ops.subtract(ops.subtract(lens, np.int32(1)), steps), steps)
    return ops.take_along_axis(x, ops.broadcast_to(index, tuple(shape)), axis=time_axis)


@def_import("TensorScatter")
def _tensor_scatter(node):
    """A KV cache update: for each batch entry b, update's steps written into past_cache along `axis` from
    write_indices[b] on (0 when left out), wrapping around the cache in circular mode."""
    from .import_ops_shape import scatter_elements

    cache, update = node.input(0), node.input(1)
    shape, ushape = shape_of(cache), shape_of(update)
    axis = norm_axis(node.attr("axis", -2), len(shape))
    mode = node.attr("mode", "linear")
    if mode not in ("linear", "circular"):
        raise node.fail(f"unknown mode {mode!r}; ONNX defines 'linear' and 'circular'")
    if any(d is None for d in ushape) or shape[axis] is None:
        raise node.fail(f"TensorScatter needs the update's shape and the cache length known, got {ushape}")
    starts = node.input(2) if node.has_input(2) else np.zeros((ushape[0],), np.int32)
    batch_shape = [1] * len(ushape)
    batch_shape[0] = ushape[0]
    step_shape = [1] * len(ushape)
    step_shape[axis] = ushape[axis]
    position = ops.add(ops.reshape(ops.cast(starts, "int32"), tuple(batch_shape)),
                       np.arange(ushape[axis], dtype=np.int32).reshape(step_shape))
    if mode == "circular":
        position = ops.mod(position, np.int32(shape[axis]))
    return scatter_elements(cache, ops.broadcast_to(position, tuple(ushape)), update, axis)


@def_import("Det")
def _det(node):
    return ops.det(node.input(0))


# -- random draws -----------------------------------------------------------------------------------------------
# NOTE: draws come from symk's random ops (JAX's generator, keyed per run and node), so they follow the
# distribution but never repeat ONNX's reference numbers, which numpy's generator draws; a seed attribute seeds
# RandomUniform/RandomNormal, and the *_like ops and Bernoulli take the run's key.
def _draw_dtype(node, default: str) -> str:
    from .import_ops_tensor import onnx_dtype

    return canonical_dtype(onnx_dtype(node, node.attr("dtype")) if node.attr("dtype") else default)


@def_import("RandomUniformLike", "RandomNormalLike")
def _random_like(node):
    from ..ops import primitives

    x = node.input(0)
    dtype = _draw_dtype(node, str(x.dtype))
    base = ops.cast(x, "float32")
    if node.op_type == "RandomUniformLike":
        draw = primitives.random_uniform_like(base, minval=float(node.attr("low", 0.0)),
                                              maxval=float(node.attr("high", 1.0)))
    else:
        draw = primitives.random_normal_like(base, mean=float(node.attr("mean", 0.0)),
                                             stddev=float(node.attr("scale", 1.0)))
    return ops.cast(draw, dtype)


@def_import("RandomUniform", "RandomNormal")
def _random(node):
    from ..ops import primitives

    shape = tuple(int(d) for d in node.attr("shape"))
    seed = None if "seed" not in node.attrs else int(node.attr("seed"))
    if node.op_type == "RandomUniform":
        draw = primitives.random_uniform(shape=shape, minval=float(node.attr("low", 0.0)),
                                         maxval=float(node.attr("high", 1.0)), seed=seed)
    else:
        draw = primitives.random_normal(shape=shape, mean=float(node.attr("mean", 0.0)),
                                        stddev=float(node.attr("scale", 1.0)), seed=seed)
    return ops.cast(draw, _draw_dtype(node, "float32"))


@def_import("Bernoulli")
def _bernoulli(node):
    """1 where a uniform draw falls below the probability x, else 0."""
    from ..ops import primitives

    x = ops.cast(node.input(0), "float32")
    hits = ops.less(primitives.random_uniform_like(x, minval=0.0, maxval=1.0), x)
    return ops.cast(hits, _draw_dtype(node, str(node.input(0).dtype)))
