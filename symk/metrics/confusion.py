"""Metrics from thresholded confusion counts: Precision, Recall, the four counts
(TruePositives, ...) and AUC, with Keras's formulas, thresholds, top_k and class_id.

    m = Precision(thresholds=[0.3, 0.7]); m.update_state(y_true, y_pred); m.result()   # 2 values
"""
from __future__ import annotations

import jax.numpy as jnp

from .base import Metric, zeros
from .confusion_counts import NEG_INF, confusion_counts, evenly_distributed, parse_thresholds

_EPSILON = 1e-7


def _div_no_nan(a, b):
    return jnp.where(b > 0, a / jnp.where(b > 0, b, 1.0), 0.0)


class _ThresholdMetric(Metric):
    """Counts at `thresholds` (default 0.5; with top_k, every top-k prediction counts); the result
    is a scalar for one threshold and one value per threshold otherwise, as in Keras."""

    _counts = ("tp", "fp", "fn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype="float32"):
        super().__init__(name=name, dtype=dtype or "float32")
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self._threshold_list = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF, type(self).__name__)
        self._evenly = evenly_distributed(self._threshold_list)

    def initial_state(self):
        # one array per count: the trainer donates the state, and one buffer cannot be donated twice
        return {key: zeros((len(self._threshold_list),)) for key in self._counts}

    def update(self, state, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, sample_weight, self._threshold_list, self._evenly, self.top_k,
                                  self.class_id)
        return {key: state[key] + counts[key] for key in self._counts}

    def _finish(self, values):
        return values[0] if len(self._threshold_list) == 1 else values

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_ThresholdMetric):
    def compute(self, state):
        return self._finish(_div_no_nan(state["tp"], state["tp"] + state["fp"]))


class Recall(_ThresholdMetric):
    def compute(self, state):
        return self._finish(_div_no_nan(state["tp"], state["tp"] + state["fn"]))


class _ConditionCount(_ThresholdMetric):
    """One weighted confusion count at each threshold (Keras's TruePositives, ...)."""

    _count = "tp"

    def __init__(self, thresholds=None, name=None, dtype=None):
        self._counts = (self._count,)
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def compute(self, state):
        return self._finish(state[self._count])

    def get_config(self):
        return {**Metric.get_config(self), "thresholds": self.thresholds}


class TruePositives(_ConditionCount):
    _count = "tp"


class FalsePositives(_ConditionCount):
    _count = "fp"


class TrueNegatives(_ConditionCount):
    _count = "tn"


class FalseNegatives(_ConditionCount):
    _count = "fn"


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
        self._threshold_list = [0.0 - _EPSILON] + inner + [1.0 + _EPSILON]
        self._evenly = thresholds is None or evenly_distributed([0.0] + inner + [1.0])
        self.num_thresholds = len(inner) + 2

    def initial_state(self):
        return {key: zeros((self.num_thresholds,)) for key in ("tp", "fp", "tn", "fn")}

    def update(self, state, y_true, y_pred, sample_weight=None):
        if self.from_logits:
            y_pred = 1.0 / (1.0 + jnp.exp(-jnp.asarray(y_pred, jnp.float32)))
        counts = confusion_counts(y_true, y_pred, sample_weight, self._threshold_list, self._evenly)
        return {key: state[key] + counts[key] for key in ("tp", "fp", "tn", "fn")}

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
