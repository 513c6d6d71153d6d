"""Histogram-equalization layers: Equalization (one histogram per channel) and
ContrastLimitedAdaptiveHistogramEqualization (CLAHE: one clipped histogram per tile, blended bilinearly).

Both follow Keras 3's arithmetic step by step (the 0-255 scale, the truncating casts, the rounding of
the lookup table), so that their outputs are Keras's to the last bit on ordinary images.

    >>> Equalization(value_range=(0, 1))(images)                      # training: equalized; inference: as given
    >>> ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(4, 4))(images)   # in both modes
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.image_histogram import histogram_counts
from .augmentation_base import BaseImagePreprocessingLayer, check_value_range, parse_value_range, transform_value_range

__all__ = ["Equalization", "ContrastLimitedAdaptiveHistogramEqualization"]


def _positive_int(value, layer: str, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: `{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def _to_channels_last(layer, images):
    return images if layer.data_format == "channels_last" else ops.transpose(images, (0, 2, 3, 1))


def _from_channels_last(layer, images):
    return images if layer.data_format == "channels_last" else ops.transpose(images, (0, 3, 1, 2))


def _scale_values(values, source, target):
    """Keras's Equalization._scale_values: an affine map of `source` onto `target` (scale, then offset)."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return values * scale + (target[0] - source[0] * scale)


class Equalization(BaseImagePreprocessingLayer):
    """Histogram equalization of each channel, on the 0-255 scale of `value_range`, with `bins` bins.

    In training the images are equalized; at inference they are returned as they are (as in Keras).
    NOTE: as in Keras, a channel's histogram counts the pixels of the whole batch, not of each image, and a
    channel whose pixels all fall into one bin is left unchanged."""

    _RANDOM = True  # not random, but Keras equalizes in training only

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = _positive_int(bins, "Equalization", "bins")
        self.value_range = parse_value_range(value_range, "Equalization")

    def _augment(self, images):
        images = _to_channels_last(self, self._cast(images))
        channels = images.shape[3]
        if channels is None:
            raise ValueError(f"Layer {self.name!r} (Equalization) needs the number of channels of its input to be "
                             f"known; received images of shape {tuple(images.shape)}")
        pixels = _scale_values(ops.cast(images, "float32"), self.value_range, (0, 255))
        # one row per channel: (channels, all pixels of the batch)
        rows = ops.reshape(ops.transpose(pixels, (3, 0, 1, 2)), (channels, -1))
        bins = self.bins
        bin_of = ops.clip(ops.cast(rows * float(bins - 1) / 255.0, "int32"), 0, bins - 1)
        hist = histogram_counts(bin_of, bins)                                       # (channels, bins)
        cdf = ops.cumsum(hist, axis=1)
        first = ops.argmax(cdf > 0, axis=1)
        cdf_min = ops.take_along_axis(cdf, ops.reshape(first, (-1, 1)), axis=1)
        denominator = cdf[:, -1:] - cdf_min
        denominator = ops.where(ops.equal(denominator, 0), ops.ones_like(denominator), denominator)
        # NOTE: in float32 where Keras multiplies int32s by 255, which overflows past 8.4M pixels a channel
        lookup = ops.cast(cdf - cdf_min, "float32") * 255.0 / ops.cast(denominator, "float32")
        lookup = ops.clip(ops.round(lookup), 0, 255)
        entries = ops.cast(ops.clip((rows / 255.0) * float(bins - 1), 0, bins - 1), "int32")
        equalized = ops.take_along_axis(lookup, entries, axis=1)
        occupied = ops.count_nonzero(hist, axis=1)
        equalized = ops.where(ops.reshape(occupied <= 1, (-1, 1)), rows, equalized)
        equalized = _scale_values(equalized, (0, 255), self.value_range)
        shape = ops.shape(images)
        equalized = ops.transpose(ops.reshape(equalized, (channels, shape[0], shape[1], shape[2])), (1, 2, 3, 0))
        return self._cast(_from_channels_last(self, equalized))

    def _inference(self, images):
        return images

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """CLAHE: each image is cut into tile_grid_size tiles; each tile's 256-bin histogram is clipped at
    clip_limit times its mean count (the excess spread over all bins) and equalized; each pixel takes the
    bilinear blend of the four nearest tiles' mappings. Applied in training and inference alike.

    NOTE: as in Keras, an image whose sides are not multiples of the grid is padded at the bottom and right
    (mirrored) for the tiles and cropped afterwards; the output has the input's dtype."""

    _RANDOM = False

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range, "ContrastLimitedAdaptiveHistogramEqualization")
        if isinstance(clip_limit, (bool, np.bool_)) or not isinstance(clip_limit, (int, float, np.number)):
            raise ValueError("ContrastLimitedAdaptiveHistogramEqualization: `clip_limit` must be a number (0 or less: "
                             f"no clipping). Received: clip_limit={clip_limit!r}")
        self.clip_limit = clip_limit
        if not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2:
            raise ValueError("ContrastLimitedAdaptiveHistogramEqualization: `tile_grid_size` must be two positive "
                             f"integers (rows, columns) of tiles. Received: tile_grid_size={tile_grid_size!r}")
        for size in tile_grid_size:
            _positive_int(size, "ContrastLimitedAdaptiveHistogramEqualization", "tile_grid_size")
        self.tile_grid_size = tile_grid_size

    def _augment(self, images):
        original_dtype = images.dtype
        images = _to_channels_last(self, images)
        height, width = images.shape[1], images.shape[2]
        channels = images.shape[3]
        if height is None or width is None or channels is None:
            raise ValueError(f"Layer {self.name!r} (ContrastLimitedAdaptiveHistogramEqualization) needs the height, "
                             f"width and channels of its input to be known; received images of shape "
                             f"{tuple(images.shape)}. Give Input a full image shape, e.g. Input((64, 64, 3)).")
        pixels = transform_value_range(ops.cast(images, "float32"), self.value_range, (0, 255))
        result = self._clahe(pixels, height, width, channels)
        result = transform_value_range(result, (0, 255), self.value_range)
        return _from_channels_last(self, ops.cast(result, original_dtype))

    def _clahe(self, images, height: int, width: int, channels: int):
        grid_h, grid_w = (int(g) for g in self.tile_grid_size)
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded_h, padded_w = tile_h * grid_h, tile_w * grid_w
        if (padded_h, padded_w) != (height, width):
            images = ops.pad(images, [[0, 0], [0, padded_h - height], [0, padded_w - width], [0, 0]],
                             mode="symmetric")
        # a histogram per (image, tile row, tile column, channel)
        tiles = ops.reshape(images, (-1, grid_h, tile_h, grid_w, tile_w, channels))
        tiles = ops.reshape(ops.transpose(tiles, (0, 1, 3, 5, 2, 4)), (-1, grid_h, grid_w, channels, tile_h * tile_w))
        hists = ops.cast(histogram_counts(ops.clip(ops.cast(tiles, "int32"), 0, 255), 256), "float32")
        if self.clip_limit > 0:
            clipped = ops.clip(hists, 0, self.clip_limit * (tile_h * tile_w) / 256.0)
            excess = ops.sum(hists - clipped, axis=-1, keepdims=True)
            hists = clipped + excess / 256.0
        cdf = ops.cumsum(hists, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        denominator = float(tile_h * tile_w) - cdf_min
        denominator = ops.where(ops.equal(denominator, 0), ops.ones_like(denominator), denominator)
        cdf = ops.clip((cdf - cdf_min) * 255.0 / denominator, 0, 255)
        # the grid of mappings, its edge tiles repeated once on every side: (batch, grid_h+2, grid_w+2, C, 256)
        cdf = ops.concatenate([cdf[:, :1], cdf, cdf[:, -1:]], axis=1)
        cdf = ops.concatenate([cdf[:, :, :1], cdf, cdf[:, :, -1:]], axis=2)
        table = ops.reshape(cdf, (-1, (grid_h + 2) * (grid_w + 2) * channels * 256))
        y0, y1, wy = _tile_coordinates(padded_h, tile_h, grid_h)
        x0, x1, wx = _tile_coordinates(padded_w, tile_w, grid_w)
        stride_x = 256 * channels
        stride_y = stride_x * (grid_w + 2)
        channel_offsets = np.arange(channels, dtype="int32")[None, None, :] * 256
        values = ops.cast(ops.clip(images, 0, 255), "int32")

        def lookup(rows, cols):
            offsets = rows[:, None, None] * stride_y + cols[None, :, None] * stride_x + channel_offsets
            indices = ops.reshape(values + offsets[None], (-1, padded_h * padded_w * channels))
            return ops.reshape(ops.take_along_axis(table, indices, axis=1), (-1, padded_h, padded_w, channels))

        wx = wx.reshape(1, 1, -1, 1)
        wy = wy.reshape(1, -1, 1, 1)
        top = lookup(y0, x0) * (1.0 - wx) + lookup(y0, x1) * wx
        bottom = lookup(y1, x0) * (1.0 - wx) + lookup(y1, x1) * wx
        result = top * (1.0 - wy) + bottom * wy
        return result[:, :height, :width, :]

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "clip_limit": self.clip_limit,
                "tile_grid_size": self.tile_grid_size}


def _tile_coordinates(size: int, tile: int, grid: int):
    """Per pixel along one axis: the two neighbouring tiles (in the grid padded by one tile) and the weight of
    the second, in float32 as Keras computes them (constants: they depend only on the sizes)."""
    position = (np.arange(size, dtype="float32") - np.float32(tile / 2.0)) / np.float32(tile) + np.float32(1.0)
    first = np.floor(position)
    weight = position - first
    second = np.clip(first + 1.0, 0, grid + 1).astype("int32")
    return np.clip(first, 0, grid + 1).astype("int32"), second, weight.astype("float32")
