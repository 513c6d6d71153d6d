"""What the attention layers share: Keras's attention masks (padding, causal, sliding window), its
masked softmax, the einsum equations of multi-axis attention, and the fused-or-einsum choice.

    mask = merge_attention_masks(query, value, query_mask, value_mask, None, None, use_causal_mask=True)
    output, scores = attend(q, k, v, mask, scale=0.5, attention_axes=(1,), dropout=0.0, return_scores=True)

Masks are boolean, True where a query position may attend to a key position. A masked score gets
a large negative logit before the softmax, as Keras does on each path (see `attend`).
"""
from __future__ import annotations

import string

from .. import ops

# Keras's Softmax layer: masked logits become -1e9 (-3e4 in float16, whose range ends near 6.5e4)
_SOFTMAX_MASK_VALUE = {"float16": -3e4}


def mask_of(tensor):
    """The Keras mask a tensor carries (an Embedding(mask_zero=True) output's), or None."""
    return getattr(tensor, "_keras_mask", None)


def _as_bool(mask):
    return mask if mask.dtype == "bool" else ops.cast(mask, "bool")


def causal_mask(query, value):
    """(1, T, S): position t may attend to positions s <= t (Keras counts rows and columns by cumsum,
    which also works when T and S are known only at run time)."""
    ones = ops.ones((1, ops.shape(query)[1], ops.shape(value)[1]), dtype="int32")
    return ops.greater_equal(ops.cumsum(ones, axis=-2), ops.cumsum(ones, axis=-1))


def sliding_window_mask(query, value, window: int):
    """(1, T, S): |t - s| < window, a symmetric band (with the causal mask: a causal sliding window)."""
    ones = ops.ones((1, ops.shape(query)[1], ops.shape(value)[1]), dtype="int32")
    return ops.less(ops.abs(ops.cumsum(ones, axis=-2) - ops.cumsum(ones, axis=-1)), window)


def merge_attention_masks(query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask=False,
                          sliding_window=None):
    """Keras's _compute_attention_mask: query mask (B, T, 1) & value and key masks (B, 1, S) & causal
    (1, T, S) & sliding window, and'ed with an explicit attention_mask (B, T, S); None when none is given."""
    merged = None

    def both(a, b):
        return b if a is None else ops.logical_and(a, b)

    if query_mask is not None:
        merged = ops.expand_dims(_as_bool(query_mask), -1)
    for mask in (value_mask, key_mask):
        if mask is not None:
            merged = both(merged, ops.expand_dims(_as_bool(mask), -2))
    if use_causal_mask:
        merged = both(merged, causal_mask(query, value))
    if sliding_window is not None:
        merged = both(merged, sliding_window_mask(query, value, sliding_window))
    if attention_mask is not None:
        attention_mask = _as_bool(attention_mask)
    if merged is None:
        return attention_mask
    return merged if attention_mask is None else ops.logical_and(attention_mask, merged)


def expand_mask(mask, rank: int, axis: int):
    """Unit axes inserted at `axis` (counted from the end) until the mask has `rank` axes."""
    while len(mask.shape) < rank:
        mask = ops.expand_dims(mask, axis)
    return mask


def masked_softmax(scores, mask, axes):
    """Keras's Softmax layer with a mask: masked logits -> -1e9, softmax over `axes`, masked
    probabilities -> 0 (so a fully masked row gives zeros, not a uniform distribution)."""
    if mask is not None:
        if mask.dtype != "bool":
            mask = ops.greater(mask, 0.5)
        scores = ops.where(mask, scores, _SOFTMAX_MASK_VALUE.get(scores.dtype, -1e9))
    if len(axes) > 1:
        probabilities = ops.exp(scores - ops.logsumexp(scores, axis=axes, keepdims=True))
    else:
        probabilities = ops.softmax(scores, axis=axes[0])
    return probabilities if mask is None else ops.where(mask, probabilities, ops.zeros_like(probabilities))


def attention_equations(rank: int, attention_axes: tuple) -> tuple[str, str, int]:
    """(key-query product, scores-value combination, rank of the scores) for projected tensors of shape
    (batch, <other axes>, <attention axes>, heads, channels).

    The scores are (batch, <other axes>, heads, <query attention axes>, <key attention axes>): every
    axis but the attention axes and the channels is a batch axis of the product."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, fresh = [], rank
    for i in range(rank):
        if i in batch_axes or i == rank - 1:
            source.append(target[i])
        else:
            source.append(letters[fresh])
            fresh += 1
    source = "".join(source)
    product = ("".join(target[i] for i in batch_axes) + "".join(target[i] for i in attention_axes)
               + "".join(source[i] for i in attention_axes))
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def attend(query, key, value, mask, *, scale: float, attention_axes: tuple, dropout_layer,
           return_scores: bool, is_causal: bool = False, flash_attention=None):
    """(output, scores or None): Keras's _compute_attention on projected (B, ..., heads, depth) tensors.

    Like Keras, rank-4 tensors without dropout or returned scores go through fused dot-product
    attention (masked logits -> -0.7 * float32 max, so a fully masked row averages the values); the
    rest through einsums and the masked softmax above. `is_causal` stands for a causal mask that
    was not built (Keras's causal-only shortcut); `dropout_layer` drops attention probabilities.
    NOTE: Keras's fused path fails when the value depth differs from the key depth; symk takes the
    einsum path there, which computes the same attention."""
    rank = len(query.shape)
    dropout = dropout_layer.rate
    fused = (dropout == 0 and not return_scores and rank == 4 and query.shape[-1] == value.shape[-1])
    if fused:
        if mask is not None:
            mask = _as_bool(expand_mask(mask, 4, -len(attention_axes) * 2 - 1))
        output = ops.nn.dot_product_attention(query, key, value, mask=mask, scale=scale, is_causal=is_causal,
                                              flash_attention=flash_attention)
        return output, None
    if is_causal:
        mask = causal_mask(query, value)
    dot_equation, combine_equation, scores_rank = attention_equations(rank, tuple(attention_axes))
    query = query * ops.cast(scale, query.dtype)
    scores = ops.einsum(dot_equation, key, query)
    if mask is not None:
        mask = expand_mask(mask, scores_rank, -len(attention_axes) * 2 - 1)
    norm_axes = tuple(range(scores_rank - len(attention_axes), scores_rank))
    scores = masked_softmax(scores, mask, norm_axes)
    dropped = dropout_layer(scores) if dropout > 0 else scores  # active in training only
    return ops.einsum(combine_equation, dropped, value), scores
