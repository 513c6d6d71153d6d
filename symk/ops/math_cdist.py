"""Pairwise Euclidean distances (keras.ops.cdist): rows of x against rows of y, batch axes broadcast.

    >>> symk.ops.cdist(np.zeros((2, 3)), np.ones((4, 3)))   # (2, 4), every entry sqrt(3)
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, canonical_dtype
from .api import export_op
from .elementwise import align_ranks
from .registry import def_op


def _distance_dtype(x_dtype: str, y_dtype: str) -> str:
    return canonical_dtype(jnp.result_type(jnp.dtype(x_dtype), jnp.dtype(y_dtype), 1.0))


def _cdist_rule(specs, attrs):
    x, y = specs
    if len(x.shape) < 2 or len(y.shape) < 2:
        raise RuleViolation(f"cdist needs x and y of rank >= 2 (points, coordinates), got ranks {len(x.shape)} and "
                            f"{len(y.shape)}", "pass x of shape (..., P, D) and y of shape (..., R, D)")
    if None not in (x.shape[-1], y.shape[-1]) and x.shape[-1] != y.shape[-1]:
        raise RuleViolation(f"cdist: x and y must have the same number of coordinates (last axis), got "
                            f"{x.shape[-1]} and {y.shape[-1]}", "give both sets of points the same dimension")
    batch = broadcast_shapes(x.shape[:-2], y.shape[:-2])
    return TensorSpec.of(tuple(batch) + (x.shape[-2], y.shape[-2]), _distance_dtype(x.dtype, y.dtype))


def _cdist(x, y):
    dtype = _distance_dtype(x.dtype.name, y.dtype.name)
    x_points, y_points = align_ranks(x.astype(dtype)[..., :, None, :], y.astype(dtype)[..., None, :, :])
    return jnp.sqrt(jnp.sum(jnp.square(x_points - y_points), axis=-1))


def_op("cdist", _cdist_rule, _cdist, inputs=2)
export_op("math", "cdist", input_names=("x", "y"))
