"""The short-time Fourier transform and its inverse, with Keras's window and centring conventions.

stft frames the last axis (frames `sequence_stride` apart, `fft_length` samples each, reflect-padded
by fft_length // 2 on both sides when `center`), multiplies each frame by the window (zero-padded
from sequence_length to fft_length, centred), and takes its rfft: `(..., frames, fft_length // 2 + 1)`.
istft overlap-adds the windowed inverse frames and divides by the overlap-added squared window.
Windows: "hann" and "hamming" (periodic, as scipy.signal.get_window gives them), None, or values.

    >>> real, imag = symk.ops.stft(audio, 400, 160, 512)
    >>> audio_again = symk.ops.istft((real, imag), 400, 160, 512)
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .registry import apply, def_op
from .signal import complex_pair, frame_count, frame_indices, split_pair

NAMED_WINDOWS = ("hann", "hamming")
GIVEN = "given"   # the `window` attribute when the window's values are the op's last input


def named_window(name: str, length: int) -> np.ndarray:
    """The periodic Hann or Hamming window: a0 - (1 - a0) cos(2 pi n / length) (scipy's fftbins=True)."""
    if length == 1:
        return np.ones(1)  # scipy's convention for a one-sample window
    a0 = 0.5 if name == "hann" else 0.54
    return a0 - (1.0 - a0) * np.cos(2.0 * np.pi * np.arange(length) / length)


def _frame_window(values, window, sequence_length: int, fft_length: int, dtype):
    """The window over a whole frame: the given or named one, zero-padded to fft_length (centred); None: ones."""
    if window is None:
        return jnp.ones(fft_length, dtype)
    values = named_window(window, sequence_length) if window in NAMED_WINDOWS else values[0]
    left = (fft_length - sequence_length) // 2
    return jnp.pad(jnp.asarray(values, dtype), (left, fft_length - sequence_length - left))


def _check_window(specs, attrs, function: str, first_window_input: int) -> None:
    for name in ("sequence_length", "sequence_stride", "fft_length"):
        if not isinstance(getattr(attrs, name), int) or getattr(attrs, name) < 1:
            raise RuleViolation(f"{function}: {name} must be an int >= 1, got {getattr(attrs, name)!r}",
                                f"pass a positive {name}")
    if attrs.fft_length < attrs.sequence_length:
        raise RuleViolation(f"{function}: fft_length ({attrs.fft_length}) must be >= sequence_length "
                            f"({attrs.sequence_length})", "pass a larger fft_length, e.g. the next power of two")
    if attrs.window not in NAMED_WINDOWS + (None, GIVEN):
        raise RuleViolation(f"{function}: window must be 'hann', 'hamming', None or the window's values, got "
                            f"{attrs.window!r}", "pass window='hann'")
    given = specs[first_window_input:]
    if len(given) != (attrs.window == GIVEN):
        raise RuleViolation(f"{function}: window={attrs.window!r} with {len(given)} window input(s)",
                            "pass the window's values as the last input exactly when window='given'")
    if given and (len(given[0].shape) != 1 or given[0].shape[0] not in (None, attrs.sequence_length)):
        raise RuleViolation(f"{function}: the window must be a vector of sequence_length ({attrs.sequence_length}) "
                            f"values, got shape {tuple(given[0].shape)}", "pass one value per sample of a sequence")


def _stft_rule(specs, attrs):
    _check_window(specs, attrs, "stft", 1)
    x = specs[0]
    if x.dtype != "float32":
        raise RuleViolation(f"stft: the signal must be float32, got {x.dtype}", "cast it to float32")
    if len(x.shape) == 0:
        raise RuleViolation("stft needs rank >= 1 (it frames the last axis), got a scalar", "pass a signal")
    length = x.shape[-1]
    padded = None if length is None else length + 2 * (attrs.fft_length // 2) * attrs.center
    frames = frame_count(padded, attrs.fft_length, attrs.sequence_stride)
    if frames == 0:
        raise RuleViolation(f"stft: the signal ({padded} samples, with the centre padding) is shorter than "
                            f"fft_length ({attrs.fft_length})", "pass a longer signal, or center=True")
    out = tuple(x.shape[:-1]) + (frames, attrs.fft_length // 2 + 1)
    return TensorSpec.of(out, "float32"), TensorSpec.of(out, "float32")


def _stft(x, *window_values, sequence_length, sequence_stride, fft_length, window, center):
    if center:
        half = fft_length // 2
        x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(half, half)], mode="reflect")
    frames = x[..., frame_indices(x.shape[-1], fft_length, sequence_stride)]
    frame_window = _frame_window(window_values, window, sequence_length, fft_length, x.dtype)
    spectrum = jnp.fft.rfft(frames * jnp.reshape(frame_window, (1,) * (frames.ndim - 1) + (fft_length,)), axis=-1)
    return jnp.real(spectrum), jnp.imag(spectrum)


def _istft_bounds(frames: int, fft_length: int, sequence_stride: int, center: bool, length) -> tuple:
    """(samples overlap-added, kept slice): the centre padding and `length` cut the overlap-added signal."""
    total = fft_length + sequence_stride * (frames - 1)
    start = fft_length // 2 if center else 0
    if length is not None:
        stop = start + length
    else:
        stop = -(fft_length // 2) if center else total
    return total, slice(start, stop)


def _istft_rule(specs, attrs):
    _check_window(specs, attrs, "istft", 2)
    shape = complex_pair(specs[:2], "istft", min_rank=2)
    if attrs.length is not None and (not isinstance(attrs.length, int) or attrs.length < 0):
        raise RuleViolation(f"istft: length must be an int >= 0 or None, got {attrs.length!r}", "pass length=None")
    frames = shape[-2]
    if frames is None:
        size = attrs.length
    else:
        total, kept = _istft_bounds(frames, attrs.fft_length, attrs.sequence_stride, attrs.center, attrs.length)
        size = len(range(total)[kept])
    return TensorSpec.of(shape[:-2] + (size,), "float32")


def _overlap_add(frames, stride: int):
    """(..., frames, n) -> (..., n + stride * (frames - 1)): frame t added in at sample t * stride."""
    count, n = frames.shape[-2:]
    indices = frame_indices(n + stride * (count - 1), n, stride)
    return jnp.zeros(frames.shape[:-2] + (n + stride * (count - 1),), frames.dtype).at[..., indices].add(frames)


def _istft(real, imag, *window_values, sequence_length, sequence_stride, fft_length, length, window, center):
    frames = jnp.fft.irfft(lax.complex(real, imag), n=fft_length, axis=-1)
    frame_window = _frame_window(window_values, window, sequence_length, fft_length, real.dtype)
    windowed = frames * jnp.reshape(frame_window, (1,) * (frames.ndim - 1) + (fft_length,))
    signal = _overlap_add(windowed, sequence_stride)
    weight = _overlap_add(jnp.broadcast_to(frame_window * frame_window, frames.shape[-2:]), sequence_stride)
    # where no window overlaps, the samples are left as they are (scipy's istft convention)
    signal = signal / jnp.reshape(jnp.where(weight > 1e-10, weight, 1.0), (1,) * (signal.ndim - 1) + weight.shape)
    if window is None:
        # NOTE: Keras scales unwindowed frames by fft_length / sequence_stride (its JAX backend does so)
        signal = signal * (fft_length / sequence_stride)
    _, kept = _istft_bounds(real.shape[-2], fft_length, sequence_stride, center, length)
    return signal[..., kept]


_WINDOW_ATTRS = dict(sequence_length=1, sequence_stride=1, fft_length=1, window="hann", center=True)
def_op("stft", _stft_rule, _stft, attrs=_WINDOW_ATTRS, inputs=None)
def_op("istft", _istft_rule, _istft, attrs=dict(_WINDOW_ATTRS, length=None), inputs=None)


def _window_argument(window, function: str) -> tuple:
    """(window attribute, window inputs) for Keras's `window` argument: a name, None, or the values."""
    if window is None or isinstance(window, str):
        if window not in NAMED_WINDOWS + (None,):
            raise ValueError(f"{function}: window must be 'hann', 'hamming', None or the window's values "
                             f"(sequence_length of them), got {window!r}")
        return window, []
    return GIVEN, [window]


def _check_stride(sequence_stride, function: str) -> None:
    if not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ValueError(f"{function}: sequence_stride must be a positive int, got {sequence_stride!r}")


@keras_export("math")
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform of the last axis of float32 `x`: (real, imag) of (..., frames, bins)."""
    _check_stride(sequence_stride, "stft")
    window, window_inputs = _window_argument(window, "stft")
    return apply("stft", [x, *window_inputs], sequence_length=sequence_length, sequence_stride=sequence_stride,
                 fft_length=fft_length, window=window, center=center)


@keras_export("math")
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """The signal whose stft is x = (real, imag) of shape (..., frames, bins); `length` samples if given."""
    _check_stride(sequence_stride, "istft")
    window, window_inputs = _window_argument(window, "istft")
    return apply("istft", [*split_pair(x, "istft"), *window_inputs], sequence_length=sequence_length,
                 sequence_stride=sequence_stride, fft_length=fft_length, length=length, window=window, center=center)
