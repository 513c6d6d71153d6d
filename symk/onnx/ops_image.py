"""ONNX forms of the image ops (symk/ops/image_geometry.py's resize_images, symk/ops/nn_adaptive_pool.py's
adaptive_pool).

resize_images is ONNX's Resize of the two spatial axes (sizes given for every axis), with the sampling
jax.image.resize does: half-pixel centres; 'bilinear' is linear, 'bicubic' is Keys' cubic with a = -0.5 and the weights of taps outside the image dropped and renormalized (exclude_outside); 'nearest'
takes input floor((i + 0.5) * in / out), which is half_pixel with ties rounded up; antialias widens the
kernel when downsampling, as both define it. Lanczos has no ONNX form.

adaptive_pool pools each spatial axis in turn: output position i takes the window
[floor(i L / n), ceil((i + 1) L / n)) (a Slice and a keepdims reduction each, joined by a Concat). Pooling
axis by axis is exact for max and for mean: every row of a 2-D window has the same width."""
from __future__ import annotations

import numpy as np

from ..ops.conv import spatial_axes
from ..ops.image_common import image_axes
from .registry import def_onnx

RESIZE_MODES = {  # symk interpolation -> Resize attributes
    "bilinear": dict(mode="linear", coordinate_transformation_mode="half_pixel"),
    "bicubic": dict(mode="cubic", coordinate_transformation_mode="half_pixel", cubic_coeff_a=-0.5, exclude_outside=1),
    "nearest": dict(mode="nearest", coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_ceil"),
}


def _known_sizes(node, height_axis: int, width_axis: int, what: str) -> tuple:
    height, width = node.in_specs[0].shape[height_axis], node.in_specs[0].shape[width_axis]
    if height is None or width is None:
        raise node.fail(f"{what} of images of unknown height or width", "give the Input known spatial sizes")
    return height, width


def _crop_to_aspect_ratio(ctx, node, x, height_axis, width_axis):
    """The centred window of the lowering's _crop_to_aspect_ratio, as one Slice (the sizes are static)."""
    height, width = _known_sizes(node, height_axis, width_axis, "crop_to_aspect_ratio")
    target_height, target_width = node.attrs.size
    crop_height = max(min(height, int(width * target_height / target_width)), 1)
    crop_width = max(min(width, int(height * target_width / target_height)), 1)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return ctx.op("Slice", [x, ctx.ints([top, left]), ctx.ints([top + crop_height, left + crop_width]),
                            ctx.ints([height_axis, width_axis])])


def _pad_to_aspect_ratio(ctx, node, x, height_axis, width_axis):
    """The lowering's _pad_to_aspect_ratio: one axis padded evenly with fill_value."""
    height, width = _known_sizes(node, height_axis, width_axis, "pad_to_aspect_ratio")
    target_height, target_width = node.attrs.size
    top = (max(height, int(width * target_height / target_width)) - height) // 2
    left = (max(width, int(height * target_width / target_height)) - width) // 2
    rank = len(node.in_specs[0].shape)
    pads = [0] * (2 * rank)
    if top > 0:
        pads[height_axis] = pads[rank + height_axis] = top
    elif left > 0:
        pads[width_axis] = pads[rank + width_axis] = left
    else:
        return x
    fill = ctx.const(np.asarray(node.attrs.fill_value, node.in_specs[0].dtype))
    return ctx.op("Pad", [x, ctx.ints(pads), fill], mode="constant")


@def_onnx("resize_images")
def _resize_images(ctx, node):
    attrs = node.attrs
    if attrs.interpolation not in RESIZE_MODES:
        raise node.fail(f"interpolation {attrs.interpolation!r} has no ONNX Resize mode",
                        f"use one of {sorted(RESIZE_MODES)}")
    if "float" not in node.in_specs[0].dtype:
        raise node.fail(f"resizing {node.in_specs[0].dtype} images (rounded and clipped back in symk)",
                        "cast the images to float32 before resizing")
    if ctx.opset < 18 and attrs.antialias:
        raise node.fail("Resize with antialias needs opset 18", "export with opset=18 or newer")
    rank = len(node.in_specs[0].shape)
    height_axis, width_axis, _ = image_axes(rank, attrs.data_format)
    x = node.inputs[0]
    if attrs.crop_to_aspect_ratio:
        x = _crop_to_aspect_ratio(ctx, node, x, height_axis, width_axis)
    elif attrs.pad_to_aspect_ratio:
        x = _pad_to_aspect_ratio(ctx, node, x, height_axis, width_axis)
    mode = dict(RESIZE_MODES[attrs.interpolation])
    if attrs.antialias and mode["mode"] != "nearest":
        mode.update(antialias=1, exclude_outside=1)   # jax drops taps outside the image and renormalizes
    if mode["mode"] != "cubic":
        # NOTE: sizes for every axis, not the `axes` attribute: onnxruntime's transpose optimizer, moving the
        # Transpose after a Conv through the Resize, loses `axes` (a "sizes (0)" error at load)
        targets = {height_axis: attrs.size[0], width_axis: attrs.size[1]}
        pieces = [ctx.ints([targets[a]]) if a in targets else ctx.shape_of(x, a, a + 1) for a in range(rank)]
        return ctx.op("Resize", [x, "", "", ctx.op("Concat", pieces, axis=0)], **mode)
    # NOTE: onnxruntime's cubic Resize of a 4-D tensor resamples (N, C, H, W) only, and its transpose optimizer
    # turns a channels_last input moved there back into (N, H, W, C), whose cubic Resize only upsamples. Cubic
    # resampling is separable (jax.image.resize resamples axis by axis too), so each spatial axis is resized
    # as the last axis of a 2-D (rows, length) tensor, the form onnxruntime takes in every direction.
    for axis, target in ((height_axis, attrs.size[0]), (width_axis, attrs.size[1])):
        if node.in_specs[0].shape[axis] == target and not attrs.crop_to_aspect_ratio and not attrs.pad_to_aspect_ratio:
            continue   # same length: the taps land on the pixel centres, an identity
        x = _resize_last_axis(ctx, x, axis, rank, target, mode)
    return x if x != node.inputs[0] else ctx.op("Identity", [x])


def _resize_last_axis(ctx, x, axis: int, rank: int, target: int, mode: dict) -> str:
    perm = [a for a in range(rank) if a != axis] + [axis]
    moved = ctx.transpose(x, perm)
    flat = ctx.reshape(moved, ctx.op("Concat", [ctx.ints([-1]), ctx.shape_of(moved, rank - 1)], axis=0))
    sizes = ctx.op("Concat", [ctx.shape_of(flat, 0, 1), ctx.ints([target])], axis=0)
    resized = ctx.op("Resize", [flat, "", "", sizes], **mode)
    unflat = ctx.reshape(resized, ctx.op("Concat", [ctx.shape_of(moved, 0, rank - 1), ctx.ints([target])], axis=0))
    return ctx.transpose(unflat, [int(a) for a in np.argsort(perm)])


def _windows(length: int, size: int):
    """Start and end of each output position's window (symk.ops.nn_adaptive_pool's rule)."""
    positions = np.arange(size)
    return positions * length // size, -((-(positions + 1) * length) // size)


@def_onnx("adaptive_pool")
def _adaptive_pool(ctx, node):
    attrs = node.attrs
    spec = node.in_specs[0]
    x = node.inputs[0]
    if attrs.kind == "avg" and "float" not in spec.dtype:
        x = ctx.cast(x, node.out_specs[0].dtype)
    reduce = "ReduceMax" if attrs.kind == "max" else "ReduceMean"
    axes = spatial_axes(len(spec.shape), attrs.data_format)
    sizes = attrs.output_size if isinstance(attrs.output_size, tuple) else (attrs.output_size,) * len(axes)
    for axis, size in zip(axes, sizes):
        length = spec.shape[axis]
        if length is None:
            raise node.fail(f"adaptive pooling over a spatial axis of unknown size (axis {axis})",
                            "give the Input known spatial sizes")
        pieces = []
        for start, end in zip(*_windows(length, size)):
            window = ctx.op("Slice", [x, ctx.ints([start]), ctx.ints([end]), ctx.ints([axis])])
            pieces.append(ctx.op(reduce, [window, ctx.ints([axis])], keepdims=1))
        x = pieces[0] if len(pieces) == 1 else ctx.op("Concat", pieces, axis=axis)
    return x if x != node.inputs[0] else ctx.op("Identity", [x])
