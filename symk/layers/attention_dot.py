"""Attention (Luong-style, dot or concat scores) and AdditiveAttention (Bahdanau-style), as in Keras 3.

    context = Attention()([query, value])                        # (B, Tq, dim) from (B, Tq, dim), (B, Tv, dim)
    context, weights = AdditiveAttention()([query, value, key], return_attention_scores=True)

Called on a list [query, value] or [query, value, key] (key defaults to value). Masks, one per
input (from an Embedding(mask_zero=True), or `mask=[query_mask, value_mask]`): a False value
position gets its score lowered by 1e9 before the softmax, a False query position an all-zero
output; the output keeps the query's mask.
"""
from __future__ import annotations

from .. import ops
from ..ops.registry import apply
from .base import Layer, _is_symbolic_structure

__all__ = ["Attention", "AdditiveAttention"]


def _as_bool(mask):
    return mask if mask.dtype == "bool" else ops.cast(mask, "bool")


class Attention(Layer):
    """Dot-product attention: softmax(query . key^T [* scale]) . value; score_mode="concat" scores
    with sum(tanh(query + key)) instead. Weights: scale () with use_scale, concat_score_weight () for concat."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{type(self).__name__}: invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode!r}")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            raise ValueError(f"{type(self).__name__}: dropout must be a number in [0, 1); received dropout={dropout!r}")
        self.use_scale, self.score_mode, self.dropout, self.seed = use_scale, score_mode, dropout, seed
        self.supports_masking = True

    # -- calling ----------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):  # the eager trace's structure, below
            inputs, kwargs["mask"] = inputs["inputs"], inputs["mask"]
        mask = kwargs.get("mask")
        if mask is not None and not _is_symbolic_structure(inputs):
            # arrays: the masks go into the traced structure, not into the call's constants
            kwargs.pop("mask")
            return self._eager_call({"inputs": list(inputs), "mask": list(mask)}, *args, **kwargs)
        sites = len(self._inbound_nodes)
        outputs = super().__call__(inputs, *args, **kwargs)
        if mask is None and len(self._inbound_nodes) > sites:
            # NOTE: Keras records no mask the inputs carried in this layer's node (a rebuilt model takes it from
            # the inputs again); Layer.__call__ records the one it filled in, which no config could name
            self._inbound_nodes[-1].arguments.pop("mask", None)
        if mask is not None:
            # Keras: an explicit mask, not the inputs' own masks, decides the output's mask
            first = outputs[0] if isinstance(outputs, tuple) else outputs
            first._keras_mask = mask[0]
        return outputs

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer {self.name!r} must be called on a list of inputs, namely [query, value] "
                             f"or [query, value, key]. Received: {inputs!r}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} layer {self.name!r}: mask must be a list, namely [query_mask, value_mask] "
                             f"(optionally a third for the key). Received: mask={mask!r}")

    def _query_dim(self, input_shape):
        """The query's feature size, after checking that it can be scored against the key's."""
        if not input_shape or not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"{type(self).__name__} layer {self.name!r} must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received one input of shape "
                             f"{tuple(input_shape)}; for self-attention pass [x, x].")
        self._validate_inputs(input_shape)
        query, key = tuple(input_shape[0]), tuple(input_shape[2] if len(input_shape) > 2 else input_shape[1])
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ValueError(f"{type(self).__name__} layer {self.name!r}: the query's last dimension ({query[-1]}) "
                             f"must equal the key's ({key[-1]}) to score them against each other. Received query "
                             f"shape {query} and key shape {key}; project one of them with a Dense layer first.")
        return query[-1]

    def build(self, input_shape):
        self._query_dim(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        super().build(input_shape)

    def _calculate_scores(self, query, key):
        """(B, Tq, Tv) scores."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores * self.scale if self.scale is not None else scores
        # concat: (B, Tq, 1, dim) + (B, 1, Tv, dim)
        summed = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * ops.sum(ops.tanh(summed), axis=-1)

    def _calculate_score_mask(self, scores, value_mask, use_causal_mask):
        if not use_causal_mask:
            return value_mask
        # position i may not attend to positions j > i
        ones = ops.ones((1, ops.shape(scores)[-2], ops.shape(scores)[-1]), dtype="int32")
        causal = ops.greater_equal(ops.cumsum(ones, axis=-2), ops.cumsum(ones, axis=-1))
        if value_mask is None:
            return causal
        return ops.logical_and(ops.expand_dims(_as_bool(value_mask), -2), causal)

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        """(softmax(masked scores) . value, the softmax weights after dropout), as Keras returns them."""
        if scores_mask is not None:
            padding = ops.logical_not(_as_bool(scores_mask))
            if len(padding.shape) == 2:
                padding = ops.expand_dims(padding, -2)
            # 65504 is float16's largest value
            lowered = scores - (65504.0 if scores.dtype == "float16" else 1.0e9)
            scores = ops.where(padding, lowered, scores)
        weights = ops.softmax(scores, axis=-1)
        if self.dropout > 0:
            weights = apply("dropout", [weights], rate=float(self.dropout))  # only while training
        return ops.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._calculate_score_mask(scores, value_mask, use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            keep = ops.expand_dims(_as_bool(query_mask), -1)
            output = ops.where(keep, output, ops.zeros_like(output))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        return None if mask is None else mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Bahdanau attention: scores sum(scale * tanh(query + key)); weight: scale (dim,) with use_scale."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        dim = self._query_dim(input_shape)
        if dim is None and self.use_scale:
            raise ValueError(f"AdditiveAttention layer {self.name!r}: the query's last dimension must be known to "
                             f"build the scale; received query shape {tuple(input_shape[0])}")
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")
        Layer.build(self, input_shape)  # not Attention.build: its weights are not this layer's

    def _calculate_scores(self, query, key):
        summed = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        return ops.sum(self.scale * summed if self.use_scale else summed, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
