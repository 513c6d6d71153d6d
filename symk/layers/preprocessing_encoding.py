"""Keras's categorical output modes (int, one_hot, multi_hot, count) over integer indices, in the graph;
shared by CategoryEncoding, Discretization and IntegerLookup.

    >>> encode_categorical(indices, "count", depth=5, dtype="float32")   # (batch, 5) counts per example
"""
from __future__ import annotations

from .. import ops

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def check_output_mode(layer: str, output_mode, allowed=OUTPUT_MODES) -> str:
    if output_mode == "binary":  # Keras 2's name for multi_hot
        output_mode = "multi_hot"
    if output_mode not in allowed:
        raise ValueError(f"{layer}: output_mode must be one of {allowed}; received output_mode={output_mode!r}")
    return output_mode


def refuse_sparse(layer: str, sparse) -> None:
    if sparse:
        raise ValueError(f"{layer}: sparse=True is not supported: symk's compiled graphs carry dense arrays only. "
                         "Construct the layer with sparse=False (the default)")


def encode_categorical(indices, output_mode: str, depth: int, dtype: str, count_weights=None):
    """Keras's encoding: one_hot adds a class axis (replacing a trailing axis of size 1); multi_hot and count
    reduce axis 1 (axis 0 for a vector), so each example of a batch gets one vector."""
    if output_mode == "int":
        return ops.cast(indices, dtype)
    if len(indices.shape) == 0:
        indices = ops.expand_dims(indices, -1)
    if output_mode == "one_hot":
        shape = tuple(indices.shape)
        if len(shape) > 1 and shape[-1] == 1:
            indices = ops.squeeze(indices, axis=-1)
        return ops.one_hot(indices, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return ops.multi_hot(indices, depth, dtype=dtype)
    # count
    axis = 1 if len(indices.shape) > 1 else 0
    if count_weights is not None:
        dtype = count_weights.dtype
    encoded = ops.one_hot(indices, depth, dtype=dtype)
    if count_weights is not None:
        encoded = encoded * ops.expand_dims(count_weights, -1)
    return ops.sum(encoded, axis=axis)


def encoded_shape(input_shape, output_mode: str, depth: int) -> tuple:
    """The shape encode_categorical gives for `input_shape`."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    return (input_shape[0],) + input_shape[2:] + (depth,)
