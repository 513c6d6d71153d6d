"""Keras's per-sample metric functions: accuracies, correlations and the (positive) cosine similarity.

    values = binary_accuracy(y_true, y_pred, threshold=0.5)     # one value per sample
"""
from __future__ import annotations

import jax.numpy as jnp

from ..losses_base import EPSILON


def _match_rank(y_true, y_pred):
    """Keras's squeeze_or_expand_to_same_rank: drop (or add) a trailing size-1 axis when ranks differ by one."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0] if y_pred.ndim != 1 else y_true
        y_pred = y_pred[..., None] if y_pred.ndim == 1 else y_pred
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0] if y_true.ndim != 1 else y_pred
        y_true = y_true[..., None] if y_true.ndim == 1 else y_true
    return y_true, y_pred


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype).reshape(y_pred.shape)
    return jnp.mean((y_true == (y_pred > threshold).astype(y_pred.dtype)).astype(jnp.float32), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return (jnp.argmax(y_true, axis=-1) == jnp.argmax(y_pred, axis=-1)).astype(jnp.float32)


def sparse_labels(y_true, y_pred):
    labels = jnp.asarray(y_true)
    if labels.ndim == jnp.ndim(y_pred) and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return labels.astype(jnp.int32)


def sparse_categorical_accuracy(y_true, y_pred):
    return (sparse_labels(y_true, y_pred) == jnp.argmax(y_pred, axis=-1)).astype(jnp.float32)


def _in_top_k(labels, y_pred, k):
    # the label is in the top k when fewer than k classes score strictly higher
    target = jnp.take_along_axis(y_pred, labels[..., None], axis=-1)
    return (jnp.sum(y_pred > target, axis=-1) < k).astype(jnp.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(jnp.argmax(y_true, axis=-1).astype(jnp.int32), jnp.asarray(y_pred), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(sparse_labels(y_true, y_pred), jnp.asarray(y_pred), k)


def accuracy(y_true, y_pred):
    y_pred = jnp.asarray(y_pred)
    return (jnp.asarray(y_true, y_pred.dtype).reshape(y_pred.shape) == y_pred).astype(jnp.float32).mean(axis=-1) \
        if y_pred.ndim > 1 else (jnp.asarray(y_true, y_pred.dtype) == y_pred).astype(jnp.float32)


def _float_pair(y_true, y_pred):
    y_pred = jnp.asarray(y_pred)
    y_pred = y_pred if jnp.issubdtype(y_pred.dtype, jnp.floating) else y_pred.astype(jnp.float32)
    return _match_rank(jnp.asarray(y_true, y_pred.dtype), y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's r of y_true and y_pred along `axis` (one value per sample for axis=-1)."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    true_centered = y_true - jnp.mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - jnp.mean(y_pred, axis=axis, keepdims=True)
    true_centered = true_centered / jnp.std(true_centered, axis=axis, keepdims=True)
    pred_centered = pred_centered / jnp.std(pred_centered, axis=axis, keepdims=True)
    return jnp.mean(true_centered * pred_centered, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis`.

    NOTE: Keras centres y_true on the mean of y_pred in the covariance term; kept as Keras has it."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    true_mean = jnp.mean(y_true, axis=axis, keepdims=True)
    pred_mean = jnp.mean(y_pred, axis=axis, keepdims=True)
    true_var = jnp.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = jnp.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + jnp.square(true_mean - pred_mean)
    return jnp.mean(2.0 * covariance / (norm + EPSILON), axis=axis)


def _l2_normalize(x, axis):
    # Keras's normalize: x * min(rsqrt(sum x^2), 1 / eps)
    inverse_norm = jnp.minimum(1.0 / jnp.sqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True)), 1.0 / EPSILON)
    return x * inverse_norm


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine of the angle between y_true and y_pred along `axis` (the metric: positive, unlike the loss)."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    return jnp.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)
