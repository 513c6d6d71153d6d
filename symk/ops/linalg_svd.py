"""Factorizations of any matrix `(..., M, N)`: svd, qr, and what SVD gives: pinv and matrix_rank.

    >>> u, s, vh = symk.ops.linalg.svd(a, full_matrices=False)
    >>> q, r = symk.ops.linalg.qr(a, mode="complete")
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import export_op
from .linalg_ops import inexact_dtype, matrix_dims, real_dtype
from .registry import def_op

QR_MODES = ("reduced", "complete")


def _smaller(m, n):
    return None if m is None or n is None else min(m, n)


def _svd_rule(specs, attrs):
    batch, m, n = matrix_dims(specs[0], "svd")
    k = _smaller(m, n)
    dtype = inexact_dtype(specs[0].dtype)
    singular_values = TensorSpec.of(batch + (k,), real_dtype(dtype))
    if not attrs.compute_uv:
        return (singular_values,)
    u, vh = ((m, m), (n, n)) if attrs.full_matrices else ((m, k), (k, n))
    return TensorSpec.of(batch + u, dtype), singular_values, TensorSpec.of(batch + vh, dtype)


def _svd(x, full_matrices, compute_uv):
    out = jnp.linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)
    return tuple(out) if compute_uv else out


def _qr_rule(specs, attrs):
    if attrs.mode not in QR_MODES:
        raise RuleViolation(f"qr: mode must be one of {QR_MODES}, got {attrs.mode!r}",
                            "use mode='reduced' (Q of (..., M, K)) or mode='complete' (Q of (..., M, M))")
    batch, m, n = matrix_dims(specs[0], "qr")
    k = _smaller(m, n)
    dtype = inexact_dtype(specs[0].dtype)
    q, r = ((m, k), (k, n)) if attrs.mode == "reduced" else ((m, m), (m, n))
    return TensorSpec.of(batch + q, dtype), TensorSpec.of(batch + r, dtype)


def _pinv_rule(specs, attrs):
    batch, m, n = matrix_dims(specs[0], "pinv")
    return TensorSpec.of(batch + (n, m), inexact_dtype(specs[0].dtype))


def _matrix_rank_rule(specs, attrs):
    batch, _, _ = matrix_dims(specs[0], "matrix_rank")
    return TensorSpec.of(batch, "int32")


def_op("svd", _svd_rule, _svd, attrs=dict(full_matrices=True, compute_uv=True))
def_op("qr", _qr_rule, lambda x, mode: tuple(jnp.linalg.qr(x, mode=mode)), attrs=dict(mode="reduced"))
# rcond: singular values below rcond * the largest one count as zero
def_op("pinv", _pinv_rule, lambda x, rcond: jnp.linalg.pinv(x, rtol=rcond), attrs=dict(rcond=None))
def _matrix_rank(x, tol):
    """How many singular values exceed tol (an absolute threshold; None: JAX's, relative to the largest)."""
    if tol is None:
        return jnp.linalg.matrix_rank(x).astype(jnp.int32)
    return jnp.sum(jnp.linalg.svd(x, compute_uv=False) > tol, axis=-1).astype(jnp.int32)


def_op("matrix_rank", _matrix_rank_rule, _matrix_rank, attrs=dict(tol=None))

for _name in ("matrix_rank", "pinv", "qr", "svd"):
    export_op("linalg", _name)
