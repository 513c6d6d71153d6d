"""Hypothesis cases for the ops that passes declare (symk/passes/fused_ops.py): fused_linear and
fused_elementwise, checked like every op against jax.eval_shape of their own lowering.

A bias built for another channel count is marked must_refuse (jax may broadcast a bias of one
entry where symk refuses); a chain that reads an input or step that does not exist must refuse.
"""
from hypothesis import strategies as st

import symk.passes  # noqa: F401  (declares the fused ops)
from symk.testing import OpCase, broadcast_pair, register_op_cases, spec

ACTIVATIONS = st.sampled_from([(None, ()), ("relu", ()), ("tanh", ()), ("sigmoid", ()),
                               ("leaky_relu", (("negative_slope", 0.1),))])


@st.composite
def fused_linear_case(draw):
    activation, activation_attrs = draw(ACTIVATIONS)
    units = draw(st.integers(1, 4))
    bias_size = units + (1 if draw(st.integers(0, 9)) == 0 else 0)
    if draw(st.booleans()):  # a Dense layer: matmul by a 2-D kernel on inputs of rank 2 or 3
        lead = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
        n_in = draw(st.integers(1, 4))
        inputs = [spec(lead + (n_in,)), spec((n_in, units)), spec((bias_size,))]
        base, base_attrs, data_format = "matmul", (), "channels_last"
    else:  # a Conv2D layer
        data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
        side, channels, window = draw(st.integers(3, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        x_shape = (1, side, side, channels) if data_format == "channels_last" else (1, channels, side, side)
        inputs = [spec(x_shape), spec((window, window, channels, units)), spec((bias_size,))]
        base = "conv"
        base_attrs = (("strides", (1, 1)), ("padding", draw(st.sampled_from(["valid", "same"]))),
                      ("dilation_rate", (1, 1)), ("groups", 1), ("data_format", data_format))
    attrs = dict(base=base, base_attrs=base_attrs, data_format=data_format, activation=activation,
                 activation_attrs=activation_attrs)
    return OpCase(inputs, attrs, must_refuse=bias_size != units)


UNARY_STEPS = st.sampled_from([("relu", ()), ("tanh", ()), ("exp", ()), ("negative", ()), ("sigmoid", ()),
                               ("cast", (("dtype", "float32"),)), ("leaky_relu", (("negative_slope", 0.3),))])
BINARY_STEPS = st.sampled_from(["add", "multiply", "maximum", "subtract"])


@st.composite
def fused_elementwise_case(draw):
    shapes = draw(broadcast_pair(count=draw(st.integers(1, 3)), max_rank=3))
    inputs = [spec(s, draw(st.sampled_from(["float32", "float32", "int32"]))) for s in shapes]
    chain, broken = [], False
    for position in range(draw(st.integers(1, 4))):
        first = ("input", 0) if position == 0 else ("step", position - 1)
        if draw(st.booleans()):
            name, items = draw(UNARY_STEPS)
            wiring = (first,)
        else:
            name, items = draw(BINARY_STEPS), ()
            other = draw(st.integers(0, len(inputs) - 1 + (1 if draw(st.integers(0, 9)) == 0 else 0)))
            broken |= other >= len(inputs)  # wiring to an input that does not exist
            wiring = (first, ("input", other))
        chain.append((name, items, wiring))
    return OpCase(inputs, {"chain": tuple(chain)}, must_refuse=broken)


register_op_cases("fused_linear", fused_linear_case(), "passes")
register_op_cases("fused_elementwise", fused_elementwise_case(), "passes")
