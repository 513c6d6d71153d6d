"""Hypothesis cases for the convolution, pooling and normalization ops (symk/ops/conv.py, normalization.py).

Mostly valid calls; windows that do not fit a 'valid' axis and bad output_padding are marked
must_refuse (jax would return an empty axis where Keras refuses), and channel mismatches are
drawn so both the rule and the lowering refuse.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, spec

FORMATS = st.sampled_from(["channels_last", "channels_first"])


def _layout(batch, spatial, channels, data_format):
    return (batch, *spatial, channels) if data_format == "channels_last" else (batch, channels, *spatial)


def _window_fits(lengths, window, dilation):
    return all(n >= d * (k - 1) + 1 for n, k, d in zip(lengths, window, dilation))


@st.composite
def conv_geometry(draw, max_rank=3):
    n = draw(st.integers(1, max_rank))
    lengths = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    window = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    strides = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    dilation = draw(st.lists(st.integers(1, 2), min_size=n, max_size=n))
    return n, lengths, window, strides, dilation


@st.composite
def conv_case(draw):
    n, lengths, window, strides, dilation = draw(conv_geometry())
    groups = draw(st.sampled_from([1, 1, 2]))
    per_group = draw(st.integers(1, 3))
    filters = groups * draw(st.integers(1, 2))
    data_format, padding = draw(FORMATS), draw(st.sampled_from(["valid", "same", "causal"]))
    channels = per_group * groups + (1 if draw(st.integers(0, 9)) == 0 else 0)  # sometimes the wrong count
    x = spec(_layout(draw(st.integers(1, 2)), lengths, channels, data_format))
    kernel = spec((*window, per_group, filters))
    attrs = dict(strides=tuple(strides), padding=padding, dilation_rate=tuple(dilation), groups=groups,
                 data_format=data_format)
    must_refuse = padding == "valid" and not _window_fits(lengths, window, dilation)
    return OpCase([x, kernel], attrs, must_refuse=must_refuse)


@st.composite
def depthwise_case(draw):
    n, lengths, window, strides, dilation = draw(conv_geometry())
    channels, multiplier = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    data_format, padding = draw(FORMATS), draw(st.sampled_from(["valid", "same", "causal"]))
    x = spec(_layout(draw(st.integers(1, 2)), lengths, channels + (1 if draw(st.integers(0, 9)) == 0 else 0),
                     data_format))
    kernel = spec((*window, channels, multiplier))
    attrs = dict(strides=tuple(strides), padding=padding, dilation_rate=tuple(dilation), data_format=data_format)
    return OpCase([x, kernel], attrs, must_refuse=padding == "valid" and not _window_fits(lengths, window, dilation))


@st.composite
def conv_transpose_case(draw):
    n, lengths, window, strides, dilation = draw(conv_geometry())
    channels, filters = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    data_format, padding = draw(FORMATS), draw(st.sampled_from(["valid", "same"]))
    output_padding = draw(st.none() | st.lists(st.integers(0, 2), min_size=n, max_size=n).map(tuple))
    x = spec(_layout(draw(st.integers(1, 2)), lengths, channels, data_format))
    kernel = spec((*window, filters, channels + (1 if draw(st.integers(0, 9)) == 0 else 0)))
    attrs = dict(strides=tuple(strides), padding=padding, dilation_rate=tuple(dilation),
                 output_padding=output_padding, data_format=data_format)
    bad_padding = output_padding is not None and any(p >= s for p, s in zip(output_padding, strides))
    return OpCase([x, kernel], attrs, must_refuse=bad_padding)


@st.composite
def pool_case(draw):
    n, lengths, window, strides, _ = draw(conv_geometry())
    data_format, padding = draw(FORMATS), draw(st.sampled_from(["valid", "same"]))
    kind, dtype = draw(st.sampled_from(["max", "avg"])), draw(st.sampled_from(["float32", "float32", "int32"]))
    x = spec(_layout(draw(st.integers(1, 2)), lengths, draw(st.integers(1, 3)), data_format), dtype)
    attrs = dict(kind=kind, pool_size=tuple(window), strides=tuple(strides), padding=padding, data_format=data_format)
    return OpCase([x], attrs, must_refuse=padding == "valid" and not _window_fits(lengths, window, (1,) * n))


@st.composite
def batch_norm_case(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[axis] + (1 if draw(st.integers(0, 9)) == 0 else 0)  # sometimes built for another size
    params = [spec((size,)) for _ in range(4)]
    return OpCase([spec(shape)] + params, {"axis": axis, "epsilon": draw(st.sampled_from([1e-3, 1e-5]))})


@st.composite
def layer_norm_case(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    rank = len(shape)
    axes = tuple(draw(st.lists(st.integers(-rank, rank - 1), min_size=1, max_size=rank,
                               unique_by=lambda a: a % rank)))
    param = tuple(shape[a % rank] for a in sorted(a % rank for a in axes))
    if draw(st.integers(0, 9)) == 0:
        param = param[:-1] + (param[-1] + 1,)
    return OpCase([spec(shape), spec(param), spec(param)],
                  {"axis": axes, "epsilon": 1e-3, "rms_scaling": draw(st.booleans())})


@st.composite
def resize_case(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=3, max_size=4))
    axes = (1, 2) if len(shape) == 4 else (1,)
    sizes = tuple(draw(st.integers(1, 8)) for _ in axes)
    return OpCase([spec(shape)], {"axes": axes, "sizes": sizes,
                                  "method": draw(st.sampled_from(["nearest", "bilinear"]))})


register_op_cases("conv", conv_case(), "nn")
register_op_cases("depthwise_conv", depthwise_case(), "nn")
register_op_cases("conv_transpose", conv_transpose_case(), "nn")
register_op_cases("pool", pool_case(), "nn")
register_op_cases("batch_norm", batch_norm_case(), "nn")
register_op_cases("layer_norm", layer_norm_case(), "nn")
register_op_cases("resize", resize_case(), "nn")
