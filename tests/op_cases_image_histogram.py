"""Hypothesis cases for histogram_counts (symk/ops/image_histogram.py): integer indices of rank 1 to 4 and a
bin count; float or bool indices, a scalar, and a bin count below one are drawn now and then and must be refused.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, shapes, spec


@st.composite
def histogram_counts_case(draw):
    rare = draw(st.integers(0, 9)) == 9
    shape = draw(shapes(0 if rare else 1, 4))
    dtype = draw(st.sampled_from(["int32", "int32", "uint8", "int8", "int64"] + (["float32", "bool"] if rare else [])))
    bins = draw(st.sampled_from([1, 3, 8, 256] + ([0, -2] if rare else [])))
    refuse = len(shape) == 0 or dtype in ("float32", "bool") or bins < 1
    return OpCase([spec(shape, dtype)], {"bins": bins}, must_refuse=refuse)


register_op_cases("histogram_counts", histogram_counts_case(), "image_histogram")
