"""MultiHeadAttention: Keras's multi-head (dot-product) attention, with its sub-layers and weights.

    attention = MultiHeadAttention(num_heads=2, key_dim=16)
    y = attention(x, x, use_causal_mask=True)                   # self-attention, (B, T, dim)
    y, scores = attention(q, v, return_attention_scores=True)   # scores: (B, heads, T, S)

Weights, as Keras has them (so its files load): the sub-layers query, key and value are
EinsumDense kernels (dim, heads, key_dim) [value: value_dim] with biases (heads, key_dim), and
attention_output a kernel (heads, value_dim, dim) with bias (dim,); use_gate adds a sigmoid gate
(dim, heads, value_dim) on the query. Masks of the query, value and key tensors (an
Embedding(mask_zero=True) output's) are applied as Keras applies them; the output keeps the
query's mask.
"""
from __future__ import annotations

import math
import string

from .. import regularizers
from ..config import is_flash_attention_enabled
from .activation_layers import Softmax
from .attention_call import QueryValueCall
from .attention_common import (attend, attention_equations, causal_mask, mask_of, merge_attention_masks,
                               sliding_window_mask)
from .base import Layer
from .core import Dropout
from .einsum_dense import EinsumDense
from .weight_settings import serialize_optional, set_weight_settings, weight_settings_config

__all__ = ["MultiHeadAttention"]


def projection_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple[str, str, int]:
    """(equation, bias axes, output rank) of a projection: `free_dims` axes pass through, `bound_dims`
    are contracted with the kernel, `output_dims` new axes come from it ('abc,cde->abde')."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    new = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def _partial_shape(output_rank: int, last_dims) -> list:
    return [None] * (output_rank - len(last_dims)) + list(last_dims)


def sublayer_settings(layer) -> dict:
    """The settings every projection of an attention layer shares; each gets its own copy of the
    initializers (a seeded initializer would otherwise draw the same values for all of them)."""
    def copy(initializer):
        return type(initializer).from_config(initializer.get_config())

    return dict(kernel_initializer=copy(layer.kernel_initializer), bias_initializer=copy(layer.bias_initializer),
                kernel_regularizer=layer.kernel_regularizer, bias_regularizer=layer.bias_regularizer,
                activity_regularizer=layer._projection_activity_regularizer,
                kernel_constraint=layer.kernel_constraint, bias_constraint=layer.bias_constraint, dtype=layer.dtype_policy)


def check_positive_int(layer: str, name: str, value, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive integer{' or None' if optional else ''}; "
                         f"received {name}={value!r}")


class MultiHeadAttention(QueryValueCall, Layer):
    """Multi-head attention (Vaswani et al., 2017), Keras 3's layer; see the module docstring."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        where = "MultiHeadAttention"
        check_positive_int(where, "num_heads", num_heads)
        check_positive_int(where, "key_dim", key_dim)
        check_positive_int(where, "value_dim", value_dim, optional=True)
        check_positive_int(where, "sliding_window", sliding_window, optional=True)
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{where}: dropout must be a number in [0, 1); received dropout={dropout!r}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads, self._key_dim = num_heads, key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout, self._use_bias, self._use_gate = dropout, use_bias, use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"{where} {self.name!r}: output_shape must be an int, a tuple or a list; received "
                                 f"output_shape={output_shape!r}") from None
        self._output_shape = output_shape
        self._flash_attention = flash_attention or is_flash_attention_enabled()
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        # NOTE: as in Keras, the activity regularizer applies to each projection's output, not to this layer's
        self._projection_activity_regularizer = regularizers.get(activity_regularizer)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"{where} {self.name!r}: attention_axes must be an int, list, or tuple; received "
                             f"attention_axes={attention_axes!r}")
        self._attention_axes = tuple(attention_axes) if attention_axes else attention_axes
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))
        if self._flash_attention and dropout > 0:
            raise ValueError(f"{where} {self.name!r}: dropout is not supported with flash attention; set "
                             "dropout=0.0 to use flash attention, or flash_attention=False")

    # Keras's read-only properties
    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # -- building ---------------------------------------------------------------------
    def _projection(self, rank: int, last_dims, name: str, activation=None) -> EinsumDense:
        equation, bias_axes, output_rank = projection_equation(rank - 1, 1, 2)
        return self._einsum_dense(equation, _partial_shape(output_rank - 1, last_dims), bias_axes, name, activation)

    def _einsum_dense(self, equation, output_shape, bias_axes, name, activation=None) -> EinsumDense:
        layer = EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes if self._use_bias else None,
                            activation=activation, name=name, **sublayer_settings(self))
        layer._weight_prefix = f"{self.name}/{name}"
        return layer

    def build(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape, key_shape = self._shapes_from(query_shape, value_shape, key_shape)
        self._check_key_value(value_shape, key_shape)
        heads = self._num_heads
        # NOTE: attribute names and order are Keras's: weight files name the sub-layers by attribute,
        # and get_weights lists them in this order
        self.query_dense = self._projection(len(query_shape), [heads, self._key_dim], "query")
        self.query_dense.build(query_shape)
        self.key_dense = self._projection(len(key_shape), [heads, self._key_dim], "key")
        self.key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection(len(query_shape), [heads, self._value_dim], "gate", "sigmoid")
            self._gate_dense.build(query_shape)
        self.value_dense = self._projection(len(value_shape), [heads, self._value_dim], "value")
        self.value_dense.build(value_shape)
        self._build_attention(len(value_shape) + 1)
        output_shape = self._output_shape or [query_shape[-1]]
        equation, bias_axes, output_rank = projection_equation(len(query_shape) - 1, 2, len(output_shape))
        self.output_dense = self._einsum_dense(equation, _partial_shape(output_rank - 1, output_shape), bias_axes,
                                               "attention_output")
        projected = list(self.query_dense.compute_output_shape(query_shape))
        projected[-1] = self._value_dim
        self.output_dense.build(tuple(projected))
        self._build_input_shape, self.built = query_shape, True

    def _check_key_value(self, value_shape, key_shape):
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f"{type(self).__name__} {self.name!r}: all dimensions of `value` and `key`, except the "
                             f"last one, must be equal. Received: value_shape={tuple(value_shape)} and "
                             f"key_shape={tuple(key_shape)}")

    def _build_attention(self, rank: int) -> None:
        """The attention axes of the projected (B, ..., heads, depth) tensors, made non-negative."""
        if self._attention_axes is None:
            axes = tuple(range(1, rank - 2))
        else:
            axes = tuple(a if a >= 0 else (rank - 1) + a for a in self._attention_axes)
        if not axes or any(not 1 <= a < rank - 2 for a in axes):
            raise ValueError(f"{type(self).__name__} {self.name!r}: attention_axes={self._attention_axes} does not "
                             f"name axes of an input of rank {rank - 1}: each must be one of its axes 1..{rank - 3} "
                             "(not the batch axis, not the last one)")
        self._attention_axes = axes
        # NOTE: Keras's sub-layers, which its weight files list (as empty groups). symk's Softmax layer does
        # not zero fully masked rows as Keras 3.15's does, so the softmax itself is attention_common's
        scores_rank = attention_equations(rank, axes)[2]
        self._softmax = Softmax(axis=tuple(range(scores_rank - len(axes), scores_rank)), dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self._dropout, seed=self.seed, dtype=self.dtype_policy)

    # -- calling ----------------------------------------------------------------------
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        # Keras's Layer.__call__ fills value_mask (and key_mask, when a key is given) from those
        # tensors' masks; MultiHeadAttention then takes the query's mask from the query tensor itself,
        # replacing any query_mask argument (Keras 3.15 does so)
        value_mask = mask_of(value) if value_mask is None else value_mask
        key_mask = mask_of(key) if key_mask is None and key is not None else key_mask
        query_mask = mask_of(query)
        key = value if key is None else key
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None and self._sliding_window is None
                       and type(self)._compute_attention is MultiHeadAttention._compute_attention)
        if causal_only:
            attention_mask = None
        else:
            attention_mask = self._compute_attention_mask(query, value, query_mask=query_mask, value_mask=value_mask,
                                                          key_mask=key_mask, attention_mask=attention_mask,
                                                          use_causal_mask=use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        query, key, value = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(query, key, value, attention_mask, training, return_attention_scores,
                                                 **extra)
        output = self.output_dense(output * gate if gate is not None else output)
        return (output, scores) if return_attention_scores else output

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        return merge_attention_masks(query, value, query_mask, value_mask, key_mask, attention_mask,
                                     use_causal_mask=use_causal_mask, sliding_window=self._sliding_window)

    def _compute_causal_mask(self, query, value=None):
        return causal_mask(query, query if value is None else value)

    def _compute_sliding_window_mask(self, query, value=None):
        return sliding_window_mask(query, query if value is None else value, self._sliding_window)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False, use_causal_mask=False):
        """(output, scores or None) from projected query (B, T, N, key_dim), key and value."""
        if self._flash_attention and return_attention_scores:
            raise ValueError(f"{type(self).__name__} {self.name!r}: returning attention scores is not supported "
                             "with flash attention; construct the layer with flash_attention=False to get them")
        return attend(query, key, value, attention_mask, scale=self._inverse_sqrt_key_dim,
                      attention_axes=self._attention_axes, dropout_layer=self._dropout_layer,
                      return_scores=return_attention_scores, is_causal=use_causal_mask,
                      flash_attention=self._flash_attention)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape, value_shape, key_shape = self._shapes_from(query_shape, value_shape, key_shape)
        self._check_key_value(value_shape, key_shape)
        return query_shape[:-1] + tuple(self._output_shape) if self._output_shape else query_shape

    def get_config(self):
        config = super().get_config()
        config.update(num_heads=self._num_heads, key_dim=self._key_dim, value_dim=self._value_dim,
                      dropout=self._dropout, use_bias=self._use_bias, use_gate=self._use_gate,
                      output_shape=self._output_shape, attention_axes=self._attention_axes,
                      sliding_window=self._sliding_window)
        config.update(attention_settings_config(self))
        config["seed"] = self.seed
        return config


def attention_settings_config(layer) -> dict:
    """kernel/bias initializers, regularizers, the activity regularizer and constraints, in Keras's order."""
    config = weight_settings_config(layer, ("kernel", "bias"), activity_regularizer=True)
    config["activity_regularizer"] = serialize_optional(layer._projection_activity_regularizer, regularizers)
    return config
