"""Hypothesis cases for the keras.ops.image ops (symk/ops/image_*.py).

Mostly valid calls on small images in both data formats; calls symk refuses although jax would run
them (integer images where Keras needs floats, a crop larger than the image, an ssim window larger
than the image) are marked must_refuse, and some bad ranks and names are drawn so both refuse.
"""
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, spec

FORMATS = st.sampled_from(["channels_last", "channels_first"])
SIDES = st.integers(1, 4)


def rarely(draw) -> bool:
    """True one draw in ten: how often a case breaks a rule on purpose."""
    return draw(st.integers(0, 9)) == 9


def mostly(draw, usual, unusual):
    return unusual if rarely(draw) else usual


@st.composite
def image_shape(draw, channels=SIDES, ranks=(3, 4, 4)):
    """(shape, data_format, rank) of one image or a batch; occasionally a rank 2 or 5 tensor."""
    rank = draw(st.sampled_from((2, 5)) if rarely(draw) else st.sampled_from(ranks))
    data_format = draw(FORMATS)
    height, width, c = draw(SIDES), draw(SIDES), draw(channels)
    lead = tuple(draw(SIDES) for _ in range(max(rank - 3, 0)))
    if rank == 2:
        return (height, width), data_format, rank
    shape = (*lead, height, width, c) if data_format == "channels_last" else (*lead, c, height, width)
    return shape, data_format, rank


@st.composite
def grayscale_case(draw):
    shape, data_format, rank = draw(image_shape(channels=st.sampled_from([1, 3, 3, 3, 3, 3, 3, 3, 3, 2])))
    channels = shape[-1] if data_format == "channels_last" else shape[-3 % len(shape)]
    dtype = draw(st.sampled_from(["float32", "int32", "uint8", "bool", "float16"]))
    return OpCase([spec(shape, dtype)], {"data_format": data_format},
                  must_refuse=rank not in (3, 4) or channels not in (1, 3))


@st.composite
def hsv_case(draw):
    shape, data_format, rank = draw(image_shape(channels=st.just(3)))
    shape = mostly(draw, shape, shape[:-1] + (2,))       # the wrong channel count (or a spatial axis of 2)
    channels = shape[-1] if data_format == "channels_last" else shape[-3 % len(shape)]
    dtype = mostly(draw, draw(st.sampled_from(["float32", "float16"])), "int32")
    return OpCase([spec(shape, dtype)], {"data_format": data_format},
                  must_refuse=rank not in (3, 4) or channels != 3 or dtype == "int32")


@st.composite
def resize_images_case(draw):
    shape, data_format, rank = draw(image_shape())
    interpolation = mostly(draw, draw(st.sampled_from(["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"])),
                           "area")
    crop, pad = draw(st.sampled_from([(False, False), (True, False), (False, True), (False, False)]))
    crop, pad = mostly(draw, (crop, pad), (True, True))
    attrs = dict(size=(draw(st.integers(1, 6)), draw(st.integers(1, 6))), interpolation=interpolation,
                 antialias=draw(st.booleans()), crop_to_aspect_ratio=crop, pad_to_aspect_ratio=pad,
                 fill_value=draw(st.sampled_from([0.0, 1.5, 2])), data_format=data_format)
    dtype = draw(st.sampled_from(["float32", "float32", "int32", "uint8", "bool", "float16"]))
    return OpCase([spec(shape, dtype)], attrs,
                  must_refuse=rank not in (3, 4) or interpolation == "area" or (crop and pad))


@st.composite
def scale_and_translate_case(draw):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(SIDES) for _ in range(rank))
    spatial = draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
    output = [draw(st.integers(1, 6)) if axis in spatial else size for axis, size in enumerate(shape)]
    bad_output = rarely(draw) and len(spatial) < rank
    if bad_output:  # change an axis that is not resampled
        axis = next(a for a in range(rank) if a not in spatial)
        output[axis] += 1
    count = len(spatial) + (1 if rarely(draw) else 0)
    method = mostly(draw, draw(st.sampled_from(["linear", "bilinear", "cubic", "lanczos3", "lanczos5", "tricubic"])),
                    "nearest")
    dtype = draw(st.sampled_from(["float32", "float32", "int32", "float16"]))
    attrs = dict(output_shape=tuple(output), spatial_dims=tuple(spatial), method=method,
                 antialias=draw(st.booleans()))
    return OpCase([spec(shape, dtype), spec((count,)), spec((count,))], attrs,
                  must_refuse=bad_output or count != len(spatial) or method == "nearest")


@st.composite
def pad_images_case(draw):
    shape, data_format, rank = draw(image_shape(ranks=(3, 4)))
    if rank not in (3, 4):
        return OpCase([spec(shape)], dict(top_padding=1, bottom_padding=1, left_padding=1, right_padding=1,
                                          data_format=data_format), must_refuse=True)
    height_axis, width_axis = (rank - 3, rank - 2) if data_format == "channels_last" else (rank - 2, rank - 1)
    attrs, refuse = {"data_format": data_format}, False
    for axis, (before, after, target) in ((height_axis, ("top_padding", "bottom_padding", "target_height")),
                                          (width_axis, ("left_padding", "right_padding", "target_width"))):
        missing = draw(st.sampled_from([before, after, target]))
        amounts = {before: draw(st.integers(0, 3)), after: draw(st.integers(0, 3)),
                   target: shape[axis] + mostly(draw, draw(st.integers(3, 6)), -1)}
        given = {k: v for k, v in amounts.items() if k != missing}
        if missing != target:
            refuse |= given[target] - shape[axis] - given[before if missing == after else after] < 0
        attrs.update(given)
    return OpCase([spec(shape, draw(st.sampled_from(["float32", "int32", "bool"])))], attrs, must_refuse=refuse)


@st.composite
def gaussian_blur_case(draw):
    shape, data_format, rank = draw(image_shape())
    dtype = mostly(draw, draw(st.sampled_from(["float32", "float16"])), "int32")
    attrs = dict(kernel_size=(draw(st.integers(1, 4)), draw(st.integers(1, 4))),
                 sigma=(draw(st.floats(0.3, 2.0)), draw(st.floats(0.3, 2.0))), data_format=data_format)
    return OpCase([spec(shape, dtype)], attrs, must_refuse=rank not in (3, 4) or dtype == "int32")


@st.composite
def sobel_case(draw):
    shape, data_format, rank = draw(image_shape(ranks=(4, 4, 4, 3)))
    unsigned_or_bool = draw(st.sampled_from(["uint8", "bool"]))
    dtype = mostly(draw, draw(st.sampled_from(["float32", "float32", "int32"])), unsigned_or_bool)
    return OpCase([spec(shape, dtype)], {"data_format": data_format},
                  must_refuse=rank != 4 or dtype in ("uint8", "bool"))


@st.composite
def ssim_case(draw):
    shape, data_format, rank = draw(image_shape())
    other = shape
    if rarely(draw):
        other = shape[:-1] + (shape[-1] + 1,)
    size = mostly(draw, 1, draw(st.integers(2, 3))) if draw(st.booleans()) else draw(st.integers(1, 2))
    spatial = shape[-3:-1] if data_format == "channels_last" else shape[-2:]
    attrs = dict(max_val=draw(st.sampled_from([1.0, 255.0])), filter_size=size, filter_sigma=draw(st.floats(0.5, 2.0)),
                 data_format=data_format)
    dtype = draw(st.sampled_from(["float32", "float32", "int32"]))
    refuse = rank not in (3, 4) or other != shape or min(spatial) < size
    return OpCase([spec(shape, dtype), spec(other, draw(st.sampled_from(["float32", dtype])))], attrs,
                  must_refuse=refuse)


@st.composite
def map_coordinates_case(draw):
    rank = draw(st.integers(1, 3))
    shape = tuple(draw(SIDES) for _ in range(rank))
    leading = rank + (1 if rarely(draw) else 0)
    out = tuple(draw(SIDES) for _ in range(draw(st.integers(1, 2))))
    order = mostly(draw, draw(st.sampled_from([0, 1])), 2)
    fill_mode = mostly(draw, draw(st.sampled_from(["constant", "nearest", "wrap", "mirror", "reflect"])), "edge")
    attrs = dict(order=order, fill_mode=fill_mode, fill_value=draw(st.sampled_from([0, 1.5])))
    coordinates = spec((leading, *out), draw(st.sampled_from(["float32", "int32"])))
    return OpCase([spec(shape, draw(st.sampled_from(["float32", "int32"]))), coordinates], attrs,
                  must_refuse=leading != rank or order == 2 or fill_mode == "edge")


def _count_for(rank, batch, draw):
    """How many parameter sets: one per image, a single shared one, or (sometimes) a wrong count."""
    images = batch if rank == 4 else 1
    count = mostly(draw, draw(st.sampled_from([images, 1])), images + 1)
    return count, count not in (1, images)


@st.composite
def affine_transform_case(draw):
    shape, data_format, rank = draw(image_shape(ranks=(3, 4)))
    count, bad_count = _count_for(rank, shape[0], draw)
    width = mostly(draw, 8, 6)
    transform = spec((width,) if draw(st.booleans()) else (count, width))
    bad_count = bad_count and len(transform.shape) == 2
    interpolation = mostly(draw, draw(st.sampled_from(["nearest", "bilinear"])), "bicubic")
    fill_mode = draw(st.sampled_from(["constant", "nearest", "wrap", "mirror", "reflect"]))
    attrs = dict(interpolation=interpolation, fill_mode=fill_mode, fill_value=draw(st.sampled_from([0, 0.5])),
                 data_format=data_format)
    refuse = rank not in (3, 4) or bad_count or width != 8 or interpolation == "bicubic"
    return OpCase([spec(shape, draw(st.sampled_from(["float32", "int32"]))), transform], attrs, must_refuse=refuse)


@st.composite
def perspective_transform_case(draw):
    shape, data_format, rank = draw(image_shape(ranks=(3, 4)))
    count, bad_count = _count_for(rank, shape[0], draw)
    corners = mostly(draw, 4, 3)
    points = (corners, 2) if draw(st.booleans()) else (count, corners, 2)
    bad_count = bad_count and len(points) == 3
    end = mostly(draw, points, points[1:] if len(points) == 3 else (1,) + points)
    interpolation = draw(st.sampled_from(["nearest", "bilinear", "bilinear"]))
    attrs = dict(interpolation=interpolation, fill_value=draw(st.sampled_from([0, 0.5])), data_format=data_format)
    refuse = rank not in (3, 4) or bad_count or corners != 4 or end != points
    return OpCase([spec(shape, draw(st.sampled_from(["float32", "int32"]))), spec(points), spec(end)], attrs,
                  must_refuse=refuse)


@st.composite
def elastic_transform_case(draw):
    shape, data_format, rank = draw(image_shape())
    dtype = mostly(draw, draw(st.sampled_from(["float32", "float16"])), "int32")
    attrs = dict(alpha=draw(st.sampled_from([0.0, 2.0, 20.0])), sigma=draw(st.floats(0.4, 3.0)),
                 interpolation=draw(st.sampled_from(["nearest", "bilinear"])),
                 fill_mode=draw(st.sampled_from(["constant", "nearest", "wrap", "mirror", "reflect"])),
                 seed=draw(st.sampled_from([None, 3])), data_format=data_format)
    return OpCase([spec(shape, dtype)], attrs, must_refuse=rank not in (3, 4) or dtype == "int32")


@st.composite
def extract_patches_case(draw):
    n = draw(st.sampled_from([2, 2, 3]))
    rank = mostly(draw, draw(st.sampled_from([n + 1, n + 2])), n + 3)
    data_format = draw(FORMATS)
    spatial = [draw(st.integers(2, 5)) for _ in range(n)]
    channels = draw(SIDES)
    lead = [draw(SIDES) for _ in range(rank - n - 1)]
    shape = (*lead, *spatial, channels) if data_format == "channels_last" else (*lead, channels, *spatial)
    size = tuple(draw(st.integers(1, 3)) for _ in range(n))
    attrs = dict(size=size, strides=tuple(draw(st.integers(1, 3)) for _ in range(n)),
                 dilation_rate=tuple(draw(st.integers(1, 2)) for _ in range(n)),
                 padding=draw(st.sampled_from(["valid", "same"])), data_format=data_format)
    fits = all(length >= d * (k - 1) + 1 for length, k, d in zip(spatial, size, attrs["dilation_rate"]))
    refuse = rank == n + 3 or (attrs["padding"] == "valid" and not fits)
    return OpCase([spec(shape, draw(st.sampled_from(["float32", "int32", "bool"])))], attrs, must_refuse=refuse)


register_op_cases("rgb_to_grayscale", grayscale_case(), "image")
register_op_cases("rgb_to_hsv", hsv_case(), "image")
register_op_cases("hsv_to_rgb", hsv_case(), "image")
register_op_cases("resize_images", resize_images_case(), "image")
register_op_cases("scale_and_translate", scale_and_translate_case(), "image")
register_op_cases("pad_images", pad_images_case(), "image")
register_op_cases("gaussian_blur", gaussian_blur_case(), "image")
register_op_cases("sobel_edges", sobel_case(), "image")
register_op_cases("ssim", ssim_case(), "image")
register_op_cases("map_coordinates", map_coordinates_case(), "image")
register_op_cases("affine_transform", affine_transform_case(), "image")
register_op_cases("perspective_transform", perspective_transform_case(), "image")
register_op_cases("elastic_transform", elastic_transform_case(), "image")
register_op_cases("extract_patches", extract_patches_case(), "image")
