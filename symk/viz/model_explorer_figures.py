"""Per-op figures for overlays: estimated FLOPs and output bytes of each node, for one example.

    flops = estimated_flops(graph, node)      # 2*M*N*K for a matmul, per example (batch counted as 1)
    size = output_bytes(graph, node)

Unknown dimensions (the batch) count as 1, so figures are per example. The estimates are the
usual ones (a multiply-add is 2 FLOPs; an elementwise op 1 per output element; a reduction 1 per
input element); data movement (reshape, transpose, parameters) costs 0 FLOPs.
"""
from __future__ import annotations

import numpy as np

from ..graph import Graph

# ops whose cost is one FLOP per element they read (the reduction families)
_REDUCTIONS = ("mean", "sum", "var", "std", "max", "min", "prod", "softmax", "log_softmax", "logsumexp",
               "batch_norm", "argmax", "argmin", "norm", "l2_normalize")
_FREE = ("parameter", "constant", "placeholder", "reshape", "transpose", "assign", "identity", "stop_gradient",
         "squeeze", "expand_dims", "concatenate", "slice", "cast", "training_select")


def elements(shape) -> int:
    return int(np.prod([1 if d is None else int(d) for d in shape])) if shape else 1


def _input_specs(graph: Graph, node: int) -> list:
    return [graph.node(source)["specs"][index] for source, index in graph.inputs_of(node)]


def estimated_flops(graph: Graph, node: int) -> int:
    """Floating-point operations of one node for one example (see the module docstring for the rules)."""
    data = graph.node(node)
    op, specs = data["op"], data["specs"]
    out = sum(elements(spec.shape) for spec in specs)
    inputs = _input_specs(graph, node)
    if op in _FREE or not specs:
        return 0
    if op in ("matmul", "dot", "batch_matmul", "einsum_matmul") and len(inputs) >= 2 and inputs[0].shape:
        return 2 * out * int(inputs[0].shape[-1] or 1)
    if "conv" in op and len(inputs) >= 2 and len(inputs[1].shape) >= 3:
        kernel = inputs[1].shape  # (*spatial, in_channels / groups, out_channels) for every conv op here
        return 2 * out * elements(kernel[:-1])
    if op == "bias_add":
        return out
    if op in _REDUCTIONS and inputs:
        return elements(inputs[0].shape)
    try:
        from ..ops.registry import get_op

        if get_op(op).elementwise:
            return out
    except (KeyError, ValueError):
        pass
    return 0


def output_bytes(graph: Graph, node: int) -> int:
    """Bytes of the node's outputs for one example."""
    total = 0
    for spec in graph.node(node)["specs"]:
        total += elements(spec.shape) * _itemsize(str(spec.dtype))
    return total


def _itemsize(dtype: str) -> int:
    try:
        return np.dtype(dtype).itemsize
    except TypeError:  # bfloat16 and friends: numpy knows them only through ml_dtypes, which jax brings
        import jax.numpy as jnp

        return jnp.dtype(dtype).itemsize
