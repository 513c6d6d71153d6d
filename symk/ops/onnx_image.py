"""Ops for ONNX's sampling operators that no Keras op has: GridSample (onnx_grid_sample), DeformConv
(onnx_deform_conv) and RoiAlign (onnx_roi_align), channels-first as ONNX is.

All three read pixels at computed (fractional) coordinates: the helpers below gather the taps of an
interpolation window with ONNX's border rules (zeros outside, clamped to the border, or reflected), so the
three ops agree with each other and with ONNX's reference. symk.onnx's importer uses them
(symk/onnx/import_ops_image.py); Col2Im and MaxPool's indices are in symk/ops/onnx_image_pool.py.

    >>> symk.ops.primitives.onnx_grid_sample(x, grid, mode="linear", padding_mode="border", align_corners=True)
"""
from __future__ import annotations

import itertools
import math
import string

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .registry import def_op

GRID_MODES = ("linear", "nearest", "cubic")
GRID_PADDINGS = ("zeros", "border", "reflection")
CUBIC_A = -0.75  # GridSample's fixed Keys cubic coefficient


# -- shared sampling helpers (jnp) ----------------------------------------------------
def reflect(x, low: float, high: float):
    """Fold coordinates outside [low, high] back in, bouncing off the border they passed (ONNX's rule)."""
    span = high - low
    if span <= 0:
        return jnp.full_like(x, low)
    below, above = low - x, x - high
    over = jnp.where(x < low, below, above)
    bounces = jnp.floor(over / span)
    rest = over - bounces * span
    even = jnp.mod(bounces, 2) == 0
    from_low = jnp.where(even, low + rest, high - rest)
    from_high = jnp.where(even, high - rest, low + rest)
    return jnp.where(x < low, from_low, jnp.where(x > high, from_high, x))


def tap_index(index, size: int, padding: str, low: float, high: float):
    """(in-range integer index, validity) of integer tap positions under a padding mode."""
    if padding == "zeros":
        return jnp.clip(index, 0, size - 1), (index >= 0) & (index < size)
    if padding == "border":
        return jnp.clip(index, 0, size - 1), jnp.ones(index.shape, bool)
    folded = jnp.trunc(reflect(index.astype(jnp.float32), low, high)).astype(jnp.int32)
    return jnp.clip(folded, 0, size - 1), jnp.ones(index.shape, bool)


def gather_taps(images, taps):
    """Weighted sum over every combination of per-axis taps. `images` (N, C, *S); `taps` one list per spatial
    axis of (index, weight, valid) arrays of shape (N, *O). Returns (N, C, *O)."""
    n, c = images.shape[:2]
    sizes = images.shape[2:]
    strides = [math.prod(sizes[i + 1:]) for i in range(len(sizes))]
    flat = images.reshape(n, c, -1)
    out_shape = taps[0][0][0].shape
    total = 0.0
    for combo in itertools.product(*taps):
        index = sum(i * s for (i, _, _), s in zip(combo, strides))
        weight = math.prod(w for _, w, _ in combo)
        valid = jnp.stack([v for _, _, v in combo]).all(axis=0)
        index = index.reshape(n, 1, -1)
        picked = jnp.take_along_axis(flat, jnp.broadcast_to(index, (n, c, index.shape[-1])), axis=2)
        weight = jnp.where(valid, weight, 0).reshape(n, 1, -1).astype(images.dtype)
        total = total + picked * weight
    return total.reshape((n, c) + out_shape[1:])


def cubic_weights(t):
    a = CUBIC_A
    d = [t + 1, t, 1 - t, 2 - t]
    near = lambda x: ((a + 2) * x - (a + 3)) * x * x + 1  # noqa: E731
    far = lambda x: ((a * x - 5 * a) * x + 8 * a) * x - 4 * a  # noqa: E731
    return [far(d[0]), near(d[1]), near(d[2]), far(d[3])]


def axis_taps(x, size: int, mode: str, padding: str, low: float, high: float):
    """The (index, weight, valid) taps of one axis for pixel coordinates x."""
    if mode == "nearest":
        index, valid = tap_index(jnp.trunc(x).astype(jnp.int32), size, padding, low, high)
        return [(index, jnp.ones_like(x), valid)]
    base = jnp.floor(x)
    t = x - base
    base = base.astype(jnp.int32)
    if mode == "linear":
        offsets, weights = (0, 1), (1 - t, t)
    else:
        offsets, weights = (-1, 0, 1, 2), cubic_weights(t)
    taps = []
    for offset, weight in zip(offsets, weights):
        index, valid = tap_index(base + offset, size, padding, low, high)
        taps.append((index, weight, valid))
    return taps


# -- GridSample -----------------------------------------------------------------------
def grid_sample_rule(specs, attrs):
    x, grid = specs
    if len(x.shape) < 3:
        raise RuleViolation(f"GridSample needs X as (N, C, *spatial), got rank {len(x.shape)}", "add the axes")
    n = len(x.shape) - 2
    if len(grid.shape) != n + 2 or grid.shape[-1] not in (None, n):
        raise RuleViolation(f"the grid must be (N, *output spatial, {n}) for {n} spatial axes, got {grid.shape}",
                            "give one coordinate per spatial axis in the last grid axis")
    if "float" not in x.dtype or "float" not in grid.dtype:
        raise RuleViolation(f"GridSample samples floats, got {x.dtype} and {grid.dtype}", "cast to float32")
    if attrs.mode not in GRID_MODES or attrs.padding_mode not in GRID_PADDINGS:
        raise RuleViolation(f"mode {attrs.mode!r} / padding_mode {attrs.padding_mode!r}",
                            f"use a mode of {GRID_MODES} and a padding of {GRID_PADDINGS}")
    if x.shape[0] is not None and grid.shape[0] is not None and x.shape[0] != grid.shape[0]:
        raise RuleViolation(f"X has batch {x.shape[0]} but the grid {grid.shape[0]}", "give one grid per image")
    return TensorSpec.of((x.shape[0], x.shape[1]) + tuple(grid.shape[1:-1]), x.dtype)


def _grid_sample(x, grid, mode, padding_mode, align_corners):
    sizes = x.shape[2:]
    grid = grid.astype(x.dtype)
    taps = []
    for axis, size in enumerate(sizes):
        g = grid[..., len(sizes) - 1 - axis]  # the grid lists x (the last axis) first
        coord = (g + 1) / 2 * (size - 1) if align_corners else ((g + 1) * size - 1) / 2
        if mode == "nearest":
            coord = jnp.round(coord)  # half to even, as ONNX's reference (np.rint)
        low, high = (0.0, size - 1.0) if align_corners else (-0.5, size - 0.5)
        if padding_mode == "border":
            coord = jnp.where((coord < low) | (coord > high), jnp.clip(coord, 0, size - 1), coord)
        elif padding_mode == "reflection":
            coord = reflect(coord, low, high)
        taps.append(axis_taps(coord, size, mode, padding_mode, low, high))
    return gather_taps(x, taps)


def_op("onnx_grid_sample", grid_sample_rule, _grid_sample, inputs=2,
       attrs=dict(mode="linear", padding_mode="zeros", align_corners=False),
       doc="ONNX GridSample: sample X (N, C, *S) at normalized grid coordinates (N, *O, n) in [-1, 1].")


# -- DeformConv -----------------------------------------------------------------------
def _letters(count: int, skip: str) -> str:
    return "".join([ch for ch in string.ascii_letters if ch not in skip][:count])


def deform_conv_rule(specs, attrs):
    x, w, offset, mask = specs
    n = len(x.shape) - 2
    if n < 1 or len(w.shape) != n + 2 or len(offset.shape) != n + 2 or len(mask.shape) != n + 2:
        raise RuleViolation(f"DeformConv needs X, W, offset and mask of one rank >= 3, got {x.shape}, {w.shape}, "
                            f"{offset.shape}, {mask.shape}", "give (N, C, *spatial) tensors")
    kernel = tuple(w.shape[2:])
    for key in ("strides", "dilations"):
        if len(getattr(attrs, key)) != n:
            raise RuleViolation(f"{key} {getattr(attrs, key)} needs {n} entries", "one per spatial axis")
    if len(attrs.pads) != 2 * n:
        raise RuleViolation(f"pads {attrs.pads} needs {2 * n} entries", "begin pads then end pads")
    c, groups, offset_groups = x.shape[1], attrs.group, attrs.offset_group
    if c is None or c != w.shape[1] * groups or w.shape[0] % groups or c % offset_groups:
        raise RuleViolation(f"{c} input channels do not fit W {w.shape} with group {groups} and offset_group "
                            f"{offset_groups}", "channels must equal W's second axis times group")
    outs = []
    for i in range(n):
        size = x.shape[2 + i]
        span = attrs.dilations[i] * (kernel[i] - 1) + 1
        outs.append((size + attrs.pads[i] + attrs.pads[n + i] - span) // attrs.strides[i] + 1)
    taps = math.prod(kernel)
    if tuple(offset.shape[1:]) != (offset_groups * taps * n, *outs) or tuple(mask.shape[1:]) != (
            offset_groups * taps, *outs):
        raise RuleViolation(f"offset {offset.shape} / mask {mask.shape} do not match {offset_groups} offset groups, "
                            f"kernel {kernel} and output {tuple(outs)}", "check the offsets' layout")
    if any("float" not in s.dtype for s in specs):
        raise RuleViolation("DeformConv needs float inputs", "cast them to float32")
    return TensorSpec.of((x.shape[0], w.shape[0], *outs), x.dtype)


def _deform_conv(x, w, offset, mask, strides, pads, dilations, group, offset_group):
    n_batch, channels = x.shape[:2]
    sizes, kernel = x.shape[2:], w.shape[2:]
    n = len(sizes)
    outs = offset.shape[2:]
    offset = offset.reshape((n_batch, offset_group, *kernel, n, *outs))
    mask = mask.reshape((n_batch, offset_group, 1, *kernel, *outs))
    per_group = channels // offset_group
    columns = []
    for g in range(offset_group):
        taps = []
        for i in range(n):
            # position of kernel tap k for output o on axis i: o * stride - pad + k * dilation + offset
            shape = [1] * (2 * n + 1)  # (N, *K, *O)
            out_pos = jnp.arange(outs[i]).reshape(shape[:1 + n + i] + [-1] + shape[n + i + 2:]) * strides[i]
            tap_pos = jnp.arange(kernel[i]).reshape(shape[:1 + i] + [-1] + shape[i + 2:]) * dilations[i]
            coord = out_pos + tap_pos - pads[i] + offset[:, g, ..., i, *([slice(None)] * n)]
            taps.append(axis_taps(coord.astype(x.dtype), sizes[i], "linear", "zeros", 0.0, sizes[i] - 1.0))
        sampled = gather_taps(x[:, g * per_group:(g + 1) * per_group], taps)  # (N, C/G, *K, *O)
        columns.append(sampled.reshape((n_batch, 1, per_group, *kernel, *outs)))
    cols = (jnp.concatenate(columns, axis=1) * mask).reshape((n_batch, group, channels // group, *kernel, *outs))
    weights = w.reshape((group, w.shape[0] // group, channels // group, *kernel))
    k, o = _letters(n, "ngcpq"), _letters(2 * n, "ngcpq")[n:]
    out = jnp.einsum(f"ngc{k}{o},gpc{k}->ngp{o}", cols, weights)
    return out.reshape((n_batch, w.shape[0], *outs))


def_op("onnx_deform_conv", deform_conv_rule, _deform_conv, inputs=4,
       attrs=dict(strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1, offset_group=1),
       doc="ONNX DeformConv (no bias): a conv whose taps are read at learned offsets (bilinear, zeros outside), "
           "each scaled by the mask.")


# -- RoiAlign -------------------------------------------------------------------------
def roi_align_rule(specs, attrs):
    x, rois, batch = specs
    if len(x.shape) != 4 or len(rois.shape) != 2 or rois.shape[1] not in (None, 4) or len(batch.shape) != 1:
        raise RuleViolation(f"RoiAlign needs X (N, C, H, W), rois (R, 4) and batch_indices (R,), got {x.shape}, "
                            f"{rois.shape}, {batch.shape}", "give boxes as x1, y1, x2, y2")
    if "float" not in x.dtype or "float" not in rois.dtype or "int" not in batch.dtype:
        raise RuleViolation("RoiAlign needs float X and rois and integer batch indices", "cast them")
    if attrs.mode not in ("avg", "max") or attrs.sampling_ratio < 1:
        raise RuleViolation(f"mode {attrs.mode!r}, sampling_ratio {attrs.sampling_ratio}",
                            "use avg or max and a positive sampling ratio (0 needs the boxes at import time)")
    return TensorSpec.of((rois.shape[0], x.shape[1], attrs.output_height, attrs.output_width), x.dtype)


def _bin_samples(start, end, bins: int, grid: int, size: int, half_pixel: bool):
    """Per box, bin and sample: low/high pixel, their weights, and whether the sample lies outside."""
    length = end - start
    if not half_pixel:
        length = jnp.maximum(length, 1.0)
    step = length / bins
    pos = (start[:, None, None] + jnp.arange(bins)[None, :, None] * step[:, None, None]
           + (jnp.arange(grid)[None, None, :] + 0.5) * (step / grid)[:, None, None])  # (R, bins, grid)
    outside = (pos < -1.0) | (pos > size)
    pos = jnp.maximum(pos, 0.0)
    low = jnp.floor(pos).astype(jnp.int32)
    at_edge = low >= size - 1
    low = jnp.where(at_edge, size - 1, low)
    high = jnp.where(at_edge, size - 1, low + 1)
    pos = jnp.where(at_edge, low.astype(pos.dtype), pos)
    frac = pos - low
    return low, high, 1 - frac, frac, outside


def _roi_align(x, rois, batch, output_height, output_width, sampling_ratio, spatial_scale, half_pixel, mode):
    height, width = x.shape[2:]
    shift = 0.5 if half_pixel else 0.0
    boxes = rois.astype(x.dtype) * spatial_scale - shift
    y_lo, y_hi, y_wl, y_wh, y_out = _bin_samples(boxes[:, 1], boxes[:, 3], output_height, sampling_ratio, height,
                                                 half_pixel)
    x_lo, x_hi, x_wl, x_wh, x_out = _bin_samples(boxes[:, 0], boxes[:, 2], output_width, sampling_ratio, width,
                                                 half_pixel)
    images = jnp.take(x, batch.astype(jnp.int32), axis=0)  # (R, C, H, W)
    r, c = images.shape[:2]
    flat = images.reshape(r, c, -1)

    def expand_y(a):  # (R, oh, gh) -> (R, oh, gh, 1, 1)
        return a[:, :, :, None, None]

    def expand_x(a):  # (R, ow, gw) -> (R, 1, 1, ow, gw)
        return a[:, None, None, :, :]

    outside = expand_y(y_out) | expand_x(x_out)
    corners = []
    for ys, wy in ((y_lo, y_wl), (y_hi, y_wh)):
        for xs, wx in ((x_lo, x_wl), (x_hi, x_wh)):
            index = (expand_y(ys) * width + expand_x(xs)).reshape(r, 1, -1)
            value = jnp.take_along_axis(flat, jnp.broadcast_to(index, (r, c, index.shape[-1])), axis=2)
            weight = jnp.where(outside, 0, expand_y(wy) * expand_x(wx)).reshape(r, 1, -1)
            corners.append(value * weight)
    shape = (r, c, output_height, sampling_ratio, output_width, sampling_ratio)
    if mode == "avg":
        out = sum(corners).reshape(shape).sum(axis=(3, 5)) / (sampling_ratio * sampling_ratio)
    else:  # ONNX's max mode: the largest weighted corner of any sample in the bin
        out = jnp.max(jnp.stack(corners), axis=0).reshape(shape).max(axis=(3, 5))
    return out.astype(x.dtype)


def_op("onnx_roi_align", roi_align_rule, _roi_align, inputs=3,
       attrs=dict(output_height=1, output_width=1, sampling_ratio=2, spatial_scale=1.0, half_pixel=True, mode="avg"),
       doc="ONNX RoiAlign: average (or max) of bilinear samples on a fixed grid in each bin of each box.")
