"""Audio spectrogram layers in the graph: MelSpectrogram (stft -> mel filterbank -> dB) and STFTSpectrogram
(the STFT as a strided convolution with trainable cosine/sine kernels), with Keras 3's arguments and numbers.

    >>> MelSpectrogram(num_mel_bins=64, sampling_rate=8000, sequence_stride=256)(audio)    # (batch, 64, frames)
    >>> STFTSpectrogram(mode="log", frame_length=256, frame_step=128)(audio[..., None])  # (batch, frames, 129)
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import ops
from ..config import epsilon
from .base import Layer
from .conv import normalize_data_format
from .input_spec import InputSpec

__all__ = ["MelSpectrogram", "STFTSpectrogram"]

# the HTK mel scale: mel(f) = 1127 ln(1 + f / 700)
_MEL_BREAK_HERTZ = 700.0
_MEL_HIGH_Q = 1127.0
_MEL_WINDOWS = ("hann", "hamming")  # the names keras.ops.stft accepts
_STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


def _positive_int(value, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer; received {name}={value!r}")
    return int(value)


def _hertz_to_mel(hertz):
    return _MEL_HIGH_Q * np.log(1.0 + np.asarray(hertz, "float64") / _MEL_BREAK_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float,
                                lower_edge_hertz: float, upper_edge_hertz: float) -> np.ndarray:
    """(num_spectrogram_bins, num_mel_bins) triangular filters, peak 1, linear in mel; the DC row is zero (HTK)."""
    bins_mel = _hertz_to_mel(np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:])[:, None]
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, [(1, 0), (0, 0)]).astype("float32")


class MelSpectrogram(Layer):
    """Mel spectrograms of (..., samples) audio: (..., num_mel_bins, frames), frames = 1 + samples // stride
    for an even fft_length (the STFT is centred: fft_length // 2 reflected samples on both sides).

        >>> MelSpectrogram(num_mel_bins=80, sampling_rate=8000, sequence_stride=128)(audio)  # (2, 80, 126)
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True,
                 top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0, **kwargs):
        layer = type(self).__name__
        self.fft_length = _positive_int(fft_length, "fft_length", layer)
        self.sequence_stride = _positive_int(sequence_stride, "sequence_stride", layer)
        self.sequence_length = _positive_int(sequence_length or fft_length, "sequence_length", layer)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"{layer}: fft_length must be >= sequence_length (each frame of sequence_length "
                             f"samples is zero-padded to fft_length). Received sequence_length="
                             f"{self.sequence_length}, fft_length={self.fft_length}.")
        if isinstance(window, str) and window not in _MEL_WINDOWS:
            raise ValueError(f"{layer}: window must be 'hann', 'hamming', None or sequence_length values; "
                             f"received window={window!r}")
        if window is not None and not isinstance(window, str) and np.shape(window) != (self.sequence_length,):
            raise ValueError(f"{layer}: a window given as values needs sequence_length ({self.sequence_length}) "
                             f"of them; received shape {np.shape(window)}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = _positive_int(num_mel_bins, "num_mel_bins", layer)
        self.min_freq = min_freq
        # as Keras: a falsy max_freq is the Nyquist frequency, stored as an int
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=1)

    def mel_weight_matrix(self) -> np.ndarray:
        return linear_to_mel_weight_matrix(self.num_mel_bins, self.fft_length // 2 + 1, float(self.sampling_rate),
                                           float(self.min_freq), float(self.max_freq))

    def call(self, inputs):
        # NOTE: the stft op computes in float32 (what Keras's JAX stft accepts besides float64)
        signal = ops.cast(inputs, "float32")
        window = self.window
        if window is not None and not isinstance(window, str):
            window = ops.convert_to_tensor(np.asarray(window, "float32"))
        real, imag = ops.stft(signal, self.sequence_length, self.sequence_stride, self.fft_length,
                              window=window, center=True)
        spectrum = ops.power(ops.sqrt(ops.square(real) + ops.square(imag)), self.mag_exp)
        mel = ops.tensordot(spectrum, ops.convert_to_tensor(self.mel_weight_matrix()), axes=1)
        if self.power_to_db:
            mel = self._decibels(mel)
        return ops.cast(ops.swapaxes(mel, -1, -2), self.dtype)

    def _decibels(self, power):
        reference_db = 10.0 * math.log10(max(abs(float(self.ref_power)), self.min_power))
        db = 10.0 * ops.log10(ops.maximum(power, self.min_power)) - reference_db
        # NOTE: as Keras: the floor is top_db under the maximum of the whole batch, not of each example
        return ops.maximum(db, ops.max(db) - self.top_db)

    def get_config(self) -> dict:
        return {**super().get_config(), "fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins, "min_freq": self.min_freq,
                "max_freq": self.max_freq, "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power, "ref_power": self.ref_power}


def _window_values(window, length: int, periodic: bool):
    """The window's values (scipy.signal.get_window's names, as Keras's STFT initializer), or None."""
    if window is None:
        return None
    if isinstance(window, str):
        from scipy.signal import get_window  # scipy comes with jax

        return np.asarray(get_window(window, length, fftbins=periodic), "float64")
    return np.asarray(window, "float64")


class _STFTKernel:
    """Initial kernels (frame_length, 1, bins) of STFTSpectrogram: cos or -sin(2 pi t k / ((bins - 1) * 2)),
    times the window, over the window's L2 norm ("density") or L1 norm ("spectrum")."""

    def __init__(self, side: str, window, scaling, periodic: bool):
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        frame_length, _, bins = shape
        # NOTE: Keras's period: (bins - 1) * 2, which is fft_length for an even fft_length only
        angle = -2.0 * np.pi * np.arange(frame_length)[:, None, None] * np.arange(bins)[None, None] / ((bins - 1) * 2)
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        window = _window_values(self.window, frame_length, self.periodic)
        if window is not None:
            scale = {"density": np.sqrt(np.sum(window ** 2)), "spectrum": np.sum(np.abs(window))}.get(self.scaling, 1)
            kernel = kernel * window[:, None, None] / scale
        return kernel.astype(dtype or "float32")


class STFTSpectrogram(Layer):
    """The STFT of (batch, time, channels) signals (channels_last) as a strided Conv1D per channel, whose
    kernels start as the windowed Fourier basis and are trainable. mode: "log", "magnitude", "psd", "real",
    "imag", "angle" or "stft" (real and imaginary parts side by side).

        >>> STFTSpectrogram(frame_length=256, frame_step=128, fft_length=512)(x)   # (3, 160000, 1) -> (3, 1249, 257)
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                 periodic=False, scaling="density", padding="valid", expand_dims=False, data_format=None,
                 **kwargs):
        layer = type(self).__name__
        frame_length = _positive_int(frame_length, "frame_length", layer)
        if frame_step is not None and (_positive_int(frame_step, "frame_step", layer) > frame_length):
            raise ValueError(f"{layer}: frame_step must be a positive integer not greater than frame_length. "
                             f"Received frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and _positive_int(fft_length, "fft_length", layer) < frame_length:
            raise ValueError(f"{layer}: fft_length must be >= frame_length. Received fft_length={fft_length}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and fft_length & (fft_length - 1):
            warnings.warn(f"{layer}: fft_length is recommended to be a power of two. Received fft_length={fft_length}")
        if mode not in _STFT_MODES:
            raise ValueError(f"{layer}: mode must be one of {', '.join(_STFT_MODES)}; received mode={mode!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"{layer}: scaling must be None, 'density' or 'spectrum'; received scaling={scaling!r}")
        if padding not in ("valid", "same"):
            raise ValueError(f"{layer}: padding must be 'valid' or 'same'; received padding={padding!r}")
        if isinstance(window, str):
            try:
                _window_values(window, 1, periodic)
            except ValueError as error:
                raise ValueError(f"{layer}: window={window!r} is not a scipy.signal.get_window name ({error}); "
                                 "use e.g. 'hann', 'hamming' or 'blackman', None, or frame_length values") from None
        elif window is not None and np.shape(window) != (frame_length,):
            raise ValueError(f"{layer}: a window given as values needs frame_length ({frame_length}) of them; "
                             f"received shape {np.shape(window)}")
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window, self.periodic, self.scaling = window, periodic, scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = normalize_data_format(data_format, layer)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape) -> None:
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if channels is None:
            raise ValueError(f"Layer {self.name!r} needs a known number of channels; received input shape "
                             f"{tuple(input_shape)} ({self.data_format}). Give Input a fixed channel axis.")
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        # Keras's weight order: real_kernel, then imag_kernel; a mode that needs only one side makes only it
        if self.mode != "imag":
            self.real_kernel = self.add_weight("real_kernel", shape, initializer=self._kernel_initializer("real"))
        if self.mode != "real":
            self.imag_kernel = self.add_weight("imag_kernel", shape, initializer=self._kernel_initializer("imag"))
        super().build(input_shape)

    def _kernel_initializer(self, side: str) -> _STFTKernel:
        return _STFTKernel(side, self.window, self.scaling, self.periodic)

    def _convolve(self, inputs, kernel):
        """(batch, channels, bins, frames): every channel convolved alone with the same kernel."""
        channels_last = self.data_format == "channels_last"
        time_axis = 1 if channels_last else 2
        time = inputs.shape[time_axis] if inputs.shape[time_axis] is not None else ops.shape(inputs)[time_axis]
        if channels_last:
            channels = inputs.shape[2]
            signals = ops.reshape(ops.transpose(inputs, [0, 2, 1]), [-1, time, 1])
        else:
            channels = inputs.shape[1]
            signals = ops.reshape(inputs, [-1, 1, time])
        out = ops.conv(signals, kernel, strides=self._frame_step, padding=self.padding, data_format=self.data_format)
        if channels_last:
            out = ops.transpose(out, [0, 2, 1])
        frames = out.shape[2] if out.shape[2] is not None else ops.shape(out)[2]
        return ops.reshape(out, [-1, channels, out.shape[1], frames])

    def _arrange(self, outputs):
        """(batch, channels, bins, frames) -> the layer's output layout."""
        _, channels, bins, frames = outputs.shape
        frames = frames if frames is not None else ops.shape(outputs)[3]
        if self.expand_dims:
            return ops.transpose(outputs, [0, 3, 2, 1] if self.data_format == "channels_last" else [0, 1, 3, 2])
        outputs = ops.reshape(outputs, [-1, channels * bins, frames])
        return ops.transpose(outputs, [0, 2, 1]) if self.data_format == "channels_last" else outputs

    def call(self, inputs):
        if str(inputs.dtype) not in ("float16", "float32", "float64"):
            raise TypeError(f"Layer {self.name!r} expects float16, float32 or float64 signals; received "
                            f"{inputs.dtype}. Cast the input to float32.")
        real = self._convolve(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._convolve(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._arrange(real)
        if self.mode == "imag":
            return self._arrange(imag)
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._arrange(ops.concatenate([real, imag], axis=2))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":
            # one-sided density: every bin but the first and the last counts twice (Keras's formula)
            return self._arrange(power + ops.pad(power[:, :, 1:-1, :], [[0, 0], [0, 0], [1, 1], [0, 0]]))
        magnitude = self._arrange(ops.sqrt(ops.maximum(power, epsilon())))
        return magnitude if self.mode == "magnitude" else ops.log(ops.maximum(magnitude, epsilon()))

    def get_config(self) -> dict:
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length, "window": window,
                "periodic": self.periodic, "scaling": self.scaling, "padding": self.padding,
                "data_format": self.data_format, "expand_dims": self.expand_dims}
