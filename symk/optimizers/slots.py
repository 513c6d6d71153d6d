"""The optimizer's variables: slot Variables named and ordered as Keras 3 keeps them (the order
is the file format), and the mapping between them and the optax state the jitted step carries.

Order (Keras 3's `optimizer.variables`): iteration, learning_rate (absent with a schedule),
the weights' moving averages (use_ema), the gradient accumulators (gradient_accumulation_steps),
then the optimizer's own slots group by group — Keras interleaves the slots of one group per
model variable (Adam: m(w1), v(w1), m(w2), v(w2), ...) — then any extra scalars.
"""
from __future__ import annotations

from typing import Optional

import jax
import numpy as np

from ..variables import Variable

# optax state field -> Keras slot name (the optax transforms' own field names)
_OPTAX_FIELD_TO_SLOT = {"trace": "momentum", "nu": "velocity", "mu": "average_gradient",
                        "sum_of_squares": "accumulator", "e_g": "accumulated_grad", "e_x": "accumulated_delta_var"}

# Slot pairs Keras creates together, one model variable at a time (add_optimizer_variables with a list of
# names interleaves them): Adam/AdamW/Nadam momentum+velocity, Adamax momentum+norm, Adadelta's pair.
_INTERLEAVED_SLOTS = (("momentum", "velocity"), ("momentum", "norm"), ("accumulated_grad", "accumulated_delta_var"))


def stage_on_device(variables) -> None:
    """Move the host values of these Variables to the device in one jax.device_put: each
    Variable's own jnp.asarray compiles a small staging program per shape and dtype."""
    host = [v for v in variables if isinstance(v.value, np.ndarray)]
    if host:
        for variable, value in zip(host, jax.device_put([v.value for v in host])):
            variable.set_value(value)


def _slot_groups(slot_order: tuple) -> list[tuple]:
    """('momentum', 'velocity', 'velocity_hat') -> [('momentum', 'velocity'), ('velocity_hat',)]."""
    groups, i = [], 0
    while i < len(slot_order):
        pair = tuple(slot_order[i:i + 2])
        groups.append(pair if pair in _INTERLEAVED_SLOTS else (slot_order[i],))
        i += len(groups[-1])
    return groups


class OptimizerVariables:
    """Mixin of Optimizer: build(), variables, get/set_weights and the optax-state round trip."""

    _keras_slot_order: tuple = ()
    # groups of slots Keras creates per model variable together; None: pairs from _INTERLEAVED_SLOTS
    _keras_slot_groups: Optional[tuple] = None

    def _slot_group_list(self) -> list[tuple]:
        return list(self._keras_slot_groups) if self._keras_slot_groups else _slot_groups(tuple(self._keras_slot_order))

    def _slot_variable_name(self, slot: str, base_name: str, variable: Variable) -> str:
        """The slot Variable's name; Keras: `<prefix><layer>_<weight>_<slot>`."""
        return f"{base_name}_{slot}"

    def build(self, var_list, prefix: Optional[str] = None) -> None:
        """Create the slot variables for `var_list` (trainable Variables), named as Keras 3 does:
        `<prefix><layer>_<weight>_<slot>`, where prefix is the model name and '_' when given."""
        if self.built:
            return
        self._var_paths = [v.path for v in var_list]
        self._var_names = {v.path: v.short_name for v in var_list}
        self._var_prefix = prefix or ""
        names = {v.path: (prefix or "") + v.path.replace("/", "_") for v in var_list}
        by_path = {v.path: v for v in var_list}
        self._own_variables = {}
        for option, enabled in (("average", self.use_ema), ("gradient_accumulator", self.gradient_accumulation_steps)):
            if enabled:
                self._own_variables[option] = {
                    v.path: Variable(np.zeros(v.shape, v.dtype), name=f"{names[v.path]}_{option}",
                                     path=f"{self.name}/{names[v.path]}_{option}", trainable=False)
                    for v in var_list}
        # one jitted init: eager optax init compiles a small XLA program per slot shape (first epoch time)
        values = {v.path: v.numpy() for v in var_list}
        try:
            initial = jax.jit(self._init_optax)(values)
        except (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError,
                jax.errors.TracerArrayConversionError):
            initial = self._init_optax(values)  # a transform that reads concrete values while it is built
        slots, extras = self._split_optax_state(jax.device_get(initial))
        self._slot_variables = {}
        for slot in self._keras_slot_order:
            self._slot_variables[slot] = {}
            for path in self._var_paths:
                if path in slots.get(slot, {}):
                    name = self._slot_variable_name(slot, names[path], by_path[path])
                    self._slot_variables[slot][path] = Variable(np.asarray(slots[slot][path]), name=name,
                                                                path=f"{self.name}/{name}", trainable=False)
        self._extra_variables = {name: Variable(np.asarray(value), name=name, path=f"{self.name}/{name}",
                                                trainable=False) for name, value in extras.items()}
        self.built = True

    @property
    def variables(self) -> list[Variable]:
        """Keras 3's order (see the module docstring): Keras files store optimizer variables by position."""
        out = [self._iterations] + ([self._learning_rate] if self._schedule is None else [])
        for option in ("average", "gradient_accumulator"):
            out += [self._own_variables[option][p] for p in self._var_paths if option in self._own_variables]
        for group in self._slot_group_list():
            out += [self._slot_variables[slot][p] for p in self._var_paths for slot in group
                    if p in self._slot_variables.get(slot, {})]
        return out + list(self._extra_variables.values())

    def get_weights(self) -> list[np.ndarray]:
        return [v.numpy() for v in self.variables]

    def set_weights(self, weights) -> None:
        variables = self.variables
        weights = list(weights)
        if len(weights) != len(variables):
            raise ValueError(f"Optimizer {self.name!r} has {len(variables)} variables "
                             f"({[v.short_name for v in variables]}), but {len(weights)} arrays were given. "
                             "Build it first (optimizer.build(model.trainable_variables)) so its slots exist.")
        for var, value in zip(variables, weights):
            if tuple(np.shape(value)) != tuple(var.shape):
                raise ValueError(f"Optimizer {self.name!r}: variable {var.short_name!r} has shape "
                                 f"{tuple(var.shape)}, the value given has shape {tuple(np.shape(value))}")
        for var, value in zip(variables, weights):
            var.set_value(np.asarray(value, dtype=var.dtype))

    # -- optax state <-> slot variables ----------------------------------------------------
    def _init_optax(self, params: dict):
        import jax.numpy as jnp

        return self._transform(jnp.zeros((), jnp.int32), jnp.float32(0.0)).init(params)

    def _split_optax_state(self, optax_state):
        """{slot: {var path: array}}, {extra name: array} from an optax state."""
        slots: dict[str, dict] = {}
        extras: dict[str, object] = {}
        paths = set(self._var_paths)
        for key_path, leaf in jax.tree_util.tree_flatten_with_path(optax_state)[0]:
            last = key_path[-1]
            if isinstance(last, jax.tree_util.DictKey) and last.key in paths:
                slots.setdefault(self._slot_name(key_path[-2]), {})[last.key] = leaf
            else:
                extras[self._slot_name(last)] = leaf
        return slots, extras

    @staticmethod
    def _slot_name(key) -> str:
        name = getattr(key, "name", None) or str(getattr(key, "key", getattr(key, "idx", key)))
        return _OPTAX_FIELD_TO_SLOT.get(name, name)

    def _state_from_variables(self, params: dict) -> dict:
        """The trainer's optimizer state, taken from this optimizer's variables (a loaded
        optimizer state resumes exactly)."""
        key = tuple(sorted(params))
        cached = getattr(self, "_template_cache", None)
        if cached is None or cached[0] != key:
            # the optax state's structure (computed once per set of weights, abstractly)
            template = jax.eval_shape(self._init_optax, params)
            cached = self._template_cache = (key,) + jax.tree_util.tree_flatten_with_path(template)
        _, flat, treedef = cached
        stage_on_device(self.variables)
        paths = set(self._var_paths)
        leaves = []
        for key_path, _ in flat:
            last = key_path[-1]
            if isinstance(last, jax.tree_util.DictKey) and last.key in paths:
                leaves.append(self._slot_variables[self._slot_name(key_path[-2])][last.key].device_value())
            else:
                leaves.append(self._extra_variables[self._slot_name(last)].device_value())
        state = {"iteration": self._iterations.device_value(), "learning_rate": self._learning_rate.device_value(),
                 "optax": jax.tree_util.tree_unflatten(treedef, leaves)}
        for option, by_path in getattr(self, "_own_variables", {}).items():
            state[option] = {p: by_path[p].device_value() for p in params}
        return state

    def _write_state(self, state: dict) -> None:
        self._iterations.set_value(state["iteration"])
        self._learning_rate.set_value(state["learning_rate"])
        slots, extras = self._split_optax_state(state["optax"])
        for slot, by_path in slots.items():
            for path, value in by_path.items():
                self._slot_variables[slot][path].set_value(value)
        for name, value in extras.items():
            self._extra_variables[name].set_value(value)
        for option, by_path in getattr(self, "_own_variables", {}).items():
            for path, value in state.get(option, {}).items():
                by_path[path].set_value(value)
