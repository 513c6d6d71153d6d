"""keras.ops.image.extract_patches (2-D or 3-D) and extract_patches_3d: every window of an image as a vector.

    >>> symk.ops.image.extract_patches(images, (5, 5)).shape        # (2, 20, 20, 3) -> (2, 4, 4, 75)

A patch's vector lists its pixels row by row with the channels innermost, as Keras's identity-kernel
convolution does. The op gathers with strided slices, so patches are exact for every dtype.
"""
from __future__ import annotations

import itertools
import math

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, conv_output_length
from .api import keras_export
from .conv import explicit_padding
from .image_common import check_data_format, resolve_data_format
from .registry import apply, def_op


def _layout(rank: int, n: int, data_format: str):
    """(batched, spatial axes, channel axis) of a rank-`rank` input with `n` spatial axes."""
    batched = rank == n + 2
    first = 1 if batched else 0
    if data_format == "channels_last":
        return batched, tuple(range(first, first + n)), rank - 1
    return batched, tuple(range(first + 1, first + 1 + n)), first


def extract_patches_rule(specs, attrs):
    (x,) = specs
    check_data_format(attrs.data_format)
    n = len(attrs.size)
    if n not in (2, 3):
        raise RuleViolation(f"size {attrs.size} must give 2 (2-D patches) or 3 (3-D patches) window sizes",
                            "e.g. size=(3, 3)")
    rank = len(x.shape)
    if rank not in (n + 1, n + 2):
        raise RuleViolation(f"{n}-D patches need a rank-{n + 1} input (one {'image' if n == 2 else 'volume'}) or a "
                            f"rank-{n + 2} batch, got rank {rank}", "check size against the input's spatial axes")
    if attrs.padding not in ("valid", "same"):
        raise RuleViolation(f"unknown padding {attrs.padding!r}", "use 'valid' or 'same'")
    for what, values in (("size", attrs.size), ("strides", attrs.strides), ("dilation_rate", attrs.dilation_rate)):
        if len(values) != n or any(not isinstance(v, int) or v < 1 for v in values):
            raise RuleViolation(f"{what} {values} must be {n} positive integers", f"give one {what} per spatial axis")
    batched, spatial, channel = _layout(rank, n, attrs.data_format)
    shape = list(x.shape)
    for axis, k, s, d in zip(spatial, attrs.size, attrs.strides, attrs.dilation_rate):
        shape[axis] = conv_output_length(shape[axis], k, attrs.padding, s, d)
    shape[channel] = None if shape[channel] is None else shape[channel] * math.prod(attrs.size)
    return TensorSpec.of(shape, x.dtype)


def _extract_patches(x, size, strides, dilation_rate, padding, data_format):
    n = len(size)
    batched, spatial, _ = _layout(x.ndim, n, data_format)
    x = x if batched else x[None]
    x = x if data_format == "channels_last" else jnp.moveaxis(x, 1, -1)      # (batch, *spatial, channels)
    lengths = x.shape[1:-1]
    out_lengths = [conv_output_length(m, k, padding, s, d) for m, k, s, d in zip(lengths, size, strides, dilation_rate)]
    pads = explicit_padding(lengths, size, strides, dilation_rate, padding)
    x = jnp.pad(x, [(0, 0), *pads, (0, 0)])
    windows = []
    for offsets in itertools.product(*(range(k) for k in size)):       # row-major over the window
        index = tuple(slice(o * d, o * d + (m - 1) * s + 1, s)
                      for o, d, m, s in zip(offsets, dilation_rate, out_lengths, strides))
        windows.append(x[(slice(None), *index, slice(None))])
    patches = jnp.stack(windows, axis=-2)                                # (batch, *out, window, channels)
    patches = patches.reshape(patches.shape[:-2] + (-1,))
    patches = patches if data_format == "channels_last" else jnp.moveaxis(patches, -1, 1)
    return patches if batched else patches[0]


def_op("extract_patches", extract_patches_rule, _extract_patches,
       attrs=dict(size=(1, 1), strides=(1, 1), dilation_rate=(1, 1), padding="valid", data_format="channels_last"),
       doc="Every (dilated, strided) window of an image or volume as one vector of its pixels.")


def _per_axis(value, n: int, function: str, what: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{function}: {what} must be an int or a tuple of {n} ints. Received: {what}={value!r}")
    return tuple(value)


def _patches(function, images, size, strides, dilation_rate, padding, data_format):
    n = len(size)
    strides = size if strides is None else _per_axis(strides, n, function, "strides")
    return apply("extract_patches", [images], size=size, strides=strides,
                 dilation_rate=_per_axis(dilation_rate, n, function, "dilation_rate"), padding=padding,
                 data_format=resolve_data_format(data_format, function))


@keras_export("image")
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of images (size an int or (height, width)) or of volumes (size (depth, height, width)).

    `strides` defaults to `size` (patches that do not overlap).

    >>> symk.ops.image.extract_patches(np.ones((2, 20, 20, 3)), (5, 5)).shape
    (2, 4, 4, 75)
    """
    size = _per_axis(size, 2, "extract_patches", "size")
    if len(size) not in (2, 3):
        raise ValueError(f"extract_patches: size must be an int or a tuple of length 2 (2-D patches) or 3 (3-D "
                         f"patches). Received: size={size} with length {len(size)}")
    return _patches("extract_patches", images, size, strides, dilation_rate, padding, data_format)


@keras_export("image")
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of volumes (4-D, or 5-D for a batch): size an int or (depth, height, width).

    >>> symk.ops.image.extract_patches_3d(np.ones((2, 10, 10, 10, 3)), (3, 3, 3)).shape
    (2, 3, 3, 3, 81)
    """
    size = _per_axis(size, 3, "extract_patches_3d", "size")
    if len(size) != 3:
        raise ValueError(f"extract_patches_3d: size must be an int or a tuple of length 3. Received: size={size}")
    return _patches("extract_patches_3d", volumes, size, strides, dilation_rate, padding, data_format)
