"""Hypothesis cases for the ONNX-semantics ops (symk/ops/onnx_compat.py): onnx_pool, onnx_lrn, onnx_softmax.

Mostly valid channels-first calls with asymmetric pads, ceil mode and dilations. Average and Lp pooling of
integers are marked must_refuse (jax would sum them, the rule wants floats); windows larger than the
padded axis, and softmax axes out of range, are drawn so both the rule and the lowering refuse.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, axis_for, register_op_cases, shapes, spec


@st.composite
def onnx_pool_case(draw):
    n = draw(st.integers(1, 3))
    lengths = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    kernel = tuple(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    strides = tuple(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)))
    dilations = tuple(draw(st.lists(st.integers(1, 2), min_size=n, max_size=n)))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(n))
    kind = draw(st.sampled_from(["max", "avg", "lp"]))
    dtype = draw(st.sampled_from(["float32", "float32", "float32", "int32"]))
    x = spec((draw(st.integers(1, 2)), draw(st.integers(1, 3)), *lengths), dtype)
    attrs = dict(kind=kind, kernel=kernel, strides=strides, pads=pads, dilations=dilations,
                 ceil_mode=draw(st.booleans()), count_include_pad=draw(st.booleans()), p=draw(st.sampled_from([1, 2])))
    return OpCase([x], attrs, must_refuse=dtype == "int32" and kind != "max")


@st.composite
def onnx_lrn_case(draw):
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 6))) + tuple(draw(shapes(1, 2)))
    attrs = dict(size=draw(st.integers(1, 5)), alpha=draw(st.sampled_from([1e-4, 0.01])),
                 beta=draw(st.sampled_from([0.5, 0.75])), bias=draw(st.sampled_from([1.0, 2.0])))
    return OpCase([spec(shape)], attrs)


@st.composite
def onnx_softmax_case(draw):
    shape = draw(shapes(1, 4))
    return OpCase([spec(shape, draw(st.sampled_from(["float32", "float16"])))],
                  dict(axis=draw(axis_for(len(shape), extra=1))))


register_op_cases("onnx_pool", onnx_pool_case(), "onnx_compat")
register_op_cases("onnx_lrn", onnx_lrn_case(), "onnx_compat")
register_op_cases("onnx_softmax", onnx_softmax_case(), "onnx_compat")
