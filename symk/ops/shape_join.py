"""Joining and splitting with Keras's signatures: concatenate, append, stack, h/v/dstack, split, array_split,
h/v/dsplit and unstack, over the concatenate, stack, split, reshape and squeeze ops of array.py.

    >>> symk.ops.hstack([a, b])                   # concatenate along axis 1 (axis 0 for vectors)
    >>> first, second, third = symk.ops.array_split(x, 3)    # sizes differ by at most one
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..shapes import canonical_dtype
from .api import keras_export
from .registry import apply, spec_of
from .shape_args import is_python_scalar, static_axes, static_int, static_ints


def _tensors(function: str, xs) -> list:
    if not isinstance(xs, (list, tuple)):
        raise TypeError(f"{function} takes a list (or tuple) of tensors, got {type(xs).__name__}")
    if not xs:
        raise ValueError(f"{function} needs at least one tensor, got an empty list")
    return list(xs)


def _at_least(x, rank: int):
    """jnp.atleast_1d/2d/3d: a scalar becomes (1,)*rank, a vector (1, n[, 1]), a matrix (m, n, 1)."""
    have = len(spec_of(x).shape)
    if have >= rank:
        return x
    if have == 0:
        return apply("reshape", [x], shape=(1,) * rank)
    if have == 1:
        return apply("expand_dims", [x], axis=(0, 2)[:rank - 1])
    return apply("expand_dims", [x], axis=-1)


def _flattened(x, others: list):
    if not is_python_scalar(x):
        return apply("reshape", [x], shape=(-1,))
    # NOTE: a Python scalar stays weakly typed: it takes the dtype of the tensors it joins (int8 stays int8)
    dtype = jnp.result_type(*[jnp.dtype(spec_of(o).dtype) for o in others if not is_python_scalar(o)], x)
    return np.full((1,), x, dtype=canonical_dtype(dtype))


@keras_export("numpy")
def concatenate(xs, axis=0):
    """The tensors joined along `axis` (axis=None: flattened first)."""
    xs = _tensors("concatenate", xs)
    if axis is None:
        return apply("concatenate", [_flattened(x, xs) for x in xs], axis=0)
    return apply("concatenate", xs, axis=static_int("concatenate", "axis", axis))


@keras_export("numpy")
def append(x1, x2, axis=None):
    """x2's values after x1's along `axis` (axis=None: both flattened)."""
    return concatenate([x1, x2], axis=axis)


@keras_export("numpy")
def stack(x, axis=0):
    """The tensors (all of one shape) stacked along a new axis."""
    return apply("stack", _tensors("stack", x), axis=static_int("stack", "axis", axis))


@keras_export("numpy")
def hstack(xs):
    """Joined along axis 1 (along axis 0 when the inputs are vectors)."""
    xs = [_at_least(x, 1) for x in _tensors("hstack", xs)]
    return apply("concatenate", xs, axis=0 if len(spec_of(xs[0]).shape) == 1 else 1)


@keras_export("numpy")
def vstack(xs):
    """Joined along axis 0, vectors taken as rows."""
    xs = [_at_least(x, 2) for x in _tensors("vstack", xs)]
    return apply("concatenate", xs, axis=0)


@keras_export("numpy")
def dstack(xs):
    """Joined along axis 2 (depth), vectors and matrices given a unit depth axis."""
    xs = [_at_least(x, 3) for x in _tensors("dstack", xs)]
    return apply("concatenate", xs, axis=2)


# -- splitting ------------------------------------------------------------------------
@keras_export("numpy")
def split(x, indices_or_sections, axis=0):
    """A list of parts: `indices_or_sections` equal parts, or the parts between the sorted split points."""
    if np.ndim(indices_or_sections) == 0:
        sections = static_int("split", "indices_or_sections", indices_or_sections)
    else:
        sections = static_ints("split", "indices_or_sections", indices_or_sections)
    return list(apply("split", [x], indices_or_sections=sections, axis=static_int("split", "axis", axis)))


@keras_export("numpy")
def array_split(x, indices_or_sections, axis=0):
    """`indices_or_sections` parts whose sizes differ by at most one (the first ones are the longer)."""
    if not isinstance(indices_or_sections, int) or isinstance(indices_or_sections, bool):
        raise TypeError(f"array_split: `indices_or_sections` must be an int, got {indices_or_sections!r}")
    if indices_or_sections <= 0:
        raise ValueError(f"array_split: `indices_or_sections` must be positive, got {indices_or_sections}")
    if not isinstance(axis, int):
        raise TypeError(f"array_split: `axis` must be an int, got {axis!r}")
    shape = spec_of(x).shape
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"array_split: axis {axis} is out of range for a tensor of rank {len(shape)}")
    length = shape[axis]
    if length is None:
        raise ValueError(f"array_split: axis {axis} has an unknown size, so the sizes of the parts are unknown; "
                         "use split with a number that divides the axis, or give the axis a known size")
    parts, extra = divmod(length, indices_or_sections)
    sizes = [parts + 1] * extra + [parts] * (indices_or_sections - extra)
    points = tuple(sum(sizes[:i + 1]) for i in range(indices_or_sections - 1))
    return list(apply("split", [x], indices_or_sections=points, axis=axis))


def _split_along(function: str, x, indices_or_sections, axis: int, min_rank: int):
    rank = len(spec_of(x).shape)
    if rank < min_rank:
        raise ValueError(f"{function} needs a tensor of rank >= {min_rank}, got rank {rank}")
    return split(x, indices_or_sections, axis=axis)


@keras_export("numpy")
def hsplit(x, indices_or_sections):
    """split along axis 1 (axis 0 for vectors)."""
    return _split_along("hsplit", x, indices_or_sections, 0 if len(spec_of(x).shape) == 1 else 1, 1)


@keras_export("numpy")
def vsplit(x, indices_or_sections):
    return _split_along("vsplit", x, indices_or_sections, 0, 2)


@keras_export("numpy")
def dsplit(x, indices_or_sections):
    return _split_along("dsplit", x, indices_or_sections, 2, 3)


@keras_export("core")
def unstack(x, num=None, axis=0):
    """The slices of x along `axis`, as a list (`num` is needed only when that axis's size is unknown)."""
    shape = spec_of(x).shape
    axis = static_axes("unstack", "axis", axis)
    if not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
        raise ValueError(f"unstack: axis {axis!r} is not an axis of a tensor of rank {len(shape)}")
    length = shape[axis]
    if num is not None and length is not None and num != length:
        raise ValueError(f"unstack: num={num} differs from the size of axis {axis}, {length}")
    count = length if length is not None else num
    if count is None:
        raise ValueError(f"unstack: axis {axis} of shape {tuple(shape)} has an unknown size; pass `num`")
    parts = apply("split", [x], indices_or_sections=count, axis=axis) if count else ()
    return [apply("squeeze", [p], axis=axis) for p in parts]
