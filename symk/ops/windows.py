"""Window functions (bartlett, blackman, hamming, hanning, kaiser): a vector of `x` samples in floatx().

The length is a Python int (the output's shape depends on it), so these ops have no tensor input; inside
a layer's call they become constant-foldable graph nodes.

    >>> symk.ops.hanning(5)     # [0. , 0.5, 1. , 0.5, 0. ]
"""
from __future__ import annotations

import jax.numpy as jnp

from .. import config
from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .registry import apply, def_op, is_symbolic


def window_rule(specs, attrs):
    if not isinstance(attrs.size, int) or attrs.size < 0:
        raise RuleViolation(f"the window length must be an int >= 0, got {attrs.size!r}", "pass e.g. 64")
    return TensorSpec.of((attrs.size,), attrs.dtype)


WINDOWS = {"bartlett": jnp.bartlett, "blackman": jnp.blackman, "hamming": jnp.hamming, "hanning": jnp.hanning}
for _name, _fn in WINDOWS.items():
    def_op(_name, window_rule, (lambda f: lambda size, dtype: f(size).astype(dtype))(_fn),
           attrs=dict(size=0, dtype="float32"), inputs=0)
def_op("kaiser", window_rule, lambda size, beta, dtype: jnp.kaiser(size, beta).astype(dtype),
       attrs=dict(size=0, beta=0.0, dtype="float32"), inputs=0)


def _concrete(name: str, what: str, value, kind):
    """A Python number from an int/float/numpy scalar; symbolic and traced values cannot give a shape."""
    if is_symbolic(value):
        raise TypeError(f"{name}: {what} must be a Python number, not a symbolic tensor ({value!r}): the window's "
                        "length is its shape. Compute it in Python (e.g. int(n)) or call the function eagerly.")
    try:
        return kind(value)
    except Exception as err:  # noqa: BLE001  (jax tracers refuse int(); say why the value is needed)
        raise TypeError(f"{name}: {what} must be a concrete number, got {value!r} ({type(err).__name__}); "
                        "inside jax.jit pass it as a static argument") from None


def _window(name: str):
    def fn(x):
        return apply(name, [], size=_concrete(name, "the length x", x, int), dtype=config.floatx())

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {name} window of `x` samples (a Python int), in floatx()."
    return fn


for _name in WINDOWS:
    keras_export("numpy")(_window(_name))


@keras_export("numpy")
def kaiser(x, beta):
    """The Kaiser window of `x` samples with shape parameter `beta` (0: rectangular, larger: narrower)."""
    return apply("kaiser", [], size=_concrete("kaiser", "the length x", x, int),
                 beta=_concrete("kaiser", "beta", beta, float), dtype=config.floatx())
