"""slice and slice_update (keras.ops.core): a box of a tensor read or written at start indices that may be
tensors (lax.dynamic_slice / dynamic_update_slice: starts are clamped so the box fits).

    >>> symk.ops.slice(x, [0, i], (2, 3))           # i may be a symbolic int scalar
    >>> symk.ops.slice_update(x, [1, 1], patch)
"""
from __future__ import annotations

import jax
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .registry import apply, def_op, spec_of
from .shape_args import static_ints


def _check_starts(start: TensorSpec, rank: int) -> None:
    if "int" not in start.dtype:
        raise RuleViolation(f"start indices must be integers, got {start.dtype}", "cast them to int32")
    if len(start.shape) != 1 or start.shape[0] not in (None, rank):
        raise RuleViolation(f"start indices must be a vector of {rank} (one per axis), got shape "
                            f"{tuple(start.shape)}", "pass one start index per axis")


def slice_rule(specs, attrs):
    x, start = specs
    _check_starts(start, len(x.shape))
    sizes = tuple(attrs.shape)
    if len(sizes) != len(x.shape):
        raise RuleViolation(f"the slice shape {sizes} must have one size per axis of the input ({len(x.shape)})",
                            "give a size for every axis")
    for axis, (size, dim) in enumerate(zip(sizes, x.shape)):
        if size < 0 or (dim is not None and size > dim):
            raise RuleViolation(f"slice size {size} does not fit axis {axis} of size {dim}",
                                "pass sizes between 0 and the axis size")
    return TensorSpec.of(sizes, x.dtype)


def slice_update_rule(specs, attrs):
    x, start, updates = specs
    _check_starts(start, len(x.shape))
    if len(updates.shape) != len(x.shape):
        raise RuleViolation(f"the updates must have the rank of the input ({len(x.shape)}), got rank "
                            f"{len(updates.shape)}", "reshape the updates to the input's rank")
    for axis, (size, dim) in enumerate(zip(updates.shape, x.shape)):
        if size is not None and dim is not None and size > dim:
            raise RuleViolation(f"the updates' axis {axis} ({size}) is longer than the input's ({dim})",
                                "pass updates that fit inside the input")
    if updates.dtype != x.dtype:
        raise RuleViolation(f"the updates ({updates.dtype}) must have the dtype of the input ({x.dtype})",
                            f"cast the updates with ops.cast(updates, '{x.dtype}')")
    return x


def _starts(start, rank: int) -> list:
    start = start.astype("int32")
    return [start[i] for i in range(rank)]


def_op("slice", slice_rule, lambda x, start, shape: jax.lax.dynamic_slice(x, _starts(start, x.ndim), shape),
       attrs=dict(shape=()), inputs=2,
       doc="The box of `shape` at the start indices (a tensor input; clamped so the box fits).")
def_op("slice_update", slice_update_rule,
       lambda x, start, updates: jax.lax.dynamic_update_slice(x, updates, _starts(start, x.ndim)), inputs=3,
       doc="x with the box at the start indices (clamped so it fits) replaced by the updates.")


def start_vector(start_indices):
    """The start indices as one int32 vector, and as Python ints when they are static (else None)."""
    if isinstance(start_indices, (list, tuple)):
        if all(isinstance(s, (int, np.integer)) for s in start_indices):
            values = tuple(int(s) for s in start_indices)
            return np.asarray(values, dtype="int32").reshape(len(values)), values
        return apply("stack", [apply("cast", [s], dtype="int32") for s in start_indices], axis=0), None
    if isinstance(start_indices, np.ndarray):
        return start_indices.astype("int32"), tuple(int(s) for s in start_indices.reshape(-1))
    return start_indices, None


@keras_export("core", "slice")
def slice_tensor(inputs, start_indices, shape):
    """The box of `shape` starting at `start_indices` (ints or int tensors); a size of -1 runs to the end."""
    dims = spec_of(inputs).shape
    start, static = start_vector(start_indices)
    sizes = list(static_ints("slice", "shape", shape))
    for axis, size in enumerate(sizes):
        if size != -1:
            continue
        if static is None or axis >= len(dims) or dims[axis] is None:
            raise ValueError(f"slice: shape[{axis}] = -1 needs a known size for axis {axis} and start indices "
                             "given as Python ints; pass the size explicitly")
        sizes[axis] = dims[axis] - static[axis]
    return apply("slice", [inputs, start], shape=tuple(sizes))


@keras_export("core")
def slice_update(inputs, start_indices, updates):
    """inputs with `updates` written at `start_indices` (ints or int tensors); same rank and dtype."""
    return apply("slice_update", [inputs, start_vector(start_indices)[0], updates])
