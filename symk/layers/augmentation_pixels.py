"""Per-pixel augmentation layers: RandomSharpness, RandomPosterization, Solarization, RandomInvert,
RandomErasing, RandomGaussianBlur, and the deterministic AutoContrast (applied in inference too).

    >>> RandomInvert(factor=0.5, value_range=(0, 1))(images, training=True)
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..random import normal as random_normal
from ..random import randint as random_randint
from .augmentation_base import (BaseImagePreprocessingLayer, RandomImageLayer, between, check_value_range,
                                parse_factor, parse_value_range, transform_value_range)

__all__ = ["RandomSharpness", "RandomPosterization", "Solarization", "AutoContrast", "RandomInvert", "RandomErasing",
           "RandomGaussianBlur"]


def _per_image(layer, images):
    return (layer._batch_size(images), 1, 1, 1)


def _along(axis: int, size: int) -> tuple:
    """The shape of a vector laid along one axis of a 4-D batch."""
    shape = [1, 1, 1, 1]
    shape[axis] = size
    return tuple(shape)


def _depthwise_same(layer, images, kernel):
    """Each channel convolved with the same 2-D kernel (a constant or a tensor), zero 'same' padding."""
    channels = images.shape[layer._channels_axis]
    if channels is None:
        raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) needs the number of channels of its input "
                         f"to be known; received images of shape {tuple(images.shape)}")
    kernel = ops.tile(ops.reshape(kernel, tuple(kernel.shape) + (1, 1)), (1, 1, channels, 1))
    return ops.nn.depthwise_conv(images, kernel, strides=1, padding="same", data_format=layer.data_format)


class RandomSharpness(RandomImageLayer):
    """Blends each image with a smoothed copy by 1 - 2f (f drawn from the factor: 0.5 keeps the image,
    less blurs it, more sharpens it), clipped to value_range."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomSharpness")
        self.value_range = parse_value_range(value_range, "RandomSharpness")

    def _augment(self, images):
        images = self._cast(images)
        sharpness = self._uniform(_per_image(self, images), self.factor[0], self.factor[1]) * 2.0
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = np.array([[a, a, a], [a, b, a], [a, a, a]], dtype=self.dtype)
        smoothed = _depthwise_same(self, images, kernel)
        images = images + (1.0 - sharpness) * (smoothed - images)
        return ops.clip(images, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomPosterization(RandomImageLayer):
    """Keeps the top b bits of each 8-bit pixel value, b drawn per image from [lower, upper) of the
    factor (within [1, 8]; a single value when lower == upper)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (1, 8), "RandomPosterization")
        self.value_range = parse_value_range(value_range, "RandomPosterization")

    def _augment(self, images):
        batch = self._batch_size(images)
        low, high = int(self.factor[0]), int(self.factor[1])
        if low != high:
            bits = random_randint((batch,), low, high, dtype="int32", seed=self.generator)
        else:
            bits = ops.full((batch,), low, dtype="int32")
        shift = ops.cast(ops.reshape(8 - bits, (-1, 1, 1, 1)), "uint8")
        pixels = transform_value_range(self._cast(images), self.value_range, (0, 255))
        pixels = ops.cast(pixels, "uint8")
        pixels = ops.left_shift(ops.right_shift(pixels, shift), shift)
        return transform_value_range(self._cast(pixels), (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


def _solarization_factor(factor, name: str) -> tuple:
    """Solarization's factors: a number f gives (0, f), a pair is sorted; every entry in [0, 1]."""
    message = (f"Solarization: the `{name}` argument should be a number (or a list of two numbers) in the range "
               f"[0, 1]. Received: {name}={factor!r}")

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ValueError(message)
        return value

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(message)
        return tuple(sorted(check(f) for f in factor))
    return (0, check(factor))


class Solarization(RandomImageLayer):
    """Adds a value drawn from addition_factor (times 255) to each image, then inverts every pixel at or
    above a threshold drawn from threshold_factor (times 255), on the 0-255 scale of value_range.

    NOTE: as in Keras, only the upper end of each factor is scaled by 255."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _solarization_factor(addition_factor, "addition_factor")
        self.threshold_factor = _solarization_factor(threshold_factor, "threshold_factor")
        self.value_range = parse_value_range(value_range, "Solarization")

    def _augment(self, images):
        images = self._cast(images)
        addition_unit, threshold_unit = self._draws(images, 2)
        additions = between(addition_unit, self.addition_factor[0], self.addition_factor[1] * 255)
        thresholds = between(threshold_unit, self.threshold_factor[0], self.threshold_factor[1] * 255)
        pixels = ops.clip(transform_value_range(images, self.value_range, (0, 255)) + additions, 0, 255)
        pixels = ops.where(pixels < thresholds, pixels, 255 - pixels)
        return transform_value_range(pixels, (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


class AutoContrast(BaseImagePreprocessingLayer):
    """Stretches each image's values so that its minimum maps to the low end of value_range and its maximum
    to the high end (per channel); a constant image is left as it is. The same in training and inference.

    NOTE: as in Keras, the extremes are taken over axes 1 and 2 of the batch, whatever the data_format."""

    _RANDOM = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = parse_value_range(value_range, "AutoContrast")

    def _augment(self, images):
        original = images
        images = self._cast(transform_value_range(self._cast(images), self.value_range, (0, 255)))
        low = ops.min(images, axis=(1, 2), keepdims=True)
        high = ops.max(images, axis=(1, 2), keepdims=True)
        scale = 255.0 / (high - low)
        results = ops.clip(images * scale - low * scale, 0.0, 255.0)
        results = transform_value_range(results, (0, 255), self.value_range)
        return ops.where(ops.isnan(results), self._cast(original), results)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


class RandomInvert(RandomImageLayer):
    """Replaces each image x by value_range[1] - x with a probability drawn per image from the factor."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomInvert")
        self.value_range = check_value_range(value_range, "RandomInvert")

    def _augment(self, images):
        images = self._cast(images)
        probability_unit, threshold = self._draws(images, 2)
        apply = threshold < between(probability_unit, self.factor[0], self.factor[1])
        return ops.where(apply, self.value_range[1] - images, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomErasing(RandomImageLayer):
    """With a probability drawn from the factor, fills a random box of each image (its sides the square
    roots of fractions drawn from `scale`) with fill_value, or with noise (normal * value_range[1]) when
    fill_value is None; the fill is clipped to value_range."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomErasing")
        self.scale = parse_factor(scale, (0, 1), "RandomErasing", "scale")
        if fill_value is not None and not (
                isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool)
                or isinstance(fill_value, (tuple, list)) and len(fill_value) == 3):
            raise ValueError("RandomErasing: the `fill_value` argument should be a number (or a list of three "
                             f"numbers, one per channel), or None for noise. Received: fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = check_value_range(value_range, "RandomErasing")

    def _augment(self, images):
        images = self._cast(images)
        height, width = self._known_spatial_sizes(images)
        width_ratio, height_ratio, left, top, probability_unit, threshold = self._draws(images, 6)
        # the box: sides of sqrt(ratio) of the image, placed uniformly inside it; as (batch, 1, 1, 1) bounds
        box_width = ops.sqrt(between(width_ratio, *self.scale)) * float(width)
        box_height = ops.sqrt(between(height_ratio, *self.scale)) * float(height)
        x0, y0 = left * (float(width) - box_width), top * (float(height) - box_height)
        rows = np.arange(height, dtype=self.dtype).reshape(_along(self._height_axis, height))
        cols = np.arange(width, dtype=self.dtype).reshape(_along(self._width_axis, width))
        box = (cols >= x0) & (cols < x0 + box_width) & (rows >= y0) & (rows < y0 + box_height)
        apply = threshold < between(probability_unit, self.factor[0], self.factor[1])
        return ops.where(apply & box, self._fill(images), images)

    def _fill(self, images):
        if self.fill_value is None:
            fill = random_normal(ops.shape(images), seed=self.generator) * self.value_range[1]
        elif isinstance(self.fill_value, (tuple, list)):
            shape = [1, 1, 1, 1]
            shape[self._channels_axis] = 3
            fill = np.asarray(self.fill_value, self.dtype).reshape(shape)
        else:
            fill = np.asarray(self.fill_value, self.dtype)
        return ops.clip(fill, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}


def _kernel_size_pair(kernel_size) -> tuple:
    values = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    if len(values) != 2 or any(isinstance(k, bool) or not isinstance(k, (int, float)) or k < 1 or int(k) != k
                               or int(k) % 2 == 0 for k in values):
        raise ValueError(f"RandomGaussianBlur: kernel_size must be an odd positive integer (or a list of two); "
                         f"received kernel_size={kernel_size!r}")
    return tuple(int(k) for k in values)


def _gaussian_kernel_1d(size: int, sigma):
    offsets = np.arange(size, dtype="float32") - (size - 1) / 2
    weights = ops.exp(-0.5 * ops.square(offsets / sigma))
    return weights / ops.sum(weights)


class RandomGaussianBlur(RandomImageLayer):
    """Blurs each image, with a probability drawn from the factor, by a Gaussian whose standard deviations
    are drawn from `sigma` (one pair per batch, as Keras), clipped to value_range."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomGaussianBlur")
        self.kernel_size = _kernel_size_pair(kernel_size)
        self.sigma = parse_factor(sigma, (0, 1), "RandomGaussianBlur", "sigma")
        self.value_range = check_value_range(value_range, "RandomGaussianBlur")

    def _augment(self, images):
        images = self._cast(images)
        probability_unit, threshold, sigma_x, sigma_y = self._draws(images, 4)
        apply = threshold < between(probability_unit, self.factor[0], self.factor[1])
        # as in Keras, one pair of standard deviations for the whole batch (the first image's draws)
        sigma = between(ops.stack([sigma_x[0, 0, 0, 0], sigma_y[0, 0, 0, 0]]), *self.sigma) + 1e-6
        # as Keras builds it: the first size and sigma run along the width, the second along the height
        kernel = ops.outer(_gaussian_kernel_1d(self.kernel_size[1], sigma[1]),
                           _gaussian_kernel_1d(self.kernel_size[0], sigma[0]))
        blurred = _depthwise_same(self, images, kernel)
        return ops.clip(ops.where(apply, blurred, images), self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                "value_range": self.value_range, "seed": self.seed}
