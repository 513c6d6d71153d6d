"""keras.ops.nn.dot_product_attention: softmax(q k^T * scale + bias, masked) v on (batch, time, heads, depth).

The computation is jax.nn.dot_product_attention's XLA one (grouped-query attention when the query has a
multiple of the key's heads; logits and softmax in float32, so float16 and bfloat16 inputs keep their
dtype), written out so half precision also compiles on CPU; flash_attention=True asks jax for cuDNN's. A bias or mask of rank below 4 gains unit axes as Keras's JAX backend adds them (at axis 2 for
a rank-3 one whose axis 1 matches the heads, else at axis 1), to broadcast against (B, N, T, S). A mask
may be bool or numeric (nonzero keeps a position).

    >>> symk.ops.nn.dot_product_attention(q, k, v, mask=padding_mask, is_causal=True)
"""
from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .nn_args import float_dtype, promoted
from .registry import apply, def_op


def keras_rank4(shape: tuple, heads) -> tuple:
    """A bias or mask shape raised to rank 4 as Keras's JAX fallback does."""
    shape = tuple(shape)
    while len(shape) < 4:
        if len(shape) == 3 and shape[1] == heads:
            shape = shape[:2] + (1,) + shape[2:]
        else:
            shape = shape[:1] + (1,) + shape[1:]
    return shape


def _fits(dim, size) -> bool:
    return dim is None or size is None or dim in (1, size)


def _agree(a, b) -> bool:
    return a is None or b is None or a == b


def attention_rule(specs, attrs):
    expected = 3 + bool(attrs.has_bias) + bool(attrs.has_mask)
    if len(specs) != expected:
        raise RuleViolation(f"the inputs are [query, key, value, bias?, mask?]: {expected} with has_bias="
                            f"{attrs.has_bias} and has_mask={attrs.has_mask}, got {len(specs)}",
                            "call symk.ops.nn.dot_product_attention")
    query, key, value, *extra = specs
    if any(len(s.shape) != 4 for s in (query, key, value)):
        raise RuleViolation(f"query, key and value must be 4-D (batch, time, heads, depth), got shapes "
                            f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}",
                            "reshape to (batch, time, heads, depth)")
    if not all(_agree(a, b) for a, b in zip(key.shape, value.shape)):
        raise RuleViolation(f"key {tuple(key.shape)} and value {tuple(value.shape)} must have the same shape",
                            "give the values the keys' time, heads and depth")
    (batch, time, heads, depth), (key_batch, source, key_heads, key_depth) = query.shape, key.shape
    if not (_agree(batch, key_batch) and _agree(depth, key_depth)):
        raise RuleViolation("query and key must share the batch and the depth (axes 0 and 3)",
                            "project query and key to one depth")
    if heads is not None and key_heads is not None and heads % key_heads:
        raise RuleViolation(f"the query's {heads} heads must be a multiple of the key's {key_heads}",
                            "use as many key heads as query heads, or a divisor of them")
    for name, spec in zip([n for n, given in (("bias", attrs.has_bias), ("mask", attrs.has_mask)) if given], extra):
        if len(spec.shape) > 4 or not all(
                _fits(d, s) for d, s in zip(keras_rank4(spec.shape, heads), (batch, heads, time, source))):
            raise RuleViolation(f"the {name} {tuple(spec.shape)} does not broadcast to (batch, heads, target time, "
                                f"source time) = {(batch, heads, time, source)}",
                                f"give the {name} shape (batch or 1, heads or 1, target time, source time)")
    return TensorSpec(query.shape, float_dtype(promoted(query.dtype, key.dtype, value.dtype)))


def _xla_attention(query, key, value, bias, mask, scale, is_causal):
    """jax.nn.dot_product_attention's XLA computation, written so half precision also compiles on CPU
    (logits from the inputs upcast to float32: their products are exact there)."""
    batch, time, heads, depth = query.shape
    source, key_heads = key.shape[1], key.shape[2]
    grouped = query.reshape(batch, time, key_heads, heads // key_heads, depth)
    logits = jnp.einsum("btkgh,bskh->bkgts", grouped.astype(jnp.float32), key.astype(jnp.float32))
    logits = logits * (1.0 / np.sqrt(depth) if scale is None else scale)
    logits = logits.reshape(batch, heads, time, source)
    if bias is not None:
        logits = logits + bias.astype(jnp.float32)
    keep = jnp.ones((1, 1, time, source), bool) if mask is None else mask
    if is_causal:
        keep = jnp.logical_and(keep, jnp.tril(jnp.ones((time, source), bool))[None, None])
    if mask is not None or is_causal:
        logits = jnp.where(keep, logits, -0.7 * float(jnp.finfo(jnp.float32).max))
    probabilities = jax.nn.softmax(logits, axis=-1).astype(value.dtype)
    probabilities = probabilities.reshape(batch, key_heads, heads // key_heads, time, source)
    return jnp.einsum("bkgts,bskh->btkgh", probabilities, value).reshape(batch, time, heads, value.shape[-1])


def _attention(query, key, value, *extra, has_bias, has_mask, scale, is_causal, implementation):
    dtype = float_dtype(promoted(query.dtype.name, key.dtype.name, value.dtype.name))
    query, key, value = (t.astype(dtype) for t in (query, key, value))
    extra = list(extra)
    bias = extra.pop(0) if has_bias else None
    mask = extra.pop(0) if has_mask else None
    heads = query.shape[2]
    if bias is not None:
        bias = bias.astype(dtype).reshape(keras_rank4(bias.shape, heads))
    if mask is not None:
        mask = mask.reshape(keras_rank4(mask.shape, heads))
        mask = mask if mask.dtype == jnp.bool_ else mask != 0
    if implementation == "cudnn":
        return jax.nn.dot_product_attention(query, key, value, bias=bias, mask=mask, scale=scale,
                                            is_causal=is_causal, implementation="cudnn")
    return _xla_attention(query, key, value, bias, mask, scale, is_causal)


def_op("dot_product_attention", attention_rule, _attention, inputs=None,
       attrs=dict(has_bias=False, has_mask=False, scale=None, is_causal=False, implementation="xla"),
       doc="Scaled dot-product attention; inputs [query, key, value, bias?, mask?] as has_bias/has_mask say.")


def _implementation(flash_attention) -> str:
    if not flash_attention:
        return "xla"
    if jax.default_backend() != "gpu":
        raise RuntimeError("dot_product_attention: flash_attention=True needs cuDNN's fused attention on a GPU, "
                           f"and jax runs on {jax.default_backend()!r}; pass flash_attention=None or False")
    return "cudnn"


@keras_export("nn")
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention over (batch, time, heads, depth) tensors."""
    if attn_logits_soft_cap is not None:
        raise ValueError("dot_product_attention: attn_logits_soft_cap is only supported by Keras's TPU (Splash) "
                         "kernel, which symk does not use; pass attn_logits_soft_cap=None")
    if scale is not None and not isinstance(scale, numbers.Number):
        raise TypeError(f"dot_product_attention: scale must be a Python number or None, got {type(scale).__name__}")
    inputs = [query, key, value] + [t for t in (bias, mask) if t is not None]
    return apply("dot_product_attention", inputs, has_bias=bias is not None, has_mask=mask is not None,
                 scale=None if scale is None else float(scale), is_causal=bool(is_causal),
                 implementation=_implementation(flash_attention))
