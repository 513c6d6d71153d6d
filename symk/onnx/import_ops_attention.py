"""ONNX import, Attention (opset 23+): scaled dot-product attention with masks, causal masking, a KV
cache (past_key/past_value -> present_*), an external cache (nonpad_kv_seqlen), sliding windows, grouped
heads, softcap and the qk_matmul_output modes.

3-D inputs (batch, seq, heads*size) are split into heads by q_num_heads / kv_num_heads; 4-D inputs
are (batch, heads, seq, size). Rows whose keys are all masked give zeros, as ONNX's reference does.
The additive bias follows ONNX's order: attn_mask, then the causal frontier, then the window, then the
padding of the external cache; causal and window bounds are offset-aligned (bottom-right).
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import shape_of
from .import_registry import def_import, is_static

SOFTMAX_PRECISIONS = {1: "float32", 10: "float16", 11: "float32", 16: "bfloat16"}  # double runs as float32


def _heads(x, num_heads):
    b, s, hidden = shape_of(x)
    return ops.transpose(ops.reshape(x, (b, s, num_heads, hidden // num_heads)), (0, 2, 1, 3))


def _as_bias(allowed, dtype):
    """A boolean 'may attend' array as an additive bias: 0 where allowed, -inf elsewhere (select, not multiply,
    so no 0 * inf)."""
    if is_static(allowed):
        return np.where(allowed, 0, -np.inf).astype(dtype)
    return ops.where(allowed, np.asarray(0, dtype), np.asarray(-np.inf, dtype))


def _query_minus_key(q_len: int, kv_len: int, offset):
    """(absolute query position) - (key position): (q, kv) for a scalar offset, (batch, 1, q, kv) for a per-batch
    offset (the external cache's nonpad_kv_seqlen - q_len)."""
    diff = np.arange(q_len)[:, None] - np.arange(kv_len)[None, :]
    if isinstance(offset, int):
        return diff + offset
    return ops.add(diff.astype(np.int32)[None, None], ops.reshape(offset, (-1, 1, 1, 1)))


def _attention_bias(node, mask, q_len, kv_len, dtype, offset, nonpad):
    bias = np.zeros((q_len, kv_len), dtype)
    if mask is not None:
        pad = kv_len - shape_of(mask)[-1]
        if pad > 0:
            width = tuple((0, 0) for _ in shape_of(mask)[:-1]) + ((0, pad),)
            mask = ops.pad(mask, width, constant_values=False if str(mask.dtype) == "bool" else -np.inf)
        if str(mask.dtype) == "bool":
            mask = _as_bias(mask, dtype)
        bias = ops.add(bias, ops.cast(mask, dtype))
    left, right = node.attr("left_window_size", -1), node.attr("right_window_size", -1)
    if node.attr("is_causal", 0) or left >= 0 or right >= 0:
        diff = _query_minus_key(q_len, kv_len, offset)
        allowed = None
        if node.attr("is_causal", 0):
            allowed = ops.greater_equal(diff, 0)
        if left >= 0:
            allowed = _and(allowed, ops.less_equal(diff, left))
        if right >= 0:
            allowed = _and(allowed, ops.greater_equal(diff, -right))
        bias = ops.add(bias, _as_bias(allowed, dtype))
    if nonpad is not None:
        valid = ops.less(np.arange(kv_len, dtype=np.int32)[None], ops.reshape(ops.cast(nonpad, "int32"), (-1, 1)))
        bias = ops.add(bias, ops.reshape(_as_bias(valid, dtype), (-1, 1, 1, kv_len)))
    return bias


def _and(a, b):
    return b if a is None else ops.logical_and(a, b)


@def_import("Attention")
def _attention(node):
    q, k, v = node.input(0), node.input(1), node.input(2)
    mask, past_k, past_v, nonpad = node.input(3), node.input(4), node.input(5), node.input(6)
    if (past_k is None) != (past_v is None):
        raise node.fail("past_key and past_value must be given together")
    if nonpad is not None and past_k is not None:
        raise node.fail("nonpad_kv_seqlen (an external cache) cannot be combined with past_key/past_value")
    three_d = len(shape_of(q)) == 3
    if three_d:
        q, k, v = _heads(q, node.attr("q_num_heads")), _heads(k, node.attr("kv_num_heads")), \
            _heads(v, node.attr("kv_num_heads"))
    dtype = str(q.dtype)
    if past_k is not None:
        k, v = ops.concatenate([past_k, k], axis=2), ops.concatenate([past_v, v], axis=2)
    present_k, present_v = k, v
    q_len, kv_len = shape_of(q)[2], shape_of(k)[2]
    scale = node.attr("scale", None)
    scale = 1 / np.sqrt(shape_of(q)[3]) if scale is None else scale
    if past_k is not None:
        offset = shape_of(past_k)[2]
    elif nonpad is not None:
        offset = ops.subtract(ops.cast(nonpad, "int32"), np.int32(q_len))
    else:
        offset = 0
    bias = _attention_bias(node, mask, q_len, kv_len, dtype, offset, nonpad)
    heads_q, heads_k = shape_of(q)[1], shape_of(k)[1]
    if heads_q != heads_k:
        k, v = ops.repeat(k, heads_q // heads_k, axis=1), ops.repeat(v, heads_q // heads_k, axis=1)
    root = np.asarray(np.sqrt(scale), dtype)
    scores = ops.matmul(ops.multiply(q, root), ops.transpose(ops.multiply(k, root), (0, 1, 3, 2)))
    softcap = node.attr("softcap", 0.0)
    if softcap and softcap > 0:
        cap = np.asarray(softcap, dtype)
        scores = ops.multiply(ops.tanh(ops.divide(scores, cap)), cap)
    mode = node.attr("qk_matmul_output_mode", 0)
    with_bias = ops.add(scores, bias)
    qk_out = with_bias if mode == 2 else scores
    precision = SOFTMAX_PRECISIONS.get(node.attr("softmax_precision", 0), dtype)
    logits = ops.cast(with_bias, precision) if precision != dtype else with_bias
    row_max = ops.max(logits, axis=-1, keepdims=True)
    bias_max = np.max(bias, axis=-1, keepdims=True) if is_static(bias) else ops.max(bias, axis=-1, keepdims=True)
    all_masked = ops.isneginf(bias_max)
    safe_max = ops.where(ops.isneginf(row_max), ops.zeros_like(row_max), row_max)
    e = ops.exp(ops.subtract(logits, safe_max))
    total = ops.sum(e, axis=-1, keepdims=True)
    probs = ops.divide(e, ops.where(ops.equal(total, np.asarray(0, precision)), ops.ones_like(total), total))
    probs = ops.where(all_masked, ops.zeros_like(probs), probs)
    probs = ops.cast(probs, dtype) if precision != dtype else probs
    if mode == 3:
        qk_out = probs
    out = ops.matmul(probs, v)
    if three_d:
        b, h, s, d = shape_of(out)
        out = ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (b, s, h * d))
    return [out, present_k, present_v, qk_out][:node.num_outputs]


# -- LinearAttention (onnx 1.23) ------------------------------------------------------------
LINEAR_UPDATE_RULES = ("linear", "gated", "delta", "gated_delta")


def _per_step(x, num_heads: int, per_head: int):
    """(B, T, H*D) -> (T, B, H, D): time leads, so ops.scan walks it."""
    b, t, _ = shape_of(x)
    return ops.transpose(ops.reshape(ops.cast(x, "float32"), (b, t, num_heads, per_head)), (1, 0, 2, 3))


@def_import("LinearAttention")
def _linear_attention(node):
    """The recurrence S_t = exp(g_t) S_{t-1} + k_t (x) v'_t, o_t = scale q_t^T S_t (gates and the delta rule per
    update_rule) as one scan over time, accumulated in float32 as ONNX's reference does."""
    q, k, v, past, decay, beta = (node.input(i) for i in range(6))
    rule = node.attr("update_rule", "gated_delta")
    if rule not in LINEAR_UPDATE_RULES:
        raise node.fail(f"update_rule {rule!r} is not one of {LINEAR_UPDATE_RULES}")
    hq, hkv = node.attr("q_num_heads"), node.attr("kv_num_heads")
    if not hq or not hkv or hq % hkv:
        raise node.fail(f"q_num_heads ({hq}) must be a positive multiple of kv_num_heads ({hkv}); both are required")
    gated, delta = rule in ("gated", "gated_delta"), rule in ("delta", "gated_delta")
    if gated != (decay is not None) or delta != (beta is not None):
        raise node.fail(f"update_rule {rule!r} {'needs' if gated else 'forbids'} the decay input and "
                        f"{'needs' if delta else 'forbids'} the beta input")
    if any(len(shape_of(x)) != 3 for x in (q, k, v)):
        raise node.fail("query, key and value must be rank 3 (batch, time, heads * size)")
    b, t, _ = shape_of(q)
    d_k, d_v = shape_of(q)[2] // hq, shape_of(v)[2] // hkv
    xs = [_per_step(q, hq, d_k), _per_step(k, hkv, d_k), _per_step(v, hkv, d_v)]
    if gated:
        xs.append(_per_step(decay, hkv, 1 if shape_of(decay)[2] == hkv else d_k))   # (T, B, Hkv, 1 or d_k)
    if delta:
        xs.append(_per_step(beta, shape_of(beta)[2], 1))                              # (T, B, Hkv or 1, 1)
    state_dtype = str(past.dtype) if past is not None else str(q.dtype)
    state = ops.cast(past, "float32") if past is not None else np.zeros((b, hkv, d_k, d_v), np.float32)
    scale = node.attr("scale", 0.0) or 1.0 / np.sqrt(d_k)

    def step(state, x):
        q_t, k_t, v_t = x[0], x[1], x[2]
        if gated:
            state = ops.multiply(state, ops.expand_dims(ops.exp(x[3]), -1))
        if delta:
            retrieved = ops.einsum("bhdm,bhd->bhm", state, k_t)
            v_t = ops.multiply(x[-1], ops.subtract(v_t, retrieved))
        state = ops.add(state, ops.multiply(ops.expand_dims(k_t, -1), ops.expand_dims(v_t, -2)))
        read = ops.repeat(state, hq // hkv, axis=1) if hq != hkv else state
        return state, ops.multiply(ops.einsum("bhd,bhdm->bhm", q_t, read), np.float32(scale))

    final, outs = ops.scan(step, state, xs)                    # outs: (T, B, Hq, d_v)
    out = ops.reshape(ops.transpose(outs, (1, 0, 2, 3)), (b, t, hq * d_v))
    return [ops.cast(out, str(q.dtype)), ops.cast(final, state_dtype)][:node.num_outputs]
