"""The global seed: one place that initializers, eager random ops and training draw from.

`symk.utils.set_random_seed(s)` resets it, so the same seed gives the same weights,
dropout masks and shuffling.
"""
from __future__ import annotations

import random as _pyrandom

import numpy as np

_state = {"seed": None, "numpy": np.random.default_rng(), "counter": 0}


def set_seed(seed: int) -> None:
    _pyrandom.seed(seed)
    np.random.seed(seed)
    _state.update(seed=int(seed), numpy=np.random.default_rng(seed), counter=0)


def numpy_rng(seed=None) -> np.random.Generator:
    """The generator for weight initialisation (a fresh one when `seed` is given)."""
    return np.random.default_rng(seed) if seed is not None else _state["numpy"]


def next_seed() -> int:
    """A new integer seed drawn from the global generator (for jax keys)."""
    return int(_state["numpy"].integers(0, 2**31 - 1))


def next_key():
    import jax

    return jax.random.PRNGKey(next_seed())
