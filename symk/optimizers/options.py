"""Keras 3's optimizer options as pure functions of the optimizer state, used inside the jitted
step: argument checks, gradient accumulation, the weights' moving average (EMA), weight decay
with exclusions, and the selection that keeps a skipped step's state unchanged.

    Adam(gradient_accumulation_steps=4, use_ema=True, ema_momentum=0.9, loss_scale_factor=128.0)
"""
from __future__ import annotations

import re

import jax
import jax.numpy as jnp


def check_options(owner: str, use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                  gradient_accumulation_steps) -> None:
    """Keras's argument checks, with the fix in each message."""
    if gradient_accumulation_steps is not None and (not isinstance(gradient_accumulation_steps, int)
                                                    or gradient_accumulation_steps < 2):
        raise ValueError(f"{owner}: `gradient_accumulation_steps` must be an integer >= 2 (or None to update every "
                         f"step); received gradient_accumulation_steps={gradient_accumulation_steps!r}")
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"{owner}: `ema_momentum` must be in the range [0, 1]; received "
                             f"ema_momentum={ema_momentum}")
        if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
            raise ValueError(f"{owner}: `ema_overwrite_frequency` must be an integer >= 1 or None; received "
                             f"ema_overwrite_frequency={ema_overwrite_frequency!r}")
    if loss_scale_factor is not None and not loss_scale_factor:
        raise ValueError(f"{owner}: `loss_scale_factor` must be a non-zero number or None; received "
                         f"{loss_scale_factor!r}")


def select(flag, when_true, when_false):
    """Per leaf, `when_true` where the traced boolean `flag` holds, else `when_false`."""
    return jax.tree.map(lambda a, b: jnp.where(flag, a, b), when_true, when_false)


def accumulate(grads: dict, accumulated: dict, raw_step, steps: int):
    """(gradients to apply, new accumulators, is this an update step): every `steps`-th step
    applies the mean of the gradients since the last update and empties the accumulators."""
    is_update = (raw_step + 1) % steps == 0
    summed = jax.tree.map(lambda g, a: g + a, grads, accumulated)
    to_apply = jax.tree.map(lambda s, g: jnp.where(is_update, s / steps, g), summed, grads)
    emptied = jax.tree.map(lambda s: jnp.where(is_update, jnp.zeros_like(s), s), summed)
    return to_apply, emptied, is_update


def moving_average(average: dict, params: dict, step, momentum: float) -> dict:
    """average <- m average + (1 - m) weights, with m = 0 at step 0 (the average starts at the weights)."""
    m = jnp.where(step != 0, jnp.float32(momentum), jnp.float32(0.0))
    return jax.tree.map(lambda a, w: (m * a + (1.0 - m) * w).astype(w.dtype), average, params)


def decay_weights(params: dict, rates: dict, learning_rate) -> dict:
    """w <- w - w * rate * lr for each weight whose rate is not None (Keras decays before the update)."""
    return {path: w if rates.get(path) is None else w - w * jnp.asarray(rates[path], w.dtype) * learning_rate
            for path, w in params.items()}


class WeightDecayExclusions:
    """Which weights `exclude_from_weight_decay(var_list, var_names)` exempts: the Variables
    given, and any whose name matches one of the regular expressions `var_names`."""

    def __init__(self):
        self.paths: set = set()
        self.pattern = None

    def set(self, var_list=None, var_names=None) -> None:
        self.paths = {v.path for v in var_list or []}
        self.pattern = re.compile("|".join(sorted(set(var_names)))) if var_names else None

    def excludes(self, path: str, name: str) -> bool:
        return path in self.paths or (self.pattern is not None and self.pattern.search(name) is not None)
