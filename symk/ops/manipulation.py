"""Shape manipulation with Keras's signatures: reshape, ravel, broadcast_to, expand_dims, flips, roll, rot90,
moveaxis, swapaxes, tile, repeat, pad, ndim and size.

Most are Keras-signature functions over the ops of array.py (reshape, transpose, tile, pad, ...); flip
and roll are declared here.

    >>> symk.ops.moveaxis(x, 0, -1)       # a transpose node
    >>> symk.ops.pad(x, 1)                # one pixel on every side of every axis
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import normalize_axes, normalize_axis
from .api import keras_export
from .dynamic_shape import broadcast_with_sizes, is_dynamic, reshape_with_sizes
from .registry import apply, def_op, spec_of
from .shape_args import is_python_scalar, static_axes, static_int, static_ints


def _axes(function: str, axes, rank: int) -> tuple:
    """Axes normalised to [0, rank), as a ValueError naming the function when out of range or repeated."""
    try:
        return normalize_axes(axes, rank)
    except RuleViolation as err:
        raise ValueError(f"{function}: {err.rule} ({err.hint})") from None


# -- ops ------------------------------------------------------------------------------
def flip_rule(specs, attrs):
    normalize_axes(attrs.axis, len(specs[0].shape))
    return specs[0]


def roll_rule(specs, attrs):
    if attrs.axis is None:  # the flattened tensor rolls, then takes its shape back
        return specs[0]
    rank = len(specs[0].shape)
    axes = attrs.axis if isinstance(attrs.axis, tuple) else (attrs.axis,)
    shifts = attrs.shift if isinstance(attrs.shift, tuple) else (attrs.shift,)
    for a in axes:
        normalize_axis(a, rank)
    if len(shifts) != len(axes) and 1 not in (len(shifts), len(axes)):
        raise RuleViolation(f"{len(shifts)} shifts for {len(axes)} axes", "pass one shift per axis, or one for all")
    return specs[0]


def_op("flip", flip_rule, lambda x, axis: jnp.flip(x, axis), attrs=dict(axis=None),
       doc="x reversed along the given axes (all of them for None).")
def_op("roll", roll_rule, lambda x, shift, axis: jnp.roll(x, shift, axis), attrs=dict(shift=0, axis=None),
       doc="Elements shifted cyclically along the axes (along the flattened tensor for axis=None).")


# -- reshaping ------------------------------------------------------------------------
@keras_export("numpy")
def reshape(x, newshape):
    """x with shape `newshape`: ints (one may be -1), or run-time sizes from ops.shape(...)."""
    if is_dynamic(newshape):
        return reshape_with_sizes(x, newshape)
    return apply("reshape", [x], shape=static_ints("reshape", "newshape", newshape))


@keras_export("numpy")
def ravel(x):
    return apply("reshape", [x], shape=(-1,))


@keras_export("numpy")
def broadcast_to(x, shape):
    if is_dynamic(shape):
        return broadcast_with_sizes(x, shape)
    return apply("broadcast_to", [x], shape=static_ints("broadcast_to", "shape", shape))


@keras_export("numpy")
def expand_dims(x, axis):
    """x with a unit axis inserted at `axis` (an int or a tuple of ints)."""
    return apply("expand_dims", [x], axis=static_axes("expand_dims", "axis", axis))


@keras_export("numpy")
def tile(x, repeats):
    return apply("tile", [x], repeats=static_ints("tile", "repeats", repeats))


@keras_export("numpy")
def repeat(x, repeats, axis=None):
    """Each element repeated `repeats` times (an int, or one count per element); axis=None flattens first."""
    counts = static_ints("repeat", "repeats", repeats)
    return apply("repeat", [x], repeats=counts[0] if isinstance(repeats, int) else counts,
                 axis=static_axes("repeat", "axis", axis))


# -- flips, rotations and axis moves --------------------------------------------------
@keras_export("numpy")
def flip(x, axis=None):
    """x reversed along `axis` (an int, a tuple, or None for every axis)."""
    return apply("flip", [x], axis=static_axes("flip", "axis", axis))


@keras_export("numpy")
def fliplr(x):
    """x reversed along axis 1 (left/right); x needs rank >= 2."""
    if len(spec_of(x).shape) < 2:
        raise ValueError(f"fliplr needs a tensor of rank >= 2, got shape {tuple(spec_of(x).shape)}; use flip(x, 0) "
                         "for a vector")
    return apply("flip", [x], axis=1)


@keras_export("numpy")
def flipud(x):
    """x reversed along axis 0 (up/down); x needs rank >= 1."""
    if not spec_of(x).shape:
        raise ValueError("flipud needs a tensor of rank >= 1, got a scalar")
    return apply("flip", [x], axis=0)


@keras_export("numpy")
def roll(x, shift, axis=None):
    """Elements shifted cyclically by `shift` along `axis` (the flattened tensor for None)."""
    shift = static_ints("roll", "shift", shift) if np.ndim(shift) else static_int("roll", "shift", shift)
    return apply("roll", [x], shift=shift, axis=static_axes("roll", "axis", axis))


def _swap_permutation(rank: int, a: int, b: int) -> tuple:
    perm = list(range(rank))
    perm[a], perm[b] = perm[b], perm[a]
    return tuple(perm)


@keras_export("numpy")
def swapaxes(x, axis1, axis2):
    rank = len(spec_of(x).shape)
    first = _axes("swapaxes", static_int("swapaxes", "axis1", axis1), rank)[0]
    second = _axes("swapaxes", static_int("swapaxes", "axis2", axis2), rank)[0]
    return apply("transpose", [x], axes=_swap_permutation(rank, first, second))


@keras_export("numpy")
def moveaxis(x, source, destination):
    """x with the axes `source` moved to positions `destination` (ints or equally long tuples)."""
    rank = len(spec_of(x).shape)
    source = _axes("moveaxis", static_ints("moveaxis", "source", source), rank)
    destination = _axes("moveaxis", static_ints("moveaxis", "destination", destination), rank)
    if len(source) != len(destination):
        raise ValueError(f"moveaxis: `source` and `destination` must have the same number of axes, got "
                         f"{len(source)} and {len(destination)}")
    order = [a for a in range(rank) if a not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return apply("transpose", [x], axes=tuple(order))


@keras_export("numpy")
def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by k * 90 degrees in the plane of `axes` (from the first axis towards the second)."""
    rank = len(spec_of(array).shape)
    if rank < 2:
        raise ValueError(f"rot90 needs a tensor of rank >= 2, got rank {rank}")
    axes = static_ints("rot90", "axes", axes)
    if len(axes) != 2:
        raise ValueError(f"rot90: `axes` must name two different axes, got {axes}")
    first, second = _axes("rot90", axes, rank)
    k = static_int("rot90", "k", k) % 4
    if k == 0:
        return apply("identity", [array])
    if k == 2:
        return apply("flip", [array], axis=(first, second))
    swap = _swap_permutation(rank, first, second)
    if k == 1:
        return apply("transpose", [apply("flip", [array], axis=second)], axes=swap)
    return apply("flip", [apply("transpose", [array], axes=swap)], axis=second)


# -- padding --------------------------------------------------------------------------
PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect", "symmetric",
             "wrap", "empty")


def pad_widths(pad_width, rank: int) -> tuple:
    """Keras's pad_width forms as one (before, after) pair per axis: p, (before, after), or one pair per axis
    (a pair of one element pads both sides alike)."""
    if np.ndim(pad_width) == 0:
        pairs = [(pad_width, pad_width)]
    elif all(np.ndim(p) == 0 for p in pad_width):
        pairs = [pad_width]
    else:
        pairs = list(pad_width)
    pairs = [static_ints("pad", "pad_width", p) for p in pairs]
    pairs = [p * 2 if len(p) == 1 else p for p in pairs]
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"pad: each entry of `pad_width` must be (before, after) or (both,), got {pad_width}")
    if len(pairs) == 1:
        pairs = pairs * rank
    if len(pairs) != rank:
        raise ValueError(f"pad: `pad_width` has {len(pairs)} pairs for a tensor of rank {rank}; give one per axis, "
                         "or a single pair for all")
    return tuple(pairs)


@keras_export("numpy")
def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded by `pad_width` (an int, a (before, after) pair, or one pair per axis)."""
    if mode not in PAD_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; use one of {PAD_MODES}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"pad: `constant_values` can only be given with mode='constant', got mode={mode!r}")
    if constant_values is not None and not (is_python_scalar(constant_values) or hasattr(constant_values, "item")):
        raise ValueError(f"pad: `constant_values` must be a number, got {constant_values!r}")
    value = 0 if constant_values is None else constant_values
    value = value.item() if hasattr(value, "item") else value
    return apply("pad", [x], pad_width=pad_widths(pad_width, len(spec_of(x).shape)), mode=mode,
                 constant_values=value)


# -- shape queries --------------------------------------------------------------------
@keras_export("numpy")
def ndim(x):
    """The rank of x, a Python int (symbolic tensors know their rank while the graph is built)."""
    return len(spec_of(x).shape)


@keras_export("numpy")
def size(x):
    """The number of elements of x: a Python int when every size is known, else an int32 scalar tensor."""
    shape = spec_of(x).shape
    known = math.prod(d for d in shape if d is not None)
    unknown = [i for i, d in enumerate(shape) if d is None]
    if not unknown:
        return known
    total = apply("dim_size", [x], axis=unknown[0])
    for axis in unknown[1:]:
        total = apply("multiply", [total, apply("dim_size", [x], axis=axis)])
    return total if known == 1 else apply("multiply", [total, known])

