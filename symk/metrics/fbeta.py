"""Keras's F-beta and F1 scores over thresholded (or arg-max) predictions, per class or averaged.

    m = F1Score(average="macro", threshold=0.5); m.update_state(y_true, y_pred); m.result()
"""
from __future__ import annotations

import jax.numpy as jnp

from ..losses_base import EPSILON
from .base import Metric, zeros

_AVERAGES = (None, "micro", "macro", "weighted")
_COUNTS = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")


class FBetaScore(Metric):
    """(1 + b^2) P R / (b^2 P + R) from running tp / fp / fn sums: one per class (average None,
    'macro', 'weighted') or global ('micro'). Without a threshold the top score of each row counts as 1."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        owner = type(self).__name__
        if average not in _AVERAGES:
            raise ValueError(f"{owner}: `average` must be one of {_AVERAGES}; received average={average!r}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"{owner}: `beta` must be a Python float > 0; received beta={beta!r}")
        if threshold is not None and (not isinstance(threshold, float) or not 0.0 < threshold <= 1.0):
            raise ValueError(f"{owner}: `threshold` must be a Python float with 0 < threshold <= 1, or None; "
                             f"received threshold={threshold!r}")
        super().__init__(name=name, dtype=dtype or "float32")
        self.average, self.beta, self.threshold = average, beta, threshold
        self._num_classes = None

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} expects 2D inputs shaped (batch_size, output_dim) with a known "
                             f"output_dim; received y_true.shape={y_true_shape}, y_pred.shape={y_pred_shape}")
        self._num_classes = int(y_pred_shape[-1])

    def initial_state(self):
        shape = () if self.average == "micro" or self._num_classes is None else (self._num_classes,)
        return {key: zeros(shape) for key in _COUNTS}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true = jnp.asarray(y_true, jnp.float32)
        y_pred = jnp.asarray(y_pred, jnp.float32)
        if self.threshold is None:
            # the row's maximum counts as predicted; an all-zero row predicts nothing
            predicted = (y_pred >= jnp.max(y_pred, axis=-1, keepdims=True)) & (jnp.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype(jnp.float32)
        axis = None if self.average == "micro" else 0

        def weighted_sum(values):
            if sample_weight is not None:
                values = values * jnp.asarray(sample_weight, jnp.float32)[:, None]
            return jnp.sum(values, axis=axis)

        increments = {"true_positives": predicted * y_true, "false_positives": predicted * (1.0 - y_true),
                      "false_negatives": (1.0 - predicted) * y_true, "intermediate_weights": y_true}
        return {key: state[key] + weighted_sum(increments[key]) for key in _COUNTS}

    def compute(self, state):
        tp = state["true_positives"]
        precision = tp / (tp + state["false_positives"] + EPSILON)
        recall = tp / (tp + state["false_negatives"] + EPSILON)
        beta_squared = self.beta ** 2
        score = precision * recall / (beta_squared * precision + recall + EPSILON) * (1.0 + beta_squared)
        if self.average == "weighted":
            support = state["intermediate_weights"]
            return jnp.sum(score * support / (jnp.sum(support) + EPSILON))
        if self.average is not None:
            return jnp.mean(score)
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
