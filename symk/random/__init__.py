"""`symk.random` (Keras's keras.random): seeded random draws that work eagerly, in graphs and in compiled steps.

    gen = symk.random.SeedGenerator(42)
    symk.random.uniform((2, 2), seed=gen)      # new numbers on every call
    symk.random.normal((3,), seed=7)           # the same numbers on every call (Keras's, too)
"""
from .distributions import (beta, binomial, categorical, dropout, gamma, normal, randint, shuffle,  # noqa: F401
                            truncated_normal, uniform)
from .seed_generator import SeedGenerator  # noqa: F401

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal", "randint", "shuffle",
           "truncated_normal", "uniform"]
