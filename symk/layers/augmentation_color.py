"""Colour augmentation layers: RandomContrast, RandomBrightness, RandomGrayscale, RandomHue, RandomSaturation,
RandomColorDegeneration and RandomColorJitter (brightness, contrast, saturation and hue in turn).

Each draws one factor per image in training and returns the images unchanged at inference (in the
compute dtype). `value_range` is the range the pixel values live in, as in Keras ((0, 255) by default).

    >>> RandomContrast(0.2, value_range=(0, 1))(images, training=True)
"""
from __future__ import annotations

from .. import ops
from .augmentation_base import (RandomImageLayer, check_value_range, parse_factor, parse_value_range,
                                transform_value_range)

__all__ = ["RandomContrast", "RandomBrightness", "RandomGrayscale", "RandomHue", "RandomSaturation",
           "RandomColorDegeneration", "RandomColorJitter"]

_EPSILON = 1e-7  # Keras's backend.epsilon()


class _ColorLayer(RandomImageLayer):
    """`_adjust(images, uniform)` is the augmentation, drawing with `uniform(shape, minval, maxval)`, so that
    RandomColorJitter can run it with its own generator."""

    def _augment(self, images):
        return self._adjust(self._cast(images), self._uniform)

    def _adjust(self, images, uniform):
        raise NotImplementedError

    def _per_image(self, images):
        return (self._batch_size(images), 1, 1, 1)

    def _channel_planes(self, images) -> list:
        if self.data_format == "channels_last":
            return [images[:, :, :, i] for i in range(3)]
        return [images[:, i] for i in range(3)]

    def _stack_planes(self, planes):
        return ops.stack(planes, axis=self._channels_axis)


class RandomContrast(_ColorLayer):
    """(x - mean) * c + mean per image and channel (the mean over height and width), c drawn from
    [1 - lower, 1 + upper] of the factor, clipped to value_range.

    NOTE: as in Keras, a single number f gives the factor (0, f): the contrast is only ever raised."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomContrast")
        self.value_range = check_value_range(value_range, "RandomContrast")

    def _adjust(self, images, uniform):
        factor = uniform(self._per_image(images), 1.0 - self.factor[0], 1.0 + self.factor[1])
        mean = ops.mean(ops.mean(images, axis=self._height_axis, keepdims=True), axis=self._width_axis,
                        keepdims=True)
        return ops.clip((images - mean) * factor + mean, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomBrightness(_ColorLayer):
    """Adds a delta drawn from factor * (value_range width) to each image, clipped to value_range
    (factor=0.2: up to ±20% of the range; a pair gives the range of the fraction)."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = parse_factor(factor or 0.0, (-1, 1), "RandomBrightness")
        self.value_range = parse_value_range(value_range, "RandomBrightness")

    def _adjust(self, images, uniform):
        low, high = self.value_range
        delta = uniform(self._per_image(images), self.factor[0], self.factor[1]) * (high - low)
        return ops.clip(images + delta, low, high)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomGrayscale(_ColorLayer):
    """Turns each RGB image to grayscale (kept as 3 equal channels) with probability `factor`."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale: `factor` (the probability of turning an image gray) should be "
                             f"between 0 and 1. Received: factor={factor!r}")
        self.factor = factor

    def _adjust(self, images, uniform):
        apply = uniform(self._per_image(images)) < self.factor
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.where(apply, gray, images)

    def get_config(self):
        # NOTE: Keras leaves the seed out of this layer's config; it is kept here so a loaded layer draws alike
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


class RandomHue(_ColorLayer):
    """Shifts the hue of each image by up to half a turn times the factor drawn (either direction)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomHue")
        self.value_range = check_value_range(value_range, "RandomHue")

    def _adjust(self, images, uniform):
        unit = uniform((self._batch_size(images), 2))
        direction = ops.where(unit[:, 0] > 0.5, -1.0, 1.0)
        amount = unit[:, 1] * (self.factor[1] - self.factor[0]) + self.factor[0]
        shift = ops.reshape(direction * amount * 0.5, (-1, 1, 1))
        unit = transform_value_range(images, self.value_range, (0, 1))
        hue, saturation, value = self._channel_planes(ops.image.rgb_to_hsv(unit, data_format=self.data_format))
        hue = hue + shift
        hue = ops.where(hue > 1.0, hue - 1.0, hue)
        hue = ops.where(hue < 0.0, hue + 1.0, hue)
        rgb = ops.image.hsv_to_rgb(self._stack_planes([hue, saturation, value]), data_format=self.data_format)
        return self._cast(transform_value_range(ops.clip(rgb, 0, 1), (0, 1), self.value_range))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomSaturation(_ColorLayer):
    """Scales the HSV saturation of each image by f / (1 - f), f drawn from the factor (f=0.5 keeps it,
    0 makes the image gray, 1 saturates it fully); the scaled saturation is clipped to value_range.

    NOTE: as in Keras, the images are not mapped to [0, 1] first, and a number f draws from [-f, f]."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (-1, 1), "RandomSaturation")
        self.value_range = parse_value_range(value_range, "RandomSaturation")

    def _adjust(self, images, uniform):
        factor = uniform((self._batch_size(images), 1, 1), self.factor[0], self.factor[1])
        factor = factor / (1.0 - factor + _EPSILON)
        hue, saturation, value = self._channel_planes(ops.image.rgb_to_hsv(images, data_format=self.data_format))
        saturation = ops.clip(saturation * factor, self.value_range[0], self.value_range[1])
        return ops.image.hsv_to_rgb(self._stack_planes([hue, saturation, value]), data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomColorDegeneration(_ColorLayer):
    """Blends each image towards its grayscale version by a factor drawn per image, clipped to value_range."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (-1, 1), "RandomColorDegeneration")
        self.value_range = parse_value_range(value_range, "RandomColorDegeneration")

    def _adjust(self, images, uniform):
        factor = uniform(self._per_image(images), self.factor[0], self.factor[1])
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.clip(images + factor * (gray - images), self.value_range[0], self.value_range[1])

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1 if self.data_format == "channels_last" else -3]
        if channels is not None and channels != 3:
            raise ValueError(f"Layer {self.name!r} (RandomColorDegeneration) needs RGB images (3 channels); "
                             f"received input shape {tuple(input_shape)}")
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


class RandomColorJitter(_ColorLayer):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that order, each only when its
    factor is given, all drawing from this layer's generator."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range, "RandomColorJitter")
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        # as in Keras, the steps are layers of their own (their generators stay unused).
        # NOTE: they get this layer's data_format; Keras leaves theirs at the default
        self.random_brightness = None if brightness_factor is None else RandomBrightness(
            brightness_factor, value_range=value_range, seed=seed, data_format=data_format)
        self.random_contrast = None if contrast_factor is None else RandomContrast(
            contrast_factor, value_range=value_range, seed=seed, data_format=data_format)
        self.random_saturation = None if saturation_factor is None else RandomSaturation(
            saturation_factor, value_range=value_range, seed=seed, data_format=data_format)
        self.random_hue = None if hue_factor is None else RandomHue(
            hue_factor, value_range=value_range, seed=seed, data_format=data_format)

    def _adjust(self, images, uniform):
        for step in (self.random_brightness, self.random_contrast, self.random_saturation, self.random_hue):
            if step is not None:
                images = self._cast(step._adjust(images, uniform))
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                "hue_factor": self.hue_factor, "seed": self.seed}
