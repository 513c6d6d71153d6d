"""Hypothesis cases for the core ops (math, reduce, linalg, array, random), registered into symk.testing.

Cases are mostly valid calls plus some invalid ones (bad axes, shapes that do not
line up), so the harness also checks that the rule refuses where the lowering does.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from .ops import elementwise as math_ops
from .testing import (FLOAT_OR_INT, OpCase, axes_for, axis_for, broadcast_pair, register_op_cases, shapes, spec,
                      specs)

DTYPES_ALL = st.sampled_from(["float32", "int32", "bool"])


def unary(attrs=st.just({}), dtypes=FLOAT_OR_INT, min_rank=0):
    return st.builds(lambda s, a: OpCase([s], a), specs(min_rank=min_rank, dtypes=dtypes), attrs)


# -- math ------------------------------------------------------------------------------
for _name in list(math_ops.UNARY) + list(math_ops.FLOAT_UNARY) + ["stop_gradient"]:
    register_op_cases(_name, unary(dtypes=DTYPES_ALL if _name == "logical_not" else FLOAT_OR_INT), "math")

_floats = st.floats(-2.0, 2.0, allow_nan=False, width=32)
register_op_cases("elu", unary(st.fixed_dictionaries({"alpha": _floats})), "math")
register_op_cases("leaky_relu", unary(st.fixed_dictionaries({"negative_slope": _floats})), "math")
register_op_cases("gelu", unary(st.fixed_dictionaries({"approximate": st.booleans()})), "math")
register_op_cases("clip", unary(st.fixed_dictionaries({"min_value": st.none() | _floats,
                                                       "max_value": st.none() | _floats})), "math")
register_op_cases("relu_general", unary(st.fixed_dictionaries(
    {"negative_slope": _floats, "max_value": st.none() | st.floats(0, 6, width=32), "threshold": _floats})), "math")
register_op_cases("cast", unary(st.fixed_dictionaries({"dtype": st.sampled_from(["float32", "int32", "bool",
                                                                                  "float16", "uint8"])}),
                                dtypes=DTYPES_ALL), "math")


@st.composite
def softmax_case(draw):
    s = draw(specs(dtypes=FLOAT_OR_INT))
    rank = len(s.shape)
    axis = draw(axis_for(rank, extra=1) | st.lists(axis_for(rank), min_size=1, max_size=2, unique=True).map(tuple))
    return OpCase([s], {"axis": axis})


register_op_cases("softmax", softmax_case(), "math")
register_op_cases("log_softmax", softmax_case(), "math")


@st.composite
def binary_case(draw, dtypes=FLOAT_OR_INT, count=2):
    shape_list = draw(broadcast_pair(count))
    return OpCase([spec(s, draw(dtypes)) for s in shape_list])


for _name in list(math_ops.BINARY) + list(math_ops.COMPARE) + ["divide"]:
    _dtypes = DTYPES_ALL if _name.startswith("logical") else FLOAT_OR_INT
    register_op_cases(_name, binary_case(_dtypes), "math")


@st.composite
def where_case(draw):
    cond, a, b = draw(broadcast_pair(3))
    cond_dtype = draw(st.sampled_from(["bool", "bool", "float32"]))
    return OpCase([spec(cond, cond_dtype), spec(a, draw(FLOAT_OR_INT)), spec(b, draw(FLOAT_OR_INT))],
                  must_refuse=cond_dtype != "bool")  # symk wants an explicit comparison


register_op_cases("where", where_case(), "math")


# -- reductions ------------------------------------------------------------------------
@st.composite
def reduce_case(draw, dtypes=FLOAT_OR_INT):
    s = draw(specs(dtypes=dtypes))
    return OpCase([s], {"axis": draw(axes_for(len(s.shape))), "keepdims": draw(st.booleans())})


for _name in ("sum", "max", "min", "prod", "mean", "var", "std", "logsumexp"):
    register_op_cases(_name, reduce_case(), "reduce")
for _name in ("any", "all"):
    register_op_cases(_name, reduce_case(DTYPES_ALL), "reduce")


@st.composite
def arg_case(draw):
    s = draw(specs(dtypes=FLOAT_OR_INT))
    axis = draw(st.none() | axis_for(len(s.shape), extra=1))
    return OpCase([s], {"axis": axis, "keepdims": draw(st.booleans())})


@st.composite
def cumulative_case(draw):
    s = draw(specs(dtypes=FLOAT_OR_INT))
    return OpCase([s], {"axis": draw(st.none() | axis_for(len(s.shape), extra=1))})


register_op_cases("argmax", arg_case(), "reduce")
register_op_cases("argmin", arg_case(), "reduce")
register_op_cases("cumsum", cumulative_case(), "reduce")
register_op_cases("cumprod", cumulative_case(), "reduce")


# -- linear algebra --------------------------------------------------------------------
@st.composite
def matmul_case(draw):
    k = draw(st.integers(1, 4))
    a = list(draw(shapes(1, 4)))
    b = list(draw(shapes(1, 4)))
    if draw(st.integers(0, 5)):  # mostly line the contracted axes up
        a[-1] = k
        b[-2 if len(b) > 1 else -1] = k
    if len(a) > 2 and len(b) > 2 and draw(st.booleans()):
        b[:-2] = a[-len(b):-2] if len(a) >= len(b) else b[:-2]
    return OpCase([spec(a, draw(FLOAT_OR_INT)), spec(b, draw(FLOAT_OR_INT))])


@st.composite
def tensordot_case(draw):
    a, b = draw(shapes(1, 3)), draw(shapes(1, 3))
    n = draw(st.integers(1, min(len(a), len(b))))
    axes_a = draw(st.lists(axis_for(len(a)), min_size=n, max_size=n, unique_by=lambda x: x % len(a)))
    axes_b = draw(st.lists(axis_for(len(b)), min_size=n, max_size=n, unique_by=lambda x: x % len(b)))
    b = list(b)
    if draw(st.integers(0, 4)):
        for i, j in zip(axes_a, axes_b):
            b[j] = a[i]
    return OpCase([spec(a), spec(b)], {"axes": (tuple(axes_a), tuple(axes_b))})


@st.composite
def bias_add_case(draw):
    x = draw(shapes(1, 4))
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    channels = x[-1] if data_format == "channels_last" or len(x) < 2 else x[1]
    size = channels if draw(st.integers(0, 4)) else draw(st.integers(1, 5))
    bias = (size,) if draw(st.integers(0, 6)) else (1, size)
    return OpCase([spec(x, draw(FLOAT_OR_INT)), spec(bias)], {"data_format": data_format},
                  must_refuse=len(bias) != 1 or len(x) < 2 or size != channels)  # Keras: a 1-D bias on a batched input


register_op_cases("matmul", matmul_case(), "linalg")
register_op_cases("tensordot", tensordot_case(), "linalg")
register_op_cases("bias_add", bias_add_case(), "linalg")


# -- array -----------------------------------------------------------------------------
@st.composite
def reshape_case(draw):
    shape = draw(shapes(0, 4))
    if draw(st.integers(0, 5)) == 0:
        target = list(draw(shapes(0, 3)))  # most likely the wrong size: both must refuse
    else:
        factors = list(draw(st.permutations(shape)))
        target, i = [], 0
        while i < len(factors):  # merge runs of factors into one axis
            run = draw(st.integers(1, len(factors) - i))
            target.append(math.prod(factors[i:i + run]))
            i += run
        target += [1] * draw(st.integers(0, 1))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return OpCase([spec(shape, draw(FLOAT_OR_INT))], {"shape": tuple(target)})


@st.composite
def transpose_case(draw):
    s = draw(specs())
    rank = len(s.shape)
    kind = draw(st.sampled_from(["none", "perm", "perm", "bad"]))
    if kind == "none":
        axes = None
    elif kind == "perm":
        axes = tuple(draw(st.permutations(range(rank))))
    else:
        axes = tuple(draw(st.lists(axis_for(rank, extra=1), min_size=0, max_size=rank + 1)))
    return OpCase([s], {"axes": axes})


@st.composite
def concatenate_case(draw):
    base = list(draw(shapes(1, 4)))
    rank = len(base)
    axis = draw(axis_for(rank, extra=1))
    inputs = []
    for _ in range(draw(st.integers(1, 3))):
        shape = list(base)
        if -rank <= axis < rank:
            shape[axis] = draw(st.integers(1, 4))
        if draw(st.integers(0, 8)) == 0:
            shape = list(draw(shapes(1, 4)))
        inputs.append(spec(shape, draw(FLOAT_OR_INT)))
    return OpCase(inputs, {"axis": axis})


@st.composite
def stack_case(draw):
    base = draw(shapes(0, 3))
    inputs = [spec(base if draw(st.integers(0, 8)) else draw(shapes(0, 3)), draw(FLOAT_OR_INT))
              for _ in range(draw(st.integers(1, 3)))]
    return OpCase(inputs, {"axis": draw(axis_for(len(base) + 1, extra=1))})


@st.composite
def split_case(draw):
    s = draw(specs(min_rank=1))
    axis = draw(axis_for(len(s.shape)))
    if draw(st.booleans()):
        sections = draw(st.integers(1, 4))
    else:
        sections = tuple(sorted(draw(st.lists(st.integers(0, 5), min_size=1, max_size=3))))
    return OpCase([s], {"indices_or_sections": sections, "axis": axis})


def _index_item(size):
    return st.one_of(
        st.integers(-size - 1, size),
        st.builds(slice, st.none() | st.integers(-5, 5), st.none() | st.integers(-5, 5),
                  st.none() | st.sampled_from([1, 2, -1, 3])),
        st.just(None))


@st.composite
def getitem_case(draw):
    from .ops.array import encode_index

    s = draw(specs())
    items = [draw(_index_item(d)) for d in s.shape[: draw(st.integers(0, len(s.shape)))]]
    if draw(st.integers(0, 3)) == 0:
        items.insert(draw(st.integers(0, len(items))), Ellipsis)
    key = tuple(items) if len(items) != 1 or draw(st.booleans()) else items[0]
    try:  # numpy's verdict (jax does not bounds-check every static index)
        np.empty(s.shape)[key]
        forbidden = False
    except IndexError:
        forbidden = True
    return OpCase([s], {"key": encode_index(key)}, must_refuse=forbidden)


@st.composite
def take_case(draw):
    x = draw(specs(min_rank=1))
    idx = spec(draw(shapes(0, 2)), draw(st.sampled_from(["int32", "int32", "float32"])))
    return OpCase([x, idx], {"axis": draw(st.none() | axis_for(len(x.shape), extra=1))})


@st.composite
def expand_dims_case(draw):
    s = draw(specs(max_rank=3))
    rank = len(s.shape)
    axis = draw(axis_for(rank + 1, extra=1) | st.lists(axis_for(rank + 2), min_size=1, max_size=2).map(tuple))
    return OpCase([s], {"axis": axis})


@st.composite
def squeeze_case(draw):
    shape = draw(shapes(0, 4, min_side=1, max_side=2))
    return OpCase([spec(shape, draw(FLOAT_OR_INT))], {"axis": draw(axes_for(len(shape)))})


@st.composite
def tile_case(draw):
    return OpCase([draw(specs(max_rank=3))],
                  {"repeats": tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))})


@st.composite
def repeat_case(draw):
    s = draw(specs(max_rank=3))
    axis = draw(st.none() | axis_for(len(s.shape), extra=1))
    return OpCase([s], {"repeats": draw(st.integers(1, 3)), "axis": axis},
                  must_refuse=axis is not None and len(s.shape) == 0)  # a scalar has no axis to repeat along


@st.composite
def pad_case(draw):
    s = draw(specs(max_rank=3))
    rank = len(s.shape) + (1 if draw(st.integers(0, 8)) == 0 else 0)
    widths = tuple(tuple(draw(st.lists(st.integers(0, 2), min_size=2, max_size=2))) for _ in range(rank))
    mode = draw(st.sampled_from(["constant", "constant", "edge", "reflect", "symmetric"]))
    return OpCase([s], {"pad_width": widths, "mode": mode, "constant_values": draw(st.integers(-1, 1))},
                  must_refuse=rank != len(s.shape))  # one (before, after) pair per axis, not broadcast


@st.composite
def one_hot_case(draw):
    s = spec(draw(shapes(0, 3)), draw(st.sampled_from(["int32", "int32", "float32"])))
    return OpCase([s], {"num_classes": draw(st.integers(1, 5)), "dtype": draw(st.sampled_from(["float32", "int32"]))},
                  must_refuse=s.dtype != "int32")  # class indices must be integers


@st.composite
def broadcast_to_case(draw):
    shape_in, target = draw(broadcast_pair(2, max_rank=3))
    if draw(st.booleans()):
        from .shapes import broadcast_shapes

        try:
            target = tuple(broadcast_shapes(shape_in, target))
        except Exception:  # noqa: BLE001  (unrelated shapes: keep the refused target)
            pass
    return OpCase([spec(shape_in, draw(FLOAT_OR_INT))], {"shape": tuple(target)})


@st.composite
def dim_size_case(draw):
    s = draw(specs(min_rank=0))
    return OpCase([s], {"axis": draw(axis_for(len(s.shape), extra=1))})


for _name, _strategy in {
    "reshape": reshape_case(), "transpose": transpose_case(), "concatenate": concatenate_case(),
    "stack": stack_case(), "split": split_case(), "getitem": getitem_case(), "take": take_case(),
    "expand_dims": expand_dims_case(), "squeeze": squeeze_case(), "tile": tile_case(), "repeat": repeat_case(),
    "pad": pad_case(), "one_hot": one_hot_case(), "broadcast_to": broadcast_to_case(), "dim_size": dim_size_case(),
}.items():
    register_op_cases(_name, _strategy, "array")


# -- random and training-dependent -------------------------------------------------------
@st.composite
def dropout_case(draw):
    s = draw(specs(min_rank=1, dtypes=st.just("float32")))
    noise_shape = None
    if draw(st.booleans()):
        noise_shape = tuple(draw(st.sampled_from([None, 1, d])) for d in s.shape)
    return OpCase([s], {"rate": draw(st.sampled_from([0.0, 0.1, 0.5, 0.9])), "noise_shape": noise_shape})


@st.composite
def training_select_case(draw):
    a = draw(shapes(0, 3))
    b = a if draw(st.integers(0, 5)) else draw(shapes(0, 3))
    return OpCase([spec(a, draw(FLOAT_OR_INT)), spec(b, draw(FLOAT_OR_INT))],
                  must_refuse=a != b)  # both branches must agree, not broadcast


@st.composite
def sized_random_case(draw, mean_key, spread_key):
    return OpCase([], {"shape": draw(shapes(0, 3)), mean_key: draw(_floats), spread_key: draw(st.floats(0.5, 3)),
                       "dtype": draw(st.sampled_from(["float32", "float16"])),
                       "seed": draw(st.none() | st.integers(0, 100))})


@st.composite
def like_random_case(draw, low_key, high_key):
    return OpCase([draw(specs(dtypes=st.just("float32")))], {low_key: draw(_floats), high_key: draw(st.floats(2.5, 4))})


register_op_cases("dropout", dropout_case(), "random")
register_op_cases("training_select", training_select_case(), "random")
register_op_cases("random_uniform", sized_random_case("minval", "maxval"), "random")
register_op_cases("random_normal", sized_random_case("mean", "stddev"), "random")
register_op_cases("random_uniform_like", like_random_case("minval", "maxval"), "random")
register_op_cases("random_normal_like", like_random_case("mean", "stddev"), "random")
