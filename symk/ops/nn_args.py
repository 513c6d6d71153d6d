"""Reading the Python arguments of the keras.ops.nn functions: data formats, float dtypes, casts.

The nn_*.py family files check their arguments here before they apply an op, so a bad argument
fails with the Keras function's name in the message.

    >>> resolve_data_format("conv", None)           # symk.config.image_data_format()
"""
from __future__ import annotations

import jax.numpy as jnp

from ..config import image_data_format
from ..shapes import canonical_dtype
from .registry import apply, spec_of


def is_float(dtype: str) -> bool:
    return jnp.issubdtype(jnp.dtype(dtype), jnp.floating)


def float_dtype(dtype: str) -> str:
    """The dtype a float computation on `dtype` gives: floats keep theirs, ints and bools become float32."""
    return dtype if is_float(dtype) else "float32"


def promoted(*dtypes: str) -> str:
    """jax's (and Keras-on-JAX's) promotion of the given dtypes."""
    return canonical_dtype(jnp.result_type(*[jnp.dtype(d) for d in dtypes]))


def cast_to(x, dtype: str):
    """`x` as `dtype`, adding a cast only where the dtype differs."""
    return x if spec_of(x).dtype == dtype else apply("cast", [x], dtype=dtype)


def resolve_data_format(function: str, data_format) -> str:
    """Keras's `data_format=None` is symk.config.image_data_format(); other values are checked."""
    if data_format is None:
        return image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"{function}: data_format must be 'channels_last' or 'channels_first' (or None for "
                         f"symk.config.image_data_format()), got {data_format!r}")
    return value


def resolve_padding(function: str, padding) -> str:
    if not isinstance(padding, str):
        raise ValueError(f"{function}: padding must be a string such as 'valid' or 'same', got {padding!r}")
    return padding.lower()


def no_sparse(function: str, sparse) -> None:
    if sparse:
        raise ValueError(f"{function}: symk has no sparse tensors, so sparse=True is not supported; "
                         "pass sparse=False for a dense result")
