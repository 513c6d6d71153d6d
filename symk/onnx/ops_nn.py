"""ONNX forms of the neural-network ops (symk/ops/products.py, conv.py, normalization.py, softmax).

ONNX convolutions and pools are channels-first: channels_last inputs are transposed in and out, and
Keras-laid-out kernels are transposed (or reshaped) by nodes on their initializers, which ONNX Runtime
folds once at load. Padding is always explicit: symk's own rule (conv.explicit_padding) gives the pads."""
from __future__ import annotations

import numpy as np

from ..ops.conv import explicit_padding, transpose_padding
from .registry import def_onnx


@def_onnx("matmul")
def _matmul(ctx, node):
    a, b = node.inputs
    dtype = node.out_specs[0].dtype
    a, b = [x if s.dtype == dtype else ctx.cast(x, dtype) for x, s in zip((a, b), node.in_specs)]
    return ctx.op("MatMul", [a, b])


@def_onnx("bias_add")
def _bias_add(ctx, node):
    x, bias = node.inputs
    rank = len(node.in_specs[0].shape)
    if node.attrs.data_format == "channels_first" and rank > 2:
        bias = ctx.reshape(bias, [-1] + [1] * (rank - 2))
    return ctx.op("Add", [x, bias])


@def_onnx("softmax")
def _softmax(ctx, node):
    axis = node.attrs.axis
    axes = axis if isinstance(axis, tuple) else (axis,)
    if len(axes) != 1:
        raise node.fail(f"softmax over several axes {axes}", "use one axis")
    return ctx.op("Softmax", node.inputs, axis=axes[0] % len(node.in_specs[0].shape))


@def_onnx("log_softmax")
def _log_softmax(ctx, node):
    return ctx.op("LogSoftmax", node.inputs, axis=node.attrs.axis % len(node.in_specs[0].shape))


# -- convolutions and pools -------------------------------------------------------------

def _tuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _to_channels_first(ctx, node, x):
    if node.attrs.data_format == "channels_first":
        return x
    rank = len(node.in_specs[0].shape)
    return ctx.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _from_channels_first(ctx, node, y):
    if node.attrs.data_format == "channels_first":
        return y
    rank = len(node.out_specs[0].shape)
    return ctx.transpose(y, [0] + list(range(2, rank)) + [1])


def _lengths(node):
    shape = node.in_specs[0].shape
    return list(shape[2:]) if node.attrs.data_format == "channels_first" else list(shape[1:-1])


def _pads(node, window, strides, dilation) -> list:
    lengths = _lengths(node)
    if node.attrs.padding == "same" and any(n is None for n in lengths):
        raise node.fail("'same' padding over a spatial axis of unknown size", "give the Input known spatial sizes")
    pairs = explicit_padding(lengths, window, strides, dilation, node.attrs.padding)
    return [p[0] for p in pairs] + [p[1] for p in pairs]


def _conv_kernel(ctx, kernel, n):
    """Keras (*spatial, in, out) -> ONNX (out, in, *spatial)."""
    return ctx.transpose(kernel, [n + 1, n] + list(range(n)))


@def_onnx("conv")
def _conv(ctx, node):
    x, kernel = node.inputs
    n = len(node.in_specs[0].shape) - 2
    window = node.in_specs[1].shape[:n]
    strides, dilation = _tuple(node.attrs.strides, n), _tuple(node.attrs.dilation_rate, n)
    y = ctx.op("Conv", [_to_channels_first(ctx, node, x), _conv_kernel(ctx, kernel, n)],
               strides=list(strides), dilations=list(dilation), group=int(node.attrs.groups),
               pads=_pads(node, window, strides, dilation), kernel_shape=list(window))
    return _from_channels_first(ctx, node, y)


@def_onnx("depthwise_conv")
def _depthwise_conv(ctx, node):
    """A grouped Conv with one group per input channel; kernel (*spatial, in, mult) -> (in * mult, 1, *spatial)."""
    x, kernel = node.inputs
    n = len(node.in_specs[0].shape) - 2
    *window, channels, multiplier = node.in_specs[1].shape
    strides, dilation = _tuple(node.attrs.strides, n), _tuple(node.attrs.dilation_rate, n)
    flat = ctx.reshape(kernel, list(window) + [1, channels * multiplier])
    y = ctx.op("Conv", [_to_channels_first(ctx, node, x), _conv_kernel(ctx, flat, n)],
               strides=list(strides), dilations=list(dilation), group=int(channels),
               pads=_pads(node, window, strides, dilation), kernel_shape=list(window))
    return _from_channels_first(ctx, node, y)


@def_onnx("conv_transpose")
def _conv_transpose(ctx, node):
    """symk pads the stride-dilated input by (before, after); ONNX crops the full transposed convolution by
    pads, so ONNX's pads are (effective - 1 - before, effective - 1 - after), a negative end crop becoming
    output_padding."""
    x, kernel = node.inputs
    n = len(node.in_specs[0].shape) - 2
    window = node.in_specs[1].shape[:n]
    strides, dilation = _tuple(node.attrs.strides, n), _tuple(node.attrs.dilation_rate, n)
    output_padding = node.attrs.output_padding
    output_padding = (None,) * n if output_padding is None else _tuple(output_padding, n)
    begins, ends, extras = [], [], []
    for k, s, d, op in zip(window, strides, dilation, output_padding):
        effective = (k - 1) * d + 1
        before, after = transpose_padding(k, s, d, node.attrs.padding, op)
        begin, end = effective - 1 - before, effective - 1 - after
        if begin < 0:
            raise node.fail(f"padding {node.attrs.padding!r} with kernel {k} and stride {s} pads before the input",
                            "use padding='valid'")
        begins.append(begin), ends.append(max(end, 0)), extras.append(max(-end, 0))
    # Keras (*spatial, out, in) -> ONNX (in, out, *spatial)
    weight = ctx.transpose(kernel, [n + 1, n] + list(range(n)))
    y = ctx.op("ConvTranspose", [_to_channels_first(ctx, node, x), weight], strides=list(strides),
               dilations=list(dilation), pads=begins + ends, output_padding=extras if any(extras) else None,
               kernel_shape=list(window))
    return _from_channels_first(ctx, node, y)


@def_onnx("pool")
def _pool(ctx, node):
    n = len(node.in_specs[0].shape) - 2
    window, strides = _tuple(node.attrs.pool_size, n), _tuple(node.attrs.strides, n)
    pads = _pads(node, window, strides, (1,) * n)
    x = _to_channels_first(ctx, node, node.inputs[0])
    if node.attrs.kind == "max":
        y = ctx.op("MaxPool", [x], kernel_shape=list(window), strides=list(strides), pads=pads)
    else:
        if node.in_specs[0].dtype != node.out_specs[0].dtype:
            x = ctx.cast(x, node.out_specs[0].dtype)
        # symk's 'same' average counts real elements only: ONNX's count_include_pad=0
        y = ctx.op("AveragePool", [x], kernel_shape=list(window), strides=list(strides), pads=pads,
                   count_include_pad=0)
    return _from_channels_first(ctx, node, y)


# -- normalization ----------------------------------------------------------------------
def _broadcastable(ctx, param, rank: int, axes) -> str:
    """A parameter shaped like the normalized axes, reshaped to broadcast against the input."""
    shape = [1] * rank
    for a in axes:
        shape[a] = -1 if len(axes) == 1 else 0
    if len(axes) == 1:
        return ctx.reshape(param, shape)
    return ctx.op("Unsqueeze", [param, ctx.ints([a for a in range(rank) if a not in axes])])


@def_onnx("batch_norm")
def _batch_norm(ctx, node):
    """Keras's formula, x * inv + (beta - mean * inv) with inv = gamma / sqrt(variance + epsilon)."""
    x, mean, variance, gamma, beta = node.inputs
    rank = len(node.in_specs[0].shape)
    axes = [node.attrs.axis % rank]
    mean, variance, gamma, beta = (_broadcastable(ctx, p, rank, axes) for p in (mean, variance, gamma, beta))
    eps = ctx.const(np.asarray(node.attrs.epsilon, node.out_specs[0].dtype))
    inv = ctx.op("Mul", [ctx.op("Reciprocal", [ctx.op("Sqrt", [ctx.op("Add", [variance, eps])])]), gamma])
    shift = ctx.op("Sub", [beta, ctx.op("Mul", [mean, inv])])
    return ctx.op("Add", [ctx.op("Mul", [x, inv]), shift])


@def_onnx("layer_norm")
def _layer_norm(ctx, node):
    x, gamma, beta = node.inputs
    rank = len(node.in_specs[0].shape)
    axis = node.attrs.axis
    axes = sorted(a % rank for a in (axis if isinstance(axis, tuple) else (axis,)))
    gamma, beta = _broadcastable(ctx, gamma, rank, axes), _broadcastable(ctx, beta, rank, axes)
    eps = ctx.const(np.asarray(node.attrs.epsilon, node.out_specs[0].dtype))
    axes_name = ctx.ints(axes)
    if node.attrs.rms_scaling:
        square_mean = ctx.op("ReduceMean", [ctx.op("Mul", [x, x]), axes_name], keepdims=1)
        inv = ctx.op("Reciprocal", [ctx.op("Sqrt", [ctx.op("Add", [square_mean, eps])])])
        return ctx.op("Mul", [ctx.op("Mul", [x, inv]), gamma])
    mean = ctx.op("ReduceMean", [x, axes_name], keepdims=1)
    centered = ctx.op("Sub", [x, mean])
    variance = ctx.op("ReduceMean", [ctx.op("Mul", [centered, centered]), axes_name], keepdims=1)
    inv = ctx.op("Mul", [ctx.op("Reciprocal", [ctx.op("Sqrt", [ctx.op("Add", [variance, eps])])]), gamma])
    return ctx.op("Add", [ctx.op("Mul", [x, inv]), ctx.op("Sub", [beta, ctx.op("Mul", [mean, inv])])])
