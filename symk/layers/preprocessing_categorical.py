"""Categorical preprocessing layers that run in the graph: CategoryEncoding, Discretization and
IntegerLookup (the last two live in their own files and are re-exported here).

    >>> CategoryEncoding(num_tokens=4, output_mode="count")(np.array([[0, 1, 1, 3]]))   # [[1, 2, 0, 1]]
"""
from __future__ import annotations

from .base import Layer
from .preprocessing_discretization import Discretization
from .preprocessing_encoding import check_output_mode, encode_categorical, encoded_shape, refuse_sparse
from .preprocessing_lookup import IntegerLookup

__all__ = ["CategoryEncoding", "Discretization", "IntegerLookup"]


class CategoryEncoding(Layer):
    """Encodes integer indices in [0, num_tokens) as one_hot, multi_hot or count vectors."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = check_output_mode("CategoryEncoding", output_mode, ("one_hot", "multi_hot", "count"))
        if num_tokens is None:
            raise ValueError("CategoryEncoding: num_tokens must be given (the number of categories); if it is not "
                             "known in advance, use IntegerLookup instead")
        if not isinstance(num_tokens, int) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be an integer >= 1; received num_tokens={num_tokens!r}")
        refuse_sparse("CategoryEncoding", sparse)
        self.num_tokens = num_tokens
        self.sparse = False

    def build(self, input_shape):
        if len(input_shape) > 2 and self.output_mode != "one_hot":
            raise ValueError(f"Layer {self.name!r} (CategoryEncoding, output_mode={self.output_mode!r}) takes inputs "
                             f"of rank 0, 1 or 2 (one row of indices per example); received input shape "
                             f"{tuple(input_shape)}. Reshape the input to (batch, indices) first")
        super().build(input_shape)

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"Layer {self.name!r}: count_weights is only used with output_mode='count'; received "
                             f"output_mode={self.output_mode!r}")
        if "int" not in inputs.dtype:
            from .. import ops
            inputs = ops.cast(inputs, "int32")
        return encode_categorical(inputs, self.output_mode, self.num_tokens, self.dtype, count_weights)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}
