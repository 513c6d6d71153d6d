"""Pooling layers: Max/AveragePooling1D/2D/3D and GlobalMax/GlobalAveragePooling1D/2D/3D.

    >>> MaxPooling2D(pool_size=2)(x)          # strides default to pool_size
    >>> GlobalAveragePooling2D(keepdims=True)(x)
"""
from __future__ import annotations

from ..ops.registry import apply
from .base import Layer
from .conv import normalize_data_format, normalize_padding, normalize_tuple, spatial_axes
from .input_spec import InputSpec

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
           "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
           "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
           "GlobalAvgPool3D"]


class _Pooling(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        if self.rank == 1:  # Keras 2's pool_length / stride spellings for 1-D pooling
            pool_size = kwargs.pop("pool_length", pool_size)
            strides = kwargs.pop("stride", strides)
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides", cls)
        self.padding = normalize_padding(padding, ("valid", "same"), cls)
        self.data_format = normalize_data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return apply("pool", [inputs], kind=self.kind, pool_size=self.pool_size, strides=self.strides,
                     padding=self.padding, data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    rank, kind = 1, "max"


class MaxPooling2D(_Pooling):
    rank, kind = 2, "max"


class MaxPooling3D(_Pooling):
    rank, kind = 3, "max"


class AveragePooling1D(_Pooling):
    rank, kind = 1, "avg"


class AveragePooling2D(_Pooling):
    rank, kind = 2, "avg"


class AveragePooling3D(_Pooling):
    rank, kind = 3, "avg"


class _GlobalPooling(Layer):
    rank = 2
    reduction = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def spatial_axes(self) -> tuple:
        return spatial_axes(self.data_format, self.rank)

    def call(self, inputs):
        return apply(self.reduction, [inputs], axis=self.spatial_axes, keepdims=self.keepdims)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling):
    rank, reduction = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    rank, reduction = 2, "max"


class GlobalMaxPooling3D(_GlobalPooling):
    rank, reduction = 3, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """Averages the steps; with a mask (from Embedding(mask_zero=True)) only the unmasked ones."""
    rank, reduction = 1, "mean"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = self.spatial_axes[0]
        channel = 2 if self.data_format == "channels_last" else 1
        weights = apply("expand_dims", [apply("cast", [mask], dtype=inputs.dtype)], axis=channel)
        total = apply("sum", [inputs * weights], axis=steps, keepdims=self.keepdims)
        count = apply("sum", [weights], axis=steps, keepdims=self.keepdims)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None  # the steps axis is gone


class GlobalAveragePooling2D(_GlobalPooling):
    rank, reduction = 2, "mean"


class GlobalAveragePooling3D(_GlobalPooling):
    rank, reduction = 3, "mean"


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                      GlobalAveragePooling3D)
