"""ONNX forms of the attention ops (symk/ops/contractions.py's einsum, symk/ops/nn_attention.py's
dot_product_attention).

einsum is ONNX's Einsum (opset 12), subscripts as they are. dot_product_attention is composed of
MatMul, Softmax and Where rather than ONNX's Attention, which needs opset 23 (the export's default is 18
and onnxruntime 1.x runs it only on some providers); the composition is the XLA path of the lowering:
logits in float32, grouped-query heads by a reshape, masked logits set to -0.7 * float32 max."""
from __future__ import annotations

import numpy as np

from .registry import def_onnx

MASKED_LOGIT = -0.7 * float(np.finfo(np.float32).max)


@def_onnx("einsum")
def _einsum(ctx, node):
    dtype = node.out_specs[0].dtype
    if any(s.dtype == "int8" for s in node.in_specs) and dtype == "int32":
        operands = [ctx.cast(x, "int32") for x in node.inputs]   # Keras's int32 result of int8 operands
    else:
        operands = [x if s.dtype == dtype else ctx.cast(x, dtype) for x, s in zip(node.inputs, node.in_specs)]
    return ctx.op("Einsum", operands, equation=node.attrs.subscripts.replace(" ", ""))


def _inserted_axes(shape: tuple, heads) -> list:
    """Where symk.ops.nn_attention.keras_rank4 puts its unit axes, in the rank-4 result's numbering."""
    shape = tuple(shape)
    inserted: list = []
    while len(shape) < 4:
        at = 2 if len(shape) == 3 and shape[1] == heads else 1
        shape = shape[:at] + (1,) + shape[at:]
        inserted = [a + (a >= at) for a in inserted] + [at]
    return sorted(inserted)


@def_onnx("dot_product_attention")
def _dot_product_attention(ctx, node):
    attrs = node.attrs
    if attrs.implementation != "xla":
        raise node.fail(f"implementation {attrs.implementation!r} (flash attention) has no ONNX form",
                        "build the layer with flash_attention=False")
    query, key, value, *extra = node.inputs
    q_spec, k_spec, v_spec, *extra_specs = node.in_specs
    dtype = node.out_specs[0].dtype
    query, key, value = (x if s.dtype == dtype else ctx.cast(x, dtype)
                         for x, s in zip((query, key, value), (q_spec, k_spec, v_spec)))
    heads, depth = q_spec.shape[2], q_spec.shape[3]
    key_heads = k_spec.shape[2]
    if heads is None or key_heads is None:
        raise node.fail("attention over an unknown number of heads", "give the heads a known size")
    if depth is None and attrs.scale is None:
        raise node.fail("the default scale 1/sqrt(depth) of an unknown depth", "give the depth a known size")
    group = heads // key_heads
    upcast = (lambda x: x) if dtype == "float32" else (lambda x: ctx.cast(x, "float32"))
    # (B, T, N, H) -> (B, Nk, G, T, H): query heads grouped under the key head they share
    grouped = ctx.reshape(upcast(query), [0, 0, key_heads, group, -1])
    grouped = ctx.transpose(grouped, [0, 2, 3, 1, 4])
    keys_t = ctx.op("Unsqueeze", [ctx.transpose(upcast(key), [0, 2, 3, 1]), ctx.ints([2])])    # (B, Nk, 1, H, S)
    logits = ctx.op("MatMul", [grouped, keys_t])                                                 # (B, Nk, G, T, S)
    scale = 1.0 / np.sqrt(depth) if attrs.scale is None else attrs.scale
    logits = ctx.op("Mul", [logits, ctx.const(np.asarray(scale, np.float32))])
    # (B, heads, T, S) for the bias and mask, as the lowering's reshape gives
    batch_and_time = ctx.shape_of(query, 0, 2)
    logits_shape = ctx.op("Concat", [ctx.shape_of(logits, 0, 1), ctx.ints([heads]), ctx.shape_of(logits, 3)], axis=0)
    logits = ctx.reshape(logits, logits_shape)
    extra, extra_specs = list(extra), list(extra_specs)
    if attrs.has_bias:
        bias, spec = extra.pop(0), extra_specs.pop(0)
        bias = _rank4_of(ctx, bias, spec, heads)
        logits = ctx.op("Add", [logits, bias if spec.dtype == "float32" else ctx.cast(bias, "float32")])
    keep = None
    if attrs.has_mask:
        mask, spec = extra.pop(0), extra_specs.pop(0)
        mask = _rank4_of(ctx, mask, spec, heads)
        if spec.dtype != "bool":   # a numeric mask keeps its nonzero positions
            mask = ctx.op("Not", [ctx.op("Equal", [mask, ctx.const(np.zeros((), spec.dtype))])])
        keep = mask
    if attrs.is_causal:
        # tril over (T, S): keep key position s <= query position t
        causal = ctx.op("LessOrEqual", [ctx.op("Unsqueeze", [_positions(ctx, logits, 3), ctx.ints([0])]),
                                        ctx.op("Unsqueeze", [_positions(ctx, logits, 2), ctx.ints([1])])])
        keep = causal if keep is None else ctx.op("And", [keep, causal])
    if keep is not None:
        logits = ctx.op("Where", [keep, logits, ctx.const(np.asarray(MASKED_LOGIT, np.float32))])
    probabilities = ctx.op("Softmax", [logits], axis=-1)
    if v_spec.dtype != "float32" or dtype != "float32":
        probabilities = ctx.cast(probabilities, dtype)
    # (B, N, T, S) -> (B, Nk, G, T, S) @ (B, Nk, 1, S, H) -> (B, T, Nk, G, H) -> (B, T, N, H)
    grouped_p = ctx.reshape(probabilities, ctx.op("Concat", [ctx.shape_of(probabilities, 0, 1),
                                                             ctx.ints([key_heads, group]),
                                                             ctx.shape_of(probabilities, 2)], axis=0))
    values_t = ctx.op("Unsqueeze", [ctx.transpose(value, [0, 2, 1, 3]), ctx.ints([2])])
    out = ctx.transpose(ctx.op("MatMul", [grouped_p, values_t]), [0, 3, 1, 2, 4])
    out_shape = ctx.op("Concat", [batch_and_time, ctx.ints([heads, -1])], axis=0)
    return ctx.reshape(out, out_shape)


def _rank4_of(ctx, name, spec, heads):
    if len(spec.shape) == 4:
        return name
    return ctx.op("Unsqueeze", [name, ctx.ints(_inserted_axes(tuple(spec.shape), heads))])


def _positions(ctx, x, axis: int) -> str:
    """0, 1, ..., n - 1 for the run-time size n of `x`'s axis."""
    size = ctx.op("Squeeze", [ctx.shape_of(x, axis, axis + 1), ctx.ints([0])])
    return ctx.op("Range", [ctx.const(np.int64(0)), size, ctx.const(np.int64(1))])
