"""StatelessScope (Keras's keras.StatelessScope): inside it, symk's stateful pieces read the values
a mapping gives them and record their updates in the scope instead of writing their Variables.

    with StatelessScope(state_mapping=list(zip(metric.variables, values))) as scope:
        metric.update_state(y_true, y_pred)
    new_values = [scope.get_current_value(v) for v in metric.variables]

Who consults it: Variables (`value` reads the mapped value, `assign`/`assign_add` record updates),
metrics (their state Variables), `Layer.losses` (regularizers read the mapped weights) and the
trainer's stateless steps. A Variable in a graph is still a parameter node: the scope concerns
concrete (or traced) values only.

This module imports nothing from symk, so any package may use it.
"""
from __future__ import annotations

import threading

_local = threading.local()


class StatelessScope:
    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses = bool(collect_losses)
        self.initialize_variables = initialize_variables
        self.losses: list = []
        self.state_mapping: dict[int, object] = {}
        self._variables: dict[int, object] = {}  # keeps the keys' Variables alive while the scope is
        for variable, value in list(state_mapping or []):
            if not hasattr(variable, "path") or not hasattr(variable, "shape"):
                raise ValueError("Invalid reference variable in StatelessScope: every key of `state_mapping` must "
                                 f"be a Variable; received {variable!r}")
            if hasattr(value, "device_value") and hasattr(value, "path"):  # a Variable given as the value
                value = value.device_value()
            shape = tuple(getattr(value, "shape", ()))
            if shape != tuple(variable.shape):
                raise ValueError(f"Invalid variable value in StatelessScope: the value for variable "
                                 f"{variable.path!r} (shape {tuple(variable.shape)}) has shape {shape}")
            self.state_mapping[id(variable)] = value
            self._variables[id(variable)] = variable

    def __enter__(self):
        stack = _stack()
        stack.append(self)
        return self

    def __exit__(self, *exc):
        stack = _stack()
        if stack and stack[-1] is self:
            stack.pop()
        return False

    def add_loss(self, loss) -> None:
        self.losses.append(loss)

    def add_update(self, update) -> None:
        variable, value = update
        self.state_mapping[id(variable)] = value
        self._variables[id(variable)] = variable

    def get_current_value(self, variable):
        """The value the scope holds for `variable` (given or updated inside), else None."""
        return self.state_mapping.get(id(variable))


def _stack() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def get_stateless_scope():
    stack = _stack()
    return stack[-1] if stack else None


def in_stateless_scope() -> bool:
    return bool(_stack())


def read(variable):
    """A Variable's value as the innermost scope that knows it sees it (else its own value)."""
    for scope in reversed(_stack()):
        value = scope.get_current_value(variable)
        if value is not None:
            return value
    return variable.device_value()


def write(variable, value) -> None:
    """Record an update in the active scope, or set the Variable when there is none."""
    scope = get_stateless_scope()
    if scope is not None:
        scope.add_update((variable, value))
    else:
        variable.set_value(value)


# -- keys for random ops in stateless calls --------------------------------------------------------
# NOTE: symk's dropout draws from the key a program is run with, not from a seed Variable in the
# state, so a stateless call needs a key that changes per step. fit's jitted custom steps open a
# key scope with a per-step key (traced); every stateless call inside it folds in its own ordinal.
class KeyScope:
    def __init__(self, key):
        self.key, self.count = key, 0

    def __enter__(self):
        _key_stack().append(self)
        return self

    def __exit__(self, *exc):
        _key_stack().pop()
        return False


def _key_stack() -> list:
    if not hasattr(_local, "keys"):
        _local.keys = []
    return _local.keys


def next_step_key():
    """A fresh key from the innermost KeyScope, or None outside one (the caller draws its own)."""
    stack = _key_stack()
    if not stack:
        return None
    import jax

    scope = stack[-1]
    scope.count += 1
    return jax.random.fold_in(scope.key, scope.count)
