"""ONNX Resize as numpy plans: for each resized axis, the (output, input) interpolation matrix and the mask of
output positions that extrapolate (tf_crop_and_resize), computed at import time from static sizes.

Resize is separable, so an N-d resize is one matrix product per axis; the importer applies the matrices with
symk.ops (a gather where every row has a single weight of one, as nearest mode has, so integers stay exact).

    >>> plan = axis_plan(4, 3, 0.75, "cubic", "half_pixel", ...)   # plan.weights: (3, 4)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

COORDINATE_MODES = ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
                    "tf_crop_and_resize")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


@dataclass
class AxisPlan:
    weights: np.ndarray                 # (output, input) float64
    extrapolated: Optional[np.ndarray]  # (output,) bool, or None when no position extrapolates
    gather: Optional[np.ndarray]        # (output,) input index when every row picks one pixel (nearest)


def source_coordinates(mode: str, out_len: int, in_len: int, scale: float, roi: tuple) -> np.ndarray:
    """Where each output index lands in input coordinates (ONNX's coordinate_transformation_mode)."""
    y = np.arange(out_len, dtype=np.float64)
    out_width = scale * in_len  # the fractional output length: ONNX's formulas use it, not the rounded one
    if mode == "align_corners":
        return np.zeros(out_len) if out_width == 1 else y * (in_len - 1) / (out_width - 1)
    if mode == "asymmetric":
        return y / scale
    if mode == "tf_crop_and_resize":
        start, end = roi
        if out_width == 1:
            x = np.full(out_len, (end - start) * (in_len - 1) / 2)
        else:
            x = y * (end - start) * (in_len - 1) / (out_width - 1)
        return x + start * (in_len - 1)
    if mode == "pytorch_half_pixel":
        return np.full(out_len, -0.5) if out_width == 1 else (y + 0.5) / scale - 0.5
    if mode == "half_pixel":
        return (y + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        offset = in_len / 2 * (1 - out_len / out_width)
        return offset + (y + 0.5) / scale - 0.5
    raise ValueError(f"unknown coordinate_transformation_mode {mode!r}; use one of {COORDINATE_MODES}")


def _cubic_kernel(distance: np.ndarray, a: float) -> np.ndarray:
    d = np.abs(distance)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, np.where(d < 2, far, 0.0))


def coefficient_fn(mode: str, nearest_mode: str, cubic_a: float, antialias: bool) -> Callable:
    """(ratio, scale) -> the weights of the window of neighbours; ratio is 1 at an exact input pixel, so the
    window then ends at that pixel (ONNX's convention, kept so ties and borders match its reference)."""
    if mode == "nearest":
        if nearest_mode not in NEAREST_MODES:
            raise ValueError(f"unknown nearest_mode {nearest_mode!r}; use one of {NEAREST_MODES}")

        def nearest(ratio, scale):
            if ratio == 1:
                return np.array([0.0, 1.0])
            pick_ceil = {"round_prefer_floor": ratio > 0.5, "round_prefer_ceil": ratio >= 0.5,
                         "floor": False, "ceil": True}[nearest_mode]
            return np.array([0.0, 1.0]) if pick_ceil else np.array([1.0, 0.0])
        return nearest
    if mode == "linear":
        if not antialias:
            return lambda ratio, scale: np.array([1 - ratio, ratio])

        def linear_antialias(ratio, scale):
            scale = min(scale, 1.0)  # a downscale widens the triangle to 1/scale pixels
            start = int(np.floor(-1 / scale) + 1)
            c = np.clip(1 - np.abs((np.arange(start, 2 - start) - ratio) * scale), 0, 1)
            return c / c.sum()
        return linear_antialias
    if mode == "cubic":
        if not antialias:
            return lambda ratio, scale: _cubic_kernel(np.array([1 + ratio, ratio, 1 - ratio, 2 - ratio]), cubic_a)

        def cubic_antialias(ratio, scale):
            scale = min(scale, 1.0)
            start = int(np.floor(-2 / scale) + 1)
            c = _cubic_kernel((np.arange(start, 2 - start) - ratio) * scale, cubic_a)
            return c / c.sum()
        return cubic_antialias
    raise ValueError(f"unknown mode {mode!r}; use nearest, linear or cubic")


def axis_plan(in_len: int, out_len: int, scale: float, coefficients: Callable, coordinate_mode: str,
              roi: tuple = (0.0, 1.0), exclude_outside: bool = False) -> AxisPlan:
    x = source_coordinates(coordinate_mode, out_len, in_len, scale, roi)
    base = np.floor(x).astype(np.int64)
    ratios = np.where(x == base, 1.0, x - base)
    weights = np.zeros((out_len, in_len))
    for row in range(out_len):
        c = np.asarray(coefficients(float(ratios[row]), scale), dtype=np.float64)
        n = len(c)
        pad = math.ceil(n / 2)
        # the n pixels nearest x (ties to the lower one) over the edge-padded axis, as ONNX picks them
        xp = x[row] + pad
        fp = math.floor(xp)
        if n % 2 == 0:
            start = fp - n // 2 + (0 if xp == fp else 1)
        else:
            start = fp - (n - 1) // 2 + (0 if xp - fp <= 0.5 else 1)
        start = min(max(start, 0), in_len + 2 * pad - n)
        idx = np.arange(start, start + n) - pad
        if exclude_outside:
            c = np.where((idx < 0) | (idx >= in_len), 0.0, c)
            total = c.sum()
            c = c / (total if total != 0 else 1.0)
        np.add.at(weights[row], np.clip(idx, 0, in_len - 1), c)
    extrapolated = None
    if coordinate_mode == "tf_crop_and_resize":
        outside = (x < 0) | (x > in_len - 1)
        extrapolated = outside if outside.any() else None
    single = np.count_nonzero(weights, axis=1) == 1
    gather = None
    if single.all() and np.all(weights.max(axis=1) == 1.0):
        gather = weights.argmax(axis=1)
    return AxisPlan(weights, extrapolated, gather)


def output_lengths(in_shape: tuple, axes: list, scales: Optional[np.ndarray], sizes: Optional[np.ndarray],
                   policy: str) -> tuple[list, list]:
    """(scale per axis, output length per axis) for the resized axes, from scales or sizes (with
    keep_aspect_ratio_policy), as ONNX defines them."""
    if sizes is not None:
        ratios = [float(sizes[i]) / in_shape[a] for i, a in enumerate(axes)]
        if policy == "stretch":
            return ratios, [int(s) for s in sizes]
        if policy not in ("not_larger", "not_smaller"):
            raise ValueError(f"unknown keep_aspect_ratio_policy {policy!r}; use stretch, not_larger or not_smaller")
        scale = min(ratios) if policy == "not_larger" else max(ratios)
        return [scale] * len(axes), [int(scale * in_shape[a] + 0.5) for a in axes]
    scale_list = [float(s) for s in scales]
    return scale_list, [int(s * in_shape[a]) for s, a in zip(scale_list, axes)]
