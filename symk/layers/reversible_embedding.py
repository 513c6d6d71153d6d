"""ReversibleEmbedding: an Embedding that can also project hidden states back to vocabulary logits.

Called normally it embeds token ids; called with `reverse=True` it multiplies by the transposed
embeddings (tied weights, the default) or by its own `reverse_embeddings` (output_dim, input_dim).

    >>> embedding = ReversibleEmbedding(100, 32)
    >>> hidden = embedding(token_ids)                 # (batch, steps, 32)
    >>> logits = embedding(hidden, reverse=True)      # (batch, steps, 100)
"""
from __future__ import annotations

from ..ops.registry import apply
from ..shapes import canonical_dtype
from .embedding import Embedding

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """Embedding with a reverse (logits) projection; weights embeddings, then reverse_embeddings when untied."""

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        if logit_soft_cap is not None and (not isinstance(logit_soft_cap, (int, float)) or logit_soft_cap <= 0):
            raise ValueError(f"ReversibleEmbedding: logit_soft_cap must be a positive number or None; received "
                             f"logit_soft_cap={logit_soft_cap!r}")
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = None if reverse_dtype is None else canonical_dtype(reverse_dtype)
        self.logit_soft_cap = logit_soft_cap
        self._reverse_call = False

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            # NOTE: Keras initializes the reverse projection with the embeddings' initializer
            self.reverse_embeddings = self.add_weight("reverse_embeddings", (self.output_dim, self.input_dim),
                                                      initializer=self.embeddings_initializer)

    def call(self, inputs, reverse=False):
        # compute_mask runs right after call: it reads which way this call went
        self._reverse_call = bool(reverse)
        if not reverse:
            return super().call(inputs)
        if inputs.shape[-1] not in (None, self.output_dim):
            raise ValueError(f"Layer {self.name!r}: reverse=True projects vectors of size output_dim="
                             f"{self.output_dim} back to input_dim={self.input_dim}; received inputs of shape "
                             f"{tuple(inputs.shape)}")
        kernel = apply("transpose", [self.embeddings], axes=(1, 0)) if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs = apply("cast", [inputs], dtype=self.reverse_dtype)
            kernel = apply("cast", [kernel], dtype=self.reverse_dtype)
        elif "float" not in inputs.dtype:
            inputs = apply("cast", [inputs], dtype=self.compute_dtype)
        logits = apply("matmul", [inputs, kernel])
        if self.logit_soft_cap is not None:
            cap = float(self.logit_soft_cap)
            logits = apply("tanh", [logits / cap]) * cap
        return logits

    def compute_mask(self, inputs, mask=None):
        if self._reverse_call:
            return None
        return super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        # quantization_config: Keras's key (quantized embeddings are not supported; it is always None here)
        return {**super().get_config(), "quantization_config": None, "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
