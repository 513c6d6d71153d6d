"""Convolution and pooling ops (N-d, both data formats), with Keras's padding arithmetic.

Kernels keep Keras's layouts so weights load one-to-one: conv (*spatial, in/groups, out),
depthwise_conv (*spatial, in, multiplier), conv_transpose (*spatial, out, in).

    >>> symk.ops.conv(x, kernel, strides=(2, 2), padding="same")
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec, conv_output_length
from .elementwise import result_dtype
from .registry import def_op

PADDINGS = ("valid", "same", "causal")
DATA_FORMATS = ("channels_last", "channels_first")


# -- layout helpers --------------------------------------------------------------------
def channel_axis(rank: int, data_format: str) -> int:
    return rank - 1 if data_format == "channels_last" else 1


def spatial_axes(rank: int, data_format: str) -> tuple:
    return tuple(range(1, rank - 1)) if data_format == "channels_last" else tuple(range(2, rank))


def _dimension_numbers(rank: int, data_format: str) -> lax.ConvDimensionNumbers:
    """lax's (batch, feature, *spatial) index lists for an input laid out as `data_format`,
    and a kernel laid out as Keras lays it out: (*spatial, in, out)."""
    io_spec = (0, channel_axis(rank, data_format)) + spatial_axes(rank, data_format)
    kernel_spec = (rank - 1, rank - 2) + tuple(range(rank - 2))
    return lax.ConvDimensionNumbers(io_spec, kernel_spec, io_spec)


def _tuple(value, n: int, what: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) != n:
        raise RuleViolation(f"{what} {value} needs one entry per spatial axis ({n})", f"give {n} integers")
    return value


def explicit_padding(lengths, window, strides, dilation, padding) -> list:
    """(before, after) pads per spatial axis. 'same' pads as TensorFlow does (the extra one at
    the end), 'causal' pads only at the start so no output sees the future."""
    pads = []
    for n, k, s, d in zip(lengths, window, strides, dilation):
        effective = d * (k - 1) + 1
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((effective - 1, 0))
        else:
            total = max((math.ceil(n / s) - 1) * s + effective - n, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def _check_common(x, kernel_rank, attrs, what="kernel"):
    rank = len(x.shape)
    if rank < 3:
        raise RuleViolation(f"the input must have a batch, a channel and at least one spatial axis; got rank {rank}",
                            "add the missing axes, e.g. reshape (batch, length) to (batch, length, 1)")
    if kernel_rank is not None and kernel_rank != rank:
        raise RuleViolation(f"a rank-{rank} input needs a rank-{rank} {what}, got rank {kernel_rank}",
                            "build the kernel for this input's number of spatial axes")
    if attrs.padding not in PADDINGS:
        raise RuleViolation(f"unknown padding {attrs.padding!r}", "use 'valid' or 'same' (or 'causal' for 1-D)")
    if attrs.data_format not in DATA_FORMATS:
        raise RuleViolation(f"unknown data_format {attrs.data_format!r}", "use 'channels_last' or 'channels_first'")
    n = rank - 2
    strides = _tuple(attrs.strides, n, "strides")
    dilation = _tuple(attrs.dilation_rate, n, "dilation_rate")
    if min(strides + dilation) < 1:
        raise RuleViolation(f"strides {strides} and dilation_rate {dilation} must be positive", "use integers >= 1")
    return rank, strides, dilation


def _output_spatial(x_shape, window, strides, dilation, attrs):
    rank = len(x_shape)
    return [conv_output_length(x_shape[a], k, attrs.padding, s, d)
            for a, k, s, d in zip(spatial_axes(rank, attrs.data_format), window, strides, dilation)]


def _assemble(batch, channels, spatial, data_format):
    return (batch, *spatial, channels) if data_format == "channels_last" else (batch, channels, *spatial)


def _same_channels(got, expected) -> bool:
    return got is None or expected is None or got == expected


# -- conv ------------------------------------------------------------------------------
def conv_rule(specs, attrs):
    x, kernel = specs
    rank, strides, dilation = _check_common(x, len(kernel.shape), attrs)
    in_channels = x.shape[channel_axis(rank, attrs.data_format)]
    per_group, filters = kernel.shape[-2], kernel.shape[-1]
    if attrs.groups < 1 or filters % attrs.groups:
        raise RuleViolation(f"the {filters} filters do not divide into groups={attrs.groups}",
                            "choose filters as a multiple of groups")
    if not _same_channels(in_channels, per_group * attrs.groups):
        raise RuleViolation(
            f"the kernel expects {per_group * attrs.groups} input channels ({per_group} per group x {attrs.groups} "
            f"groups), but the input's channel axis has {in_channels}",
            "check data_format, or build the kernel for this input")
    spatial = _output_spatial(x.shape, kernel.shape[:-2], strides, dilation, attrs)
    return TensorSpec.of(_assemble(x.shape[0], filters, spatial, attrs.data_format), result_dtype(specs))


def _conv(x, kernel, strides, padding, dilation_rate, groups, data_format):
    rank = x.ndim
    n = rank - 2
    strides, dilation = _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate")
    lengths = [x.shape[a] for a in spatial_axes(rank, data_format)]
    pads = explicit_padding(lengths, kernel.shape[:-2], strides, dilation, padding)
    return lax.conv_general_dilated(x, kernel.astype(x.dtype), strides, pads, rhs_dilation=dilation,
                                    dimension_numbers=_dimension_numbers(rank, data_format),
                                    feature_group_count=groups)


CONV_ATTRS = dict(strides=1, padding="valid", dilation_rate=1, groups=1, data_format="channels_last")
def_op("conv", conv_rule, _conv, attrs=CONV_ATTRS, inputs=2,
       doc="N-d convolution (cross-correlation); kernel (*spatial, in/groups, out) as Keras lays it out.")


# -- depthwise conv --------------------------------------------------------------------
def depthwise_conv_rule(specs, attrs):
    x, kernel = specs
    rank, strides, dilation = _check_common(x, len(kernel.shape), attrs)
    in_channels = x.shape[channel_axis(rank, attrs.data_format)]
    if not _same_channels(in_channels, kernel.shape[-2]):
        raise RuleViolation(f"the depthwise kernel is built for {kernel.shape[-2]} channels, the input has {in_channels}",
                            "check data_format, or build the kernel for this input")
    spatial = _output_spatial(x.shape, kernel.shape[:-2], strides, dilation, attrs)
    channels = kernel.shape[-2] * kernel.shape[-1]
    return TensorSpec.of(_assemble(x.shape[0], channels, spatial, attrs.data_format), result_dtype(specs))


def _depthwise_conv(x, kernel, strides, padding, dilation_rate, data_format):
    # one group per input channel: output channel c * multiplier + m, as Keras orders them
    *window, channels, multiplier = kernel.shape
    grouped = kernel.reshape((*window, 1, channels * multiplier))
    return _conv(x, grouped, strides, padding, dilation_rate, channels, data_format)


def_op("depthwise_conv", depthwise_conv_rule, _depthwise_conv,
       attrs={k: v for k, v in CONV_ATTRS.items() if k != "groups"}, inputs=2,
       doc="Depthwise convolution; kernel (*spatial, in, depth_multiplier).")


# -- transposed conv -------------------------------------------------------------------
def transpose_padding(kernel: int, stride: int, dilation: int, padding: str, output_padding) -> tuple:
    """Pads of the stride-dilated input that give Keras's output length (its JAX backend's rule):
    'valid' -> (n - 1) * s + max(k, s) (+ output_padding), 'same' -> n * s."""
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return effective - 1, effective - 1 + extra
    total = stride + effective - 2 if output_padding is None else effective + effective % 2 - 2 + output_padding
    before = min(total // 2 + total % 2, effective - 1)
    return before, total - before


def _output_paddings(output_padding, n):
    return (None,) * n if output_padding is None else _tuple(output_padding, n, "output_padding")


def conv_transpose_rule(specs, attrs):
    x, kernel = specs
    rank, strides, dilation = _check_common(x, len(kernel.shape), attrs)
    if attrs.padding == "causal":
        raise RuleViolation("a transposed convolution has no 'causal' padding", "use 'valid' or 'same'")
    in_channels = x.shape[channel_axis(rank, attrs.data_format)]
    if not _same_channels(in_channels, kernel.shape[-1]):
        raise RuleViolation(f"the kernel (*spatial, out, in) expects {kernel.shape[-1]} input channels, "
                            f"the input has {in_channels}", "check data_format, or build the kernel for this input")
    paddings = _output_paddings(attrs.output_padding, rank - 2)
    spatial = []
    for a, k, s, d, op in zip(spatial_axes(rank, attrs.data_format), kernel.shape[:-2], strides, dilation, paddings):
        if op is not None and op >= s:
            raise RuleViolation(f"output_padding {op} must be smaller than the stride {s}", "lower output_padding")
        n = x.shape[a]
        before, after = transpose_padding(k, s, d, attrs.padding, op)
        spatial.append(None if n is None else (n - 1) * s + 1 + before + after - ((k - 1) * d + 1) + 1)
    return TensorSpec.of(_assemble(x.shape[0], kernel.shape[-2], spatial, attrs.data_format), result_dtype(specs))


def _conv_transpose(x, kernel, strides, padding, dilation_rate, output_padding, data_format):
    # The gradient of a conv: spread the input by the stride, then correlate with the kernel
    # flipped in space and with its in/out axes swapped.
    rank = x.ndim
    n = rank - 2
    strides, dilation = _tuple(strides, n, "strides"), _tuple(dilation_rate, n, "dilation_rate")
    pads = [transpose_padding(k, s, d, padding, op) for k, s, d, op in
            zip(kernel.shape[:-2], strides, dilation, _output_paddings(output_padding, n))]
    flipped = jnp.flip(kernel, axis=tuple(range(n))).swapaxes(-1, -2)
    return lax.conv_general_dilated(x, flipped.astype(x.dtype), (1,) * n, pads, lhs_dilation=strides,
                                    rhs_dilation=dilation, dimension_numbers=_dimension_numbers(rank, data_format))


def_op("conv_transpose", conv_transpose_rule, _conv_transpose,
       attrs=dict(strides=1, padding="valid", dilation_rate=1, output_padding=None, data_format="channels_last"),
       inputs=2, doc="Transposed convolution; kernel (*spatial, out, in) as Keras lays it out.")


# -- pooling ---------------------------------------------------------------------------
def pool_rule(specs, attrs):
    (x,) = specs
    rank, strides, _ = _check_common(x, None, attrs)
    if attrs.kind not in ("max", "avg"):
        raise RuleViolation(f"unknown pooling kind {attrs.kind!r}", "use 'max' or 'avg'")
    if attrs.padding == "causal":
        raise RuleViolation("pooling has no 'causal' padding", "use 'valid' or 'same'")
    window = _tuple(attrs.pool_size, rank - 2, "pool_size")
    if min(window) < 1:
        raise RuleViolation(f"pool_size {window} must be positive", "use integers >= 1")
    spatial = _output_spatial(x.shape, window, strides, (1,) * (rank - 2), attrs)
    channels = x.shape[channel_axis(rank, attrs.data_format)]
    dtype = x.dtype if attrs.kind == "max" or "float" in x.dtype else "float32"
    return TensorSpec.of(_assemble(x.shape[0], channels, spatial, attrs.data_format), dtype)


def _pool(x, kind, pool_size, strides, padding, data_format, dilation_rate=1):
    rank = x.ndim
    axes = spatial_axes(rank, data_format)
    window, steps = [1] * rank, [1] * rank
    for a, k, s in zip(axes, _tuple(pool_size, rank - 2, "pool_size"), _tuple(strides, rank - 2, "strides")):
        window[a], steps[a] = k, s
    pads = [(0, 0)] * rank
    for a, pad in zip(axes, explicit_padding([x.shape[a] for a in axes], [window[a] for a in axes],
                                             [steps[a] for a in axes], (1,) * len(axes), padding)):
        pads[a] = pad
    if kind == "max":
        lowest = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
        # NOTE: a concrete numpy init value lets jax pick its differentiable max-pool primitive
        return lax.reduce_window(x, np.asarray(lowest, x.dtype), lax.max, window, steps, pads)
    x = x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float32)
    sums = lax.reduce_window(x, np.zeros((), x.dtype), lax.add, window, steps, pads)
    if padding == "valid":
        return sums / math.prod(window)
    # Keras averages 'same' windows over the real elements only, not the zero padding
    ones = jnp.ones([x.shape[a] if a in axes else 1 for a in range(rank)], x.dtype)
    counts = lax.reduce_window(ones, np.zeros((), x.dtype), lax.add, window, steps, pads)
    return sums / counts


def_op("pool", pool_rule, _pool,
       attrs=dict(kind="max", pool_size=2, strides=2, padding="valid", data_format="channels_last", dilation_rate=1),
       doc="Max or average pooling over the spatial axes ('same' averages count real elements only).")
