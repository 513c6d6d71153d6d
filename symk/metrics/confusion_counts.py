"""Weighted confusion counts (tp, fp, tn, fn) at a list of thresholds, as Keras's
update_confusion_matrix_variables computes them, including top_k and class_id.

    counts = confusion_counts(y_true, y_pred, None, [0.5], evenly=False)
    counts["tp"]      # shape (1,): positives predicted above 0.5
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..losses_base import EPSILON

NEG_INF = -1e10


def parse_thresholds(thresholds, default: float = 0.5, owner: str = "metric") -> list:
    """The thresholds as a list (one number -> [number]); each must lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"{owner}: threshold values must be in [0, 1]; received {bad}")
    return [float(t) for t in values]


def evenly_distributed(thresholds) -> bool:
    """True for 3 or more thresholds spaced as i / (n - 1): Keras then counts by bucketing."""
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON))


def _match_rank(x1, x2, expand_rank_1=True):
    """Keras's squeeze_or_expand_to_same_rank of two arrays."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def filter_top_k(x, k):
    """x with every entry outside the top k of its last axis set to NEG_INF."""
    _, indices = jax.lax.top_k(x, k)
    keep = jnp.sum(jax.nn.one_hot(indices, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * keep + NEG_INF * (1.0 - keep)


def confusion_counts(y_true, y_pred, sample_weight, thresholds, evenly=False, top_k=None, class_id=None) -> dict:
    """{'tp', 'fp', 'tn', 'fn'}: weighted counts, one entry per threshold. A prediction is
    positive when > threshold, a label when non-zero."""
    y_true = jnp.asarray(y_true, jnp.float32)
    y_pred = jnp.asarray(y_pred, jnp.float32)
    y_pred, y_true = _match_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, jnp.float32)[..., None]
        _, sample_weight = _match_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"class_id={class_id} needs predictions shaped (num_samples, num_classes); got shape "
                             f"{tuple(y_pred.shape)}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    y_true = jnp.broadcast_to(y_true, y_pred.shape).reshape(-1)
    weights = jnp.ones((y_pred.size,), jnp.float32) if sample_weight is None else \
        jnp.broadcast_to(sample_weight, y_pred.shape).reshape(-1)
    y_pred = y_pred.reshape(-1)
    positive = y_true != 0
    if evenly:
        return _bucketed_counts(positive, y_pred, weights, thresholds)
    predicted = y_pred[None, :] > jnp.asarray(thresholds, jnp.float32)[:, None]
    positive, weights = positive[None, :], weights[None, :]
    count = lambda mask: jnp.sum(jnp.where(mask, weights, 0.0), axis=1)  # noqa: E731
    return {"tp": count(predicted & positive), "fp": count(predicted & ~positive),
            "tn": count(~predicted & ~positive), "fn": count(~predicted & positive)}


def _bucketed_counts(positive, y_pred, weights, thresholds) -> dict:
    """Keras's counting for evenly spaced thresholds: each prediction falls in bucket
    ceil(p (n - 1)) - 1 and counts as positive at every threshold up to it (thresholds just
    outside [0, 1] put p = 0 in bucket 0)."""
    n = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    buckets = jnp.ceil(jnp.clip(y_pred, 0.0, 1.0) * (n - 1)) - 1
    if with_epsilon:
        buckets = jnp.maximum(buckets, 0.0)
    buckets = buckets.astype(jnp.int32)
    true_labels = jnp.where(positive, weights, 0.0)
    false_labels = jnp.where(positive, 0.0, weights)
    # segment ids outside [0, n) (bucket -1: p = 0 at threshold 0) are dropped, as in Keras
    at_or_above = lambda values: jnp.flip(jnp.cumsum(jnp.flip(  # noqa: E731
        jax.ops.segment_sum(values, buckets, num_segments=n))))
    tp, fp = at_or_above(true_labels), at_or_above(false_labels)
    return {"tp": tp, "fp": fp, "tn": jnp.sum(false_labels) - fp, "fn": jnp.sum(true_labels) - tp}
