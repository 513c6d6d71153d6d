"""keras.ops.nn's convolutions and pooling (conv, depthwise_conv, separable_conv, conv_transpose, max_pool,
average_pool) over the conv, depthwise_conv, conv_transpose and pool ops of symk/ops/conv.py.

As Keras on JAX does, `data_format=None` is symk.config.image_data_format(), conv's groups follow from
the input's channels over the kernel's input channels, and the input is cast to the kernel's dtype.

    >>> symk.ops.nn.conv(images, kernel, strides=2, padding="same")
    >>> symk.ops.nn.max_pool(images, pool_size=2)          # strides default to pool_size
"""
from __future__ import annotations

from .api import keras_export
from .conv import channel_axis
from .nn_args import cast_to, resolve_data_format, resolve_padding
from .registry import apply, spec_of


def _groups(function: str, inputs, kernel, data_format: str) -> int:
    shape = spec_of(inputs).shape
    if len(shape) < 3:
        raise ValueError(f"{function}: inputs need a batch, a channel and at least one spatial axis; got shape "
                         f"{tuple(shape)}")
    channels, per_group = shape[channel_axis(len(shape), data_format)], spec_of(kernel).shape[-2]
    if channels is None or per_group is None:
        return 1
    if channels % per_group:
        raise ValueError(f"{function}: the input's {channels} channels do not divide into groups of the kernel's "
                         f"{per_group} input channels (kernel shape {tuple(spec_of(kernel).shape)}); check "
                         "data_format, or build the kernel as (*window, channels // groups, filters)")
    return channels // per_group


@keras_export("nn")
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-d convolution; kernel (*window, in_channels / groups, filters)."""
    data_format = resolve_data_format("conv", data_format)
    groups = _groups("conv", inputs, kernel, data_format)
    inputs = cast_to(inputs, spec_of(kernel).dtype)
    return apply("conv", [inputs, kernel], strides=strides, padding=resolve_padding("conv", padding),
                 dilation_rate=dilation_rate, groups=groups, data_format=data_format)


@keras_export("nn")
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; kernel (*window, in_channels, depth_multiplier)."""
    data_format = resolve_data_format("depthwise_conv", data_format)
    inputs = cast_to(inputs, spec_of(kernel).dtype)
    return apply("depthwise_conv", [inputs, kernel], strides=strides,
                 padding=resolve_padding("depthwise_conv", padding), dilation_rate=dilation_rate,
                 data_format=data_format)


@keras_export("nn")
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """A depthwise convolution followed by a pointwise one (kernel (1, ..., 1, in * multiplier, filters))."""
    data_format = resolve_data_format("separable_conv", data_format)
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, strides=1, padding="valid", data_format=data_format,
                dilation_rate=dilation_rate)


@keras_export("nn")
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Transposed convolution; kernel (*window, filters, in_channels)."""
    data_format = resolve_data_format("conv_transpose", data_format)
    inputs = cast_to(inputs, spec_of(kernel).dtype)
    return apply("conv_transpose", [inputs, kernel], strides=strides,
                 padding=resolve_padding("conv_transpose", padding), dilation_rate=dilation_rate,
                 output_padding=output_padding, data_format=data_format)


def _pool(function: str, kind: str, inputs, pool_size, strides, padding, data_format):
    return apply("pool", [inputs], kind=kind, pool_size=pool_size,
                 strides=pool_size if strides is None else strides, padding=resolve_padding(function, padding),
                 data_format=resolve_data_format(function, data_format))


@keras_export("nn")
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over the spatial axes."""
    return _pool("max_pool", "max", inputs, pool_size, strides, padding, data_format)


@keras_export("nn")
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; 'same' windows average over the real elements only."""
    return _pool("average_pool", "avg", inputs, pool_size, strides, padding, data_format)
