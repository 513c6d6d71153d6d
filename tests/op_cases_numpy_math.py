"""Hypothesis cases for the numpy math ops (symk/ops/numpy_elementwise.py, reduce.py, statistics.py, windows.py).

Inputs come in every dtype family (bool, narrow and wide ints, float16/32, complex64), so each dtype rule is
checked against jax's; calls both refuse (bitwise ops on floats, complex numbers where there is no order,
bad axes) are drawn too, and calls only symk refuses are marked must_refuse.
"""
from hypothesis import strategies as st

from symk.ops import numpy_elementwise as elementwise
from symk.ops.statistics import METHODS, ORDER_STATISTICS
from symk.ops.windows import WINDOWS
from symk.testing import OpCase, axes_for, axis_for, broadcast_pair, register_op_cases, spec, specs

FAMILY = "numpy_math"
REAL = st.sampled_from(["bool", "int8", "uint8", "int32", "float16", "float32", "float32"])
ANY = st.sampled_from(["bool", "int8", "uint8", "int32", "float16", "float32", "float32", "complex64"])
INTEGER = st.sampled_from(["bool", "int8", "uint8", "int32", "int32", "float32"])  # float32: both refuse
_floats = st.floats(-3.0, 3.0, allow_nan=False, width=32)


def unary(dtypes=ANY, attrs=st.just({})):
    return st.builds(lambda s, a: OpCase([s], a), specs(dtypes=dtypes), attrs)


@st.composite
def binary(draw, dtypes=ANY):
    first, second = draw(broadcast_pair(2))
    return OpCase([spec(first, draw(dtypes)), spec(second, draw(dtypes))])


@st.composite
def ldexp_case(draw):
    first, second = draw(broadcast_pair(2))
    exponent = draw(st.sampled_from(["int8", "int32", "uint8", "bool", "float32"]))
    # jax takes a bool or float exponent; Keras (and symk) want an integer tensor
    return OpCase([spec(first, draw(REAL)), spec(second, exponent)], must_refuse=exponent in ("bool", "float32"))


for _name in elementwise.UNARY:
    register_op_cases(_name, unary(), FAMILY)
for _name in elementwise.SAME_DTYPE:
    register_op_cases(_name, unary(INTEGER if _name == "bitwise_invert" else ANY), FAMILY)
for _name in elementwise.BINARY:
    if _name != "ldexp":
        _dtypes = INTEGER if _name in ("gcd", "lcm") or "bit" in _name or "shift" in _name else ANY
        register_op_cases(_name, binary(_dtypes), FAMILY)
register_op_cases("ldexp", ldexp_case(), FAMILY)
register_op_cases("divide_no_nan", binary(ANY), FAMILY)


@st.composite
def isclose_case(draw):
    case = draw(binary(ANY))
    attrs = {"rtol": draw(st.floats(0, 0.5)), "atol": draw(st.floats(0, 0.5)), "equal_nan": draw(st.booleans())}
    return OpCase(case.inputs, attrs)


register_op_cases("isclose", isclose_case(), FAMILY)
register_op_cases("nan_to_num", unary(ANY, st.fixed_dictionaries(
    {"nan": _floats, "posinf": st.none() | _floats, "neginf": st.none() | _floats})), FAMILY)
register_op_cases("round_decimals", unary(ANY, st.fixed_dictionaries({"decimals": st.integers(-2, 3)})), FAMILY)


# -- reductions ----------------------------------------------------------------------------------------
@st.composite
def reduce_case(draw, dtypes=REAL):
    s = draw(specs(dtypes=dtypes))
    return OpCase([s], {"axis": draw(axes_for(len(s.shape))), "keepdims": draw(st.booleans())})


@st.composite
def initial_case(draw):
    case = draw(reduce_case())
    return OpCase(case.inputs, {**case.attrs, "initial": draw(st.integers(-3, 3) | _floats)})


@st.composite
def nan_arg_case(draw):
    s = draw(specs(dtypes=REAL))
    return OpCase([s], {"axis": draw(st.none() | axis_for(len(s.shape), extra=1)), "keepdims": draw(st.booleans())})


@st.composite
def cumulative_case(draw):
    s = draw(specs(dtypes=REAL))
    return OpCase([s], {"axis": draw(st.none() | axis_for(len(s.shape), extra=1))})


for _name in ("nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"):
    register_op_cases(_name, reduce_case(ANY if _name in ("nansum", "nanmean") else REAL), FAMILY)
for _name in ("max_initial", "min_initial"):
    register_op_cases(_name, initial_case(), FAMILY)
for _name in ("nanargmax", "nanargmin"):
    register_op_cases(_name, nan_arg_case(), FAMILY)
for _name in ("nancumsum", "nancumprod"):
    register_op_cases(_name, cumulative_case(), FAMILY)


# -- statistics ----------------------------------------------------------------------------------------
@st.composite
def order_statistic_case(draw):
    x = draw(specs(max_rank=3, dtypes=REAL))
    q_shape = draw(st.sampled_from([(), (), (2,), (3,), (2, 2)]))
    q = spec(q_shape, draw(st.sampled_from(["float32", "float32", "int32"])))
    method = draw(st.sampled_from(METHODS + ("cubic",)))
    return OpCase([x, q], {"axis": draw(axes_for(len(x.shape))), "method": method, "keepdims": draw(st.booleans())})


@st.composite
def average_case(draw):
    x = draw(specs(max_rank=3, dtypes=REAL))
    rank = len(x.shape)
    axis = draw(axes_for(rank))
    kind = draw(st.sampled_from(["same", "axes", "axes", "other"]))
    if kind == "same":
        weights = tuple(x.shape)
    elif kind == "axes" and axis is not None:
        try:
            weights = tuple(x.shape[a] for a in ((axis,) if isinstance(axis, int) else axis))
        except IndexError:
            weights = (2,)
    else:
        weights = draw(st.sampled_from([(), (1,), (2,), (3,), (2, 3)]))
    return OpCase([x, spec(weights, draw(REAL))], {"axis": axis})


for _name in ORDER_STATISTICS:
    register_op_cases(_name, order_statistic_case(), FAMILY)
for _name in ("median", "nanmedian"):
    register_op_cases(_name, reduce_case(ANY), FAMILY)
register_op_cases("average", average_case(), FAMILY)
register_op_cases("corrcoef", unary(ANY), FAMILY)


# -- windows -------------------------------------------------------------------------------------------
def window_attrs(extra=None):
    base = {"size": st.integers(-1, 6), "dtype": st.sampled_from(["float32", "float16"])}
    return st.fixed_dictionaries({**base, **(extra or {})}).map(lambda attrs: OpCase([], attrs))


for _name in WINDOWS:
    register_op_cases(_name, window_attrs(), FAMILY)
register_op_cases("kaiser", window_attrs({"beta": st.floats(0, 14)}), FAMILY)
