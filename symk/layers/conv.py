"""Convolution layers: Conv1D/2D/3D, their transposes, SeparableConv1D/2D, DepthwiseConv1D/2D.

Each emits op "conv" (or "depthwise_conv" / "conv_transpose"), then "bias_add", then the
activation, so passes can fold a following batch_norm into the kernel. Weight shapes and
names follow Keras: Conv2D kernel (kh, kw, in/groups, out), Conv2DTranspose (kh, kw, out, in).

    >>> Conv2D(16, 3, padding="same", activation="relu")(x)
"""
from __future__ import annotations

from .. import activations
from ..config import image_data_format
from ..ops.registry import apply
from .base import Layer
from .input_spec import InputSpec
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
           "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose", "Convolution2DTranspose",
           "Convolution3DTranspose",
           "SeparableConvolution1D", "SeparableConvolution2D", "Deconvolution2D", "Deconvolution3D"]


def normalize_tuple(value, rank: int, what: str, layer: str) -> tuple:
    """Keras accepts an int (the same for every spatial axis) or one int per axis."""
    items = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(items) != rank or not all(isinstance(v, int) and v > 0 for v in items):
        raise ValueError(f"{layer}: {what} must be a positive integer or a tuple of {rank} positive integers; "
                         f"received {what}={value!r}")
    return items


def normalize_data_format(value, layer: str) -> str:
    """None is the global symk.config.image_data_format(), as in Keras."""
    value = (value or image_data_format()).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first'; received {value!r}")
    return value


def spatial_axes(data_format: str, rank: int) -> tuple:
    """The `rank` spatial axes of a (batch, ..., channels) or (batch, channels, ...) input."""
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def normalize_padding(value, allowed, layer: str) -> str:
    value = str(value).lower()
    if value == "causal" and layer in ("DepthwiseConv1D", "SeparableConv1D"):
        raise ValueError(f"{layer}: padding='causal' is accepted by Conv1D only (as in Keras 3). For a causal "
                         f"{layer}, pad the past yourself: ZeroPadding1D(((kernel_size - 1) * dilation_rate, 0)) "
                         "before it, then padding='valid'.")
    if value not in allowed:
        raise ValueError(f"{layer}: padding must be one of {allowed}; received padding={value!r}")
    return value


def _checked_depth_multiplier(value, layer: str) -> int:
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{layer}: depth_multiplier must be a positive integer; received {value!r}")
    return value


class _Conv(Layer):
    """Shared by every convolution: argument checks, the kernel and bias, configs."""

    rank = 2
    paddings = ("valid", "same")
    kernel_weight_name = "kernel"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(f"{cls}: filters must be a positive integer; received filters={filters!r}")
        self.filters = filters
        self.groups = int(groups)
        if self.groups < 1 or (filters is not None and filters % self.groups):
            raise ValueError(f"{cls}: filters ({filters}) must be a multiple of groups ({groups})")
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", cls)
        self.strides = normalize_tuple(strides, self.rank, "strides", cls)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{cls}: strides > 1 together with dilation_rate > 1 is not supported (as in Keras); "
                             f"received strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.padding = normalize_padding(padding, self.paddings, cls)
        self.data_format = normalize_data_format(data_format, cls)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    @property
    def channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape) -> int:
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) expects inputs of rank {self.rank + 2} "
                             f"(batch, {self.rank} spatial axes, channels); received input shape {tuple(input_shape)}")
        channels = input_shape[self.channel_axis]
        if channels is None:
            raise ValueError(f"Layer {self.name!r}: the channel axis ({self.channel_axis}) of the input must be known "
                             f"to build the kernel; received input shape {tuple(input_shape)}. "
                             "Check data_format, or give the input a fixed number of channels.")
        return channels

    def kernel_shape(self, channels: int) -> tuple:
        if channels % self.groups:
            raise ValueError(f"Layer {self.name!r}: the input's {channels} channels must be a multiple of "
                             f"groups={self.groups}")
        return self.kernel_size + (channels // self.groups, self.filters)

    def output_channels(self, channels: int) -> int:
        return self.filters

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = add_weight_with_settings(self, self.kernel_weight_name, self.kernel_shape(channels),
                                               settings_of="kernel")
        self._add_bias_and_input_spec(channels, self.output_channels(channels))
        super().build(input_shape)

    def _add_bias_and_input_spec(self, channels: int, output_channels: int) -> None:
        self.bias = add_weight_with_settings(self, "bias", (output_channels,)) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self.channel_axis: channels})

    def convolve(self, inputs):
        return apply("conv", [inputs, self.kernel], strides=self.strides, padding=self.padding,
                     dilation_rate=self.dilation_rate, groups=self.groups, data_format=self.data_format)

    def call(self, inputs):
        x = self.convolve(inputs)
        if self.bias is not None:
            x = apply("bias_add", [x, self.bias], data_format=self.data_format)
        return self.activation(x)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters, kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
            data_format=self.data_format, dilation_rate=self.dilation_rate, groups=self.groups,
            activation=activations.serialize(self.activation), use_bias=self.use_bias,
            **weight_settings_config(self, ("kernel", "bias"), activity_regularizer=True))
        return config


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels); padding 'causal' pads only the past."""
    rank = 1
    paddings = ("valid", "same", "causal")


class Conv2D(_Conv):
    rank = 2


class Conv3D(_Conv):
    rank = 3


class _ConvTranspose(_Conv):
    """Kernel (*spatial, filters, in); output length (n-1)*s + max(k, s) ('valid') or n*s ('same')."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, **kwargs):
        kwargs.pop("groups", None)
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        self.output_padding = None
        if output_padding is not None:
            pads = (output_padding,) * self.rank if isinstance(output_padding, int) else tuple(output_padding)
            if len(pads) != self.rank or not all(isinstance(p, int) and p >= 0 for p in pads):
                raise ValueError(f"{type(self).__name__}: output_padding must be a non-negative integer or a tuple of "
                                 f"{self.rank} of them; received {output_padding!r}")
            self.output_padding = pads
            for op, s in zip(pads, self.strides):
                if op >= s:
                    raise ValueError(f"{type(self).__name__}: output_padding {self.output_padding} must be smaller "
                                     f"than the strides {self.strides} on every axis")

    def kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (self.filters, channels)

    def convolve(self, inputs):
        return apply("conv_transpose", [inputs, self.kernel], strides=self.strides, padding=self.padding,
                     dilation_rate=self.dilation_rate, output_padding=self.output_padding, data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = self.output_padding
        return config


class Conv1DTranspose(_ConvTranspose):
    rank = 1


class Conv2DTranspose(_ConvTranspose):
    rank = 2


class Conv3DTranspose(_ConvTranspose):
    rank = 3


class _DepthwiseKernelSettings:
    """Keras names the depthwise kernel's settings depthwise_*; _Conv keeps them as kernel_*."""

    depthwise_initializer = property(lambda self: self.kernel_initializer)
    depthwise_regularizer = property(lambda self: self.kernel_regularizer)
    depthwise_constraint = property(lambda self: self.kernel_constraint)

    def _config_without(self, *keys) -> dict:
        config = super().get_config()
        for key in keys:
            config.pop(key)
        return config


class _DepthwiseConv(_DepthwiseKernelSettings, _Conv):
    """One filter bank per input channel: kernel (*spatial, in, depth_multiplier), output in * multiplier."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        kwargs.pop("filters", None)
        super().__init__(None, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _checked_depth_multiplier(depth_multiplier, type(self).__name__)

    def kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (channels, self.depth_multiplier)

    def output_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def convolve(self, inputs):
        return apply("depthwise_conv", [inputs, self.kernel], strides=self.strides, padding=self.padding,
                     dilation_rate=self.dilation_rate, data_format=self.data_format)

    def get_config(self):
        config = self._config_without("filters", "groups", "kernel_initializer", "kernel_regularizer",
                                      "kernel_constraint")
        config.update(depth_multiplier=self.depth_multiplier, **weight_settings_config(self, ("depthwise",)))
        return config


class DepthwiseConv1D(_DepthwiseConv):
    # NOTE: Keras 3 allows padding="causal" on Conv1D only (Keras 2 took it here too); see normalize_padding
    rank = 1


class DepthwiseConv2D(_DepthwiseConv):
    rank = 2


class _SeparableConv(_DepthwiseKernelSettings, _Conv):
    """A depthwise conv then a 1x1 conv: depthwise_kernel (*k, in, dm), pointwise_kernel (1.., in*dm, filters)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        kwargs.pop("groups", None)
        super().__init__(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _checked_depth_multiplier(depth_multiplier, type(self).__name__)
        set_weight_settings(self, "pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = add_weight_with_settings(
            self, "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier), settings_of="kernel")
        self.pointwise_kernel = add_weight_with_settings(
            self, "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            settings_of="pointwise")
        self._add_bias_and_input_spec(channels, self.filters)
        Layer.build(self, input_shape)

    def convolve(self, inputs):
        x = apply("depthwise_conv", [inputs, self.depthwise_kernel], strides=self.strides, padding=self.padding,
                  dilation_rate=self.dilation_rate, data_format=self.data_format)
        return apply("conv", [x, self.pointwise_kernel], data_format=self.data_format)

    def get_config(self):
        config = self._config_without("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint")
        config.update(depth_multiplier=self.depth_multiplier,
                      **weight_settings_config(self, ("depthwise", "pointwise")))
        return config


class SeparableConv1D(_SeparableConv):
    # NOTE: Keras 3 allows padding="causal" on Conv1D only (Keras 2 took it here too); see normalize_padding
    rank = 1


class SeparableConv2D(_SeparableConv):
    rank = 2


# Keras 2 spellings
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
Deconvolution2D, Deconvolution3D = Conv2DTranspose, Conv3DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
