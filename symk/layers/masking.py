"""Masking: marks time steps whose features all equal `mask_value` as padding, for the layers after it.

    Masking(mask_value=0.0)(Input(shape=(10, 8)))  # steps of all zeros are skipped by an LSTM after it
"""
from __future__ import annotations

from ..ops.registry import apply
from .base import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Zeroes masked steps and sets the mask `any(inputs != mask_value, axis=-1)`."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _step_kept(self, inputs, keepdims: bool):
        return apply("any", [apply("not_equal", [inputs, self.mask_value])], axis=-1, keepdims=keepdims)

    def call(self, inputs):
        kept = apply("cast", [self._step_kept(inputs, keepdims=True)], dtype=inputs.dtype)
        return inputs * kept

    def compute_mask(self, inputs, mask=None):
        return self._step_kept(inputs, keepdims=False)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
