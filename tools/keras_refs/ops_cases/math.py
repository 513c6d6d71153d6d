"""keras.ops math (Keras's ops/math.py): segment reductions, top_k, FFTs, stft/istft, special functions.

FFT inputs are (real, imag) pairs of float32 arrays; stft/istft cover both named windows, no window,
given window values, centre padding on and off, sequence_length < fft_length and batches.
"""
import numpy as np

from _case import bools, case, ints, rand

SIGNAL = dict(rtol=1e-4, atol=1e-4)   # FFT sums round differently from one summation order to another


def pair(*shape):
    return (rand(*shape), rand(*shape))


def complex_values(*shape):
    return (rand(*shape) + 1j * rand(*shape)).astype("complex64")


SEGMENT_IDS = np.array([0, 0, 1, 3, 3, 3], dtype="int32")
UNSORTED_IDS = np.array([2, 0, 2, -1, 5, 0], dtype="int32")   # -1 and 5 lie outside 3 segments: dropped
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]], dtype="float32")
NAN_SCORES = np.array([[np.nan, 1.0, 2.0], [1.0, np.nan, 0.0], [3.0, 2.0, 1.0]], dtype="float32")

CASES = [
    # segment reductions (empty segments hold the identity: 0, 1, -inf, +inf, int extremes)
    *[case(fn, rand(6), SEGMENT_IDS, num_segments=4) for fn in
      ("segment_sum", "segment_max", "segment_min", "segment_prod")],
    *[case(fn, rand(6, 2), SEGMENT_IDS, num_segments=4, sorted=True) for fn in
      ("segment_sum", "segment_max", "segment_min", "segment_prod")],
    *[case(fn, ints(6, 2), UNSORTED_IDS, num_segments=3) for fn in
      ("segment_sum", "segment_max", "segment_min", "segment_prod")],
    case("segment_sum", rand(6, 2, 2), SEGMENT_IDS, num_segments=5),
    # top_k / in_top_k
    case("top_k", rand(6), 3),
    case("top_k", rand(2, 5), 2),
    case("top_k", TIES, 2),
    case("top_k", ints(3, 4), 4, sorted=False),
    case("top_k", rand(2, 3), 0),
    case("in_top_k", np.array([1, 0, 3], dtype="int32"), rand(3, 4), 1),
    case("in_top_k", np.array([1, 0, 3], dtype="int32"), rand(3, 4), 2),
    case("in_top_k", np.array([2, 3], dtype="int32"), TIES, 1),
    case("in_top_k", np.array([0, 1, 2], dtype="int32"), NAN_SCORES, 2),
    case("in_top_k", np.array([0, 2], dtype="int32"), ints(2, 3), 1),
    # logsumexp (exported from symk/ops/reduce.py)
    case("logsumexp", rand(3, 4)),
    case("logsumexp", rand(3, 4), axis=1),
    case("logsumexp", rand(2, 3, 4), axis=(0, -1), keepdims=True),
    case("logsumexp", ints(3, 4), axis=-1),
    case("logsumexp", bools(5)),
    case("logsumexp", np.array([-np.inf, -np.inf], dtype="float32")),
    # cdist
    case("cdist", rand(3, 2), rand(4, 2)),
    case("cdist", rand(2, 3, 2), rand(2, 4, 2)),
    case("cdist", rand(2, 3, 2), rand(4, 2)),
    case("cdist", ints(3, 2), ints(2, 2)),
    # special functions (erf and rsqrt are exported from symk/ops/elementwise.py)
    case("erf", rand(7)),
    case("erf", rand(3, 2, dtype="float16"), rtol=1e-3, atol=1e-3),
    case("erfc", rand(7)),
    case("erfc", ints(5)),
    case("erfc", bools(4)),
    case("erfinv", rand(7, low=-0.99, high=0.99)),
    case("erfinv", np.array([0, 1, -1], dtype="int32")),
    case("rsqrt", rand(6, low=0.1, high=4.0)),
    case("rsqrt", rand(6, low=0.1, high=4.0, dtype="float16"), rtol=1e-3, atol=1e-3),
    # complex views
    case("view_as_complex", rand(3, 2)),
    case("view_as_complex", ints(2, 3, 2)),
    case("view_as_real", complex_values(4)),
    case("view_as_real", rand(2, 3)),
    case("view_as_real", ints(3)),
    # FFTs on (real, imag) pairs
    case("fft", pair(8), **SIGNAL),
    case("fft", pair(2, 5), **SIGNAL),
    case("fft2", pair(3, 4), **SIGNAL),
    case("fft2", pair(2, 3, 4), **SIGNAL),
    case("ifft2", pair(3, 4), **SIGNAL),
    case("ifft2", pair(2, 2, 3), **SIGNAL),
    case("rfft", rand(8), **SIGNAL),
    case("rfft", rand(2, 7), **SIGNAL),
    case("rfft", rand(2, 8), fft_length=5, **SIGNAL),
    case("rfft", rand(6), fft_length=10, **SIGNAL),
    case("rfft", ints(6), **SIGNAL),
    case("irfft", pair(5), **SIGNAL),
    case("irfft", pair(2, 5), fft_length=9, **SIGNAL),
    case("irfft", pair(6), fft_length=4, **SIGNAL),
    # framing
    case("extract_sequences", rand(10), 4, 3),
    case("extract_sequences", rand(2, 9), 3, 1),
    case("extract_sequences", rand(2, 2, 8), 2, 5),
    case("extract_sequences", ints(7), 7, 2),
    case("extract_sequences", ints(2, 3), 5, 1),
    # stft
    case("stft", rand(16), 8, 4, 8, **SIGNAL),
    case("stft", rand(2, 20), 6, 3, 8, **SIGNAL),
    case("stft", rand(2, 20), 6, 3, 8, window="hamming", **SIGNAL),
    case("stft", rand(21), 5, 2, 8, window=None, **SIGNAL),
    case("stft", rand(21), 5, 4, 7, center=False, **SIGNAL),
    case("stft", rand(2, 17), 4, 3, 4, window=rand(4, low=0.0, high=1.0), **SIGNAL),
    case("stft", rand(12), 1, 1, 1, window="hann", center=False, **SIGNAL),
    # istft: random spectrograms (frames, bins), and one round trip of a windowed stft
    case("istft", pair(5, 5), 8, 4, 8, **SIGNAL),
    case("istft", pair(2, 7, 5), 6, 3, 8, **SIGNAL),
    case("istft", pair(7, 5), 6, 3, 8, window="hamming", center=False, **SIGNAL),
    case("istft", pair(6, 4), 5, 2, 6, window=None, **SIGNAL),
    case("istft", pair(6, 4), 5, 2, 6, window=None, center=False, **SIGNAL),
    case("istft", pair(5, 5), 8, 4, 8, length=12, **SIGNAL),
    case("istft", pair(5, 5), 8, 4, 8, length=30, center=False, **SIGNAL),
    case("istft", pair(2, 5, 3), 4, 2, 4, window=rand(4, low=0.5, high=1.0), **SIGNAL),
]
