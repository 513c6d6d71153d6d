"""Square-matrix linear algebra: cholesky, cholesky_inverse, det, slogdet, logdet, inv, eig, eigh, lu_factor.

Every op works on a matrix or a stack of them, `(..., M, M)` (lu_factor: `(..., M, N)`), and computes
as `jnp.linalg` does: integer and bool inputs become float32, floats keep their width.

    >>> symk.ops.linalg.det(np.eye(3))          # 1.0
    >>> sign, logabsdet = symk.ops.slogdet(a)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from ..errors import RuleViolation
from ..shapes import TensorSpec, canonical_dtype
from .api import export_op, keras_export
from .registry import apply, def_op

_COMPLEX_PARTS = {"complex64": "float32", "complex128": "float32"}


def inexact_dtype(*dtypes: str) -> str:
    """The dtype jnp.linalg computes in: the inputs' promoted dtype, ints and bools made float32 (x64 off)."""
    return canonical_dtype(jnp.result_type(*[jnp.dtype(d) for d in dtypes], 1.0))


def real_dtype(dtype: str) -> str:
    """The dtype of the real part (singular values, eigenvalues of a Hermitian matrix, norms)."""
    return _COMPLEX_PARTS.get(dtype, dtype)


def complex_dtype(dtype: str) -> str:
    return canonical_dtype(jnp.result_type(jnp.dtype(dtype), 1j))


def matrix_dims(spec: TensorSpec, function: str, square: bool = False) -> tuple:
    """(batch shape, rows, columns) of a stack of matrices; refuses rank < 2 (and non-square when asked)."""
    shape = spec.shape
    if len(shape) < 2:
        raise RuleViolation(f"{function} expects a matrix or a stack of matrices (rank >= 2), got rank {len(shape)}",
                            "pass an input of shape (..., M, N)")
    rows, columns = shape[-2:]
    if square:
        if rows is not None and columns is not None and rows != columns:
            raise RuleViolation(f"{function} expects square matrices, got matrices of {rows}x{columns}",
                                "pass an input of shape (..., M, M)")
        rows = columns = rows if rows is not None else columns
    return tuple(shape[:-2]), rows, columns


def _square_rule(function: str):
    def rule(specs, attrs):
        batch, m, _ = matrix_dims(specs[0], function, square=True)
        return TensorSpec.of(batch + (m, m), inexact_dtype(specs[0].dtype))
    return rule


def _determinant_rule(specs, attrs):
    batch, _, _ = matrix_dims(specs[0], "det", square=True)
    return TensorSpec.of(batch, inexact_dtype(specs[0].dtype))


def _slogdet_rule(specs, attrs):
    batch, _, _ = matrix_dims(specs[0], "slogdet", square=True)
    dtype = inexact_dtype(specs[0].dtype)
    return TensorSpec.of(batch, dtype), TensorSpec.of(batch, real_dtype(dtype))


def _eig_rule(specs, attrs):
    batch, m, _ = matrix_dims(specs[0], "eig", square=True)
    dtype = complex_dtype(inexact_dtype(specs[0].dtype))
    return TensorSpec.of(batch + (m,), dtype), TensorSpec.of(batch + (m, m), dtype)


def _eigh_rule(specs, attrs):
    batch, m, _ = matrix_dims(specs[0], "eigh", square=True)
    dtype = inexact_dtype(specs[0].dtype)
    return TensorSpec.of(batch + (m,), real_dtype(dtype)), TensorSpec.of(batch + (m, m), dtype)


def _lu_factor_rule(specs, attrs):
    batch, m, n = matrix_dims(specs[0], "lu_factor")
    k = None if m is None or n is None else min(m, n)
    return TensorSpec.of(batch + (m, n), inexact_dtype(specs[0].dtype)), TensorSpec.of(batch + (k,), "int32")


def _cholesky_inverse(factor, upper):
    """(F F^T)^-1 from the lower factor F (or (U^T U)^-1 from the upper one), as torch.cholesky_inverse."""
    factor = factor.astype(inexact_dtype(factor.dtype.name))
    identity = jnp.broadcast_to(jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    return jsl.cho_solve((factor, not upper), identity)


def_op("cholesky", _square_rule("cholesky"), lambda x, upper: jnp.linalg.cholesky(x, upper=upper),
       attrs=dict(upper=False))
def_op("cholesky_inverse", _square_rule("cholesky_inverse"), _cholesky_inverse, attrs=dict(upper=False),
       doc="The inverse of a symmetric positive-definite matrix, given its Cholesky factor.")
def_op("inv", _square_rule("inv"), jnp.linalg.inv)
def_op("det", _determinant_rule, jnp.linalg.det)
def_op("slogdet", _slogdet_rule, lambda x: tuple(jnp.linalg.slogdet(x)))
# NOTE: JAX computes eig on the CPU only (it has no GPU kernel); Keras on JAX has the same limit
def_op("eig", _eig_rule, lambda x: tuple(jnp.linalg.eig(x)))
def_op("eigh", _eigh_rule, lambda x: tuple(jnp.linalg.eigh(x)))
def_op("lu_factor", _lu_factor_rule, jsl.lu_factor)


def _fail_on_nan_eagerly(values, message: str) -> None:
    """Concrete results are checked as Keras checks them eagerly; symbolic tensors and jit tracers cannot be."""
    if isinstance(values, jax.Array) and not isinstance(values, jax.core.Tracer) and bool(jnp.isnan(values).any()):
        raise ValueError(message)


@keras_export("linalg")
def cholesky(x, upper=False):
    """The Cholesky factor of symmetric positive-definite matrices `(..., M, M)` (lower, or upper if `upper`).

    >>> symk.ops.linalg.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))   # [[2, 0], [1, 2]]
    """
    factor = apply("cholesky", [x], upper=upper)
    _fail_on_nan_eagerly(factor, "cholesky: the decomposition failed (it gave NaN): the input is not a symmetric "
                                 "positive-definite matrix. Check the matrix, or add a small multiple of the identity")
    return factor


@keras_export("math")
def logdet(x):
    """log |det(x)| of square matrices `(..., M, M)`, computed stably (as slogdet's second output)."""
    return apply("slogdet", [x])[1]


for _name in ("cholesky_inverse", "det", "eig", "eigh", "inv", "lu_factor"):
    export_op("linalg", _name)
export_op("numpy", "slogdet")
