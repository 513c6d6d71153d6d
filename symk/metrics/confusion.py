"""Metrics from thresholded confusion counts: Precision, Recall, AUC (Keras's formulas)."""
from __future__ import annotations

import jax.numpy as jnp

from .base import Metric, broadcast_weights

_EPSILON = 1e-7


def _confusion_counts(y_true, y_pred, sample_weight, thresholds):
    """Weighted tp, fp, tn, fn, one entry per threshold (a prediction is positive when > threshold)."""
    y_pred = jnp.asarray(y_pred, jnp.float32)
    y_true = jnp.asarray(y_true, jnp.float32).reshape(y_pred.shape)
    weights = broadcast_weights(sample_weight, y_pred).reshape(-1)
    predicted = y_pred.reshape(1, -1) > thresholds.reshape(-1, 1)
    positive = (y_true.reshape(1, -1) > 0.5)
    count = lambda mask: jnp.sum(mask * weights[None, :], axis=1)  # noqa: E731
    return (count(predicted & positive), count(predicted & ~positive), count(~predicted & ~positive),
            count(~predicted & positive))


def _div_no_nan(a, b):
    return jnp.where(b > 0, a / jnp.where(b > 0, b, 1.0), 0.0)


class _ThresholdMetric(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype="float32"):
        if top_k is not None or class_id is not None:
            raise NotImplementedError(f"{type(self).__name__}: top_k and class_id are not supported yet")
        super().__init__(name=name, dtype=dtype)
        self.thresholds = thresholds
        values = [0.5] if thresholds is None else list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
        self._threshold_array = jnp.asarray(values, jnp.float32)

    def initial_state(self):
        zeros = jnp.zeros(self._threshold_array.shape, jnp.float32)
        return {"tp": zeros, "fp": zeros, "fn": zeros}

    def update(self, state, y_true, y_pred, sample_weight=None):
        tp, fp, _, fn = _confusion_counts(y_true, y_pred, sample_weight, self._threshold_array)
        return {"tp": state["tp"] + tp, "fp": state["fp"] + fp, "fn": state["fn"] + fn}

    def _finish(self, values):
        return values[0] if self.thresholds is None or not isinstance(self.thresholds, (list, tuple)) else values

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds, "top_k": None, "class_id": None}


class Precision(_ThresholdMetric):
    def compute(self, state):
        return self._finish(_div_no_nan(state["tp"], state["tp"] + state["fp"]))


class Recall(_ThresholdMetric):
    def compute(self, state):
        return self._finish(_div_no_nan(state["tp"], state["tp"] + state["fn"]))


def _interpolated_pr_auc(tp, fp, fn):
    """Keras's PR-AUC with summation_method='interpolation' (Davis & Goadrich 2006, section 4):
    between successive thresholds TP and P = TP + FP vary linearly, so precision TP / P is
    integrated in closed form: slope * (dTP + intercept * log(P_A / P_B)) / total positives,
    where slope = dTP / dP and intercept = TP_B - slope * P_B."""
    predicted = tp + fp
    d_tp = tp[:-1] - tp[1:]
    d_predicted = predicted[:-1] - predicted[1:]
    slope = _div_no_nan(d_tp, jnp.maximum(d_predicted, 0.0))
    intercept = tp[1:] - slope * predicted[1:]
    both_positive = (predicted[:-1] > 0) & (predicted[1:] > 0)
    ratio = jnp.where(both_positive, _div_no_nan(predicted[:-1], jnp.maximum(predicted[1:], 0.0)), 1.0)
    increments = _div_no_nan(slope * (d_tp + intercept * jnp.log(jnp.where(ratio > 0, ratio, 1.0))),
                             jnp.maximum(tp[1:] + fn[1:], 0.0))
    return jnp.sum(increments)


class AUC(Metric):
    """Area under the ROC (or PR) curve from `num_thresholds` confusion counts: trapezoids, or
    for curve='PR' with 'interpolation' Keras's interpolated precision (see above)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype="float32", thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        if multi_label or label_weights is not None:
            raise NotImplementedError("AUC: multi_label and label_weights are not supported yet")
        if curve not in ("ROC", "PR") or summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR' (got {curve!r}); summation_method "
                             f"'interpolation', 'minoring' or 'majoring' (got {summation_method!r})")
        super().__init__(name=name, dtype=dtype)
        self.num_thresholds, self.curve, self.summation_method = num_thresholds, curve, summation_method
        self.from_logits = from_logits
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] if thresholds is None \
            else sorted(thresholds)
        self._thresholds = jnp.asarray([0.0 - _EPSILON] + inner + [1.0 + _EPSILON], jnp.float32)
        self.num_thresholds = len(inner) + 2

    def initial_state(self):
        zeros = jnp.zeros((self.num_thresholds,), jnp.float32)
        return {"tp": zeros, "fp": zeros, "tn": zeros, "fn": zeros}

    def update(self, state, y_true, y_pred, sample_weight=None):
        if self.from_logits:
            y_pred = 1.0 / (1.0 + jnp.exp(-jnp.asarray(y_pred, jnp.float32)))
        tp, fp, tn, fn = _confusion_counts(y_true, y_pred, sample_weight, self._thresholds)
        return {"tp": state["tp"] + tp, "fp": state["fp"] + fp, "tn": state["tn"] + tn, "fn": state["fn"] + fn}

    def compute(self, state):
        tp, fp, tn, fn = state["tp"], state["fp"], state["tn"], state["fn"]
        if self.curve == "PR" and self.summation_method == "interpolation":
            return _interpolated_pr_auc(tp, fp, fn)
        recall = _div_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _div_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[:-1], y[1:])
        else:
            heights = jnp.maximum(y[:-1], y[1:])
        return jnp.sum((x[:-1] - x[1:]) * heights)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "multi_label": False, "num_labels": None,
                "label_weights": None, "from_logits": self.from_logits}
