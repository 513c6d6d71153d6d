"""Adaptive max and average pooling (keras.ops.nn.adaptive_max_pool / adaptive_average_pool): a fixed
output size, whatever the input's.

Output position i of an axis of length L pools input [floor(i L / n), ceil((i + 1) L / n)), as PyTorch
and Keras do. Those windows have only two sizes, so each axis is two stride-1 poolings and a gather.

    >>> symk.ops.nn.adaptive_average_pool(images, output_size=(7, 7))
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .conv import DATA_FORMATS, _assemble, channel_axis, spatial_axes
from .nn_args import resolve_data_format
from .registry import apply, def_op


def _output_sizes(output_size, n: int) -> tuple:
    sizes = (output_size,) * n if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != n or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise RuleViolation(f"output_size {output_size} needs one positive integer per spatial axis ({n})",
                            f"give an int or {n} ints")
    return sizes


def adaptive_pool_rule(specs, attrs):
    (x,) = specs
    rank = len(x.shape)
    if not 3 <= rank <= 5:
        raise RuleViolation(f"adaptive pooling takes 1 to 3 spatial axes (rank 3 to 5), got rank {rank}",
                            "reshape the input to (batch, *spatial, channels)")
    if attrs.kind not in ("max", "avg"):
        raise RuleViolation(f"unknown pooling kind {attrs.kind!r}", "use 'max' or 'avg'")
    if attrs.data_format not in DATA_FORMATS:
        raise RuleViolation(f"unknown data_format {attrs.data_format!r}", "use 'channels_last' or 'channels_first'")
    sizes = _output_sizes(attrs.output_size, rank - 2)
    channels = x.shape[channel_axis(rank, attrs.data_format)]
    dtype = x.dtype if attrs.kind == "max" or "float" in x.dtype else "float32"
    return TensorSpec.of(_assemble(x.shape[0], channels, sizes, attrs.data_format), dtype)


def _windows(length: int, size: int):
    """Start and size of each output position's window."""
    positions = np.arange(size)
    starts = positions * length // size
    ends = -((-(positions + 1) * length) // size)
    return starts, ends - starts


def _pool_axis(x, axis: int, size: int, kind: str):
    starts, widths = _windows(x.shape[axis], size)
    pooled = {}
    for width in sorted(set(widths.tolist())):   # one or two distinct widths
        window = [1] * x.ndim
        window[axis] = width
        if kind == "max":
            lowest = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
            pooled[width] = lax.reduce_window(x, np.asarray(lowest, x.dtype), lax.max, window, (1,) * x.ndim, "valid")
        else:
            sums = lax.reduce_window(x, np.zeros((), x.dtype), lax.add, window, (1,) * x.ndim, "valid")
            pooled[width] = sums / np.asarray(width, x.dtype)
    if len(pooled) == 1:
        return jnp.take(pooled[widths[0]], jnp.asarray(starts), axis=axis)
    small, big = sorted(pooled)
    is_big = (widths == big).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    # a big window's start is a valid index of both pooled arrays; a small one's only of the small one
    big_starts = np.where(widths == big, starts, 0)
    return jnp.where(is_big, jnp.take(pooled[big], jnp.asarray(big_starts), axis=axis),
                     jnp.take(pooled[small], jnp.asarray(starts), axis=axis))


def _adaptive_pool(x, kind, output_size, data_format):
    if kind == "avg" and not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    axes = spatial_axes(x.ndim, data_format)
    for axis, size in zip(axes, _output_sizes(output_size, len(axes))):
        x = _pool_axis(x, axis, size, kind)
    return x


def_op("adaptive_pool", adaptive_pool_rule, _adaptive_pool,
       attrs=dict(kind="avg", output_size=1, data_format="channels_last"),
       doc="Adaptive max or average pooling to a fixed output size per spatial axis.")


@keras_export("nn")
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to `output_size` (an int or one int per spatial axis)."""
    return apply("adaptive_pool", [inputs], kind="max", output_size=output_size,
                 data_format=resolve_data_format("adaptive_max_pool", data_format))


@keras_export("nn")
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to `output_size` (an int or one int per spatial axis)."""
    return apply("adaptive_pool", [inputs], kind="avg", output_size=output_size,
                 data_format=resolve_data_format("adaptive_average_pool", data_format))
