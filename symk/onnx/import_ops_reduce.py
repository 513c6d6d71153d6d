"""ONNX import, reductions and axis-wise selections: Reduce*, ArgMax/ArgMin, CumSum, TopK.

Reduce axes are an attribute up to opset 17 (ReduceSum: 12) and an input after; an empty axes list reduces
everything unless noop_with_empty_axes says to return the input unchanged.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import norm_axis, shape_of
from .import_registry import def_import, is_static

AXES_BECOME_INPUT = 18   # ReduceSum's moved at 13


def _reduce(kind):
    def mapping(node):
        x = node.input(0)
        rank = len(shape_of(x))
        since = 13 if node.op_type == "ReduceSum" else AXES_BECOME_INPUT
        if node.opset >= since:
            axes = node.static(1)
            axes = None if axes is None or np.asarray(axes).size == 0 else [int(a) for a in np.asarray(axes).reshape(-1)]
        else:
            axes = node.attr("axes")
        if axes is None:
            if node.attr("noop_with_empty_axes", 0):
                return x
            axes = list(range(rank))
        axes = tuple(sorted(norm_axis(a, rank) for a in axes))
        keep = bool(node.attr("keepdims", 1))
        if kind in EMPTY_IDENTITY and any(shape_of(x)[a] == 0 for a in axes):
            return empty_reduction(x, axes, keep, EMPTY_IDENTITY[kind])
        return REDUCERS[kind](x, axes, keep)
    return mapping


# NOTE: max and min have no identity in numpy or XLA, so an empty reduction fails there; ONNX defines the
# result as the type's lowest (max, log-sum-exp) or highest (min) value.
EMPTY_IDENTITY = {"ReduceMax": "lowest", "ReduceMin": "highest", "ReduceLogSumExp": "lowest"}


def empty_reduction(x, axes, keep, which: str):
    """The result of reducing over an empty axis: a constant of the reduced shape, known at import time."""
    shape = shape_of(x)
    if any(d is None for i, d in enumerate(shape) if i not in axes):
        raise ValueError(f"reducing an empty axis of shape {shape} needs the other dimensions known")
    out = tuple(1 if i in axes else d for i, d in enumerate(shape)) if keep else \
        tuple(d for i, d in enumerate(shape) if i not in axes)
    dtype = np.dtype(str(x.dtype))
    if dtype == np.bool_:
        value = which == "highest"
    elif dtype.kind == "f" or "float" in dtype.name:  # bfloat16's kind is "V"
        value = -np.inf if which == "lowest" else np.inf
    else:
        info = np.iinfo(dtype)
        value = info.min if which == "lowest" else info.max
    return np.full(out, value, dtype=dtype)


def _log_sum_exp(x, axes, keep):
    big = ops.max(x, axis=axes, keepdims=True)
    big = ops.where(ops.isfinite(big), big, ops.zeros_like(big))
    out = ops.add(ops.log(ops.sum(ops.exp(ops.subtract(x, big)), axis=axes, keepdims=True)), big)
    return out if keep else ops.squeeze(out, axis=axes)


REDUCERS = {
    "ReduceSum": lambda x, a, k: ops.sum(x, axis=a, keepdims=k),
    "ReduceMean": lambda x, a, k: ops.mean(x, axis=a, keepdims=k),
    "ReduceMax": lambda x, a, k: ops.max(x, axis=a, keepdims=k),
    "ReduceMin": lambda x, a, k: ops.min(x, axis=a, keepdims=k),
    "ReduceProd": lambda x, a, k: ops.prod(x, axis=a, keepdims=k),
    "ReduceL1": lambda x, a, k: ops.sum(ops.abs(x), axis=a, keepdims=k),
    "ReduceL2": lambda x, a, k: ops.cast(ops.sqrt(ops.sum(ops.square(x), axis=a, keepdims=k)), str(x.dtype)),
    "ReduceSumSquare": lambda x, a, k: ops.sum(ops.square(x), axis=a, keepdims=k),
    "ReduceLogSum": lambda x, a, k: ops.log(ops.sum(x, axis=a, keepdims=k)),
    "ReduceLogSumExp": _log_sum_exp,
}
for _name in REDUCERS:
    def_import(_name)(_reduce(_name))


def _arg(fn):
    def mapping(node):
        x = node.input(0)
        rank = len(shape_of(x))
        axis = norm_axis(node.attr("axis", 0), rank)
        keep = bool(node.attr("keepdims", 1))
        if node.attr("select_last_index", 0):
            size = shape_of(x)[axis]
            flipped = fn(ops.flip(x, axis=axis), axis=axis, keepdims=keep)
            return ops.subtract(np.int32(size - 1), flipped)
        return fn(x, axis=axis, keepdims=keep)
    return mapping


def_import("ArgMax")(_arg(ops.argmax))
def_import("ArgMin")(_arg(ops.argmin))


def _cumulative(fn):
    def mapping(node):
        x = node.input(0)
        axis = norm_axis(int(np.asarray(node.static(1)).reshape(-1)[0]), len(shape_of(x)))
        if node.attr("reverse", 0):
            x = ops.flip(x, axis=axis)
        out = fn(x, axis=axis)
        if node.attr("exclusive", 0):
            neutral = 0 if fn is ops.cumsum else 1
            width = [[0, 0] for _ in shape_of(x)]
            width[axis] = [1, 0]
            out = ops.pad(out, tuple(tuple(p) for p in width), constant_values=neutral)
            key = [slice(None)] * len(shape_of(x))
            key[axis] = slice(0, shape_of(x)[axis])
            out = out[tuple(key)]
        if node.attr("reverse", 0):
            out = ops.flip(out, axis=axis)
        return ops.cast(out, str(node.input(0).dtype))
    return mapping


def_import("CumSum")(_cumulative(ops.cumsum))
def_import("CumProd")(_cumulative(ops.cumprod))


@def_import("TopK")
def _top_k(node):
    x = node.input(0)
    k = int(np.asarray(node.static(1)).reshape(-1)[0]) if node.opset >= 10 else node.attr("k")
    rank = len(shape_of(x))
    axis = norm_axis(node.attr("axis", -1), rank)
    largest = node.attr("largest", 1)
    moved = ops.moveaxis(x, axis, -1) if axis != rank - 1 else x
    if largest:
        values, indices = ops.top_k(moved, k)
    else:  # smallest first: the stable order of ascending sort, ties by lower index
        indices = ops.argsort(moved, axis=-1)[..., :k]
        values = ops.take_along_axis(moved, indices, axis=-1)
    if axis != rank - 1:
        values, indices = ops.moveaxis(values, -1, axis), ops.moveaxis(indices, -1, axis)
    return [values, indices]
