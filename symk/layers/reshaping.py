"""Spatial reshaping layers: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D.

    >>> ZeroPadding2D(((1, 0), (2, 2)))(x)       # (top, bottom), (left, right)
    >>> UpSampling2D(2, interpolation="bilinear")(x)
"""
from __future__ import annotations

from ..ops.array import encode_index
from ..ops.registry import apply
from .base import Layer
from .conv import normalize_data_format, normalize_tuple, spatial_axes
from .input_spec import InputSpec

__all__ = ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
           "UpSampling1D", "UpSampling2D", "UpSampling3D"]


def normalize_pairs(value, rank: int, what: str, layer: str) -> tuple:
    """An int (same on both sides of every axis), one int per axis, or one (before, after) pair per axis."""
    if isinstance(value, int):
        pairs = ((value, value),) * rank
    else:
        items = tuple(value)
        if rank == 1 and len(items) == 2 and all(isinstance(v, int) for v in items):
            pairs = (items,)  # 1-D layers take a single (before, after) pair
        elif len(items) == rank and all(isinstance(v, int) for v in items):
            pairs = tuple((v, v) for v in items)
        elif len(items) == rank and all(isinstance(v, (list, tuple)) and len(v) == 2 for v in items):
            pairs = tuple(tuple(v) for v in items)
        else:
            pairs = None
    if pairs is None or not all(isinstance(v, int) and v >= 0 for p in pairs for v in p):
        raise ValueError(f"{layer}: {what} must be a non-negative integer, a tuple of {rank} integers, or a tuple of "
                         f"{rank} (before, after) pairs; received {what}={value!r}")
    return pairs


class _SpatialLayer(Layer):
    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def spatial_axes(self) -> tuple:
        return spatial_axes(self.data_format, self.rank)

    def get_config(self):
        config = super().get_config()
        # Keras 3's Cropping1D and UpSampling1D have no data_format argument (ZeroPadding1D has one)
        if self.rank > 1 or isinstance(self, _ZeroPadding):
            config["data_format"] = self.data_format
        return config


class _ZeroPadding(_SpatialLayer):
    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = normalize_pairs(padding, self.rank, "padding", type(self).__name__)

    def call(self, inputs):
        widths = [(0, 0)] * (self.rank + 2)
        for axis, pair in zip(self.spatial_axes, self.padding):
            widths[axis] = pair
        return apply("pad", [inputs], pad_width=tuple(widths))

    def get_config(self):
        # Keras's 1-D layers keep one flat (before, after) pair; Keras rejects [[before, after]]
        return {**super().get_config(), "padding": self.padding[0] if self.rank == 1 else self.padding}


class ZeroPadding1D(_ZeroPadding):
    rank = 1


class ZeroPadding2D(_ZeroPadding):
    rank = 2


class ZeroPadding3D(_ZeroPadding):
    rank = 3


class _Cropping(_SpatialLayer):
    def __init__(self, cropping=1, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = normalize_pairs(cropping, self.rank, "cropping", type(self).__name__)

    def call(self, inputs):
        key = [slice(None)] * (self.rank + 2)
        for axis, (before, after) in zip(self.spatial_axes, self.cropping):
            length = inputs.shape[axis]
            if length is not None and before + after >= length:
                raise ValueError(f"Layer {self.name!r}: cropping {(before, after)} removes all {length} entries of "
                                 f"axis {axis} of input shape {tuple(inputs.shape)}; crop less")
            key[axis] = slice(before, -after if after else None)
        return apply("getitem", [inputs], key=encode_index(tuple(key)))

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping[0] if self.rank == 1 else self.cropping}


class Cropping1D(_Cropping):
    rank = 1


class Cropping2D(_Cropping):
    rank = 2


class Cropping3D(_Cropping):
    rank = 3


# Keras 3's UpSampling2D methods: "nearest" repeats rows and columns, the others go through
# ops.image.resize (jax.image.resize, no antialiasing) as Keras's do
_RESIZE_METHODS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


class _UpSampling(_SpatialLayer):
    def __init__(self, size=2, data_format=None, interpolation="nearest", **kwargs):
        if self.rank == 1:
            size = kwargs.pop("length", size)  # Keras 2's UpSampling1D(length=...)
        super().__init__(data_format=data_format, **kwargs)
        self.size = normalize_tuple(size, self.rank, "size", type(self).__name__)
        allowed = _RESIZE_METHODS if self.rank == 2 else ("nearest",)
        interpolation = str(interpolation).lower()
        if interpolation not in allowed:
            raise ValueError(f"{type(self).__name__}: interpolation must be one of {allowed}; "
                             f"received {interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation != "nearest":
            from ..ops import image

            sizes = []
            for axis, factor in zip(self.spatial_axes, self.size):
                if inputs.shape[axis] is None:
                    raise ValueError(f"Layer {self.name!r}: {self.interpolation} upsampling needs known spatial "
                                     f"sizes; received input shape {tuple(inputs.shape)}. Give the Input fixed "
                                     "height and width, or use interpolation='nearest'.")
                sizes.append(inputs.shape[axis] * factor)
            return image.resize(inputs, tuple(sizes), interpolation=self.interpolation, data_format=self.data_format)
        x = inputs
        for axis, factor in zip(self.spatial_axes, self.size):
            if factor != 1:
                x = apply("repeat", [x], repeats=factor, axis=axis)
        return x

    def get_config(self):
        config = {**super().get_config(), "size": self.size[0] if self.rank == 1 else self.size}
        if self.rank == 2:
            config["interpolation"] = self.interpolation
        return config


class UpSampling1D(_UpSampling):
    rank = 1


class UpSampling2D(_UpSampling):
    rank = 2


class UpSampling3D(_UpSampling):
    rank = 3
