"""Geometric augmentation layers: RandomFlip, RandomCrop, RandomRotation, RandomZoom, RandomTranslation,
RandomShear. Random in training (one draw per image; RandomCrop: one crop box per batch, as Keras),
the images in the compute dtype at inference (RandomCrop: a central crop, resized).

    >>> augment = Sequential([RandomFlip("horizontal"), RandomRotation(0.1), RandomZoom(0.2)])
"""
from __future__ import annotations

from .. import ops
from .augmentation_base import (FILL_MODES, INTERPOLATIONS, RandomImageLayer, affine_matrix, between, check_choice,
                                default_seed, parse_factor, parse_symmetric_factor)
from .image_preprocessing import _check_size, _with_spatial_size, smart_resize

__all__ = ["RandomFlip", "RandomCrop", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomShear"]

HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", "horizontal_and_vertical"


class RandomFlip(RandomImageLayer):
    """Flips each image with probability 1/2: left-right ("horizontal"), upside down ("vertical"), or
    both at once ("horizontal_and_vertical": as in Keras, one draw decides both flips)."""

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = check_choice(mode, (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL), "RandomFlip", "mode")

    def _augment(self, images):
        images = self._cast(images)
        flips = self._uniform((self._batch_size(images), 1, 1, 1)) <= 0.5
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=self._width_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = ops.where(flips, ops.flip(images, axis=self._height_axis), images)
        return images

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class RandomCrop(RandomImageLayer):
    """A random (height, width) window in training, the same for the whole batch; an input not larger than
    the target along both axes is cut at the centre and resized instead (as Keras does in training).

    NOTE: at inference this is the central window of the target's aspect ratio, resized (smart_resize), as
    Keras documents; Keras 3.15 itself returns the uncropped input there, contradicting its own output shape."""

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height = _check_size(height, "RandomCrop", "height")
        self.width = _check_size(width, "RandomCrop", "width")
        # as Keras: the config keeps a seed even when none was given (the generator draws from None)
        self.seed = seed if seed is not None else default_seed()

    def _augment(self, images):
        images = self._cast(images)
        height, width = self._known_spatial_sizes(images)
        if height > self.height and width > self.width:
            unit = self._uniform((2,))
            top = ops.cast(unit[0] * float(height - self.height + 1), "int32")
            left = ops.cast(unit[1] * float(width - self.width + 1), "int32")
            rows = ops.arange(self.height, dtype="int32") + top
            cols = ops.arange(self.width, dtype="int32") + left
            return ops.take(ops.take(images, rows, axis=self._height_axis), cols, axis=self._width_axis)
        # Keras's fallback: start where the central window of the target's aspect ratio starts, keep at most
        # (height, width), and resize what is kept if it is smaller
        crop_height = max(min(height, int(float(width * self.height) / self.width)), 1)
        crop_width = max(min(width, int(float(height * self.width) / self.height)), 1)
        top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
        key = [slice(None)] * 4
        key[self._height_axis] = slice(top, top + self.height)
        key[self._width_axis] = slice(left, left + self.width)
        kept = images[tuple(key)]
        if (kept.shape[self._height_axis], kept.shape[self._width_axis]) != (self.height, self.width):
            kept = self._cast(ops.image.resize(kept, (self.height, self.width), data_format=self.data_format))
        return kept

    def _inference(self, images):
        images = self._cast(images)
        if self._known_spatial_sizes(images) == (self.height, self.width):
            return images
        return self._cast(smart_resize(images, self.height, self.width, self.data_format))

    def compute_output_shape(self, input_shape):
        return _with_spatial_size(self, input_shape, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width, "seed": self.seed}


class _AffineAugmentation(RandomImageLayer):
    """Layers that warp each image by a random inverse affine transform (ops.image.affine_transform)."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        layer = type(self).__name__
        self.fill_mode = check_choice(fill_mode, FILL_MODES, layer, "fill_mode")
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, layer, "interpolation")
        self.fill_value = fill_value

    def _augment(self, images):
        images = self._cast(images)
        return ops.image.affine_transform(images, self._transforms(images), interpolation=self.interpolation,
                                          fill_mode=self.fill_mode, fill_value=self.fill_value,
                                          data_format=self.data_format)

    def _transforms(self, images):
        """(batch, 8) inverse transforms, one per image."""
        raise NotImplementedError

    def _columns(self, images, count: int) -> list:
        """`count` [0, 1) draws per image, each a (batch, 1) column."""
        unit = self._uniform((self._batch_size(images), count))
        return [unit[:, i:i + 1] for i in range(count)]

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation, "seed": self.seed}


class RandomRotation(_AffineAugmentation):
    """Rotates each image about its centre by an angle drawn from factor * 360 degrees (factor=0.1: up to
    ±36°; a pair (lower, upper) gives the range itself)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = parse_factor(factor or 0.0, (-1, 1), "RandomRotation")

    def _transforms(self, images):
        height, width = self._spatial_sizes(images)
        angles = self._uniform((self._batch_size(images),), self.factor[0] * 360.0, self.factor[1] * 360.0)
        return affine_matrix(angles, height, width)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineAugmentation):
    """Zooms each image about its centre: the height is scaled by 1 + a draw from height_factor (negative:
    zoom in, positive: zoom out), the width likewise (or by the same draw when width_factor is None)."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = parse_symmetric_factor(height_factor, "RandomZoom", "height_factor",
                                                                      lowest_open=True)
        if width_factor is not None:
            self.width_lower, self.width_upper = parse_symmetric_factor(width_factor, "RandomZoom", "width_factor",
                                                                        lowest_open=True)

    def _transforms(self, images):
        height, width = self._spatial_sizes(images)
        height_unit, width_unit = self._columns(images, 2)
        height_zoom = between(height_unit, 1.0 + self.height_lower, 1.0 + self.height_upper)
        width_zoom = height_zoom if self.width_factor is None else \
            between(width_unit, 1.0 + self.width_lower, 1.0 + self.width_upper)
        x_offset = (ops.cast(width, "float32") - 1.0) / 2.0 * (1.0 - width_zoom)
        y_offset = (ops.cast(height, "float32") - 1.0) / 2.0 * (1.0 - height_zoom)
        zeros = ops.zeros_like(width_zoom)
        return ops.concatenate([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_AffineAugmentation):
    """Shifts each image by a fraction of its height and width drawn from height_factor and width_factor."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = parse_symmetric_factor(height_factor, "RandomTranslation",
                                                                      "height_factor")
        self.width_lower, self.width_upper = parse_symmetric_factor(width_factor, "RandomTranslation",
                                                                    "width_factor")

    def _transforms(self, images):
        height, width = self._spatial_sizes(images)
        height_unit, width_unit = self._columns(images, 2)
        shift_y = between(height_unit, self.height_lower, self.height_upper) * ops.cast(height, "float32")
        shift_x = between(width_unit, self.width_lower, self.width_upper) * ops.cast(width, "float32")
        zeros, ones = ops.zeros_like(shift_x), ops.ones_like(shift_x)
        return ops.concatenate([ones, zeros, -shift_x, zeros, ones, -shift_y, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


def _shear_factor(factor, name: str) -> tuple:
    """A number f in [0, 1] gives (-f, f), as in Keras.

    NOTE: Keras refuses negative entries in a pair, and so cannot load its own configs (which hold
    (-f, f)); pairs are accepted in [-1, 1] here, so those configs load."""
    if isinstance(factor, (tuple, list)):
        return parse_symmetric_factor(factor, "RandomShear", name)
    return parse_symmetric_factor(factor, "RandomShear", name, low=0.0)


class RandomShear(_AffineAugmentation):
    """Shears each image along x and y by amounts drawn from x_factor and y_factor (a number f in [0, 1]
    draws from [-f, f]); one draw per image flips the sign of both, as in Keras."""

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.x_factor = _shear_factor(x_factor, "x_factor")
        self.y_factor = _shear_factor(y_factor, "y_factor")

    def _transforms(self, images):
        sign_unit, y_unit, x_unit = self._columns(images, 3)
        sign = ops.where(sign_unit > 0.5, -1.0, 1.0)
        shear_y = between(y_unit, *self.y_factor) * sign
        shear_x = between(x_unit, *self.x_factor) * sign
        zeros, ones = ops.zeros_like(shear_x), ops.ones_like(shear_x)
        return ops.concatenate([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], axis=1)

    def get_config(self):
        # NOTE: a symmetric range is written as the number it came from, which Keras can load (Keras writes
        # the pair (-f, f), which its own constructor refuses)
        return {**super().get_config(), "x_factor": _shear_config(self.x_factor),
                "y_factor": _shear_config(self.y_factor)}


def _shear_config(factor: tuple):
    lower, upper = factor
    return upper if lower == -upper else factor
