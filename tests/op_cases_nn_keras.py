"""Hypothesis cases for the ops behind keras.ops.nn (symk/ops/nn_*.py): activations, adaptive pooling,
moments, losses, encodings, block rearrangements, attention and CTC.

Mostly valid calls over float32/int32/float16 inputs; calls that jax would run but symk refuses
(mismatched loss shapes, blocks that do not fit) are marked must_refuse, and some bad calls are
drawn so that both the rule and the lowering refuse.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, broadcast_pair, register_op_cases, shapes, spec

FAMILY = "nn_keras"
DTYPES = st.sampled_from(["float32", "float32", "int32", "float16"])
FLOATS = st.sampled_from(["float32", "float32", "float16"])
FORMATS = st.sampled_from(["channels_last", "channels_first"])


def unary(attrs=st.just({}), dtypes=DTYPES):
    return st.builds(lambda s, d, a: OpCase([spec(s, d)], a), shapes(0, 4), dtypes, attrs)


@st.composite
def along_axis(draw, dtypes=DTYPES):
    shape = draw(shapes(1, 4))
    axis = draw(st.integers(-len(shape) - 1, len(shape)))   # sometimes out of range: both refuse
    return OpCase([spec(shape, draw(dtypes))], {"axis": axis})


@st.composite
def glu_case(draw):
    shape = list(draw(shapes(1, 4)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    if draw(st.integers(0, 4)):
        shape[axis] = 2 * draw(st.integers(1, 2))   # mostly even; an odd size is refused by both
    return OpCase([spec(shape, draw(DTYPES))], {"axis": axis})


@st.composite
def adaptive_pool_case(draw):
    n = draw(st.integers(1, 3))
    data_format = draw(FORMATS)
    spatial = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    channels = draw(st.integers(1, 3))
    x = (1, *spatial, channels) if data_format == "channels_last" else (1, channels, *spatial)
    size = draw(st.integers(1, 5) | st.lists(st.integers(1, 5), min_size=n, max_size=n).map(tuple))
    if draw(st.integers(0, 9)) == 0:
        size = (2,) * (n + 1)   # one size too many: both refuse
    return OpCase([spec(x, draw(DTYPES))], {"kind": draw(st.sampled_from(["max", "avg"])), "output_size": size,
                                            "data_format": data_format})


@st.composite
def moments_case(draw):
    shape = draw(shapes(1, 4))
    rank = len(shape)
    axes = draw(st.lists(st.integers(-rank, rank - 1), min_size=1, max_size=rank, unique_by=lambda a: a % rank))
    dtype = draw(st.sampled_from(["float32", "int32", "float16", "bfloat16"]))
    return OpCase([spec(shape, dtype)], {"axes": tuple(axes), "keepdims": draw(st.booleans())})


@st.composite
def paired_loss(draw, with_axis):
    shape = draw(shapes(1 if with_axis else 0, 3))
    other = shape if draw(st.integers(0, 6)) else draw(shapes(0, 3))
    attrs = {"from_logits": draw(st.booleans())}
    if with_axis:
        attrs["axis"] = draw(st.integers(-len(shape), len(shape) - 1))
    # jax would broadcast two different shapes; Keras (and symk) refuse them
    return OpCase([spec(other, draw(DTYPES)), spec(shape, draw(FLOATS))], attrs, must_refuse=tuple(other) != shape)


@st.composite
def sparse_loss(draw):
    output = draw(shapes(1, 3))
    axis = draw(st.integers(-len(output), len(output) - 1))
    target = output[:axis % len(output)] + output[axis % len(output) + 1:]
    if axis % len(output) == len(output) - 1 and draw(st.booleans()):
        target = target + (1,)   # labels with a trailing unit axis
    wrong = draw(st.integers(0, 6)) == 0
    if wrong:
        target = target + (2,)
    return OpCase([spec(target, draw(st.sampled_from(["int32", "float32"]))), spec(output, draw(FLOATS))],
                  {"from_logits": draw(st.booleans()), "axis": axis}, must_refuse=wrong)


@st.composite
def one_hot_case(draw):
    shape = draw(shapes(0, 3))
    return OpCase([spec(shape, draw(st.sampled_from(["int32", "float32", "bool"])))],
                  {"num_classes": draw(st.integers(1, 4)), "axis": draw(st.integers(-len(shape) - 2, len(shape) + 1)),
                   "dtype": draw(st.sampled_from(["float32", "int32", "bool"]))})


@st.composite
def normalize_case(draw):
    shape = draw(shapes(0, 3))
    rank = max(len(shape), 1)
    axis = draw(st.none() | st.integers(-rank, rank - 1) |
                st.lists(st.integers(0, rank - 1), min_size=1, max_size=2, unique=True).map(tuple))
    return OpCase([spec(shape, draw(DTYPES))], {"axis": axis, "order": draw(st.integers(1, 3)), "epsilon": 1e-7})


@st.composite
def psnr_case(draw):
    shape = draw(shapes(0, 3))
    other = shape if draw(st.integers(0, 6)) else draw(shapes(0, 3))
    dtype = draw(DTYPES)
    return OpCase([spec(shape, dtype), spec(other, dtype)], {"max_val": 1.0}, must_refuse=tuple(other) != shape)


def polar_case():
    return st.builds(lambda pair, d: OpCase([spec(pair[0], d), spec(pair[1], d)]), broadcast_pair(2, 3),
                     st.sampled_from(["float32", "int32"]))


@st.composite
def block_geometry(draw):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(2))
    return {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}


def _blocks(size, k, d, p, s):
    span = size + 2 * p - d * (k - 1)
    return (span - 1) // s + 1 if span >= 1 else 0


@st.composite
def unfold_case(draw):
    attrs = draw(block_geometry())
    x = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    counts = [_blocks(n, *g) for n, *g in zip(x[2:], attrs["kernel_size"], attrs["dilation"], attrs["padding"],
                                             attrs["stride"])]
    return OpCase([spec(x, draw(DTYPES))], attrs, must_refuse=min(counts) < 1)


@st.composite
def fold_case(draw):
    attrs = draw(block_geometry())
    size = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    counts = [_blocks(n, *g) for n, *g in zip(size, attrs["kernel_size"], attrs["dilation"], attrs["padding"],
                                             attrs["stride"])]
    kh, kw = attrs["kernel_size"]
    blocks = counts[0] * counts[1] + (1 if draw(st.integers(0, 9)) == 0 else 0)   # sometimes the wrong count
    x = (draw(st.integers(1, 2)), draw(st.integers(1, 2)) * kh * kw, blocks)
    return OpCase([spec(x, draw(DTYPES))], dict(attrs, output_size=size), must_refuse=min(counts) < 1)


@st.composite
def block_rearrange_case(draw):
    b = draw(st.integers(2, 3))
    to_space, data_format = draw(st.booleans()), draw(FORMATS)
    if to_space:
        h, w, c = draw(st.integers(1, 3)), draw(st.integers(1, 3)), b * b * draw(st.integers(1, 2))
    else:
        h, w, c = b * draw(st.integers(1, 2)), b * draw(st.integers(1, 2)), draw(st.integers(1, 3))
    if draw(st.integers(0, 9)) == 0:
        c, h = c + 1, h + 1   # blocks that do not divide: both refuse
    x = (2, h, w, c) if data_format == "channels_last" else (2, c, h, w)
    return OpCase([spec(x, draw(DTYPES))], {"block_size": b, "data_format": data_format, "to_space": to_space})


@st.composite
def attention_case(draw):
    batch, time, source = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    key_heads = draw(st.integers(1, 2))
    heads, depth = key_heads * draw(st.integers(1, 2)), draw(st.integers(1, 4))
    dtype = draw(FLOATS)
    inputs = [spec((batch, time, heads, depth), dtype), spec((batch, source, key_heads, depth), draw(FLOATS)),
              spec((batch, source, key_heads, depth), dtype)]
    full = (batch, heads, time, source)
    extras = {}
    for name in ("has_bias", "has_mask"):
        if draw(st.booleans()):
            shape = tuple(d if draw(st.booleans()) else 1 for d in full)
            if draw(st.integers(0, 4)) == 0:   # rank 3: Keras inserts a unit axis (where depends on axis 1)
                shape = (shape[0], draw(st.sampled_from([heads, time, 1])), shape[3])
            inputs.append(spec(shape, dtype if name == "has_bias" else draw(st.sampled_from(["bool", "int32"]))))
            extras[name] = True
    return OpCase(inputs, dict(extras, scale=draw(st.none() | st.just(0.5)), is_causal=draw(st.booleans())))


@st.composite
def ctc_loss_case(draw):
    batch, time, classes, labels = (draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(2, 4)),
                                    draw(st.integers(1, 3)))
    mask_index = draw(st.integers(0, classes))   # sometimes past the last class
    return OpCase([spec((batch, labels), "int32"), spec((batch, time, classes), draw(FLOATS)), spec((batch,), "int32"),
                   spec((batch,), "int32")], {"mask_index": mask_index}, must_refuse=mask_index == classes)


@st.composite
def ctc_decode_case(draw, beam):
    batch, time, classes = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(2, 4))
    attrs = {"mask_index": draw(st.none() | st.integers(0, classes - 1))}
    if beam:
        width = draw(st.integers(1, 4))
        attrs.update(beam_width=width, top_paths=draw(st.integers(1, width + 1)))
    else:
        attrs["merge_repeated"] = draw(st.booleans())
    return OpCase([spec((batch, time, classes), draw(FLOATS)), spec((batch,), "int32")], attrs)


for _name in ("celu", "hard_shrink", "soft_shrink", "sparse_plus", "sparse_sigmoid", "squareplus", "tanh_shrink",
              "hard_tanh"):
    register_op_cases(_name, unary(dtypes=st.sampled_from(["float32", "int32", "float16", "bool"])), FAMILY)
register_op_cases("threshold", unary(st.fixed_dictionaries({"threshold": st.sampled_from([0, 0.5]),
                                                            "default_value": st.sampled_from([0, -1.5])})), FAMILY)
register_op_cases("glu", glu_case(), FAMILY)
register_op_cases("sparsemax", along_axis(), FAMILY)
register_op_cases("adaptive_pool", adaptive_pool_case(), FAMILY)
register_op_cases("moments", moments_case(), FAMILY)
register_op_cases("binary_crossentropy", paired_loss(False), FAMILY)
register_op_cases("categorical_crossentropy", paired_loss(True), FAMILY)
register_op_cases("sparse_categorical_crossentropy", sparse_loss(), FAMILY)
register_op_cases("one_hot_axis", one_hot_case(), FAMILY)
register_op_cases("normalize", normalize_case(), FAMILY)
register_op_cases("psnr", psnr_case(), FAMILY)
register_op_cases("polar", polar_case(), FAMILY)
register_op_cases("unfold", unfold_case(), FAMILY)
register_op_cases("fold", fold_case(), FAMILY)
register_op_cases("block_rearrange", block_rearrange_case(), FAMILY)
register_op_cases("dot_product_attention", attention_case(), FAMILY)
register_op_cases("ctc_loss", ctc_loss_case(), FAMILY)
register_op_cases("ctc_greedy_decode", ctc_decode_case(beam=False), FAMILY)
register_op_cases("ctc_beam_search_decode", ctc_decode_case(beam=True), FAMILY)
