"""Overlap losses for segmentation masks: Keras's Dice and Tversky (1 - a soft overlap ratio).

    loss = Dice(axis=(1, 2))            # one value per image of (batch, height, width) masks
"""
from __future__ import annotations

import jax.numpy as jnp

from .losses_base import EPSILON, floats, wrapper_class


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None):
    """1 - 2 |y_true * y_pred| / (|y_true| + |y_pred| + eps), sums over `axis` (None: everything)."""
    y_true, y_pred = floats(y_true, y_pred)
    axis = _axis(axis)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    return 1.0 - 2.0 * intersection / (jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis) + EPSILON)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha FP + beta FN + eps) of soft counts (alpha = beta = 0.5 is Dice).

    NOTE: Keras counts FP as sum((1 - y_pred) * y_true) and FN as sum(y_pred * (1 - y_true));
    the roles are kept as Keras has them."""
    y_true, y_pred = floats(y_true, y_pred)
    axis = _axis(axis)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    fp = jnp.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = jnp.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + fp * alpha + fn * beta + EPSILON)


Dice = wrapper_class("Dice", dice, "dice", ("reduction", "name", "axis", "dtype"), axis=None)
Tversky = wrapper_class("Tversky", tversky, "tversky", ("alpha", "beta", "reduction", "name", "axis", "dtype"),
                        alpha=0.5, beta=0.5, axis=None)
