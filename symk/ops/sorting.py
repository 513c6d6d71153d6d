"""Sorting, searching and counting: sort, argsort, argpartition, searchsorted, digitize, isin, unique, histogram,
bincount.

    >>> symk.ops.sort(x, axis=0); symk.ops.searchsorted(edges, values, side="right")
    >>> symk.ops.unique(labels, size=10, fill_value=-1)   # a fixed size works in graphs too

unique (without size) and bincount have outputs whose length depends on the input's values: on
arrays the function reads that length first; on symbolic tensors it refuses, saying what to do.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axis
from .api import keras_export
from .index_inputs import concrete
from .registry import apply, def_op, spec_of


def _sorted_shape(spec, axis):
    if axis is None:
        return (spec.shape.num_elements(),)
    normalize_axis(axis, len(spec.shape))
    return tuple(spec.shape)


def sort_rule(specs, attrs):
    return TensorSpec.of(_sorted_shape(specs[0], attrs.axis), specs[0].dtype)


def argsort_rule(specs, attrs):
    return TensorSpec.of(_sorted_shape(specs[0], attrs.axis), "int32")


def argpartition_rule(specs, attrs):
    spec = specs[0]
    if not isinstance(attrs.kth, (int, np.integer)) or isinstance(attrs.kth, bool):
        raise RuleViolation(f"kth must be an integer, got {attrs.kth!r}", "pass the position to partition at")
    shape = _sorted_shape(spec, attrs.axis)
    size = shape[0] if attrs.axis is None else shape[normalize_axis(attrs.axis, len(shape))]
    if size is not None and not -size <= attrs.kth < size:
        raise RuleViolation(f"kth={attrs.kth} is out of range for an axis of size {size}",
                            f"use a kth in [{-size}, {size - 1}]")
    return TensorSpec.of(shape, "int32")


def _argpartition(x, kth, axis):
    if axis is None:  # as Keras: partition the flattened tensor
        x, axis = jnp.reshape(x, (-1,)), 0
    return jnp.argpartition(x, kth, axis=axis)


def_op("sort", sort_rule, lambda x, axis: jnp.sort(x, axis=axis), attrs=dict(axis=-1),
       doc="Sorted along an axis (the flattened tensor for axis=None).")
def_op("argsort", argsort_rule, lambda x, axis: jnp.argsort(x, axis=axis), attrs=dict(axis=-1),
       doc="The indices that sort along an axis (int32).")
def_op("argpartition", argpartition_rule, _argpartition, attrs=dict(kth=0, axis=-1),
       doc="Indices that put the kth entry in its sorted place, smaller ones before it and larger after (int32).")


def searchsorted_rule(specs, attrs):
    sequence, values = specs
    if len(sequence.shape) != 1:
        raise RuleViolation(f"the sorted sequence must be 1-D, got rank {len(sequence.shape)}",
                            "search each row with ops.vectorized_map, or flatten the sequence")
    if attrs.side not in ("left", "right"):
        raise RuleViolation(f"side must be 'left' or 'right', got {attrs.side!r}", "use side='left' or 'right'")
    return TensorSpec.of(values.shape, "int32")


def digitize_rule(specs, attrs):
    x, bins = specs
    if len(bins.shape) != 1:
        raise RuleViolation(f"bins must be 1-D, got rank {len(bins.shape)}", "pass the bin edges as a vector")
    return TensorSpec.of(x.shape, "int32")


def isin_rule(specs, attrs):
    return TensorSpec.of(specs[0].shape, "bool")


def_op("searchsorted", searchsorted_rule, lambda s, v, side: jnp.searchsorted(s, v, side=side),
       attrs=dict(side="left"), inputs=2, doc="Where each value would go in a sorted vector to keep it sorted.")
def_op("digitize", digitize_rule, lambda x, bins: jnp.digitize(x, bins), inputs=2,
       doc="The index of the bin each entry falls in (numpy's digitize, right=False).")
def_op("isin", isin_rule, lambda x, y, assume_unique, invert: jnp.isin(x, y, assume_unique=assume_unique,
                                                                        invert=invert),
       attrs=dict(assume_unique=False, invert=False), inputs=2, doc="Whether each entry of x occurs in y.")


# -- unique: a size, read from the values on arrays, makes every output's shape static ------------
def unique_rule(specs, attrs):
    spec = specs[0]
    if attrs.size is None:
        raise RuleViolation("unique needs size=, the number of unique values to keep (their count depends on the "
                            "values)", "pass size= (missing ones are padded with fill_value)")
    size = attrs.size
    if attrs.axis is None:
        values, inverse = TensorSpec.of((size,), spec.dtype), TensorSpec.of(spec.shape, "int32")
    else:
        axis = normalize_axis(attrs.axis, len(spec.shape))
        values = TensorSpec.of(spec.shape[:axis] + (size,) + spec.shape[axis + 1:], spec.dtype)
        inverse = TensorSpec.of((spec.shape[axis],), "int32")
    per_value = TensorSpec.of((size,), "int32")
    flags = (attrs.return_index, attrs.return_inverse, attrs.return_counts)
    extra = [out for flag, out in zip(flags, (per_value, inverse, per_value)) if flag]
    return (values, *extra)


def _unique(x, sorted, return_index, return_inverse, return_counts, axis, size, fill_value):
    return jnp.unique(x, return_index=return_index, return_inverse=return_inverse, return_counts=return_counts,
                      axis=axis, equal_nan=False, size=size, sorted=sorted, fill_value=fill_value)


def_op("unique", unique_rule, _unique,
       attrs=dict(sorted=True, return_index=False, return_inverse=False, return_counts=False, axis=None, size=None,
                  fill_value=None),
       doc="The unique values (size of them, padded with fill_value), with first indices, inverse and counts.")


@keras_export("numpy")
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False, axis=None, size=None,
           fill_value=None):
    """The unique values of x (or unique slices along axis), sorted; optionally with the index of each one's first
    occurrence, the inverse (the index in the result of each entry) and the counts.

    Without `size` the result has as many values as x has unique ones, which only arrays can tell; in a graph
    pass `size=` (padded with `fill_value`, by default the smallest value).
    """
    if size is None:
        values = jnp.asarray(concrete(x, "unique", "pass size=, the number of values to keep, as Keras takes it"))
        size = int(jnp.unique(values, axis=axis, equal_nan=False).shape[0 if axis is None else axis])
    return apply("unique", [x], sorted=sorted, return_index=return_index, return_inverse=return_inverse,
                 return_counts=return_counts, axis=axis, size=size, fill_value=fill_value)


# -- counting ------------------------------------------------------------------------------------
def histogram_rule(specs, attrs):
    spec = specs[0]
    if len(spec.shape) > 1:
        raise RuleViolation(f"histogram takes a 1-D tensor, got rank {len(spec.shape)}", "flatten it first")
    if not isinstance(attrs.bins, int) or attrs.bins < 0:
        raise RuleViolation(f"bins must be a non-negative int, got {attrs.bins!r}", "pass the number of bins")
    dtype = spec.dtype if "float" in spec.dtype else "float32"
    return TensorSpec.of((attrs.bins,), dtype), TensorSpec.of((attrs.bins + 1,), dtype)


def_op("histogram", histogram_rule, lambda x, bins, range: jnp.histogram(x, bins=bins, range=range),
       attrs=dict(bins=10, range=None), doc="Counts in `bins` equal bins over `range` (default: x's min to max), and "
                                            "the bin edges.")


@keras_export("numpy")
def histogram(x, bins=10, range=None):
    """Counts of x's entries in `bins` equal-width bins over `range` (x's min and max by default), and the edges."""
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool) or bins < 0:
        raise ValueError(f"symk.ops.histogram: bins must be a non-negative int, got {bins!r}")
    if range is not None:
        if not isinstance(range, tuple) or len(range) != 2:
            raise ValueError(f"symk.ops.histogram: range must be a tuple (low, high), got {range!r}")
        if range[1] < range[0]:
            raise ValueError(f"symk.ops.histogram: range's high end must be >= its low end, got {range!r}")
    return apply("histogram", [x], bins=int(bins), range=range)


def bincount_rule(specs, attrs):
    x = specs[0]
    if "int" not in x.dtype:
        raise RuleViolation(f"bincount counts integers, got {x.dtype}", "cast x to int32")
    if len(x.shape) not in (1, 2):
        raise RuleViolation(f"bincount takes a 1-D tensor (or a 2-D batch of them), got rank {len(x.shape)}",
                            "flatten it first")
    dtype = "int32"
    if len(specs) == 2:
        weights = specs[1]
        if tuple(weights.shape) != tuple(x.shape) and None not in weights.shape + x.shape:
            raise RuleViolation(f"weights must have x's shape {tuple(x.shape)}, got {tuple(weights.shape)}",
                                "pass one weight per entry of x")
        if weights.dtype == "bool":
            raise RuleViolation("bincount's weights must be numbers, not bool", "cast them to int32 or float32")
        dtype = weights.dtype
    return TensorSpec.of(tuple(x.shape[:-1]) + (attrs.length,), dtype)


def _bincount(x, weights=None, *, minlength, length):
    count = lambda row, w: jnp.bincount(row, weights=w, minlength=minlength, length=length)  # noqa: E731
    if x.ndim == 2:  # each row on its own
        return jax.vmap(count)(x, weights) if weights is not None else jax.vmap(lambda row: count(row, None))(x)
    return count(x, weights)


def_op("bincount", bincount_rule, _bincount, attrs=dict(minlength=0, length=0), inputs=None,
       doc="How often each value 0..length-1 occurs in x (per row for 2-D x), or the sums of their weights.")


@keras_export("numpy")
def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each value 0, 1, ... occurs in the non-negative ints x (per row for 2-D x), or their weights' sums.

    The output's length is max(x) + 1 (at least minlength): it depends on x's values, so x must be an array,
    not a symbolic tensor (in a graph, `ops.sum(ops.one_hot(x, n), axis=0)` counts into a fixed n).
    """
    if sparse:
        raise ValueError("symk.ops.bincount: sparse=True asks for a sparse tensor, which symk does not have; "
                         "use sparse=False (a dense result)")
    values = concrete(x, "bincount", "count into a fixed number of bins with ops.sum(ops.one_hot(x, n), axis=0)")
    length = max(int(minlength), int(values.max()) + 1 if values.size else 0)
    inputs = [x] if weights is None else [x, weights]
    return apply("bincount", inputs, minlength=int(minlength), length=length)


# -- Keras names (symk/ops/api.py) ------------------------------------------------------
@keras_export("numpy")
def sort(x, axis=-1):
    """x sorted along an axis (the flattened x for axis=None)."""
    return apply("sort", [x], axis=axis)


@keras_export("numpy")
def argsort(x, axis=-1):
    """The indices that sort x along an axis (int32); a scalar gives [0], as in Keras."""
    return apply("argsort", [x], axis=None if len(spec_of(x).shape) == 0 else axis)


@keras_export("numpy")
def argpartition(x, kth, axis=-1):
    """Indices that put x's kth smallest entry in place, smaller ones before it, larger ones after (int32)."""
    return apply("argpartition", [x], kth=kth, axis=axis)


@keras_export("numpy")
def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would be inserted into the sorted vector to keep it sorted (int32)."""
    return apply("searchsorted", [sorted_sequence, values], side=side)


@keras_export("numpy")
def digitize(x, bins):
    """The index of the bin of each entry: i where bins[i-1] <= x < bins[i] (int32)."""
    return apply("digitize", [x, bins])


@keras_export("numpy")
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each entry of x1 occurs in x2 (bool, x1's shape); `invert` asks the opposite."""
    return apply("isin", [x1, x2], assume_unique=assume_unique, invert=invert)
