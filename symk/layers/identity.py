"""Identity: a layer that returns its inputs unchanged (a placeholder where no operation is wanted).

    >>> Identity()(x)        # the same values, shape, dtype and mask as x
"""
from __future__ import annotations

from .base import Layer

__all__ = ["Identity"]


class Identity(Layer):
    """Returns `inputs` (a tensor or a nested structure of them) as they are; masks pass through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        # Keras builds it at construction: it has no weights to wait for
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
