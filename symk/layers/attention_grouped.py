"""GroupedQueryAttention (keras.layers.GroupQueryAttention): attention whose key/value heads are
shared by groups of query heads (Ainslie et al., 2023); num_key_value_heads=1 is multi-query
attention, num_key_value_heads=num_query_heads multi-head attention.

    GroupQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)(x, x)   # (B, T, dim)

Weights, as Keras has them: query (dim, query_heads, head_dim), key and value (dim, kv_heads,
head_dim), each with a bias (heads, head_dim); attention_output (query_heads, head_dim, dim) with
bias (dim,); use_gate adds a sigmoid gate shaped like the query projection. Inputs are
(batch, time, dim); the key and value heads are repeated to the query heads before attending.
"""
from __future__ import annotations

import math

from .. import ops, regularizers
from ..config import is_flash_attention_enabled
from .activation_layers import Softmax
from .attention_call import QueryValueCall
from .attention_common import attend, causal_mask, mask_of, merge_attention_masks, sliding_window_mask
from .attention_multi_head import attention_settings_config, check_positive_int, sublayer_settings
from .base import Layer
from .core import Dropout
from .einsum_dense import EinsumDense
from .weight_settings import set_weight_settings

__all__ = ["GroupedQueryAttention", "GroupQueryAttention"]


class GroupedQueryAttention(QueryValueCall, Layer):
    """Grouped-query attention, Keras 3's layer; see the module docstring."""

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0, use_bias=True,
                 sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        where = "GroupQueryAttention"
        for name, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                            ("num_key_value_heads", num_key_value_heads)):
            check_positive_int(where, name, value)
        check_positive_int(where, "sliding_window", sliding_window, optional=True)
        if num_query_heads % num_key_value_heads:
            raise ValueError(f"{where}: num_query_heads ({num_query_heads}) must be divisible by num_key_value_heads "
                             f"({num_key_value_heads}): each key/value head serves a whole group of query heads")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{where}: dropout must be a number in [0, 1); received dropout={dropout!r}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim, self.num_query_heads, self.num_key_value_heads = head_dim, num_query_heads, num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = dropout, use_bias, use_gate
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention or is_flash_attention_enabled()
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        # NOTE: as in Keras, the activity regularizer applies to each projection's output, not to this layer's
        self._projection_activity_regularizer = regularizers.get(activity_regularizer)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))
        if self._flash_attention and dropout > 0:
            raise ValueError(f"{where} {self.name!r}: dropout is not supported with flash attention; set "
                             "dropout=0.0 to use flash attention, or flash_attention=False")

    def _einsum_dense(self, equation, output_shape, bias_axes, name, activation=None) -> EinsumDense:
        layer = EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self.use_bias else None,
                            activation=activation, name=name, **sublayer_settings(self))
        layer._weight_prefix = f"{self.name}/{name}"
        return layer

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape, key_shape = self._shapes_from(query_shape, value_shape, key_shape)
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(f"GroupQueryAttention {self.name!r}: the {what} must be (batch, time, features); "
                                 f"received shape {shape}")
        # einsum letters: b batch, q query time, k key time, m features, u query heads, v kv heads, h head dim
        self.feature_dim = query_shape[-1]
        query_heads = (None, self.num_query_heads, self.head_dim)
        kv_heads = (None, self.num_key_value_heads, self.head_dim)
        # NOTE: attribute names and order are Keras's (weight files name sub-layers by attribute)
        self._query_dense = self._einsum_dense("bqm,muh->bquh", query_heads, "uh", "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._einsum_dense("bkm,mvh->bkvh", kv_heads, "vh", "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._einsum_dense("bqm,muh->bquh", query_heads, "uh", "gate", "sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._einsum_dense("bkm,mvh->bkvh", kv_heads, "vh", "value")
        self._value_dense.build(value_shape)
        # NOTE: Keras's sub-layers, which its weight files list (as empty groups); the softmax itself is
        # attention_common's (symk's Softmax layer does not zero fully masked rows as Keras 3.15's does)
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype_policy)
        self._output_dense = self._einsum_dense("bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output")
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))
        self._build_input_shape, self.built = query_shape, True

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        # Keras's Layer.__call__ fills each missing *_mask argument from its tensor's mask
        query_mask = mask_of(query) if query_mask is None else query_mask
        value_mask = mask_of(value) if value_mask is None else value_mask
        key_mask = mask_of(key) if key_mask is None and key is not None else key_mask
        key = value if key is None else key
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None and self.sliding_window is None
                       and type(self)._compute_attention is GroupedQueryAttention._compute_attention)
        if causal_only:
            attention_mask = None
        else:
            attention_mask = self._compute_attention_mask(query, value, query_mask=query_mask, value_mask=value_mask,
                                                          key_mask=key_mask, attention_mask=attention_mask,
                                                          use_causal_mask=use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)
        # (B, S, kv heads, head_dim) -> (B, S, query heads, head_dim)
        key = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(query, key, value, attention_mask=attention_mask, training=training,
                                                 return_attention_scores=return_attention_scores, **extra)
        output = self._output_dense(output * gate if gate is not None else output)
        return (output, scores) if return_attention_scores else output

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        return merge_attention_masks(query, value, query_mask, value_mask, key_mask, attention_mask,
                                     use_causal_mask=use_causal_mask, sliding_window=self.sliding_window)

    def _compute_causal_mask(self, query, value=None):
        return causal_mask(query, query if value is None else value)

    def _compute_sliding_window_mask(self, query, value=None):
        return sliding_window_mask(query, query if value is None else value, self.sliding_window)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False, use_causal_mask=False):
        """(output, scores or None) from projected query, key and value, all (B, time, query heads, head_dim)."""
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"GroupQueryAttention {self.name!r}: returning attention scores is not supported with "
                             "flash attention; construct the layer with flash_attention=False to get them")
        return attend(query, key, value, attention_mask, scale=self._inverse_sqrt_head_dim, attention_axes=(1,),
                      dropout_layer=self._dropout_layer, return_scores=return_attention_scores,
                      is_causal=use_causal_mask, flash_attention=self._flash_attention)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape, value_shape, key_shape = self._shapes_from(query_shape, value_shape, key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"GroupQueryAttention {self.name!r}: the last dimension of query_shape and value_shape "
                             f"must be equal, but are {query_shape[-1]} and {value_shape[-1]}. Received: "
                             f"query_shape={query_shape}, value_shape={value_shape}")
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f"GroupQueryAttention {self.name!r}: all dimensions of `value` and `key`, except the "
                             f"last one, must be equal. Received: value_shape={value_shape} and key_shape={key_shape}")
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.update(head_dim=self.head_dim, num_query_heads=self.num_query_heads,
                      num_key_value_heads=self.num_key_value_heads, use_bias=self.use_bias, use_gate=self.use_gate,
                      sliding_window=self.sliding_window, dropout=self.dropout)
        config.update(attention_settings_config(self))
        config["seed"] = self.seed
        return config


GroupQueryAttention = GroupedQueryAttention  # Keras exports the class under this name
