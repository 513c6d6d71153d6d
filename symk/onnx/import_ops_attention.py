"""ONNX import, Attention (opset 23+): scaled dot-product attention with masks, causal masking, a KV
cache (past_key/past_value -> present_*), grouped heads, softcap and the qk_matmul_output modes.

3-D inputs (batch, seq, heads*size) are split into heads by q_num_heads / kv_num_heads; 4-D inputs
are (batch, heads, seq, size). Rows whose keys are all masked give zeros, as ONNX's reference does.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import shape_of
from .import_registry import def_import


def _heads(x, num_heads):
    b, s, hidden = shape_of(x)
    return ops.transpose(ops.reshape(x, (b, s, num_heads, hidden // num_heads)), (0, 2, 1, 3))


@def_import("Attention")
def _attention(node):
    q, k, v = node.input(0), node.input(1), node.input(2)
    mask, past_k, past_v = node.input(3), node.input(4), node.input(5)
    if node.has_input(6):
        raise node.fail("Attention's nonpad_kv_seqlen input is not supported yet")
    if node.attr("left_window_size", -1) >= 0 or node.attr("right_window_size", -1) >= 0:
        raise node.fail("Attention with a sliding window is not supported yet")
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
    bias = np.zeros((q_len, kv_len), dtype)
    if mask is not None:
        pad = kv_len - shape_of(mask)[-1]
        if pad > 0:
            width = tuple((0, 0) for _ in shape_of(mask)[:-1]) + ((0, pad),)
            mask = ops.pad(mask, width, constant_values=False if str(mask.dtype) == "bool" else -np.inf)
        if str(mask.dtype) == "bool":
            mask = ops.where(mask, np.asarray(0, dtype), np.asarray(-np.inf, dtype))
        bias = ops.add(bias, ops.cast(mask, dtype))
    if node.attr("is_causal", 0):
        offset = shape_of(past_k)[2] if past_k is not None else 0
        allowed = np.arange(kv_len)[None, :] <= np.arange(q_len)[:, None] + offset
        bias = ops.add(bias, np.where(allowed, 0, -np.inf).astype(dtype))
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
    row_max = ops.max(with_bias, axis=-1, keepdims=True)
    all_masked = ops.isneginf(ops.max(bias, axis=-1, keepdims=True) if not isinstance(bias, np.ndarray)
                              else np.max(bias, axis=-1, keepdims=True))
    safe_max = ops.where(ops.isneginf(row_max), ops.zeros_like(row_max), row_max)
    e = ops.exp(ops.subtract(with_bias, safe_max))
    total = ops.sum(e, axis=-1, keepdims=True)
    probs = ops.divide(e, ops.where(ops.equal(total, np.asarray(0, dtype)), ops.ones_like(total), total))
    probs = ops.where(all_masked, ops.zeros_like(probs), probs)
    if mode == 3:
        qk_out = probs
    out = ops.matmul(probs, v)
    if three_d:
        b, h, s, d = shape_of(out)
        out = ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (b, s, h * d))
    return [out, present_k, present_v, qk_out][:node.num_outputs]
