"""Keras's R2Score: the coefficient of determination per output column, aggregated over columns.

    m = R2Score(); m.update_state(y_true, y_pred); m.result()     # 1.0 for a perfect fit
"""
from __future__ import annotations

import jax.numpy as jnp

from .base import Metric, zeros

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")
_SUMS = ("squared_sum", "sum", "residual", "count")


class R2Score(Metric):
    """1 - residual / total sum of squares, from running weighted sums per column; with
    `num_regressors` p the adjusted score 1 - (1 - R2)(n - 1)/(n - p - 1), n = number of values seen."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(f"R2Score: `class_aggregation` must be one of {_AGGREGATIONS}; received "
                             f"class_aggregation={class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(f"R2Score: `num_regressors` must be >= 0; received num_regressors={num_regressors}")
        super().__init__(name=name, dtype=dtype or "float32")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self._num_columns = None

    def _build(self, y_true_shape, y_pred_shape):
        y_true_shape, y_pred_shape = _matched_shapes(y_true_shape, y_pred_shape)
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2 or y_pred_shape[-1] is None:
            raise ValueError(f"R2Score expects 2D inputs shaped (batch_size, output_dim) with a known output_dim; "
                             f"received y_true.shape={y_true_shape}, y_pred.shape={y_pred_shape}")
        self._num_columns = int(y_pred_shape[-1])

    def initial_state(self):
        shape = () if self._num_columns is None else (self._num_columns,)
        state = {key: zeros(shape) for key in _SUMS}
        return {**state, "num_samples": zeros(())}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true = jnp.asarray(y_true, jnp.float32)
        y_pred = jnp.asarray(y_pred, jnp.float32)
        if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
            y_true = y_true[..., 0] if y_pred.ndim != 1 else y_true
            y_pred = y_pred[..., None] if y_pred.ndim == 1 else y_pred
        elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
            y_pred = y_pred[..., 0] if y_true.ndim != 1 else y_pred
            y_true = y_true[..., None] if y_true.ndim == 1 else y_true
        weight = jnp.ones((), jnp.float32) if sample_weight is None else jnp.asarray(sample_weight, jnp.float32)
        if weight.ndim == 1:
            weight = weight[:, None]
        weight = jnp.broadcast_to(weight, y_true.shape)
        weighted = y_true * weight
        return {"sum": state["sum"] + jnp.sum(weighted, axis=0),
                "squared_sum": state["squared_sum"] + jnp.sum(y_true * weighted, axis=0),
                "residual": state["residual"] + jnp.sum(jnp.square(y_true - y_pred) * weight, axis=0),
                "count": state["count"] + jnp.sum(weight, axis=0),
                "num_samples": state["num_samples"] + y_true.size}

    def compute(self, state):
        mean = state["sum"] / state["count"]
        total = state["squared_sum"] - state["sum"] * mean
        raw = 1.0 - state["residual"] / total
        raw = jnp.where(jnp.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = jnp.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = jnp.sum(total * raw) / jnp.sum(total)
        else:
            score = raw
        if self.num_regressors:
            # Keras falls back to the plain score when n - 1 <= p (it warns on the host)
            n, p = state["num_samples"], float(self.num_regressors)
            adjusted = 1.0 - (1.0 - score) * (n - 1.0) / jnp.where(n - p - 1.0 > 0, n - p - 1.0, 1.0)
            score = jnp.where(n - 1.0 > p, adjusted, score)
        return score

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


def _matched_shapes(a, b):
    if len(a) == len(b) + 1 and a[-1] == 1:
        return (a, b + (1,)) if len(b) == 1 else (a[:-1], b)
    if len(b) == len(a) + 1 and b[-1] == 1:
        return (a + (1,), b) if len(a) == 1 else (a, b[:-1])
    return a, b
