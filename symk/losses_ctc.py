"""Keras's CTC loss: connectionist temporal classification of padded integer label sequences
(0 is both the blank class and the padding) under per-frame logits.

    loss = CTC()
    value = loss(labels, logits)        # labels (batch, max_label_length), logits (batch, time, classes)
"""
from __future__ import annotations

import jax.numpy as jnp

from .losses_base import wrapper_class


def ctc(y_true, y_pred):
    """Negative log-likelihood of each label sequence (labels != 0) over all `time` frames."""
    import optax  # the training stack's dependency, needed only once a CTC loss is computed

    if jnp.ndim(y_true) != 2:
        raise ValueError(f"ctc: targets `y_true` must be integer labels shaped (batch_size, max_length); got shape "
                         f"{jnp.shape(y_true)}")
    if jnp.ndim(y_pred) != 3:
        raise ValueError(f"ctc: `y_pred` must be logits shaped (batch_size, max_length, num_classes); got shape "
                         f"{jnp.shape(y_pred)}")
    logits = jnp.asarray(y_pred)
    logits = logits.astype(jnp.promote_types(logits.dtype, jnp.float32))
    labels = jnp.asarray(y_true).astype(jnp.int32)
    # NOTE: Keras pads the labels by counting non-zero entries; label_length = that count, so
    # a 0 between labels shortens the sequence the same way here (padding taken from the end)
    label_length = jnp.sum(labels != 0, axis=-1)
    label_paddings = (jnp.arange(labels.shape[1])[None, :] >= label_length[:, None]).astype(logits.dtype)
    logit_paddings = jnp.zeros(logits.shape[:2], logits.dtype)
    return optax.ctc_loss(logits, logit_paddings, labels, label_paddings, blank_id=0)


CTC = wrapper_class("CTC", ctc, "ctc")
