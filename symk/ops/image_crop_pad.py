"""keras.ops.image.crop_images and pad_images: two of (before, after, target size) fix each spatial axis.

    >>> symk.ops.image.pad_images(images, 2, 3, target_height=20, target_width=30)
    >>> symk.ops.image.crop_images(images, top_cropping=1, left_cropping=1, target_height=8, target_width=8)

Cropping is a slice (the getitem op); padding is its own op because a target size on an axis of
unknown length fixes the padding only when the graph runs.
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .array import encode_index
from .image_common import check_data_format, check_image_rank, image_axes, resolve_data_format
from .registry import apply, def_op


def _check_amounts(function, before_name, after_name, target_name, before, after, target):
    """Exactly two of the three are given, none negative (the message names the call's arguments)."""
    given = {before_name: before, after_name: after, target_name: target}
    if list(given.values()).count(None) != 1:
        raise ValueError(f"{function}: give exactly two of {', '.join(given)}. Received: "
                         + ", ".join(f"{k}={v}" for k, v in given.items()))
    for name, value in given.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"{function}: {name} must be a non-negative integer. Received: {name}={value!r}")


# -- pad_images ------------------------------------------------------------------------
def _padding(length, before, after, target, names):
    """The (before, after) padding of one axis, checked; None where it waits for an unknown length."""
    if length is None:
        if target is not None and (before is None or after is None):
            return None
        return before, after
    if before is None:
        before = target - length - after
    elif after is None:
        after = target - length - before
    if before < 0 or after < 0:
        raise RuleViolation(f"{names[2]}={target} is less than the axis length {length} plus the padding given "
                            f"(it would need {names[0]}={before}, {names[1]}={after})",
                            "pad_images only adds rows and columns: use crop_images to shrink")
    return before, after


HEIGHT_NAMES = ("top_padding", "bottom_padding", "target_height")
WIDTH_NAMES = ("left_padding", "right_padding", "target_width")


def pad_images_rule(specs, attrs):
    (x,) = specs
    rank = check_image_rank(x)
    check_data_format(attrs.data_format)
    shape = list(x.shape)
    height_axis, width_axis, _ = image_axes(rank, attrs.data_format)
    for axis, names in ((height_axis, HEIGHT_NAMES), (width_axis, WIDTH_NAMES)):
        before, after, target = (getattr(attrs, n) for n in names)
        if [before, after, target].count(None) != 1 or any(v is not None and v < 0 for v in (before, after, target)):
            raise RuleViolation(f"give exactly two of {', '.join(names)}, none negative",
                                "e.g. top_padding=2 and target_height=32")
        padding = _padding(shape[axis], before, after, target, names)
        if padding is not None:
            shape[axis] = None if shape[axis] is None else shape[axis] + sum(padding)
        else:
            shape[axis] = target
    return TensorSpec.of(shape, x.dtype)


def _pad_images(x, top_padding, bottom_padding, target_height, left_padding, right_padding, target_width,
                data_format):
    height_axis, width_axis, _ = image_axes(x.ndim, data_format)
    widths = [(0, 0)] * x.ndim
    try:  # the lengths are known now; an axis that was unknown when the graph was built is checked here
        widths[height_axis] = _padding(x.shape[height_axis], top_padding, bottom_padding, target_height, HEIGHT_NAMES)
        widths[width_axis] = _padding(x.shape[width_axis], left_padding, right_padding, target_width, WIDTH_NAMES)
    except RuleViolation as err:
        raise ValueError(f"pad_images: {err.rule} (images of shape {x.shape}). {err.hint}") from None
    return jnp.pad(x, widths)


def_op("pad_images", pad_images_rule, _pad_images,
       attrs=dict(top_padding=None, bottom_padding=None, target_height=None, left_padding=None,
                  right_padding=None, target_width=None, data_format="channels_last"),
       doc="Zero-pad the spatial axes of images; two of (before, after, target) per axis.")


@keras_export("image")
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    """Pad images (3-D or 4-D) with zeros; per axis give two of the padding before, after and the target size.

    >>> symk.ops.image.pad_images(np.ones((15, 25, 3)), 2, 3, target_height=20, target_width=30).shape
    (20, 30, 3)
    """
    _check_amounts("pad_images", *HEIGHT_NAMES, top_padding, bottom_padding, target_height)
    _check_amounts("pad_images", *WIDTH_NAMES, left_padding, right_padding, target_width)
    return apply("pad_images", [images], top_padding=top_padding, bottom_padding=bottom_padding,
                 target_height=target_height, left_padding=left_padding, right_padding=right_padding,
                 target_width=target_width, data_format=resolve_data_format(data_format, "pad_images"))


# -- crop_images -----------------------------------------------------------------------
def _resolve_crop(length, before, after, target):
    """(before, after, target) of a crop, the missing one filled in from a known axis length."""
    if target is None:
        target = length - before - after
    elif before is None:
        before = length - target - after
    else:
        after = length - target - before
    return before, after, target


def _crop_slice(length, before, after, target, names) -> slice:
    """The slice that keeps `target` rows (or columns) of an axis; negative bounds where the length is unknown."""
    if length is None:
        if target is None:
            return slice(before, -after if after else None)
        if before is not None:
            return slice(before, before + target)
        return slice(-(after + target), -after if after else None)   # NOTE: unchecked until the graph runs
    before, after, target = _resolve_crop(length, before, after, target)
    if before < 0 or after < 0 or target < 0:
        raise ValueError(f"crop_images: cannot keep {names[2]}={target} of an axis of length {length} after "
                         f"cropping {names[0]}={before} and {names[1]}={after}: the crop is larger than the image. "
                         "Crop less, or resize first")
    return slice(before, before + target)


@keras_export("image")
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Crop images (3-D or 4-D); per axis give two of the rows (columns) cut before, after and the size kept.

    >>> symk.ops.image.crop_images(np.ones((5, 5, 1)), 1, 1, target_height=3, target_width=3).shape
    (3, 3, 1)
    """
    names_h = ("top_cropping", "bottom_cropping", "target_height")
    names_w = ("left_cropping", "right_cropping", "target_width")
    _check_amounts("crop_images", *names_h, top_cropping, bottom_cropping, target_height)
    _check_amounts("crop_images", *names_w, left_cropping, right_cropping, target_width)
    data_format = resolve_data_format(data_format, "crop_images")
    shape = tuple(images.shape) if hasattr(images, "shape") else jnp.shape(images)
    if len(shape) not in (3, 4):
        raise ValueError(f"crop_images: images must be rank 3 (one image) or rank 4 (a batch), got shape {shape}")
    height_axis, width_axis, _ = image_axes(len(shape), data_format)
    key = [slice(None)] * len(shape)
    key[height_axis] = _crop_slice(shape[height_axis], top_cropping, bottom_cropping, target_height, names_h)
    key[width_axis] = _crop_slice(shape[width_axis], left_cropping, right_cropping, target_width, names_w)
    return apply("getitem", [images], key=encode_index(tuple(key)))
