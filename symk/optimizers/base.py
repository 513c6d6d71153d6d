"""Optimizer base: Keras's optimizer interface (config, variables, learning rate) over optax.

The update rule of each optimizer is an optax GradientTransformation; this class adds what
Keras users expect around it: `iterations` and `learning_rate` as variables (so setting
`optimizer.learning_rate` between epochs changes a value in the trainer's state, never the
compiled step), legacy `lr`/`decay`, gradient clipping, weight decay, and the optimizer's
slot variables named and ordered as Keras 3 names them (`<model>_<layer>_<weight>_momentum`).

The trainer calls `_state_from_variables()` when training (re)starts, `_apply(...)` inside
its jitted step and `_write_state(...)` when it hands control back.
"""
from __future__ import annotations

from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..variables import Variable
from . import schedules
from .transforms import clip_each_by_norm

# optax state field -> Keras slot name (the optax transforms' own field names)
_OPTAX_FIELD_TO_SLOT = {"trace": "momentum", "nu": "velocity", "mu": "average_gradient",
                        "sum_of_squares": "accumulator", "e_g": "accumulated_grad", "e_x": "accumulated_delta_var"}
_UNSUPPORTED = ("use_ema", "loss_scale_factor", "gradient_accumulation_steps")


# Slot pairs Keras creates together, one model variable at a time (add_optimizer_variables with a list of
# names interleaves them): Adam/AdamW/Nadam momentum+velocity, Adamax momentum+norm, Adadelta's pair.
_INTERLEAVED_SLOTS = (("momentum", "velocity"), ("momentum", "norm"), ("accumulated_grad", "accumulated_delta_var"))


def _slot_groups(slot_order: tuple) -> list[tuple]:
    """('momentum', 'velocity', 'velocity_hat') -> [('momentum', 'velocity'), ('velocity_hat',)]."""
    groups, i = [], 0
    while i < len(slot_order):
        pair = tuple(slot_order[i:i + 2])
        groups.append(pair if pair in _INTERLEAVED_SLOTS else (slot_order[i],))
        i += len(groups[-1])
    return groups


class Optimizer:
    """Base class. Subclasses set `_default_name`, `_keras_slot_order`, store their
    hyperparameters in `self._hyper` and implement `_transform(step, learning_rate)`."""

    _default_name = "optimizer"
    _keras_slot_order: tuple = ()

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # Keras 2's name for learning_rate
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        for legacy in ("jit_compile", "is_legacy_optimizer", "epsilon_"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected argument(s) {sorted(kwargs)}. Accepted: "
                            f"learning_rate (or lr), decay, weight_decay, clipnorm, clipvalue, global_clipnorm, "
                            f"name and {sorted(self._hyper)}.")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{type(self).__name__}: give at most one of clipnorm, clipvalue, global_clipnorm "
                             f"(got clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm})")
        if use_ema or loss_scale_factor is not None or gradient_accumulation_steps is not None:
            raise NotImplementedError(f"{type(self).__name__}: {', '.join(_UNSUPPORTED)} are not supported by symk yet")
        self.name = name or self._default_name
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        if isinstance(learning_rate, dict):
            learning_rate = schedules.deserialize(learning_rate)
        # Keras 3: a callable with no arguments is read again at each step (`lambda: lr_value`);
        # a callable of the step count is a schedule, evaluated inside the compiled step
        self._learning_rate_callable = learning_rate if _takes_no_arguments(learning_rate) else None
        self._schedule = learning_rate if callable(learning_rate) and self._learning_rate_callable is None else None
        if self._learning_rate_callable is not None:
            learning_rate = self._learning_rate_callable()
        initial = 0.0 if self._schedule is not None else _as_float(learning_rate, "learning_rate")
        self._iterations = Variable(np.int32(0), name="iteration", path=f"{self.name}/iteration", trainable=False,
                                    dtype="int32")
        self._learning_rate = Variable(np.float32(initial), name="learning_rate",
                                       path=f"{self.name}/learning_rate", trainable=False)
        self.built = False
        self._var_paths: list[str] = []
        self._slot_variables: dict[str, dict[str, Variable]] = {}
        self._extra_variables: dict[str, Variable] = {}

    # -- hyperparameters --------------------------------------------------------------
    @property
    def learning_rate(self):
        if self._schedule is not None:
            return self._schedule
        if self._learning_rate_callable is not None:
            return float(_as_float(self._learning_rate_callable(), "learning_rate()"))
        return float(self._learning_rate.numpy())

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if callable(value):
            raise ValueError(f"{type(self).__name__}: set a schedule when creating the optimizer; "
                             "`optimizer.learning_rate = x` takes a number")
        if self._schedule is not None or self._learning_rate_callable is not None:
            raise ValueError(f"{type(self).__name__} uses a learning-rate schedule or callable; it cannot be "
                             "overwritten with a number")
        self._learning_rate.set_value(np.float32(_as_float(value, "learning_rate")))

    lr = learning_rate

    @property
    def iterations(self) -> Variable:
        return self._iterations

    def _transform(self, step, learning_rate) -> optax.GradientTransformation:
        raise NotImplementedError

    # -- variables ----------------------------------------------------------------------
    def build(self, var_list, prefix: Optional[str] = None) -> None:
        """Create the slot variables for `var_list` (trainable Variables), named as Keras 3 does:
        `<prefix><layer>_<weight>_<slot>`, where prefix is the model name and '_' when given."""
        if self.built:
            return
        self._var_paths = [v.path for v in var_list]
        names = {v.path: (prefix or "") + v.path.replace("/", "_") for v in var_list}
        slots, extras = self._split_optax_state(self._init_optax({v.path: v.numpy() for v in var_list}))
        self._slot_variables = {}
        for slot in self._keras_slot_order:
            self._slot_variables[slot] = {
                path: Variable(np.asarray(value), name=f"{names[path]}_{slot}",
                               path=f"{self.name}/{names[path]}_{slot}", trainable=False)
                for path, value in ((p, slots[slot][p]) for p in self._var_paths)}
        self._extra_variables = {name: Variable(np.asarray(value), name=name, path=f"{self.name}/{name}",
                                                trainable=False) for name, value in extras.items()}
        self.built = True

    @property
    def variables(self) -> list[Variable]:
        """iteration, learning_rate (absent with a schedule), then the slots in Keras 3's order.

        Keras files store optimizer variables by position, so this order is the file format: Keras
        interleaves paired slots per model variable (Adam: m(w1), v(w1), m(w2), v(w2), ...) and lists
        other slots group by group."""
        out = [self._iterations] + ([self._learning_rate] if self._schedule is None else [])
        for group in _slot_groups(tuple(self._keras_slot_order)):
            out += [self._slot_variables[slot][p] for p in self._var_paths for slot in group]
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
        paths = set(self._var_paths)
        leaves = []
        for key_path, _ in flat:
            last = key_path[-1]
            if isinstance(last, jax.tree_util.DictKey) and last.key in paths:
                leaves.append(self._slot_variables[self._slot_name(key_path[-2])][last.key].device_value())
            else:
                leaves.append(self._extra_variables[self._slot_name(last)].device_value())
        return {"iteration": self._iterations.device_value(), "learning_rate": self._learning_rate.device_value(),
                "optax": jax.tree_util.tree_unflatten(treedef, leaves)}

    def _write_state(self, state: dict) -> None:
        self._iterations.set_value(state["iteration"])
        self._learning_rate.set_value(state["learning_rate"])
        slots, extras = self._split_optax_state(state["optax"])
        for slot, by_path in slots.items():
            for path, value in by_path.items():
                self._slot_variables[slot][path].set_value(value)
        for name, value in extras.items():
            self._extra_variables[name].set_value(value)

    # -- the update (pure; runs inside the jitted train step) ---------------------------
    def _current_learning_rate(self, state):
        step = state["iteration"]
        lr = self._schedule(step) if self._schedule is not None else state["learning_rate"]
        lr = jnp.asarray(lr, jnp.float32)
        if self.decay:  # Keras 2 legacy: lr / (1 + decay * iterations)
            lr = lr / (1.0 + self.decay * step.astype(jnp.float32))
        return lr

    def _apply(self, grads: dict, params: dict, state: dict):
        step = state["iteration"]
        lr = self._current_learning_rate(state)
        parts = []
        if self.clipnorm is not None:
            parts.append(clip_each_by_norm(self.clipnorm))
        if self.clipvalue is not None:
            parts.append(optax.clip(self.clipvalue))
        if self.global_clipnorm is not None:
            parts.append(optax.clip_by_global_norm(self.global_clipnorm))
        core = self._transform(step, lr)
        clip = optax.chain(*parts) if parts else None
        if clip is not None:
            grads, _ = clip.update(grads, clip.init(params), params)
        if self.weight_decay:  # Keras decays the weights before the update: w -= w * wd * lr
            params = jax.tree.map(lambda w: w - w * self.weight_decay * lr, params)
        updates, optax_state = core.update(grads, state["optax"], params)
        new_params = optax.apply_updates(params, updates)
        return new_params, {"iteration": step + 1, "learning_rate": state["learning_rate"], "optax": optax_state}

    # -- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = (schedules.serialize(self._schedule) if isinstance(self._schedule, schedules.LearningRateSchedule)
              else float(np.float32(self._learning_rate.numpy())))
        config = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                  "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                  "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}
        if self.decay:
            config["decay"] = self.decay
        config.update(self._hyper)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self.learning_rate}>"


def _takes_no_arguments(value) -> bool:
    """True for a plain callable (not a LearningRateSchedule) that can be called with no arguments."""
    import inspect

    if not callable(value) or isinstance(value, schedules.LearningRateSchedule):
        return False
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in signature.parameters.values())


def _as_float(value, what) -> float:
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number, a LearningRateSchedule or a callable of the step; got "
                        f"{value!r}") from None
