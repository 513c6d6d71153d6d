"""Keras's Circle loss for metric learning: pulls same-label embeddings together and pushes
other labels apart, each pair weighted by how far it is from its optimum (Sun et al. 2020).

    loss = Circle(gamma=80.0, margin=0.4)
    value = loss(labels, l2_normalized_embeddings)   # labels (batch,), embeddings (batch, dim)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .losses_base import LossFunctionWrapper


def _pair_masks(query_labels, key_labels, remove_diagonal):
    """(positive, negative) masks of every (query, key) pair: same label / different label;
    with `remove_diagonal` a query is not its own positive."""
    positive = query_labels.reshape(-1, 1) == key_labels.reshape(1, -1)
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~jnp.eye(query_labels.size, key_labels.size, dtype=bool)
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    """One value per query embedding: softplus(logsumexp of weighted positive-pair terms +
    logsumexp of weighted negative-pair terms), distances 1 - cosine similarity."""
    y_pred = jnp.asarray(y_pred)
    y_pred = y_pred if jnp.issubdtype(y_pred.dtype, jnp.floating) else y_pred.astype(jnp.float32)
    labels = jnp.asarray(y_true).astype(jnp.int32)
    ref_embeddings = y_pred if ref_embeddings is None else jnp.asarray(ref_embeddings, y_pred.dtype)
    ref_labels = labels if ref_labels is None else jnp.asarray(ref_labels).astype(jnp.int32)
    distances = jnp.maximum(1.0 - y_pred @ ref_embeddings.T, 0.0)
    positive, negative = _pair_masks(labels, ref_labels, remove_diagonal)
    # each pair is weighted by its distance from its optimum (positives: -margin, negatives: 1 + margin)
    pos_weights = jnp.maximum((margin + distances) * positive, 0.0)
    neg_weights = jnp.maximum((1.0 + margin - distances) * negative, 0.0)
    pos_terms = -gamma * pos_weights * (margin - distances)
    neg_terms = gamma * neg_weights * ((1.0 - margin) - distances)
    pos_loss = jax.nn.logsumexp(jnp.where(positive, pos_terms, -jnp.inf), axis=1)
    neg_loss = jax.nn.logsumexp(jnp.where(negative, neg_terms, -jnp.inf), axis=1)
    return jax.nn.softplus(pos_loss + neg_loss)


class Circle(LossFunctionWrapper):
    """Keras's Circle loss; queries whose loss is 0 (no positive or no negative pair) are left
    out of the mean, as Keras masks them."""

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle",
                 dtype=None):
        super().__init__(circle, name=name, reduction=reduction, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)

    def call_with_mask(self, y_true, y_pred):
        values = self.call(y_true, y_pred)
        return values, values > 0
