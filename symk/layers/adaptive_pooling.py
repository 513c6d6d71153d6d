"""Adaptive pooling layers: AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D, which pool
any input to a fixed `output_size` per spatial axis (over the adaptive_pool op).

    >>> AdaptiveAveragePooling2D(7)(images)        # (batch, 7, 7, channels) whatever the image size
"""
from __future__ import annotations

from ..ops.registry import apply
from .base import Layer
from .conv import normalize_data_format
from .input_spec import InputSpec

__all__ = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]

_AXIS_NAMES = {1: "length", 2: "(height, width)", 3: "(depth, height, width)"}


class _AdaptivePooling(Layer):
    rank = 2
    kind = "avg"

    def __init__(self, output_size, data_format=None, **kwargs):
        cls = type(self).__name__
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            sizes = (output_size,) * self.rank
        elif isinstance(output_size, (list, tuple)) and len(output_size) == self.rank:
            sizes = tuple(output_size)
        else:
            raise TypeError(f"{cls}: output_size must be an integer or a {_AXIS_NAMES[self.rank]} tuple of "
                            f"{self.rank} integers; received {output_size!r}")
        if not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(f"{cls}: every output size must be a positive integer; received output_size="
                             f"{output_size!r}")
        super().__init__(**kwargs)
        self.output_size = sizes
        self.data_format = normalize_data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return apply("adaptive_pool", [inputs], kind=self.kind, output_size=self.output_size,
                     data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Averages each of `output_size` windows of the steps of (batch, steps, channels)."""
    rank, kind = 1, "avg"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Averages each of output_size = (height, width) windows of an image batch."""
    rank, kind = 2, "avg"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Averages each of output_size = (depth, height, width) windows of a volume batch."""
    rank, kind = 3, "avg"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The maximum of each of `output_size` windows of the steps of (batch, steps, channels)."""
    rank, kind = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """The maximum of each of output_size = (height, width) windows of an image batch."""
    rank, kind = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """The maximum of each of output_size = (depth, height, width) windows of a volume batch."""
    rank, kind = 3, "max"
