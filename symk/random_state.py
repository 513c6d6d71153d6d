"""The global seed: one place that initializers, eager random ops, training and `symk.random` draw from.

`symk.utils.set_random_seed(s)` resets it, so the same seed gives the same weights,
dropout masks, shuffling and `symk.random` numbers (whose global SeedGenerator restarts from [s, 0]).
"""
from __future__ import annotations

import random as _pyrandom

import numpy as np

_state = {"seed": None, "numpy": np.random.default_rng(), "counter": 0, "seed_generator": None}


def set_seed(seed: int) -> None:
    _pyrandom.seed(seed)
    np.random.seed(seed)
    _state.update(seed=int(seed), numpy=np.random.default_rng(seed), counter=0)
    generator = _state["seed_generator"]
    if generator is not None:  # restarted in place: compiled programs read this same state variable
        generator.state.assign(np.array([int(seed) % 2**32, 0], np.uint32))


def global_seed_generator(make):
    """symk.random's generator for `seed=None`, made once by `make(seed)` from the set seed (or a random one)."""
    if _state["seed_generator"] is None:
        seed = _state["seed"] if _state["seed"] is not None else _pyrandom.randint(1, 10**9)
        _state["seed_generator"] = make(seed)
    return _state["seed_generator"]


def numpy_rng(seed=None) -> np.random.Generator:
    """The generator for weight initialisation (a fresh one when `seed` is given)."""
    return np.random.default_rng(seed) if seed is not None else _state["numpy"]


def next_seed() -> int:
    """A new integer seed drawn from the global generator (for jax keys)."""
    return int(_state["numpy"].integers(0, 2**31 - 1))


def next_key():
    """A new jax key from the global generator, made on the host (see host_key)."""
    return host_key(next_seed())


def host_key(seed: int):
    """The key jax.random.PRNGKey(seed) gives, made without running an XLA program: for the default
    threefry2x32 implementation that key is the seed's two 32-bit words, and building it on the device
    costs a compile per process (and a dispatch per call) before the first train step."""
    import jax

    if jax.config.jax_default_prng_impl != "threefry2x32":
        return jax.random.PRNGKey(seed)
    seed = int(seed) % 2**64
    return jax.device_put(np.array([seed >> 32, seed & 0xFFFFFFFF], np.uint32))
