"""Hypothesis cases for the ONNX element-type ops (symk/ops/onnx_quantize.py): onnx_bitcast.

Mostly valid bitcasts between types of one width (bool, the 8/16/32-bit ints and floats, float8); pairs of
different widths, 64-bit targets (symk computes them as 32-bit) and 4-bit types are marked must_refuse (lax
would bitcast them anyway, changing the shape or the meaning).
"""
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, shapes, spec

BY_WIDTH = {
    8: ["bool", "int8", "uint8", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e8m0fnu"],
    16: ["int16", "uint16", "float16", "bfloat16"],
    32: ["int32", "uint32", "float32"],
}
ALL = [d for group in BY_WIDTH.values() for d in group]


@st.composite
def onnx_bitcast_case(draw):
    shape = draw(shapes(0, 3))
    width = draw(st.sampled_from(sorted(BY_WIDTH)))
    source = draw(st.sampled_from(BY_WIDTH[width]))
    kind = draw(st.sampled_from(["same", "same", "same", "other", "int64", "int4"]))
    if kind == "same":
        return OpCase([spec(shape, source)], dict(to=draw(st.sampled_from(BY_WIDTH[width]))))
    target = {"other": draw(st.sampled_from([d for d in ALL if d not in BY_WIDTH[width]])),
              "int64": "int64", "int4": "int4"}[kind]
    return OpCase([spec(shape, source)], dict(to=target), must_refuse=True)


register_op_cases("onnx_bitcast", onnx_bitcast_case(), "onnx_quantize")
