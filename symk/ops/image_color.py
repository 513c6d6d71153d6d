"""Colour-space ops of keras.ops.image: rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb.

    >>> symk.ops.image.rgb_to_grayscale(images)          # (..., 3) -> (..., 1), same dtype
    >>> symk.ops.image.hsv_to_rgb(symk.ops.image.rgb_to_hsv(images))
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .image_common import (check_data_format, check_image_rank, compute_float_dtype, image_axes, require_float,
                           resolve_data_format)
from .registry import apply, def_op

# ITU-R 601 luma weights, as tf.image.rgb_to_grayscale (and so Keras) uses them
GRAYSCALE_WEIGHTS = (0.2989, 0.5870, 0.1140)


def _channels(spec, data_format) -> tuple:
    rank = check_image_rank(spec)
    check_data_format(data_format)
    axis = image_axes(rank, data_format)[2]
    return axis, spec.shape[axis]


def grayscale_rule(specs, attrs):
    (x,) = specs
    axis, channels = _channels(x, attrs.data_format)
    if channels not in (None, 1, 3):
        raise RuleViolation(f"rgb_to_grayscale needs 3 (RGB) or 1 (grayscale) channels, got {channels}",
                            "check data_format: the channels axis is the last for 'channels_last', "
                            "the third from last for 'channels_first'")
    shape = list(x.shape)
    shape[axis] = 1
    return TensorSpec.of(shape, x.dtype)


def _rgb_to_grayscale(x, data_format):
    axis = image_axes(x.ndim, data_format)[2]
    if x.shape[axis] == 1:
        return x
    dtype = compute_float_dtype(x.dtype)
    weights = jnp.asarray(GRAYSCALE_WEIGHTS, dtype)
    gray = jnp.tensordot(x.astype(dtype), weights, axes=((axis,), (0,)), precision="highest")
    return jnp.expand_dims(gray, axis).astype(x.dtype)


def hsv_rule(specs, attrs):
    (x,) = specs
    _, channels = _channels(x, attrs.data_format)
    require_float(x, "converting between RGB and HSV")
    if channels not in (None, 3):
        raise RuleViolation(f"RGB and HSV images have 3 channels, got {channels}",
                            "check data_format, or drop the alpha channel first")
    return x


def _planes(x, data_format):
    axis = image_axes(x.ndim, data_format)[2]
    return axis, [jnp.take(x, i, axis=axis) for i in range(3)]


def _rgb_to_hsv(x, data_format):
    # dm_pix's formulation: values within float epsilon of zero count as zero, so tiny noise gives no hue
    x = jnp.where(jnp.abs(x) < jnp.finfo(x.dtype).eps, jnp.zeros((), x.dtype), x)
    axis, (red, green, blue) = _planes(x, data_format)
    value = jnp.maximum(jnp.maximum(red, green), blue)
    spread = value - jnp.minimum(jnp.minimum(red, green), blue)
    saturation = jnp.where(value > 0, spread / jnp.where(value > 0, value, 1.0), 0.0)
    scale = 1.0 / (6.0 * jnp.where(spread > 0, spread, 1.0))
    hue = jnp.where(value == green, scale * (blue - red) + 2.0 / 6.0, scale * (red - green) + 4.0 / 6.0)
    hue = jnp.where(value == red, scale * (green - blue), hue)
    hue = jnp.where(spread > 0, hue, 0.0) + (hue < 0.0).astype(hue.dtype)   # hues wrap into [0, 1)
    return jnp.stack([hue, saturation, value], axis=axis)


def _hsv_to_rgb(x, data_format):
    axis, (hue, saturation, value) = _planes(x, data_format)
    sector = jnp.mod(hue, 1.0) * 6.0
    weights = (jnp.clip(jnp.abs(sector - 3.0) - 1.0, 0.0, 1.0),
               jnp.clip(2.0 - jnp.abs(sector - 2.0), 0.0, 1.0),
               jnp.clip(2.0 - jnp.abs(sector - 4.0), 0.0, 1.0))
    grey = 1.0 - saturation
    return jnp.stack([value * (grey + saturation * w) for w in weights], axis=axis)


COLOR_ATTRS = dict(data_format="channels_last")
def_op("rgb_to_grayscale", grayscale_rule, _rgb_to_grayscale, attrs=COLOR_ATTRS,
       doc="Luma of RGB images (one channel, the input's dtype); one-channel images pass through.")
def_op("rgb_to_hsv", hsv_rule, _rgb_to_hsv, attrs=COLOR_ATTRS, doc="RGB to HSV (float images, all values in [0, 1]).")
def_op("hsv_to_rgb", hsv_rule, _hsv_to_rgb, attrs=COLOR_ATTRS, doc="HSV to RGB (float images).")


# -- Keras names (symk/ops/api.py) ------------------------------------------------------
@keras_export("image")
def rgb_to_grayscale(images, data_format=None):
    """Grayscale of RGB images (3-D or 4-D); the result keeps the input's dtype and has one channel.

    >>> symk.ops.image.rgb_to_grayscale(np.ones((2, 4, 4, 3))).shape
    (2, 4, 4, 1)
    """
    return apply("rgb_to_grayscale", [images], data_format=resolve_data_format(data_format, "rgb_to_grayscale"))


@keras_export("image")
def rgb_to_hsv(images, data_format=None):
    """HSV of float RGB images with values in [0, 1]; hue 0 is red, 1/3 green, 2/3 blue."""
    return apply("rgb_to_hsv", [images], data_format=resolve_data_format(data_format, "rgb_to_hsv"))


@keras_export("image")
def hsv_to_rgb(images, data_format=None):
    """RGB of float HSV images with values in [0, 1]."""
    return apply("hsv_to_rgb", [images], data_format=resolve_data_format(data_format, "hsv_to_rgb"))
