"""keras.ops.linalg (and numpy's slogdet, math's logdet): decompositions, solves, norms.

Matrices are small and well conditioned (symmetric positive-definite ones where the function needs
them), single and batched, float32 and int32; decompositions get a looser tolerance (LAPACK rounding).
"""
import numpy as np

from _case import bools, case, ints, rand

LOOSE = dict(rtol=1e-4, atol=1e-5)


def spd(*batch_and_size):
    """Symmetric positive-definite matrices (..., n, n)."""
    *batch, n = batch_and_size
    a = rand(*batch, n, n)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype("float32")


def well_conditioned(*batch_and_size):
    *batch, n = batch_and_size
    return (rand(*batch, n, n) + 3 * np.eye(n)).astype("float32")


def lower_triangular(n, dtype="float32"):
    return (np.tril(rand(n, n)) + 3 * np.eye(n)).astype(dtype)


INT_SPD = np.array([[4, 2, 0], [2, 5, 1], [0, 1, 3]], dtype="int32")
NEGATIVE_DET = np.array([[0.0, 2.0, 1.0], [1.0, 0.5, 0.0], [0.0, 1.0, 3.0]], dtype="float32")
RANK_ONE = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], dtype="float32")

CASES = [
    # cholesky / cholesky_inverse (the latter takes the factor, as torch.cholesky_inverse)
    case("linalg.cholesky", spd(3), **LOOSE),
    case("linalg.cholesky", spd(2, 3), **LOOSE),
    case("linalg.cholesky", spd(3), upper=True, **LOOSE),
    case("cholesky", INT_SPD, **LOOSE),
    case("linalg.cholesky_inverse", lower_triangular(3), **LOOSE),
    case("linalg.cholesky_inverse", lower_triangular(3).T.copy(), upper=True, **LOOSE),
    case("cholesky_inverse", np.array([[2, 0], [1, 3]], dtype="int32"), **LOOSE),
    # det, slogdet, logdet, inv
    case("linalg.det", well_conditioned(3), **LOOSE),
    case("linalg.det", well_conditioned(2, 3), **LOOSE),
    case("det", np.array([[1, 2], [3, 4]], dtype="int32"), **LOOSE),
    case("slogdet", NEGATIVE_DET, **LOOSE),
    case("slogdet", well_conditioned(2, 3), **LOOSE),
    case("slogdet", INT_SPD, **LOOSE),
    case("logdet", spd(3), **LOOSE),
    case("logdet", NEGATIVE_DET, **LOOSE),
    case("logdet", spd(2, 2), **LOOSE),
    case("logdet", INT_SPD, **LOOSE),
    case("linalg.inv", well_conditioned(3), **LOOSE),
    case("linalg.inv", well_conditioned(2, 2), **LOOSE),
    case("inv", INT_SPD, **LOOSE),
    # eig (complex64 results), eigh
    case("linalg.eig", well_conditioned(3), **LOOSE),
    case("linalg.eig", spd(2, 2), **LOOSE),
    case("eig", INT_SPD, **LOOSE),
    case("linalg.eigh", spd(3), **LOOSE),
    case("linalg.eigh", spd(2, 3), **LOOSE),
    case("eigh", INT_SPD, **LOOSE),
    # lu_factor: (lu, int32 pivots), non-square too
    case("linalg.lu_factor", well_conditioned(3), **LOOSE),
    case("linalg.lu_factor", rand(2, 3, 4), **LOOSE),
    case("linalg.lu_factor", rand(4, 2), **LOOSE),
    case("lu_factor", INT_SPD, **LOOSE),
    # solve: b a vector (1-D) or matrices; batch axes broadcast
    case("linalg.solve", well_conditioned(3), rand(3), **LOOSE),
    case("linalg.solve", well_conditioned(3), rand(3, 2), **LOOSE),
    case("linalg.solve", well_conditioned(2, 3), rand(3), **LOOSE),
    case("linalg.solve", well_conditioned(2, 3), rand(3, 1), **LOOSE),
    case("linalg.solve", well_conditioned(2, 3), rand(2, 3, 2), **LOOSE),
    case("solve", INT_SPD, ints(3), **LOOSE),
    case("solve", well_conditioned(3), ints(3), **LOOSE),
    # solve_triangular: lower or upper; b of rank a.ndim - 1 is a batch of vectors
    case("linalg.solve_triangular", lower_triangular(3), rand(3), lower=True, **LOOSE),
    case("linalg.solve_triangular", lower_triangular(3).T.copy(), rand(3, 2), **LOOSE),
    case("linalg.solve_triangular", np.stack([lower_triangular(3), lower_triangular(3)]), rand(2, 3), lower=True,
         **LOOSE),
    case("linalg.solve_triangular", np.stack([lower_triangular(3), lower_triangular(3)]), rand(3, 1), lower=True,
         **LOOSE),
    case("solve_triangular", lower_triangular(3, "int32"), ints(3), lower=True, **LOOSE),
    # lstsq: over- and under-determined, rcond
    case("linalg.lstsq", rand(4, 3), rand(4), **LOOSE),
    case("linalg.lstsq", rand(4, 3), rand(4, 2), **LOOSE),
    case("linalg.lstsq", rand(2, 3), rand(2), **LOOSE),
    case("linalg.lstsq", np.diag([3.0, 1.0, 1e-3]).astype("float32"), rand(3), rcond=0.01, **LOOSE),
    case("lstsq", ints(4, 2, low=-3, high=4), ints(4), **LOOSE),
    # svd, qr
    case("linalg.svd", rand(3, 2), **LOOSE),
    case("linalg.svd", rand(2, 4), full_matrices=False, **LOOSE),
    case("linalg.svd", rand(2, 3, 2), compute_uv=False, **LOOSE),
    case("svd", INT_SPD, **LOOSE),
    case("linalg.qr", rand(3, 2), **LOOSE),
    case("linalg.qr", rand(3, 2), mode="complete", **LOOSE),
    case("linalg.qr", rand(2, 2, 4), **LOOSE),
    case("qr", INT_SPD, mode="complete", **LOOSE),
    # pinv, matrix_rank
    case("linalg.pinv", rand(3, 2), **LOOSE),
    case("linalg.pinv", np.diag([3.0, 1.0, 0.1]).astype("float32"), rcond=0.1, **LOOSE),
    case("linalg.pinv", rand(2, 2, 3), **LOOSE),
    case("pinv", ints(2, 3, low=-3, high=4), **LOOSE),
    case("linalg.matrix_rank", well_conditioned(3)),
    case("linalg.matrix_rank", RANK_ONE),
    case("linalg.matrix_rank", np.diag([3.0, 1.0, 0.1]).astype("float32"), tol=0.5),
    case("linalg.matrix_rank", np.stack([RANK_ONE, rand(2, 3)])),
    case("matrix_rank", ints(3, 3, low=-3, high=4)),
    # norm: vector and matrix orders, axes, keepdims, dtypes
    case("linalg.norm", rand(5)),
    case("linalg.norm", rand(3, 4)),
    case("linalg.norm", rand(2, 3, 4)),
    case("linalg.norm", rand(2, 3, 4), keepdims=True),
    case("linalg.norm", rand(5), ord=1),
    case("linalg.norm", rand(5), ord=0),
    case("linalg.norm", rand(5), ord=3),
    case("linalg.norm", rand(5), ord=-1),
    case("linalg.norm", rand(5), ord=np.inf),
    case("linalg.norm", rand(5), ord=-np.inf),
    case("linalg.norm", rand(3, 4), ord="fro"),
    case("linalg.norm", rand(3, 4), ord="nuc", **LOOSE),
    case("linalg.norm", rand(3, 4), ord=1),
    case("linalg.norm", rand(3, 4), ord=-1),
    case("linalg.norm", rand(3, 4), ord=2, **LOOSE),
    case("linalg.norm", rand(3, 4), ord=-2, **LOOSE),
    case("linalg.norm", rand(3, 4), ord=np.inf),
    case("linalg.norm", rand(3, 4), ord=-np.inf),
    case("linalg.norm", rand(2, 3, 4), axis=1),
    case("linalg.norm", rand(2, 3, 4), axis=-1, keepdims=True),
    case("linalg.norm", rand(2, 3, 4), ord=2, axis=(0, 2), **LOOSE),
    case("linalg.norm", rand(2, 3, 4), ord=1, axis=(-1, -2), keepdims=True),
    case("linalg.norm", rand(2, 3, 4), ord=np.inf, axis=(2, 0)),
    case("norm", ints(3, 4, low=-3, high=4)),
    case("norm", ints(3, 4, low=-3, high=4), ord=1, axis=0),
    case("norm", bools(4)),
    case("norm", rand(3, 4, dtype="float16"), rtol=1e-3, atol=1e-3),
]
