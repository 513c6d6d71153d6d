"""Hypothesis cases for ONNX's image ops (symk/ops/onnx_image.py, symk/ops/onnx_image_pool.py): onnx_grid_sample,
onnx_deform_conv, onnx_roi_align, onnx_col2im, onnx_max_pool_with_indices.

Mostly valid channels-first calls over every mode and padding; about one draw in eight breaks a rule on
purpose (integer images to sample, a grid with the wrong coordinate count, offsets or columns of the wrong
size, boxes with three numbers), marked must_refuse: the rule refuses them whatever jax would do.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, spec


def broken(draw) -> bool:
    return draw(st.integers(0, 7)) == 7


def _sizes(draw, n, low=1, high=4):
    return tuple(draw(st.integers(low, high)) for _ in range(n))


@st.composite
def grid_sample_case(draw):
    n = draw(st.integers(1, 3))
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    image, out = _sizes(draw, n), _sizes(draw, n, 1, 3)
    bad = broken(draw)
    kind = draw(st.sampled_from(["dtype", "coords"])) if bad else None
    x = spec((batch, channels, *image), "int32" if kind == "dtype" else "float32")
    grid = spec((batch, *out, n + 1 if kind == "coords" else n))
    attrs = dict(mode=draw(st.sampled_from(["linear", "nearest", "cubic"])),
                 padding_mode=draw(st.sampled_from(["zeros", "border", "reflection"])),
                 align_corners=draw(st.booleans()))
    return OpCase([x, grid], attrs, must_refuse=bad)


@st.composite
def deform_conv_case(draw):
    n = draw(st.integers(1, 2))
    group, offset_group = draw(st.sampled_from([(1, 1), (1, 2), (2, 1), (2, 2)]))
    channels = 2 * draw(st.integers(1, 2))
    out_channels = group * draw(st.integers(1, 2))
    kernel = _sizes(draw, n, 1, 3)
    strides, dilations = _sizes(draw, n, 1, 2), _sizes(draw, n, 1, 2)
    pads = _sizes(draw, 2 * n, 0, 1)
    image = tuple(dilations[i] * (kernel[i] - 1) + 1 + draw(st.integers(0, 2)) for i in range(n))
    outs = tuple((image[i] + pads[i] + pads[n + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
                 for i in range(n))
    taps = 1
    for k in kernel:
        taps *= k
    batch = draw(st.integers(1, 2))
    bad = broken(draw)
    offset_channels = offset_group * taps * n + (1 if bad else 0)
    inputs = [spec((batch, channels, *image)), spec((out_channels, channels // group, *kernel)),
              spec((batch, offset_channels, *outs)), spec((batch, offset_group * taps, *outs))]
    attrs = dict(strides=strides, pads=pads, dilations=dilations, group=group, offset_group=offset_group)
    return OpCase(inputs, attrs, must_refuse=bad)


@st.composite
def roi_align_case(draw):
    boxes = draw(st.integers(1, 3))
    bad = broken(draw)
    x = spec((draw(st.integers(1, 2)), draw(st.integers(1, 2)), *_sizes(draw, 2, 2, 5)))
    rois = spec((boxes, 3 if bad else 4))
    attrs = dict(output_height=draw(st.integers(1, 3)), output_width=draw(st.integers(1, 3)),
                 sampling_ratio=draw(st.integers(1, 2)), spatial_scale=draw(st.sampled_from([1.0, 0.5])),
                 half_pixel=draw(st.booleans()), mode=draw(st.sampled_from(["avg", "max"])))
    return OpCase([x, rois, spec((boxes,), "int32")], attrs, must_refuse=bad)


@st.composite
def col2im_case(draw):
    n = draw(st.integers(1, 2))
    block = _sizes(draw, n, 1, 3)
    strides, dilations = _sizes(draw, n, 1, 2), _sizes(draw, n, 1, 2)
    pads = _sizes(draw, 2 * n, 0, 1)
    image = tuple(max(1, dilations[i] * (block[i] - 1) + 1 - pads[i] - pads[n + i] + draw(st.integers(0, 2)))
                  for i in range(n))
    count, elements = 1, 1
    for i in range(n):
        count *= (image[i] + pads[i] + pads[n + i] - dilations[i] * (block[i] - 1) - 1) // strides[i] + 1
        elements *= block[i]
    bad = broken(draw)
    x = spec((draw(st.integers(1, 2)), draw(st.integers(1, 2)) * elements, count + (1 if bad else 0)))
    attrs = dict(image_shape=image, block_shape=block, strides=strides, pads=pads, dilations=dilations)
    return OpCase([x], attrs, must_refuse=bad)


@st.composite
def max_pool_indices_case(draw):
    n = draw(st.integers(1, 3))
    kernel = _sizes(draw, n, 1, 3)
    pads = tuple(draw(st.integers(0, k - 1)) for k in kernel) * 2
    image = _sizes(draw, n, 1, 5)
    bad = broken(draw)
    attrs = dict(kernel=kernel, strides=_sizes(draw, n, 1, 2), pads=pads, dilations=_sizes(draw, n, 1, 2),
                 ceil_mode=draw(st.booleans()), storage_order=draw(st.sampled_from([0, 1])))
    if bad:
        attrs["storage_order"] = 2
    x = spec((draw(st.integers(1, 2)), draw(st.integers(1, 2)), *image), draw(st.sampled_from(["float32", "int32"])))
    return OpCase([x], attrs, must_refuse=bad)


register_op_cases("onnx_grid_sample", grid_sample_case(), "onnx_image")
register_op_cases("onnx_deform_conv", deform_conv_case(), "onnx_image")
register_op_cases("onnx_roi_align", roi_align_case(), "onnx_image")
register_op_cases("onnx_col2im", col2im_case(), "onnx_image")
register_op_cases("onnx_max_pool_with_indices", max_pool_indices_case(), "onnx_image")
