"""FFTs over the last axis (or two) and framing: fft, fft2, ifft2, rfft, irfft, extract_sequences.

As in Keras, a complex tensor is a pair `(real, imag)` of float32 tensors of one shape, in and out.

    >>> real, imag = symk.ops.fft((x_real, x_imag))
    >>> real, imag = symk.ops.rfft(signal, fft_length=16)       # (..., 16 // 2 + 1) each
    >>> frames = symk.ops.extract_sequences(signal, 8, 4)       # (..., frames, 8)
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import export_op, keras_export
from .registry import apply, def_op


def complex_pair(specs, function: str, min_rank: int = 1):
    """The shape of a (real, imag) pair: two float32 tensors of one shape, of rank >= min_rank."""
    real, imag = specs
    if real.dtype != "float32" or imag.dtype != "float32":
        raise RuleViolation(f"{function}: the real and imaginary parts must be float32, got {real.dtype} and "
                            f"{imag.dtype}", "cast both parts to float32")
    if len(real.shape) != len(imag.shape) or any(None not in (a, b) and a != b for a, b in zip(real.shape, imag.shape)):
        raise RuleViolation(f"{function}: the real and imaginary parts must have one shape, got {tuple(real.shape)} "
                            f"and {tuple(imag.shape)}", "pass x as (real, imag) of the same shape")
    if len(real.shape) < min_rank:
        raise RuleViolation(f"{function} needs rank >= {min_rank}, got rank {len(real.shape)}",
                            f"pass parts with at least {min_rank} axes")
    return tuple(a if a is not None else b for a, b in zip(real.shape, imag.shape))


def split_pair(x, function: str) -> list:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{function}: x must be a pair (real, imag) of float32 tensors of one shape; got "
                         f"{type(x).__name__}. Pass a complex tensor as its two parts, e.g. (ops.real(z), ops.imag(z))")
    return list(x)


def _complex_rule(function: str, min_rank: int):
    def rule(specs, attrs):
        shape = complex_pair(specs, function, min_rank)
        return TensorSpec.of(shape, "float32"), TensorSpec.of(shape, "float32")
    return rule


def _on_pairs(transform):
    def lower(real, imag):
        out = transform(lax.complex(real, imag))
        return jnp.real(out), jnp.imag(out)
    return lower


_COMPLEX_TRANSFORMS = {"fft": (jnp.fft.fft, 1), "fft2": (jnp.fft.fft2, 2), "ifft2": (jnp.fft.ifft2, 2)}
for _name, (_transform, _rank) in _COMPLEX_TRANSFORMS.items():
    def_op(_name, _complex_rule(_name, _rank), _on_pairs(_transform), inputs=2)


def _rfft_rule(specs, attrs):
    x = specs[0]
    if len(x.shape) == 0:
        raise RuleViolation("rfft needs rank >= 1 (it transforms the last axis), got a scalar", "pass a signal")
    if x.dtype in ("float16", "bfloat16") or "complex" in x.dtype:
        raise RuleViolation(f"rfft: the signal must be real, float32 (or an integer type), got {x.dtype}",
                            "cast it to float32")
    length = attrs.fft_length if attrs.fft_length is not None else x.shape[-1]
    if attrs.fft_length is not None and attrs.fft_length < 1:
        raise RuleViolation(f"rfft: fft_length must be >= 1, got {attrs.fft_length}", "pass a positive fft_length")
    out = tuple(x.shape[:-1]) + (None if length is None else length // 2 + 1,)
    return TensorSpec.of(out, "float32"), TensorSpec.of(out, "float32")


def _rfft(x, fft_length):
    out = jnp.fft.rfft(x, n=fft_length, axis=-1)
    return jnp.real(out), jnp.imag(out)


def _irfft_rule(specs, attrs):
    shape = complex_pair(specs, "irfft")
    bins = shape[-1]
    if attrs.fft_length is not None and attrs.fft_length < 1:
        raise RuleViolation(f"irfft: fft_length must be >= 1, got {attrs.fft_length}", "pass a positive fft_length")
    length = attrs.fft_length if attrs.fft_length is not None else None if bins is None else 2 * (bins - 1)
    return TensorSpec.of(shape[:-1] + (length,), "float32")


def_op("rfft", _rfft_rule, _rfft, attrs=dict(fft_length=None))
def_op("irfft", _irfft_rule, lambda real, imag, fft_length: jnp.fft.irfft(lax.complex(real, imag), n=fft_length),
       attrs=dict(fft_length=None), inputs=2)


def frame_count(length, frame_length: int, stride: int):
    """How many whole frames of `frame_length`, `stride` apart, fit in `length` samples (None if unknown)."""
    return None if length is None else max(0, 1 + (length - frame_length) // stride)


def frame_indices(length: int, frame_length: int, stride: int) -> np.ndarray:
    """(frames, frame_length) sample indices: row t is t * stride + 0 .. frame_length - 1."""
    starts = np.arange(frame_count(length, frame_length, stride)) * stride
    return starts[:, None] + np.arange(frame_length)[None, :]


def _extract_sequences_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) == 0:
        raise RuleViolation("extract_sequences needs rank >= 1 (it frames the last axis), got a scalar",
                            "pass a signal")
    for name in ("sequence_length", "sequence_stride"):
        if not isinstance(getattr(attrs, name), int) or getattr(attrs, name) < 1:
            raise RuleViolation(f"extract_sequences: {name} must be an int >= 1, got {getattr(attrs, name)!r}",
                                f"pass a positive {name}")
    frames = frame_count(shape[-1], attrs.sequence_length, attrs.sequence_stride)
    return TensorSpec.of(tuple(shape[:-1]) + (frames, attrs.sequence_length), specs[0].dtype)


def _extract_sequences(x, sequence_length, sequence_stride):
    return x[..., frame_indices(x.shape[-1], sequence_length, sequence_stride)]


def_op("extract_sequences", _extract_sequences_rule, _extract_sequences,
       attrs=dict(sequence_length=1, sequence_stride=1))


@keras_export("math")
def fft(x):
    """The FFT of the last axis of x = (real, imag); returns (real, imag)."""
    return apply("fft", split_pair(x, "fft"))


@keras_export("math")
def fft2(x):
    """The 2-D FFT of the last two axes of x = (real, imag); returns (real, imag)."""
    return apply("fft2", split_pair(x, "fft2"))


@keras_export("math")
def ifft2(x):
    """The inverse 2-D FFT of the last two axes of x = (real, imag); returns (real, imag)."""
    return apply("ifft2", split_pair(x, "ifft2"))


@keras_export("math")
def irfft(x, fft_length=None):
    """The real signal whose rfft is x = (real, imag); `fft_length` samples (default 2 * (bins - 1))."""
    return apply("irfft", split_pair(x, "irfft"), fft_length=fft_length)


@keras_export("math")
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` samples, `sequence_stride` apart, from the last axis: (..., frames, length)."""
    return apply("extract_sequences", [x], sequence_length=sequence_length, sequence_stride=sequence_stride)


export_op("math", "rfft")
