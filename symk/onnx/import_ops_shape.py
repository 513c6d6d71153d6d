"""ONNX import, shape and layout operators: Reshape, Transpose, Squeeze/Unsqueeze, Concat, Split, Slice,
Gather*, Expand, Tile, Pad, Shape, Size, Flatten, DepthToSpace/SpaceToDepth, Trilu, OneHot, ScatterND.

Shapes, axes, pads and starts must be known when the model is imported (symk builds static shapes);
`NodeView.static` says so by name when one is computed at run time. Opsets that moved an attribute into
an input (Reshape 5, Squeeze 13, Slice 10, Pad 11, Split 13) are read in both forms.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_registry import def_import, is_static

INT_MAX = 2 ** 62


def shape_of(value) -> tuple:
    return tuple(value.shape)


def norm_axis(axis: int, rank: int) -> int:
    return int(axis) + rank if int(axis) < 0 else int(axis)


def attr_or_input(node, attr: str, index: int, since: int):
    """A list argument that is an attribute before opset `since` and input `index` from it on."""
    if node.opset < since or (attr in node.attrs and not node.has_input(index)):
        value = node.attr(attr)
        return None if value is None else [int(v) for v in value]
    value = node.static(index)
    return None if value is None else [int(v) for v in np.asarray(value).reshape(-1)]


def _require_known(node, shape, what: str):
    if any(d is None for d in shape):
        raise node.fail(f"{what} needs every dimension known at import time, got shape {shape}; pass fixed shapes "
                        "to load_model(..., input_shapes={...})")


@def_import("Identity")
def _identity(node):
    return [node.input(0)]  # one output, also when it is a sequence (a list) or an empty optional


@def_import("Reshape")
def _reshape(node):
    x = node.input(0)
    target = node.attr("shape") if node.opset < 5 else [int(v) for v in node.static(1).reshape(-1)]
    shape = list(shape_of(x))
    if not node.attr("allowzero", 0):
        target = [shape[i] if t == 0 else t for i, t in enumerate(target)]
    target = [-1 if t is None else int(t) for t in target]
    return ops.reshape(x, tuple(target))


@def_import("Flatten")
def _flatten(node):
    x = node.input(0)
    shape = shape_of(x)
    axis = norm_axis(node.attr("axis", 1), len(shape))
    _require_known(node, shape[1:], "Flatten")
    outer = int(np.prod(shape[:axis], dtype=np.int64)) if None not in shape[:axis] else -1
    inner = int(np.prod(shape[axis:], dtype=np.int64))
    return ops.reshape(x, (outer, inner))


@def_import("Transpose")
def _transpose(node):
    x = node.input(0)
    perm = node.attr("perm")
    return ops.transpose(x, tuple(perm) if perm is not None else None)


@def_import("Squeeze")
def _squeeze(node):
    x = node.input(0)
    axes = attr_or_input(node, "axes", 1, 13)
    shape = shape_of(x)
    if axes is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    return ops.squeeze(x, axis=tuple(norm_axis(a, len(shape)) for a in axes)) if axes else x


@def_import("Unsqueeze")
def _unsqueeze(node):
    x = node.input(0)
    axes = attr_or_input(node, "axes", 1, 13)
    rank = len(shape_of(x)) + len(axes)
    out = x
    for axis in sorted(norm_axis(a, rank) for a in axes):
        out = ops.expand_dims(out, axis)
    return out


@def_import("Concat")
def _concat(node):
    values = [v for v in node.inputs if v is not None]
    values = [v for v in values if 0 not in shape_of(v)] or values[:1]  # empty pieces add nothing
    return ops.concatenate(values, axis=node.attr("axis"))


@def_import("Split")
def _split(node):
    x = node.input(0)
    shape = shape_of(x)
    axis = norm_axis(node.attr("axis", 0), len(shape))
    sizes = attr_or_input(node, "split", 1, 13)
    if sizes is None:
        count = node.attr("num_outputs", node.num_outputs)
        length = shape[axis]
        step = -(-length // count)
        sizes = [min(step, length - i * step) for i in range(count)]
    cuts = list(np.cumsum(sizes)[:-1])
    if not cuts:
        return [x]
    return list(ops.split(x, [int(c) for c in cuts], axis=axis))


def _clamp_slice(start: int, end: int, step: int, dim: int) -> slice:
    """ONNX's clamping of starts and ends (INT_MAX, negatives) as a Python slice."""
    if start < 0:
        start += dim
    if end < 0:
        end += dim
    if step > 0:
        start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        return slice(start, end, step)
    start, end = min(max(start, -1), dim - 1), min(max(end, -1), dim - 1)
    return slice(start, None if end < 0 else end, step)


@def_import("Slice")
def _slice(node):
    x = node.input(0)
    shape = shape_of(x)
    if node.opset < 10:
        starts, ends, axes, steps = node.attr("starts"), node.attr("ends"), node.attr("axes"), None
    else:
        starts, ends = [int(v) for v in node.static(1)], [int(v) for v in node.static(2)]
        axes = None if not node.has_input(3) else [int(v) for v in node.static(3)]
        steps = None if not node.has_input(4) else [int(v) for v in node.static(4)]
    axes = list(range(len(starts))) if axes is None else [norm_axis(a, len(shape)) for a in axes]
    steps = steps or [1] * len(starts)
    key = [slice(None)] * len(shape)
    for start, end, axis, step in zip(starts, ends, axes, steps):
        if shape[axis] is None:
            if start == 0 and end >= INT_MAX // 4 and step == 1:
                continue
            raise node.fail(f"slicing axis {axis} of unknown size needs fixed input shapes")
        key[axis] = _clamp_slice(int(start), int(end), int(step), shape[axis])
    return x[tuple(key)]


def positive_indices(indices, size):
    """ONNX allows negative indices (from the end); symk's take wants them in range."""
    if is_static(indices):
        return np.where(indices < 0, indices + size, indices).astype(np.int32)
    return ops.where(ops.less(indices, 0), ops.add(indices, size), indices)


@def_import("Gather")
def _gather(node):
    x, indices = node.input(0), node.input(1)
    axis = norm_axis(node.attr("axis", 0), len(shape_of(x)))
    return ops.take(x, positive_indices(indices, shape_of(x)[axis]), axis=axis)


@def_import("GatherElements")
def _gather_elements(node):
    x, indices = node.input(0), node.input(1)
    axis = norm_axis(node.attr("axis", 0), len(shape_of(x)))
    return ops.take_along_axis(x, positive_indices(indices, shape_of(x)[axis]), axis=axis)


@def_import("GatherND")
def _gather_nd(node):
    x, indices = node.input(0), node.input(1)
    batch_dims = node.attr("batch_dims", 0)
    shape, ishape = shape_of(x), shape_of(indices)
    if batch_dims:  # the batch axes folded into one, whose index leads each row of coordinates
        _require_known(node, shape[:batch_dims] + ishape[:batch_dims], "GatherND with batch_dims")
        count = int(np.prod(shape[:batch_dims], dtype=np.int64))
        flat_x = ops.reshape(x, (count,) + tuple(shape[batch_dims:]))
        rows = tuple(ishape[batch_dims:-1])
        flat_indices = ops.cast(ops.reshape(indices, (count,) + rows + (ishape[-1],)), "int32")
        batch = np.broadcast_to(np.arange(count, dtype=np.int32).reshape((count,) + (1,) * (len(rows) + 1)),
                                (count,) + rows + (1,))
        out = gather_nd(node, flat_x, ops.concatenate([batch, flat_indices], axis=-1))
        return ops.reshape(out, tuple(shape[:batch_dims]) + tuple(out.shape[1:]))
    return gather_nd(node, x, indices)


def gather_nd(node, x, indices):
    shape, ishape = shape_of(x), shape_of(indices)
    depth = ishape[-1]
    _require_known(node, shape[:depth], "GatherND")
    strides = np.cumprod((shape[1:depth] + (1,))[::-1])[::-1].astype(np.int32)
    parts = [positive_indices(ops.take(indices, np.int32(k), axis=-1) if not is_static(indices)
                              else indices[..., k], shape[k]) for k in range(depth)]
    linear = ops.multiply(parts[0], np.int32(strides[0]))
    for k in range(1, depth):
        linear = ops.add(linear, ops.multiply(parts[k], np.int32(strides[k])))
    flat = ops.reshape(x, (-1,) + tuple(shape[depth:]))
    return ops.take(flat, ops.cast(linear, "int32"), axis=0)


SCATTER_REDUCTIONS = {"none": None, "add": "add", "mul": "mul", "max": "max", "min": "min"}


def scatter_reduction(node):
    """ONNX's reduction attribute as symk.ops.scatter_update's (None: the updates replace the values)."""
    reduction = node.attr("reduction", "none")
    if reduction not in SCATTER_REDUCTIONS:
        raise node.fail(f"unknown {node.op_type} reduction {reduction!r}; ONNX defines {sorted(SCATTER_REDUCTIONS)}")
    return SCATTER_REDUCTIONS[reduction]


@def_import("ScatterND")
def _scatter_nd(node):
    data, indices, updates = node.input(0), node.input(1), node.input(2)
    depth = shape_of(indices)[-1]
    flat_indices = ops.reshape(indices, (-1, depth))
    flat_updates = ops.reshape(updates, (-1,) + tuple(shape_of(data)[depth:]))
    return ops.scatter_update(data, flat_indices, flat_updates, reduction=scatter_reduction(node))


@def_import("ScatterElements", "Scatter")  # Scatter: the name before opset 11, without reduction
def _scatter_elements(node):
    data, indices, updates = node.input(0), node.input(1), node.input(2)
    axis = norm_axis(node.attr("axis", 0), len(shape_of(indices)))
    return scatter_elements(data, positive_indices(indices, shape_of(data)[axis]), updates, axis,
                            scatter_reduction(node))


def scatter_elements(data, indices, updates, axis: int, reduction=None):
    """data with each update written at its own position, but at `indices` along `axis` (ONNX's
    ScatterElements; indices already in range)."""
    shape = shape_of(indices)
    # full coordinates: the index along `axis`, the element's own position along the others
    grids = np.indices(shape).astype(np.int32)
    coords = [ops.cast(indices, "int32") if a == axis else grids[a] for a in range(len(shape))]
    full = ops.stack([ops.broadcast_to(c, shape) for c in coords], axis=-1)
    return ops.scatter_update(data, ops.reshape(full, (-1, len(shape))), ops.reshape(updates, (-1,)),
                              reduction=reduction)


@def_import("Expand")
def _expand(node):
    x = node.input(0)
    target = [int(v) for v in node.static(1)]
    shape = list(shape_of(x))
    rank = max(len(shape), len(target))
    shape, target = [1] * (rank - len(shape)) + shape, [1] * (rank - len(target)) + target
    out = tuple(s if t == 1 else t for s, t in zip(shape, target))
    return ops.broadcast_to(ops.reshape(x, tuple(shape)), out)


@def_import("Tile")
def _tile(node):
    return ops.tile(node.input(0), tuple(int(v) for v in node.static(1)))


@def_import("Pad")
def _pad(node):
    x = node.input(0)
    rank = len(shape_of(x))
    mode = node.attr("mode", "constant")
    if node.opset < 11:
        pads, value, axes = node.attr("pads"), node.attr("value", 0.0), None
    else:
        pads = [int(v) for v in node.static(1)]
        value = node.static(2)
        value = 0 if value is None or np.asarray(value).size == 0 else np.asarray(value).reshape(-1)[0].item()
        axes = None if not node.has_input(3) else [norm_axis(a, rank) for a in node.static(3)]
    axes = axes if axes is not None else list(range(rank))
    n = len(axes)
    width = [[0, 0] for _ in range(rank)]
    for i, axis in enumerate(axes):
        width[axis] = [int(pads[i]), int(pads[i + n])]
    return pad_or_crop(x, width, {"edge": "edge", "reflect": "reflect", "wrap": "wrap"}.get(mode, "constant"), value)


def pad_or_crop(x, width, mode="constant", value=0):
    """Pad with non-negative widths; negative widths crop (ONNX allows both)."""
    key = tuple(slice(-b if b < 0 else None, e if e < 0 else None) for b, e in width)
    if any(b < 0 or e < 0 for b, e in width):
        x = x[key]
    grow = tuple((max(b, 0), max(e, 0)) for b, e in width)
    if not any(b or e for b, e in grow):
        return x
    if mode == "constant":
        return ops.pad(x, grow, mode="constant", constant_values=value)
    return ops.pad(x, grow, mode={"edge": "edge", "reflect": "reflect", "wrap": "wrap"}[mode])


@def_import("Shape")
def _shape(node):
    shape = shape_of(node.input(0))
    start, end = node.attr("start", 0), node.attr("end", None)
    part = shape[slice(start, end)]
    _require_known(node, part, "Shape")
    return np.asarray(part, dtype=np.int64)


@def_import("Size")
def _size(node):
    shape = shape_of(node.input(0))
    _require_known(node, shape, "Size")
    return np.asarray(int(np.prod(shape, dtype=np.int64)), dtype=np.int64)


def _depth_space(x, block, mode, to_space: bool):
    n, c, h, w = shape_of(x)
    if to_space:
        if mode == "DCR":
            y = ops.reshape(x, (n, block, block, c // block ** 2, h, w))
            y = ops.transpose(y, (0, 3, 4, 1, 5, 2))
        else:
            y = ops.reshape(x, (n, c // block ** 2, block, block, h, w))
            y = ops.transpose(y, (0, 1, 4, 2, 5, 3))
        return ops.reshape(y, (n, c // block ** 2, h * block, w * block))
    y = ops.reshape(x, (n, c, h // block, block, w // block, block))
    # DCR: the block offsets lead the new channel index; CRD: the old channel does
    y = ops.transpose(y, (0, 3, 5, 1, 2, 4) if mode == "DCR" else (0, 1, 3, 5, 2, 4))
    return ops.reshape(y, (n, c * block ** 2, h // block, w // block))


@def_import("DepthToSpace")
def _depth_to_space(node):
    return _depth_space(node.input(0), node.attr("blocksize"), node.attr("mode", "DCR"), True)


@def_import("SpaceToDepth")
def _space_to_depth(node):
    return _depth_space(node.input(0), node.attr("blocksize"), node.attr("mode", "DCR"), False)


@def_import("Trilu")
def _trilu(node):
    x = node.input(0)
    k = int(node.static(1, np.asarray(0)).reshape(-1)[0]) if node.has_input(1) else 0
    return ops.triu(x, k) if node.attr("upper", 1) else ops.tril(x, k)


@def_import("OneHot")
def _one_hot(node):
    indices, values = node.input(0), node.input(2)
    depth = int(np.asarray(node.static(1)).reshape(-1)[0])
    indices = positive_indices(ops.cast(indices, "int32") if not is_static(indices) else indices.astype(np.int64),
                               depth)
    hot = ops.one_hot(ops.cast(indices, "int32"), depth, axis=node.attr("axis", -1), dtype="bool")
    off, on = ops.take(values, np.int32(0)), ops.take(values, np.int32(1))
    return ops.where(hot, on, off)
