"""ONNX import, signal operators: DFT, STFT, the Hann/Hamming/Blackman windows and MelWeightMatrix.

ONNX holds a complex tensor as a trailing axis of 2 (real, imaginary), a real one as a trailing 1. The
transforms run over the last axis (the DFT axis moved there and back): forward ones as products with the DFT
matrix, inverse ones as FFTs on symk's (real, imag) pairs (see `dft` for why). Windows and the mel matrix depend only on
their (import-time) sizes, so they are computed here as constants.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import norm_axis, shape_of
from .import_registry import def_import
from .importer import numpy_dtype


def _fit_length(x, axis: int, n: int):
    """Zero-pad or truncate axis to n samples (numpy.fft's n=)."""
    size = shape_of(x)[axis]
    if size == n:
        return x
    if size > n:
        index = [slice(None)] * len(shape_of(x))
        index[axis] = slice(0, n)
        return x[tuple(index)]
    width = [(0, 0)] * len(shape_of(x))
    width[axis] = (0, n - size)
    return ops.pad(x, tuple(width))


def _last(x, axis: int):
    return x if axis == len(shape_of(x)) - 1 else ops.moveaxis(x, axis, -1)


def _back(x, axis: int):
    return x if axis == len(shape_of(x)) - 1 else ops.moveaxis(x, -1, axis)


def _twiddles(n_in: int, n_out: int, n: int):
    """cos and sin of 2 pi j k / n for samples j < n_in and bins k < n_out, from (j k mod n) in float64, so the
    exact zeros and symmetries of the DFT stay exact in float32 (a float32 FFT leaves 1e-6 where numpy has 0)."""
    angle = 2 * np.pi * ((np.arange(n_in)[:, None] * np.arange(n_out)[None, :]) % n) / n
    return np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)


def dft(x, axis: int, n: int, inverse: bool, onesided: bool):
    """ONNX's DFT of x (..., 1 or 2) along `axis` (an axis before the complex one): returns (..., 2), or (..., 1)
    for the inverse of a one-sided spectrum (irfft).

    NOTE: two algorithms, for the two precisions ONNX's reference has. Forward transforms are products with the
    DFT matrix: numpy computes them in float64, whose exact zeros (the imaginary DC bin of a real signal) a
    float32 FFT misses by 1e-6, past the 1e-7 tolerance. Inverse transforms are FFTs: the reference runs numpy's
    complex64 pocketfft, which XLA's CPU FFT (ducc, the same algorithm) reproduces to the rounding."""
    dtype = str(x.dtype)
    x = ops.cast(x, "float32")
    real = _last(x[..., 0], axis)
    imag = _last(x[..., 1], axis) if shape_of(x)[-1] == 2 else ops.zeros_like(real)
    if inverse and onesided:
        signal = ops.irfft((real, imag), fft_length=n)
        return ops.cast(ops.expand_dims(_back(signal, axis), -1), dtype)
    real, imag = _fit_length(real, -1, n), _fit_length(imag, -1, n)
    if inverse:   # ifft(x) = conj(fft(conj(x))) / n
        out_real, out_imag = ops.fft((real, ops.negative(imag)))
        out_real, out_imag = ops.divide(out_real, np.float32(n)), ops.divide(ops.negative(out_imag), np.float32(n))
    else:         # (real + i imag) (cos - i sin)
        cos, sin = _twiddles(n, n // 2 + 1 if onesided else n, n)
        out_real, out_imag = ops.matmul(real, cos), ops.negative(ops.matmul(real, sin))
        if shape_of(x)[-1] == 2:
            out_real = ops.add(out_real, ops.matmul(imag, sin))
            out_imag = ops.add(out_imag, ops.matmul(imag, cos))
    if onesided:
        out_real, out_imag = out_real[..., :n // 2 + 1], out_imag[..., :n // 2 + 1]
    out = ops.stack([_back(out_real, axis), _back(out_imag, axis)], axis=-1)
    return ops.cast(out, dtype)


@def_import("DFT")
def _dft(node):
    x = node.input(0)
    rank = len(shape_of(x))
    if node.opset < 20:
        axis = node.attr("axis", 1)
    else:
        axis = int(node.static(2).reshape(-1)[0]) if node.has_input(2) else -2
    axis = norm_axis(axis, rank)
    if axis == rank - 1:
        raise node.fail("axis must be a signal axis, not the last one (it holds the real and imaginary parts)")
    inverse, onesided = bool(node.attr("inverse", 0)), bool(node.attr("onesided", 0))
    if node.has_input(1) and node.static(1).size:
        n = int(node.static(1).reshape(-1)[0])
    else:
        n = 2 * (shape_of(x)[axis] - 1) if inverse and onesided else shape_of(x)[axis]
    return dft(x, axis, n, inverse, onesided)


@def_import("STFT")
def _stft(node):
    """Frames (batch, frames, frame_length, 1 or 2) gathered by constant indices, weighted by the window, then a
    DFT over each frame."""
    x, window = node.input(0), node.input(2)
    step = int(node.static(1).reshape(-1)[0])
    if node.has_input(3):
        frame_length = int(node.static(3).reshape(-1)[0])
    else:
        frame_length = shape_of(window)[0] if window is not None else shape_of(x)[-2]
    length = shape_of(x)[1]
    frames = 1 + (length - frame_length) // step
    if frames < 1 or step < 1:
        raise node.fail(f"a signal of {length} samples has no frame of {frame_length} with a step of {step}")
    index = np.arange(frames)[:, None] * step + np.arange(frame_length)[None, :]
    framed = ops.take(x, index.astype(np.int32), axis=1)
    if window is not None:
        framed = ops.multiply(framed, ops.reshape(ops.cast(window, str(x.dtype)), (frame_length, 1)))
    return dft(framed, 2, frame_length, False, bool(node.attr("onesided", 1)))


def _window_samples(node):
    size = int(node.static(0).reshape(-1)[0])
    denominator = size if node.attr("periodic", 1) else size - 1
    return np.arange(size, dtype=np.float64), denominator, numpy_dtype(node.attr("output_datatype", 1))


@def_import("HannWindow")
def _hann(node):
    n, denominator, dtype = _window_samples(node)
    return (np.sin(n * np.pi / denominator) ** 2).astype(dtype)


@def_import("HammingWindow")
def _hamming(node):
    n, denominator, dtype = _window_samples(node)
    alpha = 25.0 / 46.0
    return (alpha - (1 - alpha) * np.cos(2 * np.pi * n / denominator)).astype(dtype)


@def_import("BlackmanWindow")
def _blackman(node):
    n, denominator, dtype = _window_samples(node)
    return (0.42 - 0.5 * np.cos(2 * np.pi * n / denominator) + 0.08 * np.cos(4 * np.pi * n / denominator)).astype(dtype)


@def_import("MelWeightMatrix")
def _mel_weight_matrix(node):
    """Triangular filters between mel-spaced bin edges, as ONNX defines them (edges floored to DFT bins)."""
    num_mel, dft_length = int(node.static(0).reshape(-1)[0]), int(node.static(1).reshape(-1)[0])
    sample_rate = int(node.static(2).reshape(-1)[0])
    low, high = float(node.static(3).reshape(-1)[0]), float(node.static(4).reshape(-1)[0])
    low_mel, high_mel = (2595 * np.log1p(f / 700) / np.log(10) for f in (low, high))
    step = (high_mel - low_mel) / (num_mel + 2)
    edges = 700 * np.expm1((np.arange(num_mel + 2) * step + low_mel) / 2595 * np.log(10))
    edges = (((dft_length + 1) * edges) // sample_rate).astype(int)
    out = np.zeros((dft_length // 2 + 1, num_mel))
    for i in range(num_mel):
        left, center, right = edges[i], edges[i + 1], edges[i + 2]
        if center == left:
            out[center, i] = 1
        else:
            out[left:center + 1, i] = (np.arange(left, center + 1) - left) / (center - left)
        if right > center:
            out[center:right, i] = (right - np.arange(center, right)) / (right - center)
    return out.astype(numpy_dtype(node.attr("output_datatype", 1)))
