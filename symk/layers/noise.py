"""Noise and regularization layers, active in training only: GaussianNoise, GaussianDropout,
AlphaDropout, SpatialDropout1D/2D/3D, and ActivityRegularization.

    >>> GaussianNoise(0.1)(x)          # x + N(0, 0.1**2) in training, x otherwise
"""
from __future__ import annotations

import math

from .. import regularizers
from ..ops.array import encode_index
from ..ops.registry import apply
from .base import Layer
from .conv import normalize_data_format
from .input_spec import InputSpec

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D", "SpatialDropout2D",
           "SpatialDropout3D", "ActivityRegularization"]


def _check_rate(rate, layer: str) -> float:
    if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"{layer}: rate must be a number in [0, 1); received rate={rate!r}")
    return float(rate)


class _Noise(Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class GaussianNoise(_Noise):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if not isinstance(stddev, (int, float)) or stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be a non-negative number; received stddev={stddev!r}")
        self.stddev = float(stddev)

    def call(self, inputs, training=None):
        if self.stddev == 0 or training is False:
            return inputs
        noisy = inputs + apply("random_normal_like", [inputs], mean=0.0, stddev=self.stddev)
        return apply("training_select", [noisy, inputs])

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiplies by N(1, rate / (1 - rate)) noise in training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate, "GaussianDropout")

    def call(self, inputs, training=None):
        if self.rate == 0 or training is False:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noisy = inputs * apply("random_normal_like", [inputs], mean=1.0, stddev=stddev)
        return apply("training_select", [noisy, inputs])

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout that keeps SELU's self-normalizing mean and variance: dropped units take SELU's
    negative saturation value, then an affine map restores the moments."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate, "AlphaDropout")
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training=None):
        if self.rate == 0 or training is False:
            return inputs
        alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
        saturation = -alpha * scale
        noise_base = inputs if self.noise_shape is None else _noise_template(inputs, self.noise_shape)
        kept = apply("cast", [apply("greater_equal", [apply("random_uniform_like", [noise_base]), self.rate])],
                     dtype=inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * saturation ** 2)) ** -0.5
        b = -a * saturation * self.rate
        dropped = inputs * kept + (1.0 - kept) * saturation
        return apply("training_select", [dropped * a + b, inputs])

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


def _noise_template(inputs, noise_shape):
    """A slice of the input shaped like the noise (full size where noise_shape says None); only
    its shape matters, for random_uniform_like."""
    if len(noise_shape) != len(inputs.shape):
        raise ValueError(f"noise_shape {noise_shape} must have one entry per axis of the input {tuple(inputs.shape)}")
    key = tuple(slice(None) if d is None or d == n else slice(0, 1) for d, n in zip(noise_shape, inputs.shape))
    return apply("getitem", [inputs], key=encode_index(key))


class _SpatialDropout(_Noise):
    """Drops whole feature maps: one keep/drop decision per (sample, channel)."""
    rank = 1

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(rate, type(self).__name__)
        self.data_format = normalize_data_format(data_format, type(self).__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs, training=None):
        if self.rate == 0 or training is False:
            return inputs
        ones = (1,) * self.rank
        noise_shape = (None,) + ones + (None,) if self.data_format == "channels_last" else (None, None) + ones
        return apply("dropout", [inputs], rate=self.rate, noise_shape=noise_shape)

    def get_config(self):
        config = {**super().get_config(), "rate": self.rate, "seed": self.seed}
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    rank = 1


class SpatialDropout2D(_SpatialDropout):
    rank = 2


class SpatialDropout3D(_SpatialDropout):
    rank = 3


class ActivityRegularization(Layer):
    """Identity that adds l1 * sum|x| + l2 * sum x^2 (divided by the batch size) to the losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
