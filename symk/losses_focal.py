"""Crossentropy variants that down-weight easy examples: Keras's binary and categorical focal
crossentropy and the generalized crossentropy (robust to noisy labels).

    loss = BinaryFocalCrossentropy(gamma=2.0, apply_class_balancing=True, alpha=0.25)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .losses_base import EPSILON, floats, wrapper_class


def _clipped_bce(y_true, y_pred):
    """Elementwise crossentropy of probabilities clipped to [eps, 1 - eps] (Keras's ops.binary_crossentropy)."""
    y_pred = jnp.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return -(y_true * jnp.log(y_pred) + (1.0 - y_true) * jnp.log(1.0 - y_pred))


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """mean((1 - p_t)^gamma * bce) over `axis`, p_t the probability given to the true label
    (times alpha / 1 - alpha for positives / negatives with class balancing)."""
    y_true, y_pred = floats(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = _clipped_bce(y_true, y_pred)
    # NOTE: Keras computes p_t from the unclipped probabilities and the bce from clipped ones
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return jnp.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """sum(alpha * (1 - p)^gamma * -y log p) over `axis`, p the renormalised, clipped probabilities."""
    if isinstance(axis, bool):
        raise ValueError(f"categorical_focal_crossentropy: `axis` must be an int, got {axis!r}")
    y_true, y_pred = floats(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    output = jnp.clip(y_pred / jnp.sum(y_pred, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON)
    focal = alpha * jnp.power(1.0 - output, gamma) * (-y_true * jnp.log(output))
    return jnp.sum(focal, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p^q) / q, p the probability of the integer label (q -> 0: crossentropy, q = 1: MAE)."""
    y_pred = jnp.asarray(y_pred)
    y_pred = y_pred if jnp.issubdtype(y_pred.dtype, jnp.floating) else y_pred.astype(jnp.float32)
    labels = jnp.asarray(y_true).astype(jnp.int32)
    p = jnp.sum(y_pred * jax.nn.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype), axis=-1)
    return (1.0 - jnp.power(p, q)) / q


def _check_q(kwargs):
    if not 0 < kwargs["q"] < 1:
        raise ValueError(f"CategoricalGeneralizedCrossEntropy: q must be in the interval (0, 1); got q={kwargs['q']}")


BinaryFocalCrossentropy = wrapper_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    ("apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis", "reduction", "name", "dtype"),
    from_logits=False, label_smoothing=0.0, axis=-1, apply_class_balancing=False, alpha=0.25, gamma=2.0)
CategoricalFocalCrossentropy = wrapper_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy, "categorical_focal_crossentropy",
    ("alpha", "gamma", "from_logits", "label_smoothing", "axis", "reduction", "name", "dtype"),
    from_logits=False, label_smoothing=0.0, axis=-1, alpha=0.25, gamma=2.0)
CategoricalGeneralizedCrossEntropy = wrapper_class(
    "CategoricalGeneralizedCrossEntropy", categorical_generalized_cross_entropy,
    "categorical_generalized_cross_entropy", ("q", "reduction", "name", "dtype"), check=_check_q, q=0.5)
