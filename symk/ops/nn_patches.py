"""keras.ops.nn's rearrangements of image blocks: unfold / fold (PyTorch's im2col and col2im, on
channels-first images) and depth_to_space / space_to_depth (pixel shuffle).

unfold gives (N, C * kH * kW, L) with channels slowest and L the output positions row by row; fold
sums overlapping blocks back into (N, C, H, W), so fold(unfold(x)) counts each pixel once per block.

    >>> cols = symk.ops.nn.unfold(images, kernel_size=3, padding=1)     # (N, 9 C, H W)
    >>> symk.ops.nn.depth_to_space(x, block_size=2)                     # (N, 2H, 2W, C / 4)
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .nn_args import resolve_data_format
from .registry import apply, def_op


def _pair(value, what: str) -> tuple:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(not isinstance(v, int) for v in pair):
        raise RuleViolation(f"{what} must be an int or two ints, got {value!r}", "e.g. 3 or (3, 3)")
    return pair


def _geometry(attrs, padded_sizes):
    """Kernel, dilation, padding, stride pairs and the number of block positions per axis."""
    kernel, dilation = _pair(attrs.kernel_size, "kernel_size"), _pair(attrs.dilation, "dilation")
    padding, stride = _pair(attrs.padding, "padding"), _pair(attrs.stride, "stride")
    if min(kernel + dilation + stride) < 1 or min(padding) < 0:
        raise RuleViolation(f"kernel_size {kernel}, dilation {dilation} and stride {stride} must be positive and "
                            f"padding {padding} non-negative", "check the block arguments")
    counts = []
    for size, k, d, p, s in zip(padded_sizes, kernel, dilation, padding, stride):
        if size is None:
            counts.append(None)
            continue
        span = size + 2 * p - d * (k - 1)
        if span < 1:
            raise RuleViolation(f"a block spanning {d * (k - 1) + 1} pixels does not fit an axis of {size} "
                                f"(+{2 * p} padding)", "use a smaller kernel_size or dilation, or more padding")
        counts.append((span - 1) // s + 1)
    return kernel, dilation, padding, stride, counts


def unfold_rule(specs, attrs):
    (x,) = specs
    if len(x.shape) != 4:
        raise RuleViolation(f"unfold takes a 4-D (N, C, H, W) input, got rank {len(x.shape)}",
                            "unfold channels-first images")
    n, c, h, w = x.shape
    kernel, _, _, _, (rows, cols) = _geometry(attrs, (h, w))
    blocks = None if rows is None or cols is None else rows * cols
    return TensorSpec.of((n, None if c is None else c * kernel[0] * kernel[1], blocks), x.dtype)


def _unfold(x, kernel_size, dilation, padding, stride):
    n, c, h, w = x.shape
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (_pair(v, "") for v in (kernel_size, dilation, padding, stride))
    rows, cols = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    x = jnp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    blocks = [x[:, :, i * dh:i * dh + sh * (rows - 1) + 1:sh, j * dw:j * dw + sw * (cols - 1) + 1:sw]
              for i in range(kh) for j in range(kw)]
    return jnp.stack(blocks, axis=2).reshape(n, c * kh * kw, rows * cols)


BLOCK_ATTRS = dict(kernel_size=1, dilation=1, padding=0, stride=1)
def_op("unfold", unfold_rule, _unfold, attrs=BLOCK_ATTRS,
       doc="Sliding blocks of an (N, C, H, W) image as columns (N, C * kH * kW, L).")


def fold_rule(specs, attrs):
    (x,) = specs
    if len(x.shape) != 3:
        raise RuleViolation(f"fold takes a 3-D (N, C * kH * kW, L) input, got rank {len(x.shape)}",
                            "fold the output of unfold")
    n, features, blocks = x.shape
    height, width = _pair(attrs.output_size, "output_size")
    kernel, _, _, _, (rows, cols) = _geometry(attrs, (height, width))
    per_channel = kernel[0] * kernel[1]
    if features is not None and features % per_channel:
        raise RuleViolation(f"axis 1 ({features}) must be a multiple of kernel_size's {per_channel} pixels",
                            "pass C * kH * kW features per block")
    if blocks is not None and blocks != rows * cols:
        raise RuleViolation(f"an output of {(height, width)} holds {rows} x {cols} = {rows * cols} blocks, but the "
                            f"input has {blocks}", "check output_size, kernel_size, stride and padding")
    return TensorSpec.of((n, None if features is None else features // per_channel, height, width), x.dtype)


def _fold(x, output_size, kernel_size, dilation, padding, stride):
    (height, width), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (
        _pair(v, "") for v in (output_size, kernel_size, dilation, padding, stride))
    n, features, _ = x.shape
    c = features // (kh * kw)
    rows, cols = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    x = x.reshape(n, c, kh, kw, rows, cols)
    out = jnp.zeros((n, c, height + 2 * ph, width + 2 * pw), x.dtype)
    for i in range(kh):   # each kernel offset adds its blocks at a strided grid of pixels
        for j in range(kw):
            out = out.at[:, :, i * dh:i * dh + sh * (rows - 1) + 1:sh, j * dw:j * dw + sw * (cols - 1) + 1:sw].add(
                x[:, :, i, j])
    return out[:, :, ph:ph + height, pw:pw + width]


def_op("fold", fold_rule, _fold, attrs=dict(output_size=1, **BLOCK_ATTRS),
       doc="Sum columns of blocks (N, C * kH * kW, L) back into an (N, C, H, W) image.")


@keras_export("nn")
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks of a channels-first image batch as columns."""
    return apply("unfold", [x], kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)


@keras_export("nn")
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine columns of sliding blocks into a channels-first image batch, summing overlaps."""
    return apply("fold", [x], output_size=output_size, kernel_size=kernel_size, dilation=dilation,
                 padding=padding, stride=stride)


# -- depth_to_space / space_to_depth -----------------------------------------------------------
def _times(dim, k):
    return None if dim is None else dim * k


def _over(dim, k):
    return None if dim is None else dim // k


def block_rearrange_rule(specs, attrs):
    (x,) = specs
    if len(x.shape) != 4:
        raise RuleViolation(f"the input must be 4-D images, got rank {len(x.shape)}", "pass (N, H, W, C) images")
    if not isinstance(attrs.block_size, int) or attrs.block_size < 2:
        raise RuleViolation(f"block_size must be an integer >= 2, got {attrs.block_size!r}", "use e.g. 2")
    if attrs.data_format not in ("channels_last", "channels_first"):
        raise RuleViolation(f"unknown data_format {attrs.data_format!r}", "use 'channels_last' or 'channels_first'")
    b = attrs.block_size
    if attrs.data_format == "channels_last":
        n, h, w, c = x.shape
    else:
        n, c, h, w = x.shape
    if attrs.to_space:
        if c is not None and c % (b * b):
            raise RuleViolation(f"the {c} channels must be a multiple of block_size ** 2 = {b * b}",
                                "use a block_size whose square divides the channels")
        h, w, c = _times(h, b), _times(w, b), _over(c, b * b)
    else:
        for name, size in (("height", h), ("width", w)):
            if size is not None and size % b:
                raise RuleViolation(f"the {name} {size} must be a multiple of block_size {b}",
                                    "crop or pad the images to a multiple of the block size")
        h, w, c = _over(h, b), _over(w, b), _times(c, b * b)
    shape = (n, h, w, c) if attrs.data_format == "channels_last" else (n, c, h, w)
    return TensorSpec.of(shape, x.dtype)


def _depth_to_space(x, b, data_format):
    if data_format == "channels_last":   # channels split as (row, column, channel), TensorFlow's order
        n, h, w, c = x.shape
        x = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
        return x.reshape(n, h * b, w * b, c // (b * b))
    n, c, h, w = x.shape                 # channels split as (channel, row, column), PyTorch's order
    x = x.reshape(n, c // (b * b), b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // (b * b), h * b, w * b)


def _space_to_depth(x, b, data_format):
    if data_format == "channels_last":
        n, h, w, c = x.shape
        x = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
        return x.reshape(n, h // b, w // b, c * b * b)
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * b * b, h // b, w // b)


def _block_rearrange(x, block_size, data_format, to_space):
    return (_depth_to_space if to_space else _space_to_depth)(x, block_size, data_format)


def_op("block_rearrange", block_rearrange_rule, _block_rearrange,
       attrs=dict(block_size=2, data_format="channels_last", to_space=True),
       doc="depth_to_space (to_space=True) or space_to_depth: move block_size x block_size blocks between the "
           "channels and the spatial axes.")


def _block_size(function: str, block_size) -> int:
    if not isinstance(block_size, int) or block_size < 2:
        raise ValueError(f"{function}: block_size must be an integer of at least 2, got {block_size!r}")
    return block_size


@keras_export("nn")
def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channel blocks into space: (N, H, W, C) -> (N, H b, W b, C / b**2)."""
    return apply("block_rearrange", [x], block_size=_block_size("depth_to_space", block_size),
                 data_format=resolve_data_format("depth_to_space", data_format), to_space=True)


@keras_export("nn")
def space_to_depth(x, block_size, data_format="channels_last"):
    """Move spatial blocks into the channels: (N, H, W, C) -> (N, H / b, W / b, C b**2)."""
    return apply("block_rearrange", [x], block_size=_block_size("space_to_depth", block_size),
                 data_format=resolve_data_format("space_to_depth", data_format), to_space=False)
