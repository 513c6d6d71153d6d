"""Metric base: a pure (init, update, result) triple over a small pytree of running sums,
so the trainer accumulates metrics on device inside its jitted step; plus Keras's
stateful API (`update_state`, `result`, `reset_state`) on top for direct use.

    m = Mean(); m.update_state([1, 2, 3]); m.result()   # 2.0
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..losses_base import keras_snake_case
from .metric_variables import MetricVariablesAPI


def broadcast_weights(sample_weight, values):
    """Sample weights shaped to multiply `values` (trailing axes added or size-1 axes dropped)."""
    if sample_weight is None:
        return jnp.ones_like(values)
    weight = jnp.asarray(sample_weight, values.dtype)
    while weight.ndim > values.ndim and weight.shape[-1] == 1:
        weight = weight[..., 0]
    while weight.ndim < values.ndim:
        weight = weight[..., None]
    return jnp.broadcast_to(weight, values.shape)


class Metric(MetricVariablesAPI):
    """Subclasses implement `initial_state()`, `update(state, y_true, y_pred, sample_weight)`
    and `compute(state)`, all pure functions of jax arrays.

    A metric whose state size depends on the data (R2Score, F1Score: one entry per class)
    implements `_build(y_true_shape, y_pred_shape)`; until it is built its initial state holds
    scalars, which the first update broadcasts to the data's size."""

    def __init__(self, name=None, dtype="float32"):
        self.name = name or keras_snake_case(type(self).__name__)
        self.dtype = dtype
        self._state = None

    def _build(self, y_true_shape, y_pred_shape) -> None:
        """Size the state for targets / predictions of these shapes (most metrics: nothing to do)."""

    # A metric written as in Keras 3 (add_variable + update_state / result / reset_state, no pure functions)
    # runs through the stateless API: its state is the list of its Variables' values, so the trainer still
    # accumulates it inside the jitted step.
    def initial_state(self):
        return self.stateless_reset_state()

    def update(self, state, y_true, y_pred, sample_weight=None):
        return self.stateless_update_state(list(state), y_true, y_pred, sample_weight=sample_weight)

    def compute(self, state):
        return self.stateless_result(list(state))

    # -- Keras's stateful API -----------------------------------------------------------
    def update_state(self, y_true, y_pred=None, sample_weight=None):
        if self._state is None and y_pred is not None:
            self._build(tuple(jnp.shape(y_true)), tuple(jnp.shape(y_pred)))
        state = self._state if self._state is not None else self.initial_state()
        self._state = self.update(state, y_true, y_pred, sample_weight)

    def result(self):
        return self.compute(self._state if self._state is not None else self.initial_state())

    def reset_state(self):
        if not self._has_pure_state():  # a metric written as in Keras 3: its add_variable() state to zeros
            for variable in self.variables:
                self._assign_variable(variable, np.zeros(variable.shape, variable.dtype))
            return
        self._state = None

    reset_states = reset_state

    def __call__(self, y_true, y_pred=None, sample_weight=None):
        """Update with one batch and return the metric of that batch alone (Keras 2 style)."""
        if y_pred is not None:
            self._build(tuple(jnp.shape(y_true)), tuple(jnp.shape(y_pred)))
        return self.compute(self.update(self.initial_state(), y_true, y_pred, sample_weight))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def zeros(shape=(), dtype="float32"):
    """A metric's starting state: made on the host and put on the device, because jnp.zeros compiles an XLA
    program per shape and dtype (one more compile before the first train step for each)."""
    return jax.device_put(np.zeros(shape, dtype))


class Mean(Metric):
    """Weighted mean of the values given (`update_state(values, sample_weight=None)`)."""

    def initial_state(self):
        return {"total": zeros(), "count": zeros()}

    def update(self, state, values, _unused=None, sample_weight=None):
        values = jnp.asarray(values, jnp.float32)
        weights = broadcast_weights(sample_weight, values)
        return {"total": state["total"] + jnp.sum(values * weights), "count": state["count"] + jnp.sum(weights)}

    def update_state(self, values, sample_weight=None):
        super().update_state(values, None, sample_weight)

    def compute(self, state):
        return jnp.where(state["count"] > 0, state["total"] / jnp.where(state["count"] > 0, state["count"], 1.0), 0.0)


class Sum(Mean):
    def compute(self, state):
        return state["total"]


class MeanMetricWrapper(Mean):
    """The weighted mean over samples of `fn(y_true, y_pred)` (one value per sample)."""

    def __init__(self, fn, name=None, dtype="float32", **fn_kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "metric"), dtype=dtype)
        self.fn, self.fn_kwargs = fn, fn_kwargs

    def update(self, state, y_true, y_pred, sample_weight=None):
        values = jnp.asarray(self.fn(y_true, y_pred, **self.fn_kwargs), jnp.float32)
        return Mean.update(self, state, values, None, sample_weight)

    def update_state(self, y_true, y_pred=None, sample_weight=None):
        Metric.update_state(self, y_true, y_pred, sample_weight)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}
