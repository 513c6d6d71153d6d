"""ONNX import, neural-network operators: Conv, ConvTranspose, pooling, normalizations, Gemm, MatMul,
Softmax family, LRN, Einsum.

ONNX is channels-first; symk's conv takes channels_first too, with the kernel as (*window, in/groups, out),
so ONNX's (out, in/groups, *window) weights are transposed in the graph (the inference pipeline folds it).
Explicit and asymmetric pads become a pad op before a 'valid' conv; pooling uses onnx_pool
(symk/ops/onnx_compat.py), which takes begin/end pads, ceil mode and count_include_pad as ONNX does.
"""
from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..ops.registry import apply
from .import_ops_shape import norm_axis, pad_or_crop, shape_of
from .import_registry import def_import


def explicit_pads(node, spatial: tuple, kernel: tuple, strides: tuple, dilations: tuple) -> list:
    """[(begin, end)] per spatial axis from `pads` or `auto_pad` (SAME_UPPER puts the odd pixel at the end)."""
    n = len(kernel)
    auto = node.attr("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        out = []
        for size, k, s, d in zip(spatial, kernel, strides, dilations):
            total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
            small, large = total // 2, total - total // 2
            out.append((small, large) if auto == "SAME_UPPER" else (large, small))
        return out
    if auto == "VALID":
        return [(0, 0)] * n
    pads = node.attr("pads") or [0] * (2 * n)
    return [(int(pads[i]), int(pads[i + n])) for i in range(n)]


def _conv_geometry(node, x, w):
    kernel = tuple(node.attr("kernel_shape") or shape_of(w)[2:])
    n = len(kernel)
    strides = tuple(node.attr("strides") or (1,) * n)
    dilations = tuple(node.attr("dilations") or (1,) * n)
    return kernel, strides, dilations


def channel_bias(bias, rank: int):
    return ops.reshape(bias, (-1,) + (1,) * (rank - 2))


@def_import("Conv")
def _conv(node):
    x, w = node.input(0), node.input(1)
    kernel, strides, dilations = _conv_geometry(node, x, w)
    n = len(kernel)
    spatial = shape_of(x)[2:]
    if any(d is None for d in spatial) and node.attr("auto_pad", "NOTSET") in ("SAME_UPPER", "SAME_LOWER"):
        raise node.fail("auto_pad SAME needs known spatial sizes; pass fixed input shapes")
    pads = explicit_pads(node, spatial, kernel, strides, dilations)
    x = pad_or_crop(x, [[0, 0], [0, 0]] + [list(p) for p in pads])
    kernel_last = ops.transpose(w, tuple(range(2, 2 + n)) + (1, 0))
    out = apply("conv", [x, kernel_last], strides=strides, padding="valid", dilation_rate=dilations,
                groups=node.attr("group", 1), data_format="channels_first")
    if node.has_input(2):
        out = ops.add(out, channel_bias(node.input(2), len(shape_of(out))))
    return out


def dilate_axis(x, axis: int, stride: int):
    """Insert stride-1 zeros between the elements of one axis (the input of a transposed conv)."""
    if stride == 1:
        return x
    shape = list(shape_of(x))
    y = ops.expand_dims(x, axis + 1)
    width = [[0, 0] for _ in range(len(shape) + 1)]
    width[axis + 1] = [0, stride - 1]
    y = ops.pad(y, tuple(tuple(p) for p in width))
    shape[axis] = shape[axis] * stride
    y = ops.reshape(y, tuple(-1 if d is None else d for d in shape))
    key = [slice(None)] * len(shape)
    key[axis] = slice(0, shape[axis] - (stride - 1))
    return y[tuple(key)]


@def_import("ConvTranspose")
def _conv_transpose(node):
    """A conv over the stride-dilated input with the flipped, in/out-swapped kernel."""
    x, w = node.input(0), node.input(1)
    kernel, strides, dilations = _conv_geometry(node, x, w)
    n, groups = len(kernel), node.attr("group", 1)
    spatial = shape_of(x)[2:]
    output_padding = tuple(node.attr("output_padding") or (0,) * n)
    full = [s * (i - 1) + op + (k - 1) * d + 1 for i, k, s, d, op in zip(spatial, kernel, strides, dilations,
                                                                         output_padding)]
    if node.attr("output_shape"):
        target = list(node.attr("output_shape"))[-n:]
        totals = [f - t for f, t in zip(full, target)]
        upper = node.attr("auto_pad", "NOTSET") != "SAME_LOWER"
        halves = [int(t / 2) for t in totals]  # C division: a negative total (output_padding) goes to the end
        pads = [(h, t - h) if upper else (t - h, h) for t, h in zip(totals, halves)]
    elif node.attr("auto_pad", "NOTSET") in ("SAME_UPPER", "SAME_LOWER"):
        totals = [f - i * s for f, i, s in zip(full, spatial, strides)]
        upper = node.attr("auto_pad") == "SAME_UPPER"
        pads = [(t // 2, t - t // 2) if upper else (t - t // 2, t // 2) for t in totals]
    else:
        pads = explicit_pads(node, spatial, kernel, strides, dilations)
    for i, s in enumerate(strides):
        x = dilate_axis(x, 2 + i, s)
    width = [[0, 0], [0, 0]] + [[d * (k - 1) - b, d * (k - 1) - e + op]
                                for (b, e), k, d, op in zip(pads, kernel, dilations, output_padding)]
    x = pad_or_crop(x, width)
    c_in, c_out_g = shape_of(w)[:2]
    # (in, out/g, *k) -> (g, in/g, out/g, *k) -> (*k, in/g, g, out/g) -> (*k, in/g, out), flipped in space
    k = ops.reshape(w, (groups, c_in // groups, c_out_g) + kernel)
    k = ops.transpose(k, tuple(range(3, 3 + n)) + (1, 0, 2))
    k = ops.reshape(k, kernel + (c_in // groups, groups * c_out_g))
    k = ops.flip(k, axis=tuple(range(n)))
    out = apply("conv", [x, k], strides=(1,) * n, padding="valid", dilation_rate=dilations, groups=groups,
                data_format="channels_first")
    if node.has_input(2):
        out = ops.add(out, channel_bias(node.input(2), len(shape_of(out))))
    return out


def _pool(kind):
    def mapping(node):
        x = node.input(0)
        kernel = tuple(node.attr("kernel_shape"))
        n = len(kernel)
        strides = tuple(node.attr("strides") or (1,) * n)
        dilations = tuple(node.attr("dilations") or (1,) * n)
        spatial = shape_of(x)[2:]
        pads = explicit_pads(node, spatial, kernel, strides, dilations)
        if node.num_outputs > 1 and node.output_names[1]:  # MaxPool's Indices (symk/ops/onnx_image_pool.py)
            return list(apply("onnx_max_pool_with_indices", [x], kernel=kernel, strides=strides,
                              pads=tuple(p[0] for p in pads) + tuple(p[1] for p in pads), dilations=dilations,
                              ceil_mode=bool(node.attr("ceil_mode", 0)), storage_order=node.attr("storage_order", 0)))
        if node.attr("auto_pad", "NOTSET") in ("SAME_UPPER", "SAME_LOWER") and kind != "max":
            pass  # averages over SAME padding exclude the pads (count_include_pad 0) as ONNX's reference does
        return apply("onnx_pool", [x], kind=kind, kernel=kernel, strides=strides, pads=tuple(pads),
                     dilations=dilations, ceil_mode=bool(node.attr("ceil_mode", 0)),
                     count_include_pad=bool(node.attr("count_include_pad", 0)), p=node.attr("p", 2))
    return mapping


def_import("MaxPool")(_pool("max"))
def_import("AveragePool")(_pool("avg"))
def_import("LpPool")(_pool("lp"))


def _global_pool(kind):
    def mapping(node):
        x = node.input(0)
        axes = tuple(range(2, len(shape_of(x))))
        if kind == "max":
            return ops.max(x, axis=axes, keepdims=True)
        if kind == "avg":
            return ops.mean(x, axis=axes, keepdims=True)
        p = node.attr("p", 2)
        return ops.power(ops.sum(ops.power(ops.abs(x), p), axis=axes, keepdims=True), 1.0 / p)
    return mapping


def_import("GlobalMaxPool")(_global_pool("max"))
def_import("GlobalAveragePool")(_global_pool("avg"))
def_import("GlobalLpPool")(_global_pool("lp"))


@def_import("BatchNormalization")
def _batch_norm(node):
    x, scale, bias, mean, var = (node.input(i) for i in range(5))
    if node.attr("training_mode", 0) or (node.num_outputs > 1 and any(node.output_names[1:])):
        from .import_ops_training import training_batch_norm

        return training_batch_norm(node)
    rank = len(shape_of(x))
    eps = np.asarray(node.attr("epsilon", 1e-5), dtype=str(x.dtype))
    inv = ops.multiply(scale, ops.rsqrt(ops.add(var, eps)))
    shift = ops.subtract(bias, ops.multiply(mean, inv))
    return ops.add(ops.multiply(x, channel_bias(inv, rank)), channel_bias(shift, rank))


@def_import("InstanceNormalization")
def _instance_norm(node):
    x, scale, bias = node.input(0), node.input(1), node.input(2)
    rank = len(shape_of(x))
    axes = tuple(range(2, rank))
    mean = ops.mean(x, axis=axes, keepdims=True)
    var = ops.var(x, axis=axes, keepdims=True)
    eps = np.asarray(node.attr("epsilon", 1e-5), dtype=str(x.dtype))
    y = ops.divide(ops.subtract(x, mean), ops.sqrt(ops.add(var, eps)))
    return ops.add(ops.multiply(y, channel_bias(scale, rank)), channel_bias(bias, rank))


@def_import("LayerNormalization")
def _layer_norm(node):
    x = node.input(0)
    rank = len(shape_of(x))
    axis = norm_axis(node.attr("axis", -1), rank)
    axes = tuple(range(axis, rank))
    dtype = str(x.dtype)
    xf = ops.cast(x, "float32") if node.attr("stash_type", 1) == 1 else x
    mean = ops.mean(xf, axis=axes, keepdims=True)
    centered = ops.subtract(xf, mean)
    var = ops.mean(ops.square(centered), axis=axes, keepdims=True)
    inv_std = ops.rsqrt(ops.add(var, np.float32(node.attr("epsilon", 1e-5))))
    y = ops.cast(ops.multiply(centered, inv_std), dtype)
    y = ops.multiply(y, node.input(1))
    if node.has_input(2):
        y = ops.add(y, node.input(2))
    return [y, mean, inv_std][:node.num_outputs]


@def_import("LRN")
def _lrn(node):
    return apply("onnx_lrn", [node.input(0)], size=node.attr("size"), alpha=node.attr("alpha", 1e-4),
                 beta=node.attr("beta", 0.75), bias=node.attr("bias", 1.0))


@def_import("MatMul")
def _matmul(node):
    return ops.matmul(node.input(0), node.input(1))


@def_import("Gemm")
def _gemm(node):
    a, b = node.input(0), node.input(1)
    if node.attr("transA", 0):
        a = ops.transpose(a)
    if node.attr("transB", 0):
        b = ops.transpose(b)
    out = ops.matmul(a, b)
    alpha, beta = node.attr("alpha", 1.0), node.attr("beta", 1.0)
    if alpha != 1.0:
        out = ops.multiply(out, np.asarray(alpha, dtype=str(out.dtype)))
    if node.has_input(2):
        c = node.input(2)
        if beta != 1.0:
            c = ops.multiply(c, np.asarray(beta, dtype=str(out.dtype)))
        out = ops.add(out, c)
    return out


def _axis_wise(fn, default_axis_13: int = -1):
    """Softmax-like ops: opset 13 works on one axis; older opsets flatten to 2-D at `axis` first."""
    def mapping(node):
        x = node.input(0)
        shape = shape_of(x)
        if node.opset >= 13:
            return fn(x, norm_axis(node.attr("axis", default_axis_13), len(shape)))
        axis = norm_axis(node.attr("axis", 1), len(shape))
        flat = ops.reshape(x, (-1, int(np.prod(shape[axis:], dtype=np.int64))))
        return ops.reshape(fn(flat, 1), tuple(-1 if d is None else d for d in shape))
    return mapping


def _hardmax(x, axis):
    hot = ops.one_hot(ops.argmax(x, axis=axis), shape_of(x)[axis], axis=axis, dtype=str(x.dtype))
    return hot


def _softmax(x, axis):
    return apply("onnx_softmax", [x], axis=axis)


def_import("Softmax")(_axis_wise(_softmax))
def_import("LogSoftmax")(_axis_wise(lambda x, axis: ops.log_softmax(x, axis=axis)))
def_import("Hardmax")(_axis_wise(_hardmax))


@def_import("Einsum")
def _einsum(node):
    return ops.einsum(node.attr("equation").replace(" ", ""), *[v for v in node.inputs if v is not None])


@def_import("LpNormalization")
def _lp_normalization(node):
    x = node.input(0)
    axis, p = node.attr("axis", -1), node.attr("p", 2)
    if p == 1:
        norm = ops.sum(ops.abs(x), axis=axis, keepdims=True)
    else:
        norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    # a zero vector stays zero (ONNX's reference), rather than 0/0
    zero = ops.equal(norm, np.asarray(0, dtype=str(x.dtype)))
    return ops.where(zero, ops.zeros_like(x), ops.divide(x, ops.where(zero, ops.ones_like(norm), norm)))


@def_import("MeanVarianceNormalization")
def _mvn(node):
    x = node.input(0)
    axes = tuple(node.attr("axes", [0, 2, 3]))
    mean = ops.mean(x, axis=axes, keepdims=True)
    var = ops.subtract(ops.mean(ops.square(x), axis=axes, keepdims=True), ops.square(mean))
    return ops.divide(ops.subtract(x, mean), ops.add(ops.sqrt(var), np.asarray(1e-9, str(x.dtype))))


@def_import("RMSNormalization")
def _rms_norm(node):
    x = node.input(0)
    rank = len(shape_of(x))
    axes = tuple(range(norm_axis(node.attr("axis", -1), rank), rank))
    xf = ops.cast(x, "float32") if node.attr("stash_type", 1) == 1 else x
    ms = ops.mean(ops.square(xf), axis=axes, keepdims=True)
    y = ops.cast(ops.multiply(xf, ops.rsqrt(ops.add(ms, np.float32(node.attr("epsilon", 1e-5))))), str(x.dtype))
    return ops.multiply(y, node.input(1))
