"""Tensors in and out, as on Keras's JAX backend: convert_to_tensor, convert_to_numpy, is_tensor, shape, dtype.

    ops.convert_to_tensor([1, 2])        # an int32 jax array (Python floats become floatx)
    ops.shape(symbolic)                  # (<dim_size tensor>, 32): a run-time size for an unknown axis
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..config import floatx
from ..graph import SymbolicTensor
from ..shapes import canonical_dtype
from ..variables import Variable
from .api import keras_export
from .dynamic_shape import symbolic_shape
from .registry import apply
from .regions import building_graph


def _default_dtype(x):
    """Keras's standard dtypes for Python and numpy values: floats -> floatx, ints -> int32."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int32"
    if isinstance(x, float):
        return floatx()
    array = np.asarray(x)
    if array.dtype.kind == "f" and array.dtype.itemsize == 8 and not hasattr(x, "dtype"):
        return floatx()  # nested Python lists of floats
    if array.dtype.kind in "iu" and not hasattr(x, "dtype"):
        return "int32"
    return canonical_dtype(array.dtype)


@keras_export("core")
def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A tensor of `x`: symbolic stays symbolic (cast when `dtype` is given), anything else becomes a jax array."""
    if sparse or ragged:
        raise ValueError("symk has no sparse or ragged tensors; pass dense arrays (sparse=None, ragged=None)")
    if isinstance(x, Variable):
        x = x.symbolic() if building_graph() else x.value
    if isinstance(x, SymbolicTensor):
        return x if dtype is None or canonical_dtype(dtype) == x.dtype else apply("cast", [x], dtype=dtype)
    if isinstance(x, jax.Array) and dtype is None:
        return x
    return jnp.asarray(x, dtype=canonical_dtype(dtype) if dtype is not None else _default_dtype(x))


@keras_export("core")
def convert_to_numpy(x):
    """A numpy array of `x` (a jax array, Variable, list or scalar); symbolic tensors have no values yet."""
    if isinstance(x, SymbolicTensor):
        raise ValueError(f"convert_to_numpy: {x.name!r} is a symbolic tensor of a graph being built, so it has no "
                         "value yet. Build a Model and call predict(), or call the op on arrays.")
    if isinstance(x, Variable):
        return x.numpy()
    return np.asarray(x)


@keras_export("core")
def is_tensor(x):
    """True for jax arrays (tracers too) and symk's symbolic tensors; False for numpy arrays and Variables."""
    return isinstance(x, (jax.Array, SymbolicTensor))


@keras_export("core")
def shape(x):
    """The shape as a tuple. An unknown size of a symbolic tensor (the batch) is an int32 dim_size tensor,
    which the shape arguments of ops accept (symk/ops/dynamic_shape.py)."""
    if isinstance(x, SymbolicTensor):
        return symbolic_shape(x)
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


@keras_export("core")
def dtype(x):
    """The dtype's standard name ('float32', 'int32', 'bool', ...)."""
    return canonical_dtype(getattr(x, "dtype", None) or np.asarray(x).dtype)
