"""Array manipulation: reshape, transpose, concatenate, stack, split, indexing, gather,
expand_dims, squeeze, tile, repeat, pad, one_hot, broadcast_to."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axes, normalize_axis
from .elementwise import result_dtype
from .api import export_op
from .registry import MULTI_OUTPUT, def_op


def _known_product(dims):
    return math.prod(d for d in dims) if all(d is not None for d in dims) else None


def reshape_rule(specs, attrs):
    shape_in = specs[0].shape
    target = tuple(attrs.shape)
    if sum(1 for d in target if d == -1) > 1:
        raise RuleViolation(f"at most one -1 is allowed in the target shape, got {target}", "give the other sizes")
    if any(d is not None and d < -1 for d in target):
        raise RuleViolation(f"negative size in target shape {target}", "sizes must be >= 0 or -1")
    total_in = _known_product(shape_in)
    known_out = math.prod(d for d in target if d not in (-1, None))
    if -1 in target:
        if total_in is not None:
            if known_out == 0 or total_in % known_out:
                raise RuleViolation(
                    f"cannot reshape {total_in} elements into {target}",
                    "make the product of the target sizes divide the input's size")
            fill = total_in // known_out
        else:
            # unknown dims (the batch) land in the -1 slot when the known sizes match up
            known_in = _known_product([d for d in shape_in if d is not None])
            fill = None
            if known_in % known_out and known_out % known_in:
                raise RuleViolation(f"cannot reshape {tuple(shape_in)} into {target}",
                                    "make the target's known sizes divide the input's")
        out = tuple(fill if d == -1 else d for d in target)
    else:
        out = target
        if total_in is not None and total_in != _known_product(out):
            raise RuleViolation(f"cannot reshape {total_in} elements into {target} ({_known_product(out)} elements)",
                                "make the element counts equal, or use -1 for one axis")
    return TensorSpec.of(out, specs[0].dtype)


def_op("reshape", reshape_rule, lambda x, shape: jnp.reshape(x, shape), attrs=dict(shape=()))


def transpose_rule(specs, attrs):
    shape = specs[0].shape
    axes = tuple(reversed(range(len(shape)))) if attrs.axes is None else attrs.axes
    if sorted(normalize_axes(axes, len(shape))) != list(range(len(shape))):
        raise RuleViolation(f"axes {axes} are not a permutation of the {len(shape)} axes", "list every axis once")
    return TensorSpec.of([shape[a] for a in normalize_axes(axes, len(shape))], specs[0].dtype)


def_op("transpose", transpose_rule, lambda x, axes: jnp.transpose(x, axes), attrs=dict(axes=None))


def concatenate_rule(specs, attrs):
    if not specs:
        raise RuleViolation("concatenate needs at least one input", "pass a list of tensors")
    ranks = {len(s.shape) for s in specs}
    if len(ranks) != 1:
        raise RuleViolation("all inputs must have the same rank", "expand_dims or reshape the odd one out")
    rank = ranks.pop()
    axis = normalize_axis(attrs.axis, rank)
    out = []
    for i in range(rank):
        dims = [s.shape[i] for s in specs]
        if i == axis:
            out.append(None if None in dims else sum(dims))
            continue
        known = {d for d in dims if d is not None}
        if len(known) > 1:
            raise RuleViolation(
                f"all axes except the concatenation axis ({attrs.axis}) must match; axis {i} has sizes {dims}",
                "concatenate along the axis that differs, or reshape the inputs")
        out.append(known.pop() if known else None)
    return TensorSpec.of(out, result_dtype(specs))


def_op("concatenate", concatenate_rule, lambda *xs, axis: jnp.concatenate(xs, axis=axis), attrs=dict(axis=-1),
       inputs=None)


def stack_rule(specs, attrs):
    if not specs:
        raise RuleViolation("stack needs at least one input", "pass a list of tensors")
    first = specs[0].shape
    for s in specs[1:]:
        if len(s.shape) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(first, s.shape)):
            raise RuleViolation("all inputs to stack must have the same shape", "reshape them to one shape")
    axis = normalize_axis(attrs.axis, len(first) + 1)
    merged = [next((s.shape[i] for s in specs if s.shape[i] is not None), None) for i in range(len(first))]
    return TensorSpec.of(merged[:axis] + [len(specs)] + merged[axis:], result_dtype(specs))


def_op("stack", stack_rule, lambda *xs, axis: jnp.stack(xs, axis=axis), attrs=dict(axis=0), inputs=None)


def split_rule(specs, attrs):
    shape = specs[0].shape
    axis = normalize_axis(attrs.axis, len(shape))
    n = shape[axis]
    if isinstance(attrs.indices_or_sections, int):
        k = attrs.indices_or_sections
        if k < 1 or (n is not None and n % k):
            raise RuleViolation(f"axis {axis} of size {n} does not split into {k} equal parts",
                                "pass split points instead, or a divisor of the size")
        sizes = [None if n is None else n // k] * k
    else:
        if n is None:
            raise RuleViolation("split points need a known axis size", "split along a known axis")
        points = [p + n if p < 0 else p for p in attrs.indices_or_sections]
        if any(p > n for p in points) or points != sorted(points):
            raise RuleViolation(f"split points {attrs.indices_or_sections} must be increasing and within the axis "
                                f"size {n}", "pass sorted points between 0 and the axis size")
        points = [0] + points + [n]
        sizes = [b - a for a, b in zip(points[:-1], points[1:])]
    return tuple(TensorSpec.of(shape[:axis] + (s,) + shape[axis + 1:], specs[0].dtype) for s in sizes)


def_op("split", split_rule, lambda x, indices_or_sections, axis: tuple(jnp.split(x, indices_or_sections, axis=axis)),
       attrs=dict(indices_or_sections=2, axis=0))
MULTI_OUTPUT.add("split")


# -- indexing ------------------------------------------------------------------------
def encode_index(key) -> tuple:
    """A Python index as a hashable tuple of ('slice', a, b, c) / ('int', i) / ('newaxis',) / ('ellipsis',)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, slice):
            out.append(("slice", k.start, k.stop, k.step))
        elif k is None:
            out.append(("newaxis",))
        elif k is Ellipsis:
            out.append(("ellipsis",))
        elif isinstance(k, (int, np.integer)):
            out.append(("int", int(k)))
        else:
            raise TypeError(f"unsupported index {k!r}; use ints, slices, None and ..., or ops.take for tensors")
    return tuple(out)


def decode_index(key: tuple):
    items = []
    for k in key:
        kind = k[0]
        items.append(slice(*k[1:]) if kind == "slice" else None if kind == "newaxis" else
                     Ellipsis if kind == "ellipsis" else k[1])
    return tuple(items)


def getitem_rule(specs, attrs):
    shape = list(specs[0].shape)
    key = list(attrs.key)
    n_consuming = sum(1 for k in key if k[0] in ("slice", "int"))
    if n_consuming > len(shape):
        raise RuleViolation(f"too many indices ({n_consuming}) for a tensor of rank {len(shape)}", "index fewer axes")
    if ("ellipsis",) in key:
        i = key.index(("ellipsis",))
        key[i:i + 1] = [("slice", None, None, None)] * (len(shape) - n_consuming)
    key += [("slice", None, None, None)] * (len(shape) - sum(1 for k in key if k[0] in ("slice", "int")))
    out, axis = [], 0
    for k in key:
        if k[0] == "newaxis":
            out.append(1)
            continue
        dim = shape[axis]
        axis += 1
        if k[0] == "int":
            if dim is not None and not -dim <= k[1] < dim:
                raise RuleViolation(f"index {k[1]} is out of bounds for axis {axis - 1} of size {dim}",
                                    "index within the axis")
            continue
        start, stop, step = k[1:]
        if step == 0:
            raise RuleViolation("slice step cannot be zero", "use a nonzero step")
        if dim is None:
            same_sign = start is not None and stop is not None and (start >= 0) == (stop >= 0)
            out.append(max(0, stop - start) if same_sign and step in (None, 1) else None)
            continue
        out.append(len(range(dim)[slice(start, stop, step)]))
    return TensorSpec.of(out, specs[0].dtype)


def_op("getitem", getitem_rule, lambda x, key: x[decode_index(key)], attrs=dict(key=()))


def take_rule(specs, attrs):
    x, idx = specs
    if "int" not in idx.dtype:
        raise RuleViolation(f"indices must be integers, got {idx.dtype}", "cast the indices to int32")
    if attrs.axis is None:
        return TensorSpec.of(idx.shape, x.dtype)
    axis = normalize_axis(attrs.axis, len(x.shape))
    return TensorSpec.of(x.shape[:axis] + idx.shape + x.shape[axis + 1:], x.dtype)


def_op("take", take_rule, lambda x, idx, axis: jnp.take(x, idx, axis=axis, mode="clip"), attrs=dict(axis=0), inputs=2)


def expand_dims_rule(specs, attrs):
    shape = list(specs[0].shape)
    axes = attrs.axis if isinstance(attrs.axis, tuple) else (attrs.axis,)
    rank = len(shape) + len(axes)
    for a in sorted(normalize_axes(axes, rank)):
        shape.insert(a, 1)
    return TensorSpec.of(shape, specs[0].dtype)


def_op("expand_dims", expand_dims_rule, lambda x, axis: jnp.expand_dims(x, axis), attrs=dict(axis=-1))


def squeeze_rule(specs, attrs):
    shape = specs[0].shape
    if attrs.axis is None:
        if None in shape:  # an unknown size may or may not be 1: the output rank would be unknown
            raise RuleViolation(f"squeeze without an axis needs every size known, got {tuple(shape)}",
                                "name the axes to squeeze, e.g. axis=-1")
        axes = [i for i, d in enumerate(shape) if d == 1]
    else:
        axes = normalize_axes(attrs.axis, len(shape))
        for a in axes:
            if shape[a] not in (1, None):
                raise RuleViolation(f"cannot squeeze axis {a} of size {shape[a]}", "squeeze only axes of size 1")
    return TensorSpec.of([d for i, d in enumerate(shape) if i not in axes], specs[0].dtype)


def _squeeze(x, axis):
    if axis is None:
        return jnp.squeeze(x)
    return jnp.squeeze(x, axis)


def_op("squeeze", squeeze_rule, _squeeze, attrs=dict(axis=None))


def tile_rule(specs, attrs):
    shape = specs[0].shape
    reps = tuple(attrs.repeats)
    rank = max(len(shape), len(reps))
    shape = (1,) * (rank - len(shape)) + tuple(shape)
    reps = (1,) * (rank - len(reps)) + reps
    return TensorSpec.of([None if d is None else d * r for d, r in zip(shape, reps)], specs[0].dtype)


def_op("tile", tile_rule, lambda x, repeats: jnp.tile(x, repeats), attrs=dict(repeats=(1,)))


def repeat_rule(specs, attrs):
    """`repeats` is one count for every element, or a tuple of counts (one per element, or one for all)."""
    shape = specs[0].shape
    counts = attrs.repeats
    if attrs.axis is None:
        length = shape.num_elements()
    else:
        axis = normalize_axis(attrs.axis, len(shape))
        length = shape[axis]
    if isinstance(counts, tuple):
        if any(c < 0 for c in counts):
            raise RuleViolation(f"repeat counts must be non-negative, got {counts}", "pass counts >= 0")
        if len(counts) != 1 and length is not None and len(counts) != length:
            raise RuleViolation(f"{len(counts)} repeat counts for {length} elements along the axis",
                                "pass one count per element, or a single count")
        if len(counts) == 1:
            counts = counts[0]
        else:
            length, counts = sum(counts), 1
    out_length = None if length is None else length * counts
    if attrs.axis is None:
        return TensorSpec.of((out_length,), specs[0].dtype)
    return TensorSpec.of(shape[:axis] + (out_length,) + shape[axis + 1:], specs[0].dtype)


def _repeat(x, repeats, axis):
    # NOTE: a tuple of counts goes to jnp as a numpy array: concrete, so the output size is known under jit
    return jnp.repeat(x, np.asarray(repeats) if isinstance(repeats, tuple) else repeats, axis=axis)


def_op("repeat", repeat_rule, _repeat, attrs=dict(repeats=1, axis=None))


def pad_rule(specs, attrs):
    shape = specs[0].shape
    widths = tuple(attrs.pad_width)
    if len(widths) != len(shape) or any(len(w) != 2 or min(w) < 0 for w in widths):
        raise RuleViolation(f"pad_width {widths} needs one non-negative (before, after) pair per axis ({len(shape)})",
                            "e.g. ((0, 0), (1, 1)) for a rank-2 tensor")
    return TensorSpec.of([None if d is None else d + a + b for d, (a, b) in zip(shape, widths)], specs[0].dtype)


def _pad(x, pad_width, mode, constant_values):
    if x.ndim == 0:  # NOTE: jnp.pad refuses the (empty) pad_width of a scalar; padding it is a no-op
        return x
    if mode == "constant":
        return jnp.pad(x, pad_width, mode="constant", constant_values=constant_values)
    return jnp.pad(x, pad_width, mode=mode)


def_op("pad", pad_rule, _pad, attrs=dict(pad_width=(), mode="constant", constant_values=0))


def one_hot_rule(specs, attrs):
    if "int" not in specs[0].dtype:
        raise RuleViolation(f"one_hot needs integer class indices, got {specs[0].dtype}", "cast the labels to int32")
    return TensorSpec.of(tuple(specs[0].shape) + (attrs.num_classes,), attrs.dtype)


def_op("one_hot", one_hot_rule, lambda x, num_classes, dtype: jax.nn.one_hot(x, num_classes, dtype=dtype),
       attrs=dict(num_classes=2, dtype="float32"))


def broadcast_to_rule(specs, attrs):
    from ..shapes import broadcast_shapes

    target = tuple(attrs.shape)
    out = broadcast_shapes(specs[0].shape, target)
    if tuple(out) != target:
        raise RuleViolation(f"cannot broadcast {tuple(specs[0].shape)} to {target}", "check the target shape")
    return TensorSpec.of(target, specs[0].dtype)


def_op("broadcast_to", broadcast_to_rule, lambda x, shape: jnp.broadcast_to(x, shape), attrs=dict(shape=()))


def dim_size_rule(specs, attrs):
    normalize_axis(attrs.axis, len(specs[0].shape))
    return TensorSpec.of((), "int32")


def_op("dim_size", dim_size_rule, lambda x, axis: jnp.asarray(x.shape[axis], jnp.int32), attrs=dict(axis=0),
       doc="The run-time size of one axis (the batch size, when it is unknown while building).")

# -- Keras names (symk/ops/api.py) ------------------------------------------------------
export_op("numpy", "squeeze")
export_op("numpy", "transpose")
