"""The case format of tools/keras_refs/ops_cases/*.py: one call of a keras.ops function.

    from _case import case, rand, ints
    CASES = [
        case("arcsin", rand(3, 4, low=-1, high=1)),
        case("nn.one_hot", np.array([0.0, 2.0, 1.0]), num_classes=3),
        case("nonzero", ints(5), symbolic=False),   # value-dependent shape: eager only
    ]

`fn` is a name in keras.ops ("arcsin") or in one of its namespaces ("image.resize"). numpy
arrays among the arguments are tensors (placeholders in symk's graph check); everything else
(ints, tuples, strings, None) is passed as it is. Keep arrays small. Only numpy here, no Keras.
"""
from __future__ import annotations

import numpy as np

_RNG = np.random.default_rng(1234)


def case(fn: str, *args, symbolic: bool = True, rtol: float = 1e-5, atol: float = 1e-6, id: str = "", **kwargs):
    return {"fn": fn, "args": list(args), "kwargs": kwargs, "symbolic": symbolic, "rtol": rtol, "atol": atol,
            "id": id}


def rand(*shape, low=-2.0, high=2.0, dtype="float32"):
    """Uniform floats (a fixed stream: the same file always gets the same numbers)."""
    return _RNG.uniform(low, high, size=shape).astype(dtype)


def ints(*shape, low=0, high=5, dtype="int32"):
    return _RNG.integers(low, high, size=shape).astype(dtype)


def bools(*shape):
    return _RNG.uniform(size=shape) > 0.5
