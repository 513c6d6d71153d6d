"""Keras 3's LossScaleOptimizer: dynamic loss scaling around another optimizer.

The loss is multiplied by a scale before the gradients are taken and the gradients divided by
it; a step whose gradients are not all finite is skipped and halves the scale, and after
`dynamic_growth_steps` finite steps in a row the scale doubles.

    opt = LossScaleOptimizer(Adam(1e-3), initial_scale=2.0 ** 15, dynamic_growth_steps=2000)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..keras_objects import keras_serialize
from ..variables import Variable
from .base import Optimizer
from .options import select

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Variables: its own iteration, learning_rate, step_counter and dynamic_scale, then the
    inner optimizer's (Keras 3's order)."""

    _default_name = "loss_scale_optimizer"

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports dynamic=False; set `loss_scale_factor` on the "
                             "inner optimizer instead")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`; set `{arg}` on the inner_optimizer")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support argument(s) {sorted(kwargs)}")
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(f"LossScaleOptimizer: `inner_optimizer` must be an optimizer instance (such as "
                             f"symk.optimizers.Adam()); received {inner_optimizer!r}")
        self._hyper = {}
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale, self.dynamic_growth_steps = initial_scale, dynamic_growth_steps
        inner_optimizer.loss_scale_factor = None
        self._step_counter = Variable(np.int32(0), name="step_counter", path=f"{self.name}/step_counter",
                                      trainable=False, dtype="int32")
        self._dynamic_scale = Variable(np.float32(initial_scale), name="dynamic_scale",
                                       path=f"{self.name}/dynamic_scale", trainable=False)

    # -- delegated to the inner optimizer ---------------------------------------------------
    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def dynamic_scale(self):
        return self._dynamic_scale

    @property
    def step_counter(self):
        return self._step_counter

    def build(self, var_list, prefix=None) -> None:
        if self.built:
            return
        self.inner_optimizer.build(var_list, prefix)
        self._var_paths = [v.path for v in var_list]
        self.built = True

    @property
    def variables(self) -> list:
        own = [self._iterations, self._learning_rate]
        if self.built:
            own += [self._step_counter, self._dynamic_scale]
        return own + self.inner_optimizer.variables

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    # -- state and the update (pure; inside the jitted step) --------------------------------
    def _state_from_variables(self, params: dict) -> dict:
        return {"iteration": self._iterations.device_value(), "learning_rate": self._learning_rate.device_value(),
                "step_counter": self._step_counter.device_value(), "dynamic_scale": self._dynamic_scale.device_value(),
                "inner": self.inner_optimizer._state_from_variables(params)}

    def _write_state(self, state: dict) -> None:
        for variable, key in ((self._iterations, "iteration"), (self._learning_rate, "learning_rate"),
                              (self._step_counter, "step_counter"), (self._dynamic_scale, "dynamic_scale")):
            variable.set_value(state[key])
        self.inner_optimizer._write_state(state["inner"])

    def _with_host_learning_rate(self, state: dict) -> dict:
        inner = self.inner_optimizer._with_host_learning_rate(state["inner"])
        return state if inner is state["inner"] else {**state, "inner": inner}

    def _scale_loss(self, loss, state):
        scale = self._dynamic_scale.numpy() if state is None else state["dynamic_scale"]
        return loss * scale

    def _apply(self, grads: dict, params: dict, state: dict):
        scale = state["dynamic_scale"]
        finite = jnp.all(jnp.stack([jnp.all(jnp.isfinite(g)) for g in jax.tree.leaves(grads)]))
        unscaled = jax.tree.map(lambda g: g / scale.astype(g.dtype), grads)
        updated, inner = self.inner_optimizer._apply(unscaled, params, state["inner"])
        # a step with non-finite gradients changes nothing but the scale
        params = select(finite, updated, params)
        inner = select(finite, inner, state["inner"])
        grow = finite & (state["step_counter"] == self.dynamic_growth_steps - 1)
        counter = jnp.where(finite & ~grow, state["step_counter"] + 1, 0).astype(state["step_counter"].dtype)
        new_scale = jnp.where(finite, jnp.where(grow, scale * 2.0, scale), scale * 0.5).astype(scale.dtype)
        return params, {**state, "step_counter": counter, "dynamic_scale": new_scale, "inner": inner}

    # -- config ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "inner_optimizer": keras_serialize(self.inner_optimizer, "keras.optimizers"),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize

        config = dict(config)
        inner = config.pop("inner_optimizer")
        inner = deserialize(inner, custom_objects) if isinstance(inner, dict) else inner
        return cls(inner, **config)
