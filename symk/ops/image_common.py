"""What the image ops share: data_format resolution, the layout of 3-D/4-D images, dtype helpers, Keras's seeds.

Images are 3-D (one image) or 4-D (a batch), laid out as `data_format` says:
channels_last (..., height, width, channels) or channels_first (..., channels, height, width).
Lowerings work on a batch in channels_last order (`to_batch_last` / `from_batch_last`).
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .. import config
from ..errors import RuleViolation

DATA_FORMATS = ("channels_last", "channels_first")


def resolve_data_format(data_format, function: str) -> str:
    """Keras's `data_format=None` is the global image_data_format(); other values are checked here."""
    if data_format is None:
        return config.image_data_format()
    value = str(data_format).lower()
    if value not in DATA_FORMATS:
        raise ValueError(f"{function}: data_format must be 'channels_last' or 'channels_first' (or None for "
                         f"symk.config.image_data_format()). Received: data_format={data_format!r}")
    return value


def check_data_format(data_format) -> None:
    if data_format not in DATA_FORMATS:
        raise RuleViolation(f"unknown data_format {data_format!r}", "use 'channels_last' or 'channels_first'")


def check_image_rank(spec, what: str = "images") -> int:
    """The rank of a 3-D image or a 4-D batch of images; anything else is refused."""
    rank = len(spec.shape)
    if rank not in (3, 4):
        raise RuleViolation(f"{what} must be rank 3 (one image) or rank 4 (a batch of images), got rank {rank}",
                            "add a batch axis with ops.expand_dims, or reshape to (height, width, channels)")
    return rank


def image_axes(rank: int, data_format: str) -> tuple:
    """(height axis, width axis, channels axis) as non-negative indices of a rank-`rank` image tensor."""
    if data_format == "channels_last":
        return rank - 3, rank - 2, rank - 1
    return rank - 2, rank - 1, rank - 3


def require_float(spec, function: str, what: str = "images") -> None:
    if not is_float(spec.dtype):
        raise RuleViolation(f"{function} needs float {what}, got {spec.dtype}",
                            f"cast first, e.g. ops.cast({what}, 'float32')")


def is_float(dtype) -> bool:
    return jnp.issubdtype(jnp.dtype(dtype), jnp.floating)


def compute_float_dtype(dtype):
    """Keras's result_type(dtype, float): float types stay, ints and bools compute in float32."""
    return jnp.dtype(dtype) if is_float(dtype) else jnp.dtype(config.floatx())


def to_batch_last(x, batched: bool, data_format: str):
    """A (batch, height, width, channels) view of `x` (a batch of one for a single image)."""
    x = x if batched else x[None]
    return x if data_format == "channels_last" else jnp.moveaxis(x, 1, -1)


def from_batch_last(x, batched: bool, data_format: str):
    """Undo `to_batch_last`."""
    x = x if data_format == "channels_last" else jnp.moveaxis(x, -1, 1)
    return x if batched else x[0]


def saturate_cast(x, dtype):
    """Cast with values clipped to what `dtype` holds (ints rounded first), as Keras's resize returns ints."""
    dtype = jnp.dtype(dtype)
    if x.dtype == dtype:
        return x
    if dtype == jnp.bool_:
        low, high = 0, 1
    elif jnp.issubdtype(dtype, jnp.integer):
        x = jnp.round(x)
        low, high = jnp.iinfo(dtype).min, jnp.iinfo(dtype).max
    else:
        low, high = jnp.finfo(dtype).min, jnp.finfo(dtype).max
    # NOTE: a limit the float type cannot hold exactly (int32's max in float32 rounds up to 2**31) is moved
    # one step towards zero, so the cast never overflows.
    limits = []
    for limit in (low, high):
        as_float = np.asarray(limit).astype(x.dtype)
        if abs(float(as_float)) > abs(float(limit)):
            as_float = np.nextafter(as_float, np.zeros((), x.dtype))
        limits.append(as_float)
    return jnp.clip(x, limits[0], limits[1]).astype(dtype)


def keras_seed_key(seed: int):
    """The jax key Keras derives from an integer seed ([seed, 0] as uint32), so seeded calls give Keras's numbers."""
    return jnp.array([int(seed) & 0xFFFFFFFF, 0], dtype=jnp.uint32)


def check_seed(seed, function: str):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"{function}: seed must be an int or None (a fresh draw from the global seed each call). "
                        f"Received: seed={seed!r} of type {type(seed).__name__}")
    return None if seed is None else int(seed)
