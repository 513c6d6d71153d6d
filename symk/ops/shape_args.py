"""Reading the arguments of the Keras shape and creation functions: ranks, static ints, dtypes.

The public functions of creation.py, manipulation.py, shape_*.py and einops.py check their Python
arguments here before they apply an op, so a bad argument fails with the function's name in the message.

    >>> static_ints("reshape", "newshape", np.array([2, -1]))   # (2, -1)
"""
from __future__ import annotations

import operator

import numpy as np

from ..config import floatx
from ..shapes import canonical_dtype
from .registry import is_symbolic, spec_of


def rank_of(x) -> int:
    return len(spec_of(x).shape)


def keras_dtype(function: str, dtype, default=None):
    """`dtype` as a canonical name ('float32'); None gives `default` (e.g. floatx() for creation functions)."""
    if dtype is None:
        return default
    try:
        return canonical_dtype(dtype)
    except TypeError:
        raise ValueError(f"{function}: unknown dtype {dtype!r}; use a name such as 'float32', 'int32' or 'bool'") \
            from None


def float_dtype(function: str, dtype):
    """Keras's creation functions: dtype=None means symk.config.floatx()."""
    return keras_dtype(function, dtype, floatx())


def static_int(function: str, name: str, value) -> int:
    """A Python int from an int, a numpy integer or a concrete integer array of one element."""
    if is_symbolic(value):
        raise ValueError(f"{function}: `{name}` must be a Python int, got the symbolic tensor {value!r}; the output "
                         "shape depends on it, so it must be known while the graph is built (compute it eagerly)")
    if value is None:
        raise TypeError(f"{function}: `{name}` holds None (an unknown size); sizes must be Python ints known while "
                        "the graph is built (for a tensor as big as another one, use the *_like functions)")
    if isinstance(value, bool) or isinstance(value, (float, np.floating)):
        raise TypeError(f"{function}: `{name}` must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        pass
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iu":
        raise TypeError(f"{function}: `{name}` must be an integer, got {value!r}")
    return int(array.reshape(()))


def static_ints(function: str, name: str, value) -> tuple:
    """A tuple of Python ints from an int, a sequence of ints or a concrete integer array."""
    if is_symbolic(value):
        raise ValueError(f"{function}: `{name}` must hold Python ints, got the symbolic tensor {value!r}; the output "
                         "shape depends on it, so it must be known while the graph is built")
    if isinstance(value, (list, tuple)):
        return tuple(static_int(function, name, v) for v in value)
    array = np.asarray(value)
    if array.ndim == 0:
        return (static_int(function, name, value),)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{function}: `{name}` must hold integers, got {value!r}")
    return tuple(int(v) for v in array.reshape(-1))


def static_axes(function: str, name: str, value):
    """None, an int, or a tuple of ints (an axis argument)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return static_ints(function, name, value)
    return static_int(function, name, value)


def is_python_scalar(x) -> bool:
    """bool, int or float: the weakly typed values of jax (numpy scalars have a dtype of their own)."""
    return isinstance(x, (bool, int, float))
