"""The k largest entries of the last axis: top_k (values and int32 indices) and in_top_k (a bool per target).

    >>> values, indices = symk.ops.top_k(np.array([1.0, 3.0, 2.0]), k=2)   # [3, 2], [1, 2]
    >>> symk.ops.in_top_k(np.array([1]), np.array([[0.1, 0.7, 0.2]]), k=1)  # [True]
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .registry import apply, def_op


def _top_k_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) == 0:
        raise RuleViolation("top_k needs a tensor of rank >= 1 (it ranks the last axis), got a scalar",
                            "pass a vector or a batch of them")
    if not isinstance(attrs.k, int) or attrs.k < 0:
        raise RuleViolation(f"top_k: k must be an int >= 0, got {attrs.k!r}", "pass how many entries to keep")
    if shape[-1] is not None and attrs.k > shape[-1]:
        raise RuleViolation(f"top_k: k={attrs.k} is larger than the last axis ({shape[-1]})",
                            "pass k <= the size of the last axis")
    out = tuple(shape[:-1]) + (attrs.k,)
    return TensorSpec.of(out, specs[0].dtype), TensorSpec.of(out, "int32")


# NOTE: JAX always returns the k entries sorted; with sorted=False any order is allowed, so that one is too
def_op("top_k", _top_k_rule, lambda x, k, sorted: tuple(jax.lax.top_k(x, k)), attrs=dict(k=1, sorted=True))


def _in_top_k_rule(specs, attrs):
    targets, predictions = specs
    if "int" not in targets.dtype:
        raise RuleViolation(f"in_top_k: targets must be integer class indices, got {targets.dtype}",
                            "cast the targets to int32")
    if len(predictions.shape) != len(targets.shape) + 1:
        raise RuleViolation(f"in_top_k: predictions must have one axis more than targets (the classes), got ranks "
                            f"{len(predictions.shape)} and {len(targets.shape)}",
                            "pass targets of shape (batch,) and predictions of shape (batch, classes)")
    out = []
    for t, p in zip(targets.shape, predictions.shape[:-1]):
        if None not in (t, p) and t != p:
            raise RuleViolation("in_top_k: targets and predictions must agree on every axis but the last",
                                "give one target per row of predictions")
        out.append(t if t is not None else p)
    if not isinstance(attrs.k, int):
        raise RuleViolation(f"in_top_k: k must be an int, got {attrs.k!r}", "pass how many top classes count")
    return TensorSpec.of(out, "bool")


def _in_top_k(targets, predictions, k):
    """A target is in the top k when fewer than k classes score strictly higher (ties favour the target)."""
    score = jnp.take_along_axis(predictions, targets[..., None], axis=-1)
    score = jnp.where(jnp.isnan(score), -jnp.inf, score)  # a NaN score never counts as large
    higher = jnp.sum(predictions > score, axis=-1)
    return higher < k


def_op("in_top_k", _in_top_k_rule, _in_top_k, attrs=dict(k=1), inputs=2)


@keras_export("math")
def top_k(x, k, sorted=True):
    """The `k` largest entries of the last axis and their indices (int32), largest first."""
    return apply("top_k", [x], k=k, sorted=sorted)


@keras_export("math")
def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest-scoring classes of its row of predictions."""
    return apply("in_top_k", [targets, predictions], k=k)
