"""Deterministic image preprocessing layers: Rescaling, Resizing, CenterCrop (the same in training and inference).

    >>> Rescaling(1 / 255)(images)                       # uint8 [0, 255] -> float32 [0, 1]
    >>> Resizing(64, 64, crop_to_aspect_ratio=True)(images)
    >>> CenterCrop(28, 28)(images)
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..config import image_data_format
from ..ops.image_geometry import RESIZE_INTERPOLATIONS
from .augmentation_base import BaseImagePreprocessingLayer
from .base import Layer

__all__ = ["Rescaling", "Resizing", "CenterCrop"]


def _check_size(value, layer: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: `{name}` must be a positive integer (pixels); received {name}={value!r}")
    return int(value)


# -- Rescaling's scale and offset: a number, a list, or an array (Keras writes arrays as '__numpy__' dicts) ------
def _serialize_number_or_array(value):
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _deserialize_number_or_array(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        config = value["config"]
        return np.asarray(config["value"], dtype=config.get("dtype"))
    return value


class Rescaling(Layer):
    """`inputs * scale + offset` in the compute dtype (ints become floats); scale and offset may be
    per-channel (a list or array, broadcast against the last axis, or the channels axis in channels_first)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        scale, offset = _deserialize_number_or_array(scale), _deserialize_number_or_array(offset)
        for name, value in (("scale", scale), ("offset", offset)):
            try:
                np.asarray(value, dtype="float64")
            except (TypeError, ValueError):
                raise ValueError(f"Rescaling: `{name}` must be a number or a list/array of numbers; received "
                                 f"{name}={value!r}") from None
        self.scale, self.offset = scale, offset
        self.supports_masking = True

    def call(self, inputs):
        scale, offset = np.asarray(self.scale, self.compute_dtype), np.asarray(self.offset, self.compute_dtype)
        # NOTE: as in Keras, only the scale gets trailing axes for channels_first images (the offset does not)
        if scale.ndim > 0 and image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        return ops.cast(inputs, self.compute_dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": _serialize_number_or_array(self.scale),
                "offset": _serialize_number_or_array(self.offset)}


class Resizing(BaseImagePreprocessingLayer):
    """Resize images to (height, width) with ops.image.resize; integer images keep their dtype (rounded)."""

    _RANDOM = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _check_size(height, "Resizing", "height")
        self.width = _check_size(width, "Resizing", "width")
        if interpolation not in RESIZE_INTERPOLATIONS:
            raise ValueError(f"Resizing: unknown interpolation {interpolation!r}; use one of "
                             f"{', '.join(map(repr, RESIZE_INTERPOLATIONS))}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True; choose one")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: only fill_mode='constant' is supported (the padding of pad_to_aspect_ratio "
                             f"is fill_value), as in Keras; received fill_mode={fill_mode!r}")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _augment(self, images):
        if "float" in images.dtype:  # Keras casts float inputs to the compute dtype; integer images stay
            images = self._cast(images)
        if self.crop_to_aspect_ratio or self.pad_to_aspect_ratio:
            self._known_spatial_sizes(images)  # the crop / padding is computed from the input's size
        return ops.image.resize(images, (self.height, self.width), interpolation=self.interpolation,
                                antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
                                fill_value=self.fill_value, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return _with_spatial_size(self, input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(BaseImagePreprocessingLayer):
    """The central (height, width) window, in the compute dtype; an image smaller than that along an axis is
    instead cropped to the target's aspect ratio and resized (Keras's smart_resize)."""

    _RANDOM = False

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = _check_size(height, "CenterCrop", "height")
        self.width = _check_size(width, "CenterCrop", "width")

    def _augment(self, images):
        images = self._cast(images)
        height, width = self._known_spatial_sizes(images)
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            return ops.image.crop_images(images, top_cropping=top, left_cropping=left, target_height=self.height,
                                         target_width=self.width, data_format=self.data_format)
        return smart_resize(images, self.height, self.width, self.data_format)

    def compute_output_shape(self, input_shape):
        return _with_spatial_size(self, input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


def smart_resize(images, height: int, width: int, data_format: str):
    """Keras's smart_resize: the largest central window of the target's aspect ratio, resized (bilinear)."""
    return ops.image.resize(images, (height, width), crop_to_aspect_ratio=True, data_format=data_format)


def _with_spatial_size(layer, input_shape, height, width) -> tuple:
    shape = list(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) expects images of rank 3 or 4; received "
                         f"input shape {tuple(input_shape)}")
    offset = len(shape) - 4  # -1 for a single image: the batch axis is missing
    if layer.data_format == "channels_last":
        shape[1 + offset], shape[2 + offset] = height, width
    else:
        shape[2 + offset], shape[3 + offset] = height, width
    return tuple(shape)
