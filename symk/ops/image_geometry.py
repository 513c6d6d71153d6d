"""Resampling ops of keras.ops.image: resize (with crop/pad to the target's aspect ratio) and scale_and_translate.

    >>> symk.ops.image.resize(images, (64, 64), interpolation="bicubic", antialias=True)

Both lower to jax.image (half-pixel centres, as Keras on JAX). Integer and bool images come back in
their own dtype from resize (rounded and clipped), in float32 from scale_and_translate, as in Keras.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axis
from .api import keras_export
from .image_common import check_data_format, check_image_rank, image_axes, resolve_data_format, saturate_cast
from .registry import apply, def_op

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic",
                               "lanczos3", "lanczos5")


# -- resize ----------------------------------------------------------------------------
def resize_images_rule(specs, attrs):
    (x,) = specs
    rank = check_image_rank(x)
    check_data_format(attrs.data_format)
    if len(attrs.size) != 2 or any(not isinstance(s, int) or s < 1 for s in attrs.size):
        raise RuleViolation(f"size must be two positive integers (height, width), got {attrs.size}",
                            "e.g. size=(224, 224)")
    if attrs.interpolation not in RESIZE_INTERPOLATIONS:
        raise RuleViolation(f"unknown interpolation {attrs.interpolation!r}",
                            f"use one of {', '.join(RESIZE_INTERPOLATIONS)} (Keras on JAX has no 'area')")
    if attrs.crop_to_aspect_ratio and attrs.pad_to_aspect_ratio:
        raise RuleViolation("crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True", "choose one")
    shape = list(x.shape)
    height_axis, width_axis, _ = image_axes(rank, attrs.data_format)
    shape[height_axis], shape[width_axis] = attrs.size
    return TensorSpec.of(shape, x.dtype)


def _crop_to_aspect_ratio(x, height_axis, width_axis, target_height, target_width):
    """The largest centred window of the target's aspect ratio (Keras's rounding: truncate, at least 1)."""
    height, width = x.shape[height_axis], x.shape[width_axis]
    crop_height = max(min(height, int(width * target_height / target_width)), 1)
    crop_width = max(min(width, int(height * target_width / target_height)), 1)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    x = jax.lax.slice_in_dim(x, top, top + crop_height, axis=height_axis)
    return jax.lax.slice_in_dim(x, left, left + crop_width, axis=width_axis)


def _pad_to_aspect_ratio(x, height_axis, width_axis, target_height, target_width, fill_value):
    """Pad the short side evenly with fill_value. As in Keras, both sides get the same (rounded-down) margin
    and only one axis is padded."""
    height, width = x.shape[height_axis], x.shape[width_axis]
    top = (max(height, int(width * target_height / target_width)) - height) // 2
    left = (max(width, int(height * target_width / target_height)) - width) // 2
    widths = [(0, 0)] * x.ndim
    if top > 0:
        widths[height_axis] = (top, top)
    elif left > 0:
        widths[width_axis] = (left, left)
    else:
        return x
    # the padding takes fill_value's type as Keras's (ones * fill_value) does: a float fill makes int images float
    x = x.astype(jnp.result_type(x.dtype, fill_value))
    return jnp.pad(x, widths, constant_values=fill_value)


def _resize_images(x, size, interpolation, antialias, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_value,
                   data_format):
    height_axis, width_axis, _ = image_axes(x.ndim, data_format)
    original_dtype = x.dtype
    if crop_to_aspect_ratio:
        x = _crop_to_aspect_ratio(x, height_axis, width_axis, *size)
    elif pad_to_aspect_ratio:
        x = _pad_to_aspect_ratio(x, height_axis, width_axis, *size, fill_value)
    shape = list(x.shape)
    shape[height_axis], shape[width_axis] = size
    resized = jax.image.resize(x, shape, method=interpolation, antialias=antialias)
    return saturate_cast(resized, original_dtype)


def_op("resize_images", resize_images_rule, _resize_images,
       attrs=dict(size=(1, 1), interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
                  pad_to_aspect_ratio=False, fill_value=0.0, data_format="channels_last"),
       doc="keras.ops.image.resize: jax.image.resize of the spatial axes, in the input's dtype.")


@keras_export("image")
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images (3-D or 4-D) to `size` = (height, width).

    >>> symk.ops.image.resize(np.ones((2, 4, 4, 3)), (2, 2)).shape
    (2, 2, 2, 3)
    """
    if fill_mode != "constant":
        raise ValueError(f"resize: only fill_mode='constant' is supported (the padding of pad_to_aspect_ratio "
                         f"is fill_value). Received: fill_mode={fill_mode!r}")
    try:
        size = tuple(size)
    except TypeError:
        raise TypeError(f"resize: size must be a tuple (height, width), got {size!r}") from None
    return apply("resize_images", [images], size=size, interpolation=interpolation, antialias=bool(antialias),
                 crop_to_aspect_ratio=bool(crop_to_aspect_ratio), pad_to_aspect_ratio=bool(pad_to_aspect_ratio),
                 fill_value=fill_value, data_format=resolve_data_format(data_format, "resize"))


# -- scale_and_translate ----------------------------------------------------------------
def _vector_length(spec, what):
    if len(spec.shape) != 1:
        raise RuleViolation(f"{what} must be a vector with one entry per spatial dimension, got shape "
                            f"{tuple(spec.shape)}", f"pass {what} as a 1-D array")
    return spec.shape[0]


def scale_and_translate_rule(specs, attrs):
    x, scale, translation = specs
    rank = len(x.shape)
    if len(attrs.output_shape) != rank:
        raise RuleViolation(f"output_shape {attrs.output_shape} must have one size per axis of images "
                            f"(rank {rank})", "repeat the sizes of the axes that are not resampled")
    if attrs.method not in SCALE_AND_TRANSLATE_METHODS:
        raise RuleViolation(f"unknown method {attrs.method!r}", f"use one of {', '.join(SCALE_AND_TRANSLATE_METHODS)}")
    spatial = [normalize_axis(d, rank, "spatial_dims entry") for d in attrs.spatial_dims]
    if len(set(spatial)) != len(spatial):
        raise RuleViolation(f"spatial_dims {attrs.spatial_dims} repeats an axis", "list each axis once")
    for what, spec in (("scale", scale), ("translation", translation)):
        length = _vector_length(spec, what)
        if length is not None and length != len(spatial):
            raise RuleViolation(f"{what} has {length} entries but spatial_dims names {len(spatial)} axes",
                                "give one scale and one translation per spatial dimension")
    for axis, (size, target) in enumerate(zip(x.shape, attrs.output_shape)):
        if axis not in spatial and size is not None and size != target:
            raise RuleViolation(f"axis {axis} is not in spatial_dims, so its output size must stay {size}, "
                                f"not {target}", "add the axis to spatial_dims to resample it")
    dtype = x.dtype if jnp.issubdtype(jnp.dtype(x.dtype), jnp.floating) else "float32"
    return TensorSpec.of(attrs.output_shape, dtype)


def _scale_and_translate(x, scale, translation, output_shape, spatial_dims, method, antialias):
    return jax.image.scale_and_translate(x, output_shape, spatial_dims, scale, translation, method, antialias)


def_op("scale_and_translate", scale_and_translate_rule, _scale_and_translate, inputs=3,
       attrs=dict(output_shape=(), spatial_dims=(), method="linear", antialias=True),
       doc="jax.image.scale_and_translate: resample the spatial_dims by an inverse scale and translation.")


@keras_export("image")
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """Resample `images` to `output_shape`: input location x maps to x * scale + translation per spatial dim.

    >>> symk.ops.image.scale_and_translate(np.ones((3, 3)), (5, 5), [5 / 3, 5 / 3], [0.0, 0.0], (0, 1),
    ...                                    "linear").shape
    (5, 5)
    """
    return apply("scale_and_translate", [images, scale, translation], output_shape=tuple(output_shape),
                 spatial_dims=tuple(spatial_dims), method=method, antialias=bool(antialias))
