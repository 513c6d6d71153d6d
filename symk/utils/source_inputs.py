"""get_source_inputs (keras.utils): the Input tensors a symbolic tensor was computed from.

    get_source_inputs(model.output)   # [the model's Input tensors]
"""
from __future__ import annotations

from ..graph import SymbolicTensor, reachable


def get_source_inputs(tensor) -> list:
    if not isinstance(tensor, SymbolicTensor):
        raise ValueError(f"get_source_inputs: expected a symbolic tensor (from Input(...) and layer calls); got "
                         f"{type(tensor).__name__}")
    if tensor.op_name == "placeholder":
        return [tensor]
    graph = tensor.graph
    ancestors = reachable(graph.nx.predecessors, [tensor.node])
    nodes = [n for n in graph.topological_order() if n in ancestors and graph.op(n) == "placeholder"]
    return [graph.tensor(n) for n in nodes]
