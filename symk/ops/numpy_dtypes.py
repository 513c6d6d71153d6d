"""Dtype decisions the Keras numpy functions make before they apply an op: the dtype of any argument
(symbolic tensor, variable, array, Python scalar) and Keras's "integers become floatx" conversion."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .. import config
from ..shapes import canonical_dtype
from .elementwise import is_inexact
from .registry import apply

_PYTHON_DTYPES = ((bool, "bool"), (int, "int32"), (float, "float32"), (complex, "complex64"))


def dtype_of(x) -> str:
    """The dtype an argument has once it is a tensor (Python ints are int32, floats float32, as in Keras)."""
    for kind, name in _PYTHON_DTYPES:
        if isinstance(x, kind):
            return name
    dtype = getattr(x, "dtype", None)
    return canonical_dtype(np.asarray(x).dtype if dtype is None else dtype)


def promoted_dtype(*xs) -> str:
    """The dtype jax.numpy gives a binary op of `xs` (Python scalars are weak: int8 + 2 stays int8)."""
    parts = [x if isinstance(x, (bool, int, float, complex)) else jnp.dtype(dtype_of(x)) for x in xs]
    return canonical_dtype(jnp.result_type(*parts))


def cast(x, dtype: str):
    """x as a tensor of `dtype` (no op when it already is one)."""
    if dtype_of(x) == dtype and not isinstance(x, (bool, int, float, complex)):
        return x
    return apply("cast", [x], dtype=dtype)


def to_floatx(x):
    """Keras's rule for sin, exp, floor, ...: integer and boolean input is cast to floatx() first."""
    return x if is_inexact(dtype_of(x)) else apply("cast", [x], dtype=config.floatx())
