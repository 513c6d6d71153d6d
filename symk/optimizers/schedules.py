"""Learning-rate schedules (Keras's formulas), evaluated on the step count inside the jitted step.

    lr = ExponentialDecay(0.1, decay_steps=100, decay_rate=0.96, staircase=True)
    SGD(learning_rate=lr)
"""
from __future__ import annotations

import jax.numpy as jnp

from ..keras_objects import deserialize_object, serialize_object


class LearningRateSchedule:
    """Base class: `schedule(step)` -> learning rate; works on ints and on traced step counts."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """Shared by the schedules that decay by `decay_rate` over progress = step / decay_steps
    (floored to whole periods when `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def progress(self, step):
        progress = jnp.asarray(step, jnp.float32) / self.decay_steps
        return jnp.floor(progress) if self.staircase else progress

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"ExponentialDecay: decay_steps must be > 0, got {decay_steps}")
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate * jnp.power(jnp.float32(self.decay_rate), self.progress(step))


class InverseTimeDecay(_RateDecay):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self.progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseConstantDecay: values needs one more entry than boundaries; got "
                             f"{len(boundaries)} boundaries and {len(values)} values")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        # the value for step <= boundaries[0], then each (b_i, b_{i+1}] interval
        index = jnp.sum(jnp.asarray(step) > jnp.asarray(self.boundaries))
        return jnp.asarray(self.values, jnp.float32)[index]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def __call__(self, step):
        step = jnp.asarray(step, jnp.float32)
        initial = jnp.float32(self.initial_learning_rate)
        if self.warmup_target is None:
            decay_start, target = 0.0, initial
        else:
            decay_start, target = float(self.warmup_steps), jnp.float32(self.warmup_target)
        fraction = jnp.minimum(jnp.maximum(step - decay_start, 0.0), self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + jnp.cos(jnp.pi * fraction))
        decayed = target * ((1.0 - self.alpha) * cosine + self.alpha)
        if self.warmup_target is None or not self.warmup_steps:
            return decayed
        warming = initial + (target - initial) * step / self.warmup_steps
        return jnp.where(step < self.warmup_steps, warming, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) (1 - step / decay_steps)^power + end; with `cycle` the horizon grows to the
    next multiple of decay_steps instead of holding `end` after it."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"PolynomialDecay: decay_steps must be > 0, got {decay_steps}")
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step):
        horizon = jnp.float32(self.decay_steps)
        if self.cycle:
            # NOTE: periods counted in integers: under jit XLA divides by multiplying with 1/decay_steps,
            # and ceil(21 * (1/7)) is 4 (Keras's eager value, and the exact one, is 3)
            whole = int(self.decay_steps) == self.decay_steps and jnp.issubdtype(jnp.asarray(step).dtype, jnp.integer)
            periods = -(-jnp.asarray(step) // int(self.decay_steps)) if whole else \
                jnp.ceil(jnp.asarray(step, jnp.float32) / self.decay_steps)
            horizon = horizon * jnp.where(jnp.asarray(step) == 0, 1.0, periods.astype(jnp.float32))
        step = jnp.asarray(step, jnp.float32)
        if not self.cycle:
            step = jnp.minimum(step, horizon)
        initial, end = jnp.float32(self.initial_learning_rate), jnp.float32(self.end_learning_rate)
        return (initial - end) * jnp.power(1.0 - step / horizon, jnp.float32(self.power)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR (Loshchilov & Hutter 2016): cosine decay over first_decay_steps, restarting with
    periods t_mul times longer and peaks m_mul times lower each time; `alpha` is the floor fraction."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError(f"CosineDecayRestarts: first_decay_steps must be > 0, got {first_decay_steps}")
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        fraction = jnp.asarray(step, jnp.float32) / jnp.float32(self.first_decay_steps)
        t_mul = jnp.float32(self.t_mul)
        if self.t_mul == 1.0:
            restart = jnp.floor(fraction)
            fraction = fraction - restart
        else:
            # periods 1, t, t^2, ...: the restart index solves (t^i - 1) / (t - 1) <= fraction
            restart = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_mul)) / jnp.log(t_mul))
            completed = (1.0 - jnp.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - completed) / jnp.power(t_mul, restart)
        peak = jnp.power(jnp.float32(self.m_mul), restart)
        cosine = 0.5 * peak * (1.0 + jnp.cos(jnp.float32(jnp.pi) * fraction))
        return jnp.float32(self.initial_learning_rate) * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


ALL = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, CosineDecay,
                                     PolynomialDecay, CosineDecayRestarts)}


def serialize(schedule):
    """Keras 3's `keras.optimizers.schedules.serialize`."""
    return serialize_object(schedule)


def deserialize(config, custom_objects=None):
    """The learning-rate schedule a serialized form describes; registered schedules resolve too."""
    return deserialize_object(config, ALL, "learning-rate schedule", custom_objects)
