"""From (inputs, outputs) in the default graph to a model's own graph, and back (replay).

`extract` finds the op nodes between a model's inputs and outputs (plus the state
updates they drive) and copies them into a Graph of the model's own; it raises a
GraphError naming the missing input when the outputs need a placeholder that is not one
of the inputs. `replay` re-applies a model's graph to new input tensors (a model used
as a layer); weights are shared because parameter nodes name the same variables.
"""
from __future__ import annotations

import networkx as nx

from ..errors import GraphError
from ..graph import Graph, SymbolicTensor, extra_scope
from ..ops.registry import apply, constant


def _describe_node(graph: Graph, node: int) -> str:
    data = graph.node(node)
    layer = data.get("layer")
    return f"{data['name']!r}" + (f" (layer {layer.name!r})" if layer is not None else "")


def extract(graph: Graph, inputs: list[SymbolicTensor], outputs: list[SymbolicTensor]) -> Graph:
    input_nodes = {t.node for t in inputs}
    needed = set()
    for t in outputs:
        needed.add(t.node)
        needed |= nx.ancestors(graph.nx, t.node)
    for node in needed:
        if graph.op(node) == "placeholder" and node not in input_nodes:
            users = [o.name for o in outputs if node == o.node or node in nx.ancestors(graph.nx, o.node)]
            raise GraphError(
                f"Graph disconnected: cannot obtain the value of input {_describe_node(graph, node)}, which output(s) "
                f"{users} depend on. The model's inputs are {[t.name for t in inputs]}. "
                "Pass that tensor in `inputs=[...]` too, or build the outputs from the given inputs only.")
    # state updates (batch-norm statistics) that the model's inputs drive
    region = set(needed)
    for node in input_nodes:
        region |= nx.descendants(graph.nx, node)
    for node in region:
        if graph.op(node) != "assign" or node in needed:
            continue
        ancestors = nx.ancestors(graph.nx, node)
        placeholders = {a for a in ancestors if graph.op(a) == "placeholder"}
        if placeholders <= input_nodes:
            needed |= ancestors | {node}
    return graph.subgraph(needed)


def replay(model_graph: Graph, input_nodes: list[int], output_refs: list[tuple], new_inputs: list) -> list:
    """Apply a model's graph to new tensors; returns the new output tensors."""
    if len(new_inputs) != len(input_nodes):
        raise GraphError(f"the model expects {len(input_nodes)} input(s), but was called on {len(new_inputs)}")
    env: dict[int, tuple] = {n: (t,) for n, t in zip(input_nodes, new_inputs)}
    for node in model_graph.topological_order():
        if node in env:
            continue
        data = model_graph.node(node)
        op = data["op"]
        if op == "placeholder":
            continue  # an input of the original graph that no output needs
        if op == "parameter":
            env[node] = (data["variable"].symbolic(),)
        elif op == "constant":
            env[node] = (constant(data["value"]),)
        else:
            ins = [env[src][idx] for src, idx in model_graph.inputs_of(node)]
            with extra_scope(data.get("scope") or (), data.get("training")):
                out = apply(op, ins, **{k: getattr(data["attrs"], k) for k in data["attrs"].__dataclass_fields__})
            env[node] = out if isinstance(out, tuple) else (out,)
    return [env[n][i] for n, i in output_refs]
