"""What the indexing, sorting and product functions need to know about an argument before applying an op.

Keras's functions take tensors, arrays, lists and Python scalars alike; these helpers read the values
of the arguments whose values decide an output's shape (nonzero, unique, bincount), refusing symbolic
tensors and jax tracers clearly (an argument's spec: registry.spec_of).

    >>> concrete(x, "nonzero", "...")           # a numpy array, or a ValueError saying why not and what to do
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..errors import ShapeError
from .registry import is_symbolic


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
