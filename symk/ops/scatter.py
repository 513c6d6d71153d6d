"""Writing entries at indices: scatter (into zeros, summing repeats) and scatter_update (set, add, max, min, mul).

    >>> symk.ops.scatter([[0, 1], [1, 1]], values, shape=(2, 2))
    >>> symk.ops.scatter_update(x, [[1, 2], [0, 1]], updates, reduction="add")

Each row of `indices` holds the coordinates of one update (the first k axes); an update is an
entry (k = rank) or a slice x[i0, ..., ik-1] of the remaining axes.
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes
from .api import keras_export
from .registry import apply, def_op

REDUCTIONS = (None, "add", "max", "min", "mul")


def _check_updates(target_shape, index_spec, updates, slice_shape):
    if "int" not in index_spec.dtype:
        raise RuleViolation(f"indices must be integers, got {index_spec.dtype}", "cast the indices to int32")
    try:  # the updates broadcast to the selected entries, never the other way round
        fits = len(updates.shape) <= len(slice_shape) and all(
            s is None or b == s for b, s in zip(broadcast_shapes(updates.shape, slice_shape), slice_shape))
    except RuleViolation:
        fits = False
    if not fits:
        raise RuleViolation(
            f"the updates of shape {tuple(updates.shape)} do not fit the {tuple(slice_shape)} entries the indices "
            f"select in a tensor of shape {tuple(target_shape)}",
            "give one update per index row, each of the shape of the remaining axes")


def _coordinates(index_shape, target_shape) -> int:
    if not index_shape:
        raise RuleViolation("indices must have a last axis holding each update's coordinates, not be a scalar",
                            "pass indices of shape (updates, k)")
    k = index_shape[-1]
    if k is None or k > len(target_shape):
        raise RuleViolation(f"each index row has {k} coordinates, for a tensor of rank {len(target_shape)}",
                            "give at most one coordinate per axis, with the last axis of indices known")
    return k


def scatter_rule(specs, attrs):
    indices, values = specs
    shape = tuple(attrs.shape)
    if any(not isinstance(d, int) or d < 0 for d in shape):
        raise RuleViolation(f"shape must hold non-negative ints, got {shape}", "pass the output's full shape")
    k = _coordinates(indices.shape, shape)
    _check_updates(shape, indices, values, tuple(indices.shape[:-1]) + shape[k:])
    return TensorSpec.of(shape, values.dtype)


def _scatter(indices, values, shape):
    coordinates = tuple(jnp.moveaxis(indices, -1, 0))
    return jnp.zeros(shape, values.dtype).at[coordinates].add(values)


def_op("scatter", scatter_rule, _scatter, attrs=dict(shape=()), inputs=2,
       doc="Zeros of `shape` with the values added at the index rows (repeated indices sum).")


def scatter_update_rule(specs, attrs):
    inputs, indices, updates = specs
    if attrs.reduction not in REDUCTIONS:
        raise RuleViolation(f"unknown reduction {attrs.reduction!r}", f"use one of {REDUCTIONS}")
    k = _coordinates(indices.shape, inputs.shape)
    # as Keras reads them: the transposed indices, one coordinate array per axis
    selected = tuple(reversed(tuple(indices.shape[:-1]))) + tuple(inputs.shape[k:])
    _check_updates(inputs.shape, indices, updates, selected)
    return inputs


def _scatter_update(inputs, indices, updates, reduction):
    at = inputs.at[tuple(jnp.transpose(indices))]
    write = {None: at.set, "add": at.add, "max": at.max, "min": at.min, "mul": at.multiply}[reduction]
    return write(updates)


def_op("scatter_update", scatter_update_rule, _scatter_update, attrs=dict(reduction=None), inputs=3,
       doc="inputs with the updates written (or combined by `reduction`) at the index rows.")


# -- Keras names (symk/ops/api.py) ------------------------------------------------------
@keras_export("core")
def scatter(indices, values, shape):
    """A tensor of `shape`, zero except at the index rows, which get the values (repeated indices add up).

    >>> symk.ops.scatter([[0, 1], [1, 1]], np.array([1.0, 1.0]), shape=(2, 2))   # [[0, 1], [0, 1]]
    """
    return apply("scatter", [indices, values], shape=tuple(int(d) for d in shape))


@keras_export("core")
def scatter_update(inputs, indices, updates, reduction=None):
    """inputs with updates written at the index rows: set (reduction=None), or combined by 'add', 'max', 'min',
    'mul'. Each row holds the coordinates of the first k axes; an update fills the remaining ones."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"symk.ops.scatter_update: unknown reduction {reduction!r}; use one of {REDUCTIONS}")
    return apply("scatter_update", [inputs, indices, updates], reduction=reduction)
