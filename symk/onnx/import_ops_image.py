"""ONNX import, image and geometry operators: Resize, Upsample, GridSample, AffineGrid, CenterCropPad, Col2Im,
DeformConv, RoiAlign, MaxUnpool, NonMaxSuppression (folded at import time only).

Resize needs its scales / sizes / roi at import time (symk builds static shapes): its per-axis interpolation
matrices are computed in numpy (symk/onnx/image_resize_plan.py) and applied with symk.ops. The sampling
operators are ops of symk/ops/onnx_image.py (GridSample, DeformConv, RoiAlign) and onnx_image_pool.py (Col2Im,
MaxPool's Indices); MaxUnpool is a scatter, AffineGrid an einsum, CenterCropPad a pad or a slice.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.registry import apply
from .image_resize_plan import COORDINATE_MODES, axis_plan, coefficient_fn, output_lengths
from .import_ops_shape import norm_axis, pad_or_crop, shape_of
from .import_registry import NeedsStaticValue, def_import, is_static


def _float_dtype(dtype: str) -> str:
    return dtype if "float" in dtype else "float32"


def resize_axes(x, in_shape, axes, scales, lengths, coefficients, coordinate_mode, rois, exclude_outside,
                extrapolation_value):
    """Apply the interpolation matrix of each resized axis in turn (resize is separable)."""
    dtype = str(x.dtype)
    rank = len(in_shape)
    for axis, scale, out_len, roi in zip(axes, scales, lengths, rois):
        if (abs(scale - 1.0) < 1e-9 and out_len == in_shape[axis] and roi == (0.0, 1.0)):
            continue  # identity along this axis (as ONNX's reference skips it)
        plan = axis_plan(in_shape[axis], out_len, scale, coefficients, coordinate_mode, roi, exclude_outside)
        if plan.gather is not None:
            x = ops.take(x, plan.gather.astype(np.int32), axis=axis)
        else:
            compute = _float_dtype(dtype)
            xf = x if str(x.dtype) == compute else ops.cast(x, compute)
            y = ops.tensordot(xf, plan.weights.T.astype(compute), axes=([axis], [0]))
            x = ops.moveaxis(y, rank - 1, axis)
        if plan.extrapolated is not None:
            mask = plan.extrapolated.reshape((1,) * axis + (out_len,) + (1,) * (rank - axis - 1))
            x = ops.where(mask, np.asarray(extrapolation_value, str(x.dtype)), x)
    if str(x.dtype) != dtype:  # integers interpolated as floats come back rounded and clipped to their type
        info = np.iinfo(np.dtype(dtype))
        x = ops.cast(ops.clip(ops.round(x), float(info.min), float(info.max)), dtype)
    return x


def _nonempty(value):
    return None if value is None or np.asarray(value).size == 0 else np.asarray(value).reshape(-1)


@def_import("Resize")
def _resize(node):
    x = node.input(0)
    in_shape = shape_of(x)
    rank = len(in_shape)
    if node.opset < 11:
        roi, scales, sizes = None, _nonempty(node.static(1)), None
        default_coordinates = "asymmetric"
    else:
        roi, scales, sizes = (_nonempty(node.static(i)) for i in (1, 2, 3))
        default_coordinates = "half_pixel"
    axes = [norm_axis(a, rank) for a in (node.attr("axes") or range(rank))]
    if (scales is None) == (sizes is None):
        raise node.fail("Resize needs exactly one of scales and sizes (a non-empty tensor)")
    count = len(scales if sizes is None else sizes)
    if count != len(axes):
        raise node.fail(f"Resize got {count} scales/sizes for {len(axes)} axes {axes}; give one per resized axis")
    if scales is not None and node.attr("coordinate_transformation_mode") != "tf_crop_and_resize":
        # an axis kept at scale 1 (the batch, the channels) may stay unknown
        kept = [i for i, a in enumerate(axes) if not (in_shape[a] is None and float(scales[i]) == 1.0)]
        axes, scales = [axes[i] for i in kept], scales[kept]
    unknown = [a for a in axes if in_shape[a] is None]
    if unknown:
        raise node.fail(f"Resize needs the sizes of the axes it resizes known at import time; axes {unknown} of "
                        f"{in_shape} are not. Pass fixed shapes to load_model(..., input_shapes={{...}})")
    mode = node.attr("mode", "nearest")
    coordinate_mode = node.attr("coordinate_transformation_mode", default_coordinates)
    if coordinate_mode not in COORDINATE_MODES:
        raise node.fail(f"unknown coordinate_transformation_mode {coordinate_mode!r}; ONNX has {COORDINATE_MODES}")
    antialias = bool(node.attr("antialias", 0))
    if antialias and mode == "nearest":
        raise node.fail("antialias applies to linear and cubic modes only, not nearest")
    try:
        coefficients = coefficient_fn(mode, node.attr("nearest_mode", "round_prefer_floor"),
                                      float(node.attr("cubic_coeff_a", -0.75)), antialias)
        axis_scales, lengths = output_lengths(in_shape, axes, scales, sizes,
                                              node.attr("keep_aspect_ratio_policy", "stretch"))
    except ValueError as err:
        raise node.fail(str(err)) from None
    rois = [(0.0, 1.0)] * len(axes)
    if coordinate_mode == "tf_crop_and_resize":
        if roi is None:
            raise node.fail("coordinate_transformation_mode tf_crop_and_resize needs the roi input")
        n = len(roi) // 2
        if n == rank:  # roi over every axis: take the entries of the resized ones
            rois = [(float(roi[a]), float(roi[a + n])) for a in axes]
        else:
            rois = [(float(roi[i]), float(roi[i + n])) for i in range(len(axes))]
    out = resize_axes(x, in_shape, axes, axis_scales, lengths, coefficients, coordinate_mode, rois,
                      bool(node.attr("exclude_outside", 0)), float(node.attr("extrapolation_value", 0.0)))
    return out


@def_import("Upsample")
def _upsample(node):
    """Deprecated Upsample (opsets 7-9): Resize with asymmetric coordinates; nearest repeats each pixel."""
    x = node.input(0)
    in_shape = shape_of(x)
    scales = np.asarray(node.attr("scales")) if node.opset < 9 else node.static(1).reshape(-1)
    mode = node.attr("mode", "nearest")
    if mode not in ("nearest", "linear", "bilinear"):
        raise node.fail(f"unknown Upsample mode {mode!r}; use nearest or linear")
    axes = list(range(len(in_shape)))
    axis_scales, lengths = output_lengths(in_shape, axes, scales, None, "stretch")
    coefficients = coefficient_fn("nearest" if mode == "nearest" else "linear", "floor", -0.75, False)
    return resize_axes(x, in_shape, axes, axis_scales, lengths, coefficients, "asymmetric",
                       [(0.0, 1.0)] * len(axes), False, 0.0)


@def_import("GridSample")
def _grid_sample(node):
    mode = node.attr("mode", "linear" if node.opset >= 20 else "bilinear")
    mode = {"bilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    return apply("onnx_grid_sample", [node.input(0), node.input(1)], mode=mode,
                 padding_mode=node.attr("padding_mode", "zeros"), align_corners=bool(node.attr("align_corners", 0)))


def affine_base_grid(sizes, align_corners: bool) -> np.ndarray:
    """(prod(sizes), n + 1) normalized pixel centers, x (the last axis) first, then a column of ones."""
    axes = []
    for size in sizes:
        if align_corners:
            axes.append(np.linspace(-1.0, 1.0, size))  # one pixel sits at -1, as PyTorch's affine_grid has it
        else:
            axes.append((2.0 * np.arange(size) + 1.0) / size - 1.0)
    mesh = np.meshgrid(*axes, indexing="ij")
    coords = [m.reshape(-1) for m in reversed(mesh)]
    return np.stack(coords + [np.ones_like(coords[0])], axis=1)


@def_import("AffineGrid")
def _affine_grid(node):
    theta = node.input(0)
    size = [int(v) for v in node.static(1).reshape(-1)]
    spatial = size[2:]
    n = len(spatial)
    if tuple(shape_of(theta)[1:]) != (n, n + 1):
        raise node.fail(f"theta {shape_of(theta)} must be (N, {n}, {n + 1}) for the {n} spatial axes of size {size}")
    dtype = _float_dtype(str(theta.dtype))
    base = affine_base_grid(spatial, bool(node.attr("align_corners", 0))).astype(dtype)
    grid = ops.einsum("pk,bik->bpi", base, theta)
    return ops.reshape(grid, (size[0], *spatial, n))


@def_import("CenterCropPad")
def _center_crop_pad(node):
    x = node.input(0)
    shape = shape_of(x)
    rank = len(shape)
    target = [int(v) for v in node.static(1).reshape(-1)]
    axes = [norm_axis(a, rank) for a in (node.attr("axes") or range(rank))]
    if len(axes) != len(target):
        raise node.fail(f"CenterCropPad got {len(target)} target sizes for axes {axes}; give one per axis")
    width = [[0, 0] for _ in range(rank)]
    for axis, want in zip(axes, target):
        if shape[axis] is None:
            raise node.fail(f"CenterCropPad needs axis {axis} known at import time, got shape {shape}")
        diff = want - shape[axis]  # > 0 pads, < 0 crops; the odd pixel goes to the end either way
        sign = 1 if diff > 0 else -1
        begin = sign * (abs(diff) // 2)
        width[axis] = [begin, diff - begin]
    return pad_or_crop(x, width)


@def_import("Col2Im")
def _col2im(node):
    image_shape = tuple(int(v) for v in node.static(1).reshape(-1))
    block_shape = tuple(int(v) for v in node.static(2).reshape(-1))
    n = len(image_shape)
    return apply("onnx_col2im", [node.input(0)], image_shape=image_shape, block_shape=block_shape,
                 strides=tuple(node.attr("strides") or (1,) * n), pads=tuple(node.attr("pads") or (0,) * (2 * n)),
                 dilations=tuple(node.attr("dilations") or (1,) * n))


@def_import("DeformConv")
def _deform_conv(node):
    x, w, offset = node.input(0), node.input(1), node.input(2)
    n = len(shape_of(x)) - 2
    kernel = tuple(node.attr("kernel_shape") or shape_of(w)[2:])
    if kernel != tuple(shape_of(w)[2:]):
        raise node.fail(f"kernel_shape {kernel} differs from W's window {shape_of(w)[2:]}")
    offset_group = node.attr("offset_group", 1)
    mask = node.input(4)
    if mask is None:  # no mask: every tap counts fully
        mask = np.ones((shape_of(offset)[0], offset_group * int(np.prod(kernel)), *shape_of(offset)[2:]),
                       str(x.dtype))
    out = apply("onnx_deform_conv", [x, w, offset, mask], strides=tuple(node.attr("strides") or (1,) * n),
                pads=tuple(node.attr("pads") or (0,) * (2 * n)), dilations=tuple(node.attr("dilations") or (1,) * n),
                group=node.attr("group", 1), offset_group=offset_group)
    if node.has_input(3):
        out = ops.add(out, ops.reshape(node.input(3), (-1,) + (1,) * n))
    return out


@def_import("RoiAlign")
def _roi_align(node):
    x, rois, batch = node.input(0), node.input(1), node.input(2)
    ratio = int(node.attr("sampling_ratio", 0))
    if ratio <= 0:
        raise node.fail("RoiAlign with sampling_ratio 0 takes as many samples as each box is large, so the graph "
                        "would depend on the box values; give a positive sampling_ratio")
    half_pixel = node.attr("coordinate_transformation_mode", "half_pixel" if node.opset >= 16 else
                           "output_half_pixel") == "half_pixel"
    return apply("onnx_roi_align", [x, rois, ops.cast(batch, "int32")], output_height=node.attr("output_height", 1),
                 output_width=node.attr("output_width", 1), sampling_ratio=ratio,
                 spatial_scale=float(node.attr("spatial_scale", 1.0)), half_pixel=half_pixel,
                 mode=node.attr("mode", "avg"))


@def_import("MaxUnpool")
def _max_unpool(node):
    """Scatter each pooled value to the flat (N, C, *spatial) index MaxPool reported for it."""
    x, indices = node.input(0), node.input(1)
    shape = shape_of(x)
    n = len(shape) - 2
    kernel = tuple(node.attr("kernel_shape"))
    strides = tuple(node.attr("strides") or (1,) * n)
    pads = tuple(node.attr("pads") or (0,) * (2 * n))
    inferred = tuple(shape[:2]) + tuple((shape[2 + i] - 1) * strides[i] - pads[i] - pads[n + i] + kernel[i]
                                        for i in range(n))
    if any(d is None for d in inferred):
        raise node.fail(f"MaxUnpool needs known input sizes, got {shape}")
    flat = ops.scatter(ops.reshape(ops.cast(indices, "int32"), (-1, 1)), ops.reshape(x, (-1,)),
                       (int(np.prod(inferred)),))
    out = ops.reshape(flat, inferred)
    if node.has_input(2):  # the indices address the inferred shape; a larger output_shape adds zeros at the end
        wanted = [int(v) for v in node.static(2).reshape(-1)]
        if len(wanted) != len(inferred):
            raise node.fail(f"output_shape {wanted} needs {len(inferred)} entries (N, C, *spatial)")
        out = pad_or_crop(out, [[0, w - d] for w, d in zip(wanted, inferred)])
    return out


def _first_or(value, default):
    return default if value is None or np.asarray(value).size == 0 else np.asarray(value).reshape(-1)[0].item()


def _known_or_none(node, i):
    """Input i as an array when it is known at import time (a constant, an initializer), else None."""
    value = node.input(i)
    if value is None or is_static(value):
        return value
    return node.importer.static_value_of(node.proto.input[i])


@def_import("NonMaxSuppression")
def _non_max_suppression(node):
    boxes, scores = _known_or_none(node, 0), _known_or_none(node, 1)
    if boxes is None or scores is None:
        # NeedsStaticValue: symk.onnx.backend then imports again with every input fixed (computed at import time)
        raise NeedsStaticValue(
            f"ONNX node {node.name!r} (NonMaxSuppression): it keeps a number of boxes that depends on their values, "
            "which a static-shape graph cannot hold; symk folds it only when boxes and scores are known at import "
            "time (constants). Run the suppression outside the model, or export the model without it")
    from .image_nms import select_boxes

    score_threshold = node.static(4)
    return select_boxes(np.asarray(boxes), np.asarray(scores), max(int(_first_or(node.static(2), 0)), 0),
                        float(_first_or(node.static(3), 0.0)),
                        None if score_threshold is None or score_threshold.size == 0 else float(_first_or(
                            score_threshold, 0.0)),
                        bool(node.attr("center_point_box", 0)))
