"""ONNX forms of the array and reduction ops (symk/ops/array.py, reduce.py): reshape, transpose,
concatenate, slicing, gather, padding, repeat and the axis reductions. Sizes that may be dynamic (the
batch) are read at run time with Shape, so the exported graph keeps its dynamic batch axis."""
from __future__ import annotations

import numpy as np

from .registry import def_onnx

INT64_MAX = np.iinfo(np.int64).max


def _axes(axis, rank: int) -> list:
    if axis is None:
        return list(range(rank))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return sorted(a % rank for a in axes)


@def_onnx("reshape")
def _reshape(ctx, node):
    target = [d if d is not None else -1 for d in node.attrs.shape]
    out = node.out_specs[0].shape
    # a known output shape with only the batch unknown: -1 there, the rest literal
    if out and all(d is not None for d in out[1:]) and out[0] is None and target.count(-1) <= 1:
        target = [-1] + list(out[1:])
    if target.count(-1) > 1:
        raise node.fail(f"target shape {node.attrs.shape} has several unknown sizes", "reshape with known sizes")
    return ctx.op("Reshape", [node.inputs[0], ctx.ints(target)])


@def_onnx("transpose")
def _transpose(ctx, node):
    rank = len(node.in_specs[0].shape)
    axes = node.attrs.axes if node.attrs.axes is not None else tuple(reversed(range(rank)))
    return ctx.transpose(node.inputs[0], [a % rank for a in axes])


@def_onnx("concatenate")
def _concatenate(ctx, node):
    dtype = node.out_specs[0].dtype
    xs = [x if s.dtype == dtype else ctx.cast(x, dtype) for x, s in zip(node.inputs, node.in_specs)]
    return ctx.op("Concat", xs, axis=node.attrs.axis % len(node.out_specs[0].shape))


@def_onnx("expand_dims")
def _expand_dims(ctx, node):
    rank = len(node.out_specs[0].shape)
    axes = node.attrs.axis if isinstance(node.attrs.axis, tuple) else (node.attrs.axis,)
    return ctx.op("Unsqueeze", [node.inputs[0], ctx.ints(sorted(a % rank for a in axes))])


@def_onnx("squeeze")
def _squeeze(ctx, node):
    rank = len(node.in_specs[0].shape)
    axis = node.attrs.axis
    axes = [i for i, d in enumerate(node.in_specs[0].shape) if d == 1] if axis is None else _axes(axis, rank)
    return ctx.op("Squeeze", [node.inputs[0], ctx.ints(axes)])


@def_onnx("getitem")
def _getitem(ctx, node):
    """Slices become one Slice, integer indices a Squeeze after it, newaxis an Unsqueeze."""
    key = list(node.attrs.key)
    rank = len(node.in_specs[0].shape)
    consuming = sum(1 for k in key if k[0] in ("slice", "int"))
    if ("ellipsis",) in key:
        i = key.index(("ellipsis",))
        key[i:i + 1] = [("slice", None, None, None)] * (rank - consuming)
    starts, ends, steps, axes, squeeze, newaxes = [], [], [], [], [], []
    axis = out_axis = 0
    for k in key:
        if k[0] == "newaxis":
            newaxes.append(out_axis)
            out_axis += 1
            continue
        if k[0] == "int":
            index = k[1]
            starts.append(index), ends.append(index + 1 if index != -1 else INT64_MAX), steps.append(1)
            axes.append(axis), squeeze.append(axis)
        else:
            start, stop, step = k[1:]
            step = 1 if step is None else step
            if (start, stop, step) != (None, None, 1):
                default_start, default_stop = (0, INT64_MAX) if step > 0 else (-1, -INT64_MAX)
                starts.append(default_start if start is None else start)
                ends.append(default_stop if stop is None else stop)
                steps.append(step), axes.append(axis)
            out_axis += 1
        axis += 1
    x = node.inputs[0]
    if axes:
        x = ctx.op("Slice", [x, ctx.ints(starts), ctx.ints(ends), ctx.ints(axes), ctx.ints(steps)])
    if squeeze:
        x = ctx.op("Squeeze", [x, ctx.ints(squeeze)])
    if newaxes:
        x = ctx.op("Unsqueeze", [x, ctx.ints(newaxes)])
    return x if x != node.inputs[0] else ctx.op("Identity", [x])


@def_onnx("take")
def _take(ctx, node):
    # NOTE: symk's take clips out-of-range indices; ONNX Gather requires them in range, as valid inputs are
    data, indices = node.inputs
    rank = len(node.in_specs[0].shape)
    return ctx.op("Gather", [data, indices], axis=node.attrs.axis % rank)


@def_onnx("pad")
def _pad(ctx, node):
    if node.attrs.mode not in ("constant", "reflect", "edge"):
        raise node.fail(f"pad mode {node.attrs.mode!r} has no ONNX form", "use 'constant', 'reflect' or 'edge'")
    widths = node.attrs.pad_width
    pads = [w[0] for w in widths] + [w[1] for w in widths]
    value = ctx.const(np.asarray(node.attrs.constant_values, node.out_specs[0].dtype))
    return ctx.op("Pad", [node.inputs[0], ctx.ints(pads), value], mode=node.attrs.mode)


@def_onnx("repeat")
def _repeat(ctx, node):
    """jnp.repeat with one count along a known axis: insert an axis, Tile it, merge it back."""
    repeats, axis = node.attrs.repeats, node.attrs.axis
    if isinstance(repeats, tuple):
        if len(repeats) != 1:
            raise node.fail("per-element repeat counts have no ONNX form here", "use one repeat count")
        repeats = repeats[0]
    x, shape = node.inputs[0], node.in_specs[0].shape
    if axis is None:
        x, shape, axis = ctx.reshape(x, [-1]), (None,), 0
    axis %= len(shape)
    expanded = ctx.op("Unsqueeze", [x, ctx.ints([axis + 1])])
    tiles = [1] * (len(shape) + 1)
    tiles[axis + 1] = repeats
    tiled = ctx.op("Tile", [expanded, ctx.ints(tiles)])
    out = node.out_specs[0].shape
    if sum(d is None for d in out) <= 1:
        return ctx.reshape(tiled, [-1 if d is None else d for d in out])
    # several unknown sizes: read them at run time
    dims = ctx.shape_of(x)
    before = ctx.op("Slice", [dims, ctx.ints([0]), ctx.ints([axis]), ctx.ints([0])])
    after = ctx.op("Slice", [dims, ctx.ints([axis + 1]), ctx.ints([INT64_MAX]), ctx.ints([0])])
    return ctx.reshape(tiled, ctx.op("Concat", [before, ctx.ints([-1]), after], axis=0))


REDUCE = {"sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax", "min": "ReduceMin", "prod": "ReduceProd"}


def _reduction(onnx_type: str):
    def emit(ctx, node):
        rank = len(node.in_specs[0].shape)
        x = node.inputs[0]
        if node.in_specs[0].dtype != node.out_specs[0].dtype:
            x = ctx.cast(x, node.out_specs[0].dtype)
        return ctx.op(onnx_type, [x, ctx.ints(_axes(node.attrs.axis, rank))], keepdims=int(bool(node.attrs.keepdims)))
    return emit


for _name, _type in REDUCE.items():
    def_onnx(_name, _reduction(_type))


@def_onnx("split")
def _split(ctx, node):
    """jnp.split: sections or split points, as the rule sized the parts (the output specs)."""
    rank = len(node.in_specs[0].shape)
    axis = node.attrs.axis % rank
    sizes = [s.shape[axis] for s in node.out_specs]
    if any(d is None for d in sizes):
        if not isinstance(node.attrs.indices_or_sections, int):
            raise node.fail("split points along an axis of unknown size", "split along a known axis")
        return ctx.op("Split", [node.inputs[0]], outputs=len(sizes), axis=axis, num_outputs=len(sizes))
    return ctx.op("Split", [node.inputs[0], ctx.ints(sizes)], outputs=len(sizes), axis=axis)


@def_onnx("full_like")
def _full_like(ctx, node):
    """The fill value broadcast to x's run-time shape, in the output dtype."""
    x, fill = node.inputs
    dtype = node.out_specs[0].dtype
    fill = fill if node.in_specs[1].dtype == dtype else ctx.cast(fill, dtype)
    return ctx.op("Expand", [fill, ctx.shape_of(x)])
