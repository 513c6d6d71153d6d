"""A metric's state as Keras 3 shows it: `metric.variables` (Variables, in the state's order) and the
stateless API over lists of their values (`stateless_update_state`, `stateless_result`,
`stateless_reset_state`), mixed into Metric.

A metric keeps its running sums as a small pytree (`initial_state()`); the first read of
`metric.variables` turns that pytree into Variables named `<metric>/<key>` (Mean: 'mean/total',
'mean/count', as Keras names them), which hold the state from then on. Reads and writes of the
state go through `symk.training.stateless_scope`, so inside a StatelessScope (a jitted train step)
the metric reads the values it is given and records its updates instead of writing.

    values = [v.value for v in metric.variables]
    values = metric.stateless_update_state(values, y_true, y_pred)
    metric.stateless_result(values)
"""
from __future__ import annotations

import numpy as np

from .. import stateless_scope
from ..variables import Variable


def _flatten(tree, prefix=""):
    """[(key path, leaf)] of a state pytree: dicts in insertion order (Keras's variable order), then lists."""
    if isinstance(tree, dict):
        return [item for key, value in tree.items() for item in _flatten(value, f"{prefix}{key}_")]
    if isinstance(tree, (list, tuple)):
        return [item for i, value in enumerate(tree) for item in _flatten(value, f"{prefix}{i}_")]
    return [(prefix[:-1] or "state", tree)]


def _unflatten(template, leaves: list):
    """The pytree shaped like `template` with `leaves` in _flatten's order."""
    it = iter(leaves)

    def build(node):
        if isinstance(node, dict):
            return {key: build(value) for key, value in node.items()}
        if isinstance(node, (list, tuple)):
            return type(node)(build(value) for value in node)
        return next(it)

    return build(template)


class MetricVariablesAPI:
    """Mixed into Metric: the state as Variables, and Keras's stateless methods."""

    # -- the state: a raw pytree until `variables` is read, then the Variables' values -----------
    @property
    def _state(self):
        variables = self.__dict__.get("_state_variables")
        if variables is None:
            return self.__dict__.get("_raw_state")
        return _unflatten(self.__dict__["_state_template"], [stateless_scope.read(v) for v in variables])

    @_state.setter
    def _state(self, value):
        variables = self.__dict__.get("_state_variables")
        if variables is None:
            self.__dict__["_raw_state"] = value
            return
        if value is None:  # reset: the initial state, kept in the Variables
            value = self.initial_state()
        leaves = [leaf for _, leaf in _flatten(value)]
        if len(leaves) != len(variables):
            raise ValueError(f"Metric {self.name!r}: its state has {len(leaves)} arrays, but the metric has "
                             f"{len(variables)} variables")
        for i, (variable, leaf) in enumerate(zip(variables, leaves)):
            if stateless_scope.in_stateless_scope():
                stateless_scope.write(variable, leaf)
            elif tuple(np.shape(leaf)) == tuple(variable.shape):
                variable.set_value(leaf)
            else:  # a metric sized by its first batch (one sum per class): the Variable takes the new size
                variables[i] = Variable(np.asarray(leaf), name=variable.short_name, trainable=False,
                                        path=f"{self.name}/{variable.short_name}")
        self.__dict__["_state_template"] = value

    @property
    def variables(self) -> list:
        """The metric's state Variables (created from the current state on first read)."""
        if self.__dict__.get("_state_variables") is None:
            state = self.__dict__.get("_raw_state")
            if state is None:
                # a metric written as in Keras 3 keeps only what add_variable() made
                state = self.initial_state() if self._has_pure_state() else []
            self.__dict__["_state_template"] = state
            self.__dict__["_state_variables"] = [
                Variable(np.asarray(leaf), name=key, path=f"{self.name}/{key}", trainable=False)
                for key, leaf in _flatten(state)]
        return list(self.__dict__["_state_variables"])

    @staticmethod
    def _assign_variable(variable, value) -> None:
        """Write one state Variable (recorded in the scope inside a StatelessScope)."""
        stateless_scope.write(variable, value)

    def _has_pure_state(self) -> bool:
        from .base import Metric

        return type(self).initial_state is not Metric.initial_state

    # -- Keras's stateless API --------------------------------------------------------------------
    def _check_values(self, metric_variables, what: str) -> list:
        metric_variables = list(metric_variables)
        if len(metric_variables) != len(self.variables):
            raise ValueError(f"{type(self).__name__}.{what}: argument `metric_variables` must be a list of tensors "
                             f"corresponding 1:1 to {type(self).__name__}().variables "
                             f"({[v.short_name for v in self.variables]}). Received a list of length "
                             f"{len(metric_variables)}, but expected {len(self.variables)} values.")
        return metric_variables

    def stateless_update_state(self, metric_variables, *args, **kwargs) -> list:
        """update_state(*args, **kwargs) on the state `metric_variables`; returns the new values."""
        values = self._check_values(metric_variables, "stateless_update_state")
        mapping = list(zip(self.variables, values))
        with stateless_scope.StatelessScope(state_mapping=mapping) as scope:
            self.update_state(*args, **kwargs)
        return [_current(scope, v, value) for v, value in mapping]

    def stateless_result(self, metric_variables):
        values = self._check_values(metric_variables, "stateless_result")
        with stateless_scope.StatelessScope(state_mapping=list(zip(self.variables, values))):
            return self.result()

    def stateless_reset_state(self) -> list:
        with stateless_scope.StatelessScope() as scope:
            self.reset_state()
        return [_current(scope, v, v.device_value()) for v in self.variables]

    # -- Keras 3's own state variables (a metric written as in Keras 3) ---------------------------
    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None) -> Variable:
        """A state Variable of this metric (Keras 3: `self.add_variable(shape=(), initializer='zeros', ...)`)."""
        from .. import initializers

        self.variables  # noqa: B018  (the state Variables exist before this one joins them)
        name = name or f"variable_{len(self.__dict__['_state_variables'])}"
        dtype = dtype or self.dtype
        value = np.asarray(initializers.get(initializer)(tuple(shape), dtype=dtype), dtype=dtype)
        variable = Variable(value, name=name, path=f"{self.name}/{name}", trainable=False, dtype=dtype)
        self.__dict__["_state_variables"].append(variable)
        self.__dict__["_state_template"] = list(self.__dict__["_state_template"]) + [None]
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None) -> Variable:
        return self.add_variable(shape=shape, initializer=initializer or "zeros", dtype=dtype, name=name)


def _current(scope, variable, fallback):
    value = scope.get_current_value(variable)
    return fallback if value is None else value
