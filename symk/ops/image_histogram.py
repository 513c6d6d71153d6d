"""The histogram op of the histogram-equalization layers (Equalization, CLAHE): counts of bin indices.

`histogram_counts(indices, bins)` counts, along the last axis, how often each of 0 .. bins - 1 occurs;
the leading axes are kept, so one call gives a histogram per image, channel or tile. Indices outside
[0, bins) are not counted.

    >>> histogram_counts(np.array([[0, 2, 2, 5]]), bins=3)      # [[1, 0, 2]]

NOTE: an op rather than a one_hot and a sum (what Keras does): the one-hot tensor is `bins` times the
size of the image, while a scatter-add needs only the histogram.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .registry import apply, def_op

__all__ = ["histogram_counts"]

_INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def histogram_counts_rule(specs, attrs):
    (indices,) = specs
    if indices.dtype not in _INTEGER_DTYPES:
        raise RuleViolation(f"expects integer bin indices, not {indices.dtype}",
                            "compute the bin of each value and cast it: ops.cast(ops.floor(x * scale), 'int32')")
    if len(indices.shape) < 1:
        raise RuleViolation("expects at least one axis to count along (the last), got a scalar",
                            "reshape the indices to (..., n)")
    if isinstance(attrs.bins, bool) or not isinstance(attrs.bins, int) or attrs.bins < 1:
        raise RuleViolation(f"bins must be a positive integer, got {attrs.bins!r}", "e.g. bins=256")
    return TensorSpec.of(tuple(indices.shape[:-1]) + (attrs.bins,), "int32")


def _histogram_counts(indices, bins):
    lead = indices.shape[:-1]
    rows = indices.reshape((-1, indices.shape[-1])).astype(jnp.int32)
    # out-of-range indices go to position `bins`, which mode="drop" leaves uncounted
    rows = jnp.where((rows >= 0) & (rows < bins), rows, bins)

    def count(row):
        return jnp.zeros((bins,), jnp.int32).at[row].add(1, mode="drop")

    return jax.vmap(count)(rows).reshape(lead + (bins,))


def_op("histogram_counts", histogram_counts_rule, _histogram_counts, attrs=dict(bins=256),
       doc="Counts of each bin index 0 .. bins-1 along the last axis (int32; others uncounted).")


def histogram_counts(indices, bins: int = 256):
    """Counts of each of 0 .. bins - 1 along the last axis of integer `indices`: shape (..., bins), int32."""
    return apply("histogram_counts", [indices], bins=int(bins))
