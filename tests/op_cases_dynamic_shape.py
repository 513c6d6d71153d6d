"""Hypothesis cases for the ops whose target shape holds run-time sizes (symk/ops/dynamic_shape.py).

The source inputs come with the encoded shape: ("dim", k, axis) reads axis `axis` of source k. Out-of-range
references and impossible reshapes are drawn too: the rule and jax must both refuse them.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, shapes, spec

FAMILY = "dynamic_shape"


@st.composite
def encoded_shape(draw, source_shape):
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        if source_shape and draw(st.booleans()):
            entries.append(("dim", 0, draw(st.integers(-len(source_shape), len(source_shape) - 1))))
        else:
            entries.append(draw(st.integers(1, 3)))
    return tuple(entries)


@st.composite
def full_case(draw):
    source = draw(shapes(1, 3))
    return OpCase([spec(source)], dict(shape=draw(encoded_shape(source)), fill_value=1.5,
                                       dtype=draw(st.sampled_from(["float32", "int32"]))))


@st.composite
def reshape_case(draw):
    x = draw(shapes(1, 3))
    kind = draw(st.sampled_from(["batch_then_rest", "every_axis", "random"]))
    if kind == "batch_then_rest":   # the common Keras idiom: reshape(x, (ops.shape(x)[0], -1))
        return OpCase([spec(x), spec(x)], dict(shape=(("dim", 0, 0), -1)))
    if kind == "every_axis":
        return OpCase([spec(x), spec(x)], dict(shape=tuple(("dim", 0, i) for i in range(len(x)))))
    encoded = list(draw(encoded_shape(x)))
    if draw(st.booleans()):
        encoded[draw(st.integers(0, len(encoded) - 1))] = -1
    return OpCase([spec(x), spec(x)], dict(shape=tuple(encoded)))   # mostly impossible: both must refuse


@st.composite
def broadcast_case(draw):
    target_source = draw(shapes(1, 3))
    x = tuple(draw(st.sampled_from([1, d])) for d in target_source[draw(st.integers(0, len(target_source) - 1)):])
    encoded = tuple(("dim", 0, i) if draw(st.booleans()) else d for i, d in enumerate(target_source))
    return OpCase([spec(x), spec(target_source)], dict(shape=encoded))


register_op_cases("dynamic_full", full_case(), family=FAMILY)
register_op_cases("dynamic_reshape", reshape_case(), family=FAMILY)
register_op_cases("dynamic_broadcast_to", broadcast_case(), family=FAMILY)
