"""Hypothesis cases for the linear-algebra ops (symk/ops/linalg_ops.py, linalg_solve.py, linalg_svd.py, linalg_norm.py).

Mostly valid calls on (batches of) small matrices; sometimes non-square or rank-1 inputs and
mismatched right-hand sides (both refuse), and calls symk refuses although JAX runs them
(matrix_rank of a vector, qr modes Keras does not have, ord='f'), marked must_refuse.
"""
import math

from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, shapes, spec

DTYPES = st.sampled_from(["float32", "float32", "float32", "int32", "float16", "bool"])
SQUARE_OPS = ("cholesky", "cholesky_inverse", "inv", "det", "slogdet", "eig", "eigh")


@st.composite
def matrix_shape(draw, square=False):
    """(..., M, N); a square one is sometimes off by one, and a few are vectors (rank 1)."""
    if draw(st.integers(0, 14)) == 0:
        return (draw(st.integers(1, 4)),)
    batch = draw(shapes(0, 2, max_side=3))
    m = draw(st.integers(1, 4))
    n = m if square else draw(st.integers(1, 4))
    if square and draw(st.integers(0, 9)) == 0:
        n = m + 1
    return batch + (m, n)


def matrix_case(attrs=st.just({}), square=False, refuse_vectors=False):
    """refuse_vectors: symk refuses rank-1 input that JAX takes; square: as Keras, symk refuses non-square ones
    (JAX's cholesky and eigh read only part of the matrix)."""
    def build(shape, dtype, attrs_drawn):
        not_square = square and (len(shape) < 2 or shape[-1] != shape[-2])
        return OpCase([spec(shape, dtype)], attrs_drawn,
                      must_refuse=(refuse_vectors and len(shape) < 2) or not_square)
    return st.builds(build, matrix_shape(square), DTYPES, attrs)


for _name in SQUARE_OPS:
    _attrs = st.fixed_dictionaries({"upper": st.booleans()}) if _name.startswith("cholesky") else st.just({})
    register_op_cases(_name, matrix_case(_attrs, square=True), "linalg")
register_op_cases("lu_factor", matrix_case(), "linalg")
register_op_cases("svd", matrix_case(st.fixed_dictionaries({"full_matrices": st.booleans(),
                                                            "compute_uv": st.booleans()})), "linalg")
register_op_cases("pinv", matrix_case(st.fixed_dictionaries({"rcond": st.none() | st.just(0.1)})), "linalg")
register_op_cases("matrix_rank", matrix_case(st.fixed_dictionaries({"tol": st.none() | st.just(0.5)}),
                                             refuse_vectors=True), "linalg")


@st.composite
def qr_case(draw):
    shape = draw(matrix_shape())
    mode = draw(st.sampled_from(["reduced", "complete", "reduced", "r"]))
    # mode 'r' is numpy's (and JAX's) but not Keras's
    return OpCase([spec(shape, draw(DTYPES))], {"mode": mode}, must_refuse=mode == "r" and len(shape) >= 2)


register_op_cases("qr", qr_case(), "linalg")


@st.composite
def system_case(draw, vector_rhs_of_batch_rank: bool):
    """a (..., M, M) with b a vector (M,), a batch of vectors, or matrices (..., M, K); sometimes the wrong M."""
    a_shape = draw(matrix_shape(square=True))
    m = a_shape[-1]
    rows = m + 1 if draw(st.integers(0, 9)) == 0 else m
    batch = draw(st.sampled_from([(), a_shape[:-2], (1,) + a_shape[:-2][1:]])) if len(a_shape) > 2 else ()
    kind = draw(st.sampled_from(["vector", "matrix", "batched vector" if vector_rhs_of_batch_rank else "matrix"]))
    if kind == "vector":
        b_shape = (rows,)
    elif kind == "matrix":
        b_shape = batch + (rows, draw(st.integers(1, 3)))
    else:
        b_shape = a_shape[:-2] + (rows,)
    attrs = {"lower": draw(st.booleans())} if vector_rhs_of_batch_rank else {}
    return OpCase([spec(a_shape, draw(DTYPES)), spec(b_shape, draw(DTYPES))], attrs)


register_op_cases("solve", system_case(False), "linalg")
register_op_cases("solve_triangular", system_case(True), "linalg")


@st.composite
def lstsq_case(draw):
    a_shape = draw(st.sampled_from([2, 2, 2, 3]).flatmap(lambda r: shapes(r, r)))
    rows = a_shape[0] + (1 if draw(st.integers(0, 9)) == 0 else 0)
    b_shape = draw(st.sampled_from([(rows,), (rows, 2)]))
    return OpCase([spec(a_shape, draw(DTYPES)), spec(b_shape, draw(DTYPES))],
                  {"rcond": draw(st.none() | st.just(0.01))})


register_op_cases("lstsq", lstsq_case(), "linalg")

VECTOR_ORDS = [None, 1, 2, -1, 0, 3, math.inf, -math.inf]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]


@st.composite
def norm_case(draw):
    shape = draw(shapes(0, 4))
    rank = len(shape)
    kind = draw(st.sampled_from(["none", "vector", "matrix", "three"]))
    if kind == "none" or rank == 0:
        axis = None
        ords = VECTOR_ORDS if rank == 1 else MATRIX_ORDS
        ord_ = None if rank > 2 or rank == 0 else draw(st.sampled_from(ords))
    elif kind == "vector" or rank == 1:
        axis, ord_ = draw(st.integers(-rank, rank - 1)), draw(st.sampled_from(VECTOR_ORDS + ["fro"]))
    elif kind == "matrix" or rank == 2:
        axis = tuple(draw(st.permutations(range(-rank, 0)))[:2])
        ord_ = draw(st.sampled_from(MATRIX_ORDS + [3, "f"]))
    else:
        axis, ord_ = (0, 1, 2), None
    must_refuse = ord_ == "f"  # numpy's alias of 'fro', which Keras does not accept
    return OpCase([spec(shape, draw(DTYPES))], {"ord": ord_, "axis": axis, "keepdims": draw(st.booleans())},
                  must_refuse=must_refuse)


register_op_cases("norm", norm_case(), "linalg")
