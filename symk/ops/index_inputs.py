"""What the indexing, sorting and product functions need to know about an argument before applying an op.

Keras's functions take tensors, arrays, lists and Python scalars alike; these helpers read an
argument's spec without adding a node, and read the values of the arguments whose values decide
an output's shape (nonzero, unique, bincount), refusing symbolic tensors and jax tracers clearly.

    >>> spec_of([[1, 2]])                       # TensorSpec(shape=(1, 2), dtype='int32')
    >>> concrete(x, "nonzero", "...")           # a numpy array, or a ValueError saying why not and what to do
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..errors import ShapeError
from ..shapes import TensorSpec
from .registry import is_symbolic


def spec_of(value) -> TensorSpec:
    """The shape and dtype of a symbolic tensor, Variable, array (numpy or jax), list or Python scalar."""
    if is_symbolic(value):
        return value.spec
    if isinstance(value, bool):
        return TensorSpec.of((), "bool")
    if isinstance(value, int):
        return TensorSpec.of((), "int32")
    if isinstance(value, float):
        return TensorSpec.of((), "float32")
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return TensorSpec.of(value.shape, value.dtype)
    return TensorSpec.of(np.shape(value), np.asarray(value).dtype)


def concrete(value, function: str, hint: str) -> np.ndarray:
    """The values of an argument whose values decide an output's shape, as a numpy array.

    Symbolic tensors and jax tracers (inside jax.jit) have no values yet: refused with `hint`.
    """
    import jax

    if is_symbolic(value):
        raise ValueError(f"symk.ops.{function}: the output's shape depends on the values of its input, which a "
                         f"symbolic tensor does not have yet; {hint}")
    try:
        return np.asarray(value)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        raise ValueError(f"symk.ops.{function}: the output's shape depends on the values of its input, which are "
                         f"not known inside jax.jit (the input is a tracer); {hint}") from None


@contextlib.contextmanager
def calling(function: str):
    """Shape errors of the ops a Keras function composes name that function first (`symk.ops.dot: ...`)."""
    try:
        yield
    except ShapeError as err:
        raise ShapeError(f"symk.ops.{function}: {err}") from None
