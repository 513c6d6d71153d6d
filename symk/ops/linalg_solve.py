"""Linear systems: solve, solve_triangular and lstsq (keras.ops.linalg).

`b` is one right-hand side per matrix `(..., M)` or several `(..., M, K)`, with JAX's reading of the
two: for solve, `b` is a vector only when it is 1-D; for solve_triangular also when it has one axis
fewer than `a` and ends in M. Batch axes broadcast.

    >>> symk.ops.linalg.solve(np.eye(2) * 2, np.ones(2))   # [0.5, 0.5]
"""
from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes
from .api import export_op
from .linalg_ops import inexact_dtype, matrix_dims
from .registry import def_op


def _same_size(a, b, what: str, function: str):
    if a is not None and b is not None and a != b:
        raise RuleViolation(f"{function}: {what} ({a} != {b})", "give b one row per row of a: b of shape (..., M) "
                            "or (..., M, K) for a of shape (..., M, M)")
    return a if a is not None else b


def _system_rule(function: str, vector_when):
    """Shape rule of a solve; `vector_when(a_rank, b_shape, m)` says whether b holds vectors."""
    def rule(specs, attrs):
        a, b = specs
        batch, m, _ = matrix_dims(a, function, square=True)
        if len(b.shape) == 0:
            raise RuleViolation(f"{function}: b must have rank >= 1, got a scalar", "pass b of shape (..., M)")
        dtype = inexact_dtype(a.dtype, b.dtype)
        if vector_when(len(a.shape), b.shape, m):
            size = _same_size(m, b.shape[-1], "the length of b must match the size of a's matrices", function)
            return TensorSpec.of(tuple(broadcast_shapes(batch, b.shape[:-1])) + (size,), dtype)
        if len(b.shape) < 2:
            raise RuleViolation(f"{function}: b must be (..., M) or (..., M, K)", "pass b of shape (..., M, K)")
        size = _same_size(m, b.shape[-2], "the rows of b must match the size of a's matrices", function)
        return TensorSpec.of(tuple(broadcast_shapes(batch, b.shape[:-2])) + (size, b.shape[-1]), dtype)
    return rule


def _matrix_solve(solve, vector_when):
    """solve(a, b) with b's vectors as one-column matrices and the batch axes broadcast explicitly first
    (JAX's vectorize refuses to promote ranks, and reads a broadcast vector batch as matrices)."""
    def lower(a, b, **attrs):
        vectors = vector_when(a.ndim, b.shape, a.shape[-1])
        if vectors:
            b = b[..., None]
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        x = solve(jnp.broadcast_to(a, batch + a.shape[-2:]), jnp.broadcast_to(b, batch + b.shape[-2:]), **attrs)
        return x[..., 0] if vectors else x
    return lower


def _solve_vector(a_rank, b_shape, m) -> bool:
    return len(b_shape) == 1


def _triangular_vector(a_rank, b_shape, m) -> bool:
    # JAX also reads b of rank a_rank - 1 that ends in M as a batch of vectors (deprecated there, Keras's use)
    return len(b_shape) == 1 or (a_rank == len(b_shape) + 1 and b_shape[-1] is not None and b_shape[-1] == m)


def _lstsq_rule(specs, attrs):
    a, b = specs
    if len(a.shape) != 2:
        raise RuleViolation(f"lstsq expects a to be a matrix (rank 2), got rank {len(a.shape)}",
                            "call lstsq once per matrix; for square systems, solve takes batches")
    if len(b.shape) not in (1, 2):
        raise RuleViolation(f"lstsq expects b of rank 1 or 2, got rank {len(b.shape)}",
                            "pass b of shape (M,) or (M, K)")
    m, n = a.shape
    if m is not None and b.shape[0] is not None and m != b.shape[0]:
        raise RuleViolation(f"lstsq: b must have as many rows as a ({b.shape[0]} != {m})",
                            "pass b of shape (M,) or (M, K) for a of shape (M, N)")
    return TensorSpec.of((n,) + tuple(b.shape[1:]), inexact_dtype(a.dtype, b.dtype))


def_op("solve", _system_rule("solve", _solve_vector), _matrix_solve(jnp.linalg.solve, _solve_vector), inputs=2)
def_op("solve_triangular", _system_rule("solve_triangular", _triangular_vector),
       _matrix_solve(jsl.solve_triangular, _triangular_vector), attrs=dict(lower=False), inputs=2)
def_op("lstsq", _lstsq_rule, lambda a, b, rcond: jnp.linalg.lstsq(a, b, rcond=rcond)[0], attrs=dict(rcond=None),
       inputs=2, doc="The least-squares solution x of a @ x = b (Keras returns only the solution).")

for _name in ("solve", "solve_triangular", "lstsq"):
    export_op("linalg", _name, input_names=("a", "b"))
