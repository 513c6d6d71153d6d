"""Embedding: integer indices -> rows of a learned (input_dim, output_dim) table; mask_zero masks index 0.

    Embedding(1000, 64, mask_zero=True)(Input(shape=(10,), dtype="int32"))  # (None, 10, 64)
"""
from __future__ import annotations

import numpy as np

from .. import initializers
from ..ops.registry import apply
from .base import Layer
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config

__all__ = ["Embedding"]


class Embedding(Layer):
    """Looks up `embeddings[inputs]`; weights: embeddings (input_dim, output_dim)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        kwargs.pop("sparse", None)
        input_length = kwargs.pop("input_length", None)
        # lora_rank / quantization_config: Layer refuses them when set (symk implements neither)
        super().__init__(lora_rank=lora_rank, lora_alpha=lora_alpha, quantization_config=quantization_config,
                         **kwargs)
        for what, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding: {what} must be a positive integer, got {value!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        # Keras's 'uniform' for embeddings is RandomUniform(-0.05, 0.05)
        if embeddings_initializer == "uniform":
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)
        set_weight_settings(self, "embeddings", embeddings_initializer, embeddings_regularizer, embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        if input_length is not None and self._batch_input_shape is None:
            # Keras 2: Embedding(..., input_length=n) as a first layer means inputs of shape (None, n)
            lengths = tuple(input_length) if isinstance(input_length, (list, tuple)) else (input_length,)
            self._batch_input_shape = (None,) + lengths
        if weights is not None:
            # Keras builds at once and loads them (pretrained vectors: Embedding(..., weights=[matrix]))
            self.build(None)
            self.built = True
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1 else [weights])

    def build(self, input_shape):
        self.embeddings = add_weight_with_settings(self, "embeddings", (self.input_dim, self.output_dim))
        super().build(input_shape)

    def call(self, inputs):
        if "int" not in inputs.dtype:
            inputs = apply("cast", [inputs], dtype="int32")  # float index data from numpy (Keras casts too)
        return apply("take", [self.embeddings, inputs], axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return apply("not_equal", [inputs, 0])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update(input_dim=self.input_dim, output_dim=self.output_dim,
                      **weight_settings_config(self, ("embeddings",), activity_regularizer=True),
                      mask_zero=self.mask_zero)
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config
