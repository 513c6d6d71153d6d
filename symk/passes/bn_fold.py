"""Batch-norm folding (inference only): batch_norm after a Dense/Conv/DepthwiseConv (and its bias) merges
into that layer's kernel and bias.

    before: y = batch_norm(bias_add(conv(x, W), b), mean, var, gamma, beta)
    after:  y = bias_add(conv(x, W * s), (b - mean) * s + beta)     with s = gamma * rsqrt(var + eps)
    or, on CPU (see _scale_into_kernel): y = bias_add(conv(x, W) * s, (b - mean) * s + beta)
The new kernel and bias are weight-only subgraphs, which `fold_weights` then computes on the
host. Near misses stay: a conv or bias output with a second user, statistics that are not
weights, a normalized axis that is not the layer's output-channel axis.
"""
from __future__ import annotations

import numpy as np

from .constant_fold import add_constant
from .manager import register_pass
from .report import PassReport, layer_label, layer_name
from .rewrite import Subject, add_op, describe, input_refs, remove_unused, rewrite_in_place, single_user

# NOTE: a pattern names its ops. Kernels of matmul and conv lay output channels on their last axis; a depthwise
# kernel (*spatial, in, multiplier) on its last two (output channel c * multiplier + m).
_LINEAR = {"matmul": "channels_last", "conv": None, "depthwise_conv": None}  # None: the conv's data_format


def _channel_axis(subject: Subject, node: int) -> int:
    data = subject.nx.nodes[node]
    rank = len(data["specs"][0].shape)
    fmt = _LINEAR[data["op"]] or data["attrs"].data_format
    return rank - 1 if fmt == "channels_last" else 1


def _match(subject: Subject, bn: int):
    """(linear node, bias_add node or None) feeding this batch_norm, or a reason it does not fold."""
    nxg = subject.nx
    x_ref, *stat_refs = input_refs(subject, bn)
    if any(nxg.nodes[s]["op"] not in ("parameter", "constant") for s, _ in stat_refs):
        return "its statistics are not weights"
    producer, bias = x_ref[0], None
    if nxg.nodes[producer]["op"] == "bias_add":
        bias = producer
        if single_user(subject, bias) != bn:
            return f"{describe(subject, bias)} has other users"
        producer = input_refs(subject, bias)[0][0]
    if nxg.nodes[producer]["op"] not in _LINEAR:
        return None
    if single_user(subject, producer) != (bias if bias is not None else bn):
        return f"{describe(subject, producer)} has other users"
    kernel_ref = input_refs(subject, producer)[1]
    if nxg.nodes[producer]["op"] == "matmul" and len(nxg.nodes[kernel_ref[0]]["specs"][kernel_ref[1]].shape) != 2:
        return "the matmul's second operand is not a 2-D kernel"
    dtypes = {nxg.nodes[s]["specs"][i].dtype for s, i in input_refs(subject, bn)} | {nxg.nodes[bn]["specs"][0].dtype}
    if len(dtypes) != 1:
        return f"its inputs mix dtypes {sorted(dtypes)}"
    rank = len(nxg.nodes[bn]["specs"][0].shape)
    if nxg.nodes[bn]["attrs"].axis % rank != _channel_axis(subject, producer):
        return "it normalizes an axis other than the output channels"
    return producer, bias


def _scale_into_kernel(linear_op: str, data_format: str) -> bool:
    """Whether the scale goes into the kernel (W * s) or stays a per-channel multiply after it.

    NOTE: measured, not assumed: on XLA:CPU (jax 0.10, 2 cores, benchmarks/passes_bench.py) a conv with the
    scale folded into its kernel followed by bias_add + relu ran up to ~12% slower than the same conv followed by
    multiply + add + relu, while the GPU's fused conv-bias kernels favour folding the scale in. Either way
    the statistics (rsqrt, gamma, mean, beta) are folded on the host into two vectors.
    """
    import jax

    return linear_op == "matmul" or jax.default_backend() != "cpu" or data_format != "channels_last"


@register_pass("bn_fold", position=500, modes=("inference",), tags=("fold", "weights"))
def bn_fold(subject: Subject, report: PassReport) -> None:
    """Fold each matching batch_norm into the kernel and bias of the Dense/Conv before it."""
    nxg = subject.nx
    dead = []
    for bn in [n for n, op in nxg.nodes(data="op") if op == "batch_norm"]:
        match = _match(subject, bn)
        if match is None or isinstance(match, str):
            if match:
                report.note(f"kept {describe(subject, bn)}: {match}")
                report.detail("bn_kept", (layer_name(nxg.nodes[bn]),),
                              f"{layer_label(nxg.nodes[bn])} not folded: {match}", (nxg.nodes[bn]["name"],))
            continue
        linear, bias = match
        # copies: the rewrites below turn the batch_norm node into a bias_add
        bn_data, linear_data = dict(nxg.nodes[bn]), dict(nxg.nodes[linear])
        _, mean, var, gamma, beta = input_refs(subject, bn)
        attrs = nxg.nodes[bn]["attrs"]
        dtype = nxg.nodes[var[0]]["specs"][var[1]].dtype
        eps = add_constant(subject, np.asarray(attrs.epsilon, dtype), like=bn)
        scale = add_op(subject, "multiply", [gamma, (add_op(subject, "rsqrt", [(add_op(
            subject, "add", [var, (eps, 0)], like=bn), 0)], like=bn), 0)], like=bn)
        x_ref, kernel = input_refs(subject, linear)
        if bias is not None:
            shifted = add_op(subject, "subtract", [input_refs(subject, bias)[1], mean], like=bn)
        else:
            shifted = add_op(subject, "negative", [mean], like=bn)
        new_bias = add_op(subject, "add", [(add_op(subject, "multiply", [(shifted, 0), (scale, 0)], like=bn), 0),
                                           beta], like=bn)
        fmt = "channels_last" if _channel_axis(subject, linear) == len(nxg.nodes[bn]["specs"][0].shape) - 1 \
            else "channels_first"
        names = (nxg.nodes[linear]["name"],) + ((nxg.nodes[bias]["name"],) if bias is not None else ()) + \
            (nxg.nodes[bn]["name"],)
        message = (f"{' + '.join(describe(subject, n) for n in (linear, bias) if n is not None)} + "
                   f"{describe(subject, bn)} -> {nxg.nodes[linear]['name']} (folded)")
        if _scale_into_kernel(nxg.nodes[linear]["op"], fmt):
            kernel_scale = scale
            if nxg.nodes[linear]["op"] == "depthwise_conv":  # one scale per (in channel, multiplier) pair
                kernel_shape = nxg.nodes[kernel[0]]["specs"][kernel[1]].shape
                kernel_scale = add_op(subject, "reshape", [(scale, 0)], like=linear, shape=tuple(kernel_shape[-2:]))
            new_kernel = add_op(subject, "multiply", [kernel, (kernel_scale, 0)], like=linear)
            lin_attrs = nxg.nodes[linear]["attrs"]
            rewrite_in_place(subject, linear, nxg.nodes[linear]["op"], [x_ref, (new_kernel, 0)], provenance=names,
                             **{k: getattr(lin_attrs, k) for k in lin_attrs.__dataclass_fields__})
            scaled = linear
        else:
            scaled = add_op(subject, "multiply", [(linear, 0), (scale, 0)], like=bn)
        # the batch_norm node becomes the bias_add, keeping its id (it may be a model output)
        rewrite_in_place(subject, bn, "bias_add", [(scaled, 0), (new_bias, 0)], provenance=names, data_format=fmt)
        if bias is not None:
            dead.append(bias)
        report.matched += 1
        report.note(message)
        report.detail("bn_folded", (layer_name(bn_data), layer_name(linear_data)),
                      f"{layer_label(bn_data)} folded into {layer_label(linear_data)} ({linear_data['op']})",
                      (bn_data["name"],))
    remove_unused(subject, dead)
