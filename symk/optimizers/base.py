"""Optimizer base: Keras's optimizer interface (config, variables, learning rate) over optax.

The update rule of each optimizer is an optax GradientTransformation; this class adds what
Keras users expect around it: `iterations` and `learning_rate` as variables (so setting
`optimizer.learning_rate` between epochs changes a value in the trainer's state, never the
compiled step), legacy `lr`/`decay`, gradient clipping, weight decay (with exclusions), and
Keras 3's options: `loss_scale_factor`, `gradient_accumulation_steps`, `use_ema` (see options.py).
The slot variables are named and ordered as Keras 3 names them (slots.py).

The trainer calls `_state_from_variables()` when training (re)starts, `_scale_loss(...)` and
`_apply(...)` inside its jitted step and `_write_state(...)` when it hands control back.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..variables import Variable
from . import options, schedules
from .slots import OptimizerVariables, _slot_groups  # noqa: F401  (_slot_groups: used by the Keras 2 writer)
from .transforms import clip_each_by_norm


class Optimizer(OptimizerVariables):
    """Base class. Subclasses set `_default_name`, `_keras_slot_order`, store their
    hyperparameters in `self._hyper` and implement `_transform(step, learning_rate)`."""

    _default_name = "optimizer"

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # Keras 2's name for learning_rate
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        for legacy in ("jit_compile", "is_legacy_optimizer", "epsilon_"):
            kwargs.pop(legacy, None)
        owner = type(self).__name__
        if kwargs:
            raise TypeError(f"{owner} got unexpected argument(s) {sorted(kwargs)}. Accepted: "
                            f"learning_rate (or lr), decay, weight_decay, clipnorm, clipvalue, global_clipnorm, "
                            f"use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor, "
                            f"gradient_accumulation_steps, name and {sorted(self._hyper)}.")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{owner}: give at most one of clipnorm, clipvalue, global_clipnorm "
                             f"(got clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm})")
        options.check_options(owner, use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                              gradient_accumulation_steps)
        self.name = name or self._default_name
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor, self.gradient_accumulation_steps = loss_scale_factor, gradient_accumulation_steps
        self._weight_decay_exclusions = options.WeightDecayExclusions()
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
        self._var_names: dict[str, str] = {}
        self._slot_variables: dict[str, dict[str, Variable]] = {}
        self._own_variables: dict[str, dict[str, Variable]] = {}
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

    # -- weight decay -------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exempt these Variables, and those whose name matches a regular expression in
        `var_names` ('bias', 'layer_norm'), from weight decay. Call it before training starts."""
        if self.built:
            raise ValueError(f"{type(self).__name__}: exclude_from_weight_decay() must be called before the optimizer "
                             "is built (before the first fit/train_on_batch, or before optimizer.build(...))")
        self._weight_decay_exclusions.set(var_list, var_names)

    def _use_weight_decay(self, path: str) -> bool:
        return not self._weight_decay_exclusions.excludes(path, self._var_names.get(path, path.split("/")[-1]))

    def _weight_decay_rate(self, path: str, value):
        """The decay rate of one weight (None: no decay)."""
        return self.weight_decay if self.weight_decay and self._use_weight_decay(path) else None

    # -- the update (pure; runs inside the jitted train step) ---------------------------
    def _current_learning_rate(self, state):
        step = state["iteration"]
        lr = self._schedule(step) if self._schedule is not None else state["learning_rate"]
        lr = jnp.asarray(lr, jnp.float32)
        if self.decay:  # Keras 2 legacy: lr / (1 + decay * iterations)
            lr = lr / (1.0 + self.decay * step.astype(jnp.float32))
        return lr

    def _scale_loss(self, loss, state):
        """The loss whose gradients the step takes: times `loss_scale_factor` when set."""
        return loss if self.loss_scale_factor is None else loss * jnp.float32(self.loss_scale_factor)

    def scale_loss(self, loss):
        """Keras's `optimizer.scale_loss(loss)` (outside compiled steps)."""
        return self._scale_loss(loss, None)

    def _with_host_learning_rate(self, state: dict) -> dict:
        """A zero-argument callable learning rate is read on the host before each execution."""
        if self._learning_rate_callable is None:
            return state
        return {**state, "learning_rate": jnp.asarray(self._learning_rate_callable(), jnp.float32)}

    def _update(self, grads, params, optax_state, step, lr):
        """One update of the rule: clip, decay the weights, transform, apply."""
        if self.clipnorm is not None:
            grads = clip_each_by_norm(self.clipnorm).update(grads, optax.EmptyState())[0]
        if self.clipvalue is not None:
            grads = jax.tree.map(lambda g: jnp.clip(g, -self.clipvalue, self.clipvalue), grads)
        if self.global_clipnorm is not None:
            grads = optax.clip_by_global_norm(self.global_clipnorm).update(grads, optax.EmptyState())[0]
        rates = {path: self._weight_decay_rate(path, value) for path, value in params.items()}
        params = options.decay_weights(params, rates, lr)
        updates, optax_state = self._transform(step, lr).update(grads, optax_state, params)
        return optax.apply_updates(params, updates), optax_state

    def _apply(self, grads: dict, params: dict, state: dict):
        raw_step = state["iteration"]
        accumulation = self.gradient_accumulation_steps
        # the rule's own step count: with accumulation, the number of updates made (Keras's `iterations`);
        # schedules read the number of batches seen
        step = raw_step // accumulation if accumulation else raw_step
        lr = self._current_learning_rate(state)
        if self.loss_scale_factor is not None:
            grads = jax.tree.map(lambda g: g / jnp.asarray(self.loss_scale_factor, g.dtype), grads)
        new_state = dict(state)
        if accumulation:
            to_apply, new_state["gradient_accumulator"], is_update = options.accumulate(
                grads, state["gradient_accumulator"], raw_step, accumulation)
            updated, optax_state = self._update(to_apply, params, state["optax"], step, lr)
            # between updates, weights and slots stay as they were (Keras discards the tentative update)
            params = options.select(is_update, updated, params)
            optax_state = options.select(is_update, optax_state, state["optax"])
        else:
            params, optax_state = self._update(grads, params, state["optax"], step, lr)
        if self.use_ema:
            new_state["average"] = options.moving_average(state["average"], params, step, self.ema_momentum)
            if self.ema_overwrite_frequency:
                params = options.select((step + 1) % self.ema_overwrite_frequency == 0, new_state["average"], params)
        new_state.update(iteration=raw_step + 1, optax=optax_state)
        return params, new_state

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Keras 3's JAX-style update on lists of values; returns (new trainable values, new optimizer
        values). No Variable is written, so it runs inside jax.jit (see stateless.py)."""
        from .stateless import stateless_apply

        return stateless_apply(self, optimizer_variables, grads, trainable_variables)

    def finalize_variable_values(self, var_list) -> None:
        """With use_ema, set the model's weights to their moving averages (Keras does this when fit() ends)."""
        if not self.use_ema or not self._own_variables.get("average"):
            return
        averages = self._own_variables["average"]
        for variable in var_list:
            if variable.path in averages:
                variable.set_value(averages[variable.path].numpy())

    # -- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = (schedules.serialize(self._schedule) if isinstance(self._schedule, schedules.LearningRateSchedule)
              else float(np.float32(self._learning_rate.numpy())))
        config = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                  "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                  "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": self.loss_scale_factor,
                  "gradient_accumulation_steps": self.gradient_accumulation_steps}
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
