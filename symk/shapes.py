"""Tensor specs and dimension arithmetic: broadcasting, axis normalisation, conv/pool sizes."""
from __future__ import annotations

import math
from typing import Iterable, NamedTuple, Optional, Sequence

import numpy as np

from .errors import RuleViolation

Dim = Optional[int]


class TensorShape(tuple):
    """A shape: a tuple of ints and None (unknown). `.as_list()` as old TF shapes had."""

    def as_list(self) -> list:
        return list(self)

    @property
    def rank(self) -> int:
        return len(self)

    ndims = rank

    def is_fully_defined(self) -> bool:
        return all(d is not None for d in self)

    def num_elements(self) -> Optional[int]:
        return int(np.prod(self)) if self.is_fully_defined() else None


def as_shape(shape: Iterable) -> TensorShape:
    return TensorShape(_dim(d) for d in shape)


def _dim(d) -> Dim:
    """An int, or None for an unknown size (None itself, or a symbolic size of jax.export's shape polymorphism)."""
    if d is None:
        return None
    try:
        return int(d)
    except Exception:  # noqa: BLE001  (jax's InconclusiveDimensionOperation for a symbolic batch)
        return None


def canonical_dtype(dtype) -> str:
    """Dtype as its numpy name ('float32'); accepts strings, numpy and jax dtypes."""
    if dtype is None:
        return "float32"
    if isinstance(dtype, dict):  # a Keras 3 DTypePolicy config
        dtype = dtype.get("config", {}).get("name", "float32")
    if isinstance(dtype, str):
        if dtype.startswith("mixed_"):
            return "float32"
        if dtype in ("float", "float64"):
            return "float32"  # jax runs with x64 disabled, as Keras on JAX does by default
        if dtype == "int64":
            return "int32"
        if dtype == "bool":
            return "bool"
        if dtype == "string":
            return "string"  # Keras's name for text inputs: host-side only (symk/models/host_prefix.py)
    name = np.dtype(dtype).name
    return {"float64": "float32", "int64": "int32", "uint64": "uint32", "complex128": "complex64"}.get(name, name)


class TensorSpec(NamedTuple):
    shape: TensorShape
    dtype: str

    @staticmethod
    def of(shape, dtype="float32") -> "TensorSpec":
        return TensorSpec(as_shape(shape), canonical_dtype(dtype))


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < rank:
        raise RuleViolation(
            f"{what} {axis} is out of range for a tensor of rank {rank}",
            f"use an axis in [{-rank}, {rank - 1}]",
        )
    return axis % rank


def normalize_axes(axis, rank: int) -> tuple:
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, int):
        axis = (axis,)
    out = tuple(normalize_axis(a, rank) for a in axis)
    if len(set(out)) != len(out):
        raise RuleViolation(f"repeated axis in {tuple(axis)}", "list each axis once")
    return out


def broadcast_dims(a: Dim, b: Dim) -> Dim:
    if a == 1:
        return b
    if b == 1:
        return a
    if a is None:
        return b
    if b is None:
        return a
    if a != b:
        raise ValueError
    return a


def broadcast_shapes(*shapes: Sequence[Dim]) -> TensorShape:
    """numpy broadcasting with None for unknown dims."""
    rank = max(len(s) for s in shapes)
    out = [1] * rank
    for s in shapes:
        padded = (1,) * (rank - len(s)) + tuple(s)
        for i, d in enumerate(padded):
            try:
                out[i] = broadcast_dims(out[i], d)
            except ValueError:
                raise RuleViolation(
                    "shapes must be broadcast-compatible (numpy rules: each axis equal, or one of them 1); "
                    f"received {', '.join(str(tuple(x)) for x in shapes)}",
                    "reshape or expand_dims one operand so that the axes line up",
                ) from None
    return TensorShape(out)


def conv_output_length(length: Dim, kernel: int, padding: str, stride: int, dilation: int = 1) -> Dim:
    """Keras's arithmetic: 'same'/'causal' ceil(n / s); 'valid' ceil((n - d(k-1)) / s)."""
    if length is None:
        return None
    effective = dilation * (kernel - 1) + 1
    if padding in ("same", "causal"):
        return int(math.ceil(length / stride))
    if padding == "valid":
        out = int(math.ceil((length - effective + 1) / stride))
        if out < 1:
            raise RuleViolation(
                f"a window of size {effective} (kernel {kernel}, dilation {dilation}) does not fit in an axis of length {length} with padding 'valid'",
                "use padding='same', a smaller kernel, or a larger input",
            )
        return out
    raise RuleViolation(f"unknown padding {padding!r}", "use 'valid' or 'same'")


def deconv_output_length(length: Dim, kernel: int, padding: str, stride: int, dilation: int = 1,
                         output_padding: Optional[int] = None) -> Dim:
    """Output length of a transposed convolution, as Keras computes it."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding
