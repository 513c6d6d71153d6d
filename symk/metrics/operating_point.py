"""Metrics read at an operating point of the threshold sweep: the best sensitivity (recall,
precision, specificity) among thresholds where the other rate reaches a required value.

    m = PrecisionAtRecall(recall=0.8); m.update_state(y_true, y_pred); m.result()
"""
from __future__ import annotations

import jax.numpy as jnp

from .base import Metric, zeros
from .confusion import _div_no_nan
from .confusion_counts import confusion_counts


class _OperatingPointMetric(Metric):
    """num_thresholds evenly spaced thresholds in [0, 1] (one: 0.5), all four counts at each.

    Subclasses name the required rate (`_constraint`), the rate to maximise (`_dependent`) and
    the constructor argument that holds the required value (`_value_arg`)."""

    _value_arg = "value"
    _constraint = "specificity"
    _dependent = "sensitivity"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        owner = type(self).__name__
        if value < 0 or value > 1:
            raise ValueError(f"{owner}: `{self._value_arg}` must be in the range [0, 1]; received "
                             f"{self._value_arg}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"{owner}: `num_thresholds` must be an integer > 0; received {num_thresholds}")
        super().__init__(name=name, dtype=dtype or "float32")
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        if num_thresholds == 1:
            self._threshold_list, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._threshold_list, self._evenly = [0.0] + inner + [1.0], True

    def initial_state(self):
        # one array per count: the trainer donates the state, and one buffer cannot be donated twice
        return {key: zeros((len(self._threshold_list),)) for key in ("tp", "fp", "tn", "fn")}

    def update(self, state, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, sample_weight, self._threshold_list, self._evenly,
                                  class_id=self.class_id)
        return {key: state[key] + counts[key] for key in state}

    @staticmethod
    def _rates(state) -> dict:
        tp, fp, tn, fn = state["tp"], state["fp"], state["tn"], state["fn"]
        return {"sensitivity": _div_no_nan(tp, tp + fn), "specificity": _div_no_nan(tn, tn + fp),
                "precision": _div_no_nan(tp, tp + fp)}

    def compute(self, state):
        rates = self._rates(state)
        feasible = rates[self._constraint] >= self.value
        return jnp.max(jnp.where(feasible, rates[self._dependent], 0.0), initial=0.0)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds,
                self._value_arg: self.value}


class SensitivityAtSpecificity(_OperatingPointMetric):
    _value_arg, _constraint, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.specificity = specificity
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(_OperatingPointMetric):
    _value_arg, _constraint, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.sensitivity = sensitivity
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(_OperatingPointMetric):
    _value_arg, _constraint, _dependent = "recall", "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.recall = recall
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(_OperatingPointMetric):
    _value_arg, _constraint, _dependent = "precision", "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        self.precision = precision
        super().__init__(precision, num_thresholds, class_id, name, dtype)
