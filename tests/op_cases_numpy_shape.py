"""Hypothesis cases for the creation and shape ops (symk/ops/creation.py, manipulation.py, shape_*.py).

Mostly valid calls, with drawn refusals: out-of-range axes, sizes that do not fit, bool where jnp
refuses it. `must_refuse` marks calls jax would run but symk forbids (float start indices, which the
lowering would cast; a linspace axis jnp would quietly clip).
"""
from hypothesis import strategies as st

from symk.testing import OpCase, axes_for, axis_for, broadcast_pair, register_op_cases, shapes, spec, specs

FAMILY = "numpy_shape"
DTYPES = st.sampled_from(["float32", "float32", "int32", "bool"])
TARGET_DTYPES = st.sampled_from(["float32", "int32", "bool", "float16"])
SCALARS = st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False, width=32) | st.booleans()


# -- creation -------------------------------------------------------------------------
@st.composite
def full_case(draw):
    shape = list(draw(shapes(0, 3, min_side=0)))
    if shape and draw(st.integers(0, 8)) == 0:
        shape[0] = -1  # both refuse a negative size
    return OpCase([], {"shape": tuple(shape), "fill_value": draw(SCALARS), "dtype": draw(TARGET_DTYPES)})


@st.composite
def full_like_case(draw):
    x_shape = draw(shapes(0, 3))
    kind = draw(st.sampled_from(["scalar", "suffix", "other"]))
    fill_shape = () if kind == "scalar" else x_shape[draw(st.integers(0, len(x_shape))):] if kind == "suffix" \
        else draw(shapes(0, 3))
    return OpCase([spec(x_shape, draw(DTYPES)), spec(fill_shape, draw(DTYPES))],
                  {"dtype": draw(st.none() | TARGET_DTYPES)})


NUMBERS = st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 2))


@st.composite
def arange_case(draw):
    start, stop = draw(NUMBERS), draw(st.none() | NUMBERS)
    step = draw(st.none() | st.sampled_from([1, 2, -1, -2, 0.5, -0.75, 0]))
    return OpCase([], {"start": start, "stop": stop, "step": step,
                       "dtype": draw(st.sampled_from(["int32", "float32", "float32", "bool"]))})


@st.composite
def matrix_case(draw):
    return OpCase([], {"N": draw(st.integers(-1, 4)), "M": draw(st.none() | st.integers(0, 4)),
                       "k": draw(st.integers(-4, 4)), "dtype": draw(TARGET_DTYPES)})


@st.composite
def spaced_case(draw, op):
    start_shape, stop_shape = draw(broadcast_pair(2, max_rank=2))
    inputs = [spec(start_shape, draw(st.sampled_from(["float32", "int32"]))),
              spec(stop_shape, draw(st.sampled_from(["float32", "int32"])))]
    bounds_rank = max(len(start_shape), len(stop_shape))
    axis = draw(axis_for(bounds_rank + 1, extra=1))
    attrs = {"num": draw(st.integers(0, 5)), "endpoint": draw(st.booleans()),
             "dtype": draw(st.none() | st.sampled_from(["float32", "int32", "float16"])), "axis": axis}
    if op == "linspace":
        attrs["retstep"] = draw(st.booleans())
    if op == "logspace":
        attrs["base"] = draw(st.sampled_from([2, 10, 2.5]))
    # NOTE: jnp inserts an out-of-range axis at the end (list.insert); symk refuses it
    return OpCase(inputs, attrs, must_refuse=not -(bounds_rank + 1) <= axis <= bounds_rank)


@st.composite
def meshgrid_case(draw):
    inputs = [spec(draw(shapes(1, 1)), draw(DTYPES)) for _ in range(draw(st.integers(1, 3)))]
    if draw(st.integers(0, 8)) == 0:
        inputs[0] = spec(draw(shapes(2, 2)))  # both refuse a matrix
    return OpCase(inputs, {"indexing": draw(st.sampled_from(["xy", "ij"]))})


# -- manipulation ---------------------------------------------------------------------
@st.composite
def flip_case(draw):
    s = draw(specs(max_rank=3, dtypes=DTYPES))
    return OpCase([s], {"axis": draw(axes_for(len(s.shape)))})


@st.composite
def roll_case(draw):
    s = draw(specs(max_rank=3, dtypes=DTYPES))
    rank = len(s.shape)
    axis = draw(st.none() | axis_for(rank, extra=1) |
                st.lists(axis_for(rank), min_size=1, max_size=3).map(tuple) if rank else st.none())
    shift = draw(st.integers(-4, 4) | st.lists(st.integers(-4, 4), min_size=1, max_size=3).map(tuple))
    return OpCase([s], {"shift": shift, "axis": axis})


@st.composite
def view_case(draw):
    dtypes = st.sampled_from(["float32", "int32", "int8", "int16", "uint8", "float16", "bool"])
    s = spec(draw(shapes(0, 3)), draw(dtypes))
    return OpCase([s], {"dtype": draw(dtypes)})


# -- diagonals ------------------------------------------------------------------------
@st.composite
def diag_case(draw):
    return OpCase([draw(specs(max_rank=3, dtypes=DTYPES))], {"k": draw(st.integers(-4, 4))})


@st.composite
def diagonal_case(draw):
    s = draw(specs(min_rank=1, max_rank=4, dtypes=DTYPES))
    rank = len(s.shape)
    return OpCase([s], {"offset": draw(st.integers(-4, 4)), "axis1": draw(axis_for(rank, extra=1)),
                        "axis2": draw(axis_for(rank, extra=1))})


@st.composite
def triangle_case(draw):
    return OpCase([draw(specs(min_rank=1, max_rank=4, dtypes=DTYPES))], {"k": draw(st.integers(-4, 4))})


@st.composite
def vander_case(draw):
    s = spec(draw(shapes(1, 1) if draw(st.integers(0, 6)) else shapes(0, 2)), draw(DTYPES))
    return OpCase([s], {"N": draw(st.none() | st.integers(-1, 4)), "increasing": draw(st.booleans())})


# -- slicing --------------------------------------------------------------------------
@st.composite
def slice_case(draw):
    shape = draw(shapes(0, 3))
    sizes = [draw(st.integers(0, d)) for d in shape]
    if sizes and draw(st.integers(0, 8)) == 0:
        sizes[0] = shape[0] + 1  # both refuse a box larger than the input
    start_dtype = draw(st.sampled_from(["int32", "int32", "float32"]))
    extra = 1 if draw(st.integers(0, 8)) == 0 else 0
    start = spec((len(shape) + extra,), start_dtype)
    # NOTE: the lowering casts the starts to int32 and reads one per axis: only the rule can refuse
    # float starts or too many of them
    return OpCase([spec(shape, draw(DTYPES)), start], {"shape": tuple(sizes)},
                  must_refuse=start_dtype != "int32" or extra > 0)


@st.composite
def slice_update_case(draw):
    shape = draw(shapes(0, 3))
    update_shape = [draw(st.integers(0, d)) for d in shape]
    if update_shape and draw(st.integers(0, 8)) == 0:
        update_shape[0] = shape[0] + 1
    dtype = draw(DTYPES)
    update_dtype = dtype if draw(st.integers(0, 6)) else draw(DTYPES)
    start_dtype = draw(st.sampled_from(["int32", "int32", "float32"]))
    return OpCase([spec(shape, dtype), spec((len(shape),), start_dtype), spec(update_shape, update_dtype)],
                  must_refuse=start_dtype != "int32")


for _name, _strategy in {
    "full": full_case(), "full_like": full_like_case(), "arange": arange_case(), "eye": matrix_case(),
    "tri": matrix_case(), "linspace": spaced_case("linspace"), "logspace": spaced_case("logspace"),
    "geomspace": spaced_case("geomspace"), "meshgrid": meshgrid_case(), "flip": flip_case(), "roll": roll_case(),
    "view": view_case(), "diag": diag_case(), "diagonal": diagonal_case(), "tril": triangle_case(),
    "triu": triangle_case(), "vander": vander_case(), "slice": slice_case(), "slice_update": slice_update_case(),
}.items():
    register_op_cases(_name, _strategy, FAMILY)
