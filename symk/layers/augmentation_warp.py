"""Warping augmentation layers: RandomPerspective (a random projective map of the corners) and
RandomElasticTransform (pixels moved by smoothed noise).

Each draws what Keras 3 draws, in Keras's order and shapes, from the layer's SeedGenerator, so a layer
seeded alike gives Keras's numbers in training; at inference the images pass in the compute dtype.

    >>> RandomPerspective(factor=0.5, scale=0.3, seed=1)(images, training=True)
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..random import normal as random_normal
from .augmentation_base import INTERPOLATIONS, RandomImageLayer, check_choice, check_value_range, parse_factor


def running_index(vector, dtype: str = "int32"):
    """0, 1, ..., n - 1 for a vector of n entries, n possibly known only at run time (ops.arange needs a
    Python number)."""
    return ops.cumsum(ops.ones_like(vector, dtype=dtype), axis=0) - ops.ones_like(vector, dtype=dtype)

__all__ = ["RandomPerspective", "RandomElasticTransform"]

ELASTIC_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomPerspective(RandomImageLayer):
    """With a probability drawn per image from `factor`, moves each corner of the image by up to
    ±scale/2 times its own coordinates (x and y apart) and warps the image to match; pixels from outside
    the image get fill_value."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomPerspective")
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0.0 <= scale <= 1.0:
            raise ValueError(f"RandomPerspective: the `scale` argument should be a number in the range [0, 1]. "
                             f"Received: scale={scale!r}")
        self.scale = scale
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "RandomPerspective", "interpolation")
        self.fill_value = fill_value

    def _augment(self, images):
        images = self._cast(images)
        height, width = self._known_spatial_sizes(images)
        batch = self._batch_size(images)
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        threshold = self._uniform((batch,))
        apply = ops.reshape(threshold < probability, (-1, 1, 1, 1))
        moves = self._uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale, dtype=self.compute_dtype)
        corners = np.array([[[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]]],
                           dtype=self.compute_dtype)
        start = ops.zeros_like(moves) + corners
        end = start + start * moves
        warped = ops.image.perspective_transform(images, start, end, interpolation=self.interpolation,
                                                 fill_value=self.fill_value, data_format=self.data_format)
        return ops.where(apply, warped, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value, "seed": self.seed}


class RandomElasticTransform(RandomImageLayer):
    """With a probability drawn per image from `factor`, moves every pixel by Gaussian noise smoothed by a
    Gaussian of sigma = 0.05 f min(height, width) and scaled by alpha = 0.1 f max(height, width), f drawn
    once per batch from `scale`; the result is clipped to value_range.

    NOTE: as in Keras, both displacement fields come from one key, so they are equal (pixels move along the
    diagonal). Keras sizes the smoothing kernel from the drawn sigma (int(6 sigma) | 1), which a compiled
    graph cannot; here it is sized from the largest sigma the scale allows, so it is Keras's kernel when
    the scale is one value and otherwise a wider one (its weights are Keras's, renormalized)."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, (0, 1), "RandomElasticTransform")
        self.scale = parse_factor(scale, (0, 1), "RandomElasticTransform", "scale")
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "RandomElasticTransform", "interpolation")
        self.fill_mode = check_choice(fill_mode, ELASTIC_FILL_MODES, "RandomElasticTransform", "fill_mode")
        self.fill_value = fill_value
        self.value_range = check_value_range(value_range, "RandomElasticTransform")

    def _augment(self, images):
        images = self._cast(images)
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images  # as in Keras: nothing drawn, nothing clipped
        height, width = self._known_spatial_sizes(images)
        batch = self._batch_size(images)
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        threshold = self._uniform((batch,))
        apply = ops.reshape(threshold < probability, (-1, 1, 1, 1))
        distortion = self._uniform((), self.scale[0], self.scale[1], dtype=self.compute_dtype)
        alpha = max(height, width) * (0.1 * distortion)
        sigma = min(height, width) * (0.05 * distortion)
        largest_sigma = np.float32(min(height, width)) * (np.float32(0.05) * np.float32(self.scale[1]))
        size = int(6 * largest_sigma) | 1
        noise = random_normal((batch, height, width, 1), seed=self.generator, dtype=self.compute_dtype) * sigma
        kernel = _gaussian_kernel_2d(size, sigma)
        field = ops.nn.depthwise_conv(noise, ops.reshape(kernel, (size, size, 1, 1)), strides=1, padding="same")
        moved = self._sample(images, ops.reshape(field, (-1, height, width)) * alpha, height, width)
        images = ops.where(apply, moved, images)
        return self._cast(ops.clip(images, self.value_range[0], self.value_range[1]))

    def _sample(self, images, displacement, height: int, width: int):
        """Each (image, channel) plane sampled at (row + d, column + d), d its image's displacement."""
        planar = images if self.data_format == "channels_first" else ops.transpose(images, (0, 3, 1, 2))
        channels = planar.shape[1]
        if channels is None:
            raise ValueError(f"Layer {self.name!r} (RandomElasticTransform) needs the number of channels of its "
                             f"input to be known; received images of shape {tuple(images.shape)}")
        planes = ops.reshape(planar, (-1, height, width))
        rows = np.arange(height, dtype="float32").reshape(1, 1, height, 1)
        cols = np.arange(width, dtype="float32").reshape(1, 1, 1, width)
        moved = ops.expand_dims(displacement, 1) + ops.zeros_like(planar)             # (batch, C, H, W)
        plane_index = ops.reshape(running_index(planes[:, 0, 0], "float32"), (-1, 1, 1))
        coordinates = ops.stack([ops.zeros_like(ops.reshape(moved, (-1, height, width))) + plane_index,
                                 ops.reshape(moved + rows, (-1, height, width)),
                                 ops.reshape(moved + cols, (-1, height, width))])
        order = 0 if self.interpolation == "nearest" else 1
        sampled = ops.image.map_coordinates(planes, coordinates, order=order, fill_mode=self.fill_mode,
                                            fill_value=self.fill_value)
        sampled = ops.reshape(sampled, (-1, channels, height, width))
        return sampled if self.data_format == "channels_first" else ops.transpose(sampled, (0, 2, 3, 1))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}


def _gaussian_kernel_2d(size: int, sigma):
    """Keras's gaussian_blur kernel for one `sigma` (a tensor) along both axes: outer(k, k), k normalized."""
    offsets = np.arange(size, dtype="float32") - np.float32((size - 1) / 2)
    weights = ops.exp(-0.5 * ops.square(offsets / sigma))
    weights = weights / ops.sum(weights)
    return ops.outer(weights, weights)
