"""Segment reductions (keras.ops.segment_sum/max/min/prod): rows of `data` reduced by their segment id.

The output has `num_segments` rows: `out[i]` reduces the rows whose id is `i` (ids outside
[0, num_segments) are dropped; an empty segment holds the reduction's identity, e.g. -inf for max).
The output's size is `num_segments`, so a graph needs it; eagerly it defaults to max(id) + 1.

    >>> symk.ops.segment_sum(np.array([1, 2, 3]), np.array([0, 0, 1]), num_segments=2)   # [3, 3]
"""
from __future__ import annotations

import jax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .index_inputs import concrete
from .registry import apply, def_op

_REDUCTIONS = {"segment_sum": jax.ops.segment_sum, "segment_max": jax.ops.segment_max,
               "segment_min": jax.ops.segment_min, "segment_prod": jax.ops.segment_prod}


def _segment_rule(specs, attrs):
    data, ids = specs
    if "int" not in ids.dtype:
        raise RuleViolation(f"segment_ids must be integers, got {ids.dtype}", "cast segment_ids to int32")
    if len(ids.shape) != 1:
        raise RuleViolation(f"segment_ids must be a vector (one id per row of data), got rank {len(ids.shape)}",
                            "flatten them: segment_ids.reshape(-1) with data.reshape((-1,) + data.shape[ids.ndim:])")
    if len(data.shape) == 0:
        raise RuleViolation("data must have rank >= 1 (one row per segment id), got a scalar", "pass rows of data")
    if None not in (data.shape[0], ids.shape[0]) and data.shape[0] != ids.shape[0]:
        raise RuleViolation(f"segment_ids must have one id per row of data ({ids.shape[0]} ids, {data.shape[0]} rows)",
                            "give every row of data its segment id")
    if not isinstance(attrs.num_segments, int) or attrs.num_segments < 0:
        raise RuleViolation(f"num_segments (the output's number of rows) must be an int >= 0, got "
                            f"{attrs.num_segments!r}", "pass num_segments=")
    return TensorSpec.of((attrs.num_segments,) + tuple(data.shape[1:]), data.dtype)


def _lowering(reduce):
    return lambda data, ids, num_segments, sorted: reduce(data, ids, num_segments, indices_are_sorted=sorted)


for _name, _reduce in _REDUCTIONS.items():
    def_op(_name, _segment_rule, _lowering(_reduce), attrs=dict(num_segments=None, sorted=False), inputs=2)


def _default_num_segments(function: str, segment_ids) -> int:
    hint = ("pass num_segments= (the number of segments: the output's number of rows), as a graph needs every "
            "output size before it runs")
    ids = concrete(segment_ids, function, hint)
    return max(int(ids.max()) + 1, 0) if ids.size else 0


def _segment_function(name: str):
    def segment_reduction(data, segment_ids, num_segments=None, sorted=False):
        if num_segments is None:
            num_segments = _default_num_segments(name, segment_ids)
        return apply(name, [data, segment_ids], num_segments=num_segments, sorted=sorted)

    segment_reduction.__name__ = segment_reduction.__qualname__ = name
    segment_reduction.__doc__ = (f"{name.split('_')[1].capitalize()} of the rows of `data` that share a segment id "
                                 "(`sorted=True` promises the ids are sorted: a faster kernel).")
    return keras_export("math")(segment_reduction)


segment_sum, segment_max, segment_min, segment_prod = (_segment_function(n) for n in _REDUCTIONS)
