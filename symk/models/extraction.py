"""From (inputs, outputs) in the default graph to a model's own graph, and back (replay).

`extract` finds the op nodes between a model's inputs and outputs (plus the state
updates they drive) and copies them into a Graph of the model's own; it raises a
GraphError naming the missing input when the outputs need a placeholder that is not one
of the inputs. `replay` re-applies a model's graph to new input tensors (a model used
as a layer); weights are shared because parameter nodes name the same variables.
"""
from __future__ import annotations

from ..errors import GraphError
from ..graph import Graph, SymbolicTensor, extra_scope, reachable
from ..ops.registry import apply, constant


def _describe_node(graph: Graph, node: int) -> str:
    data = graph.node(node)
    layer = data.get("layer")
    return f"{data['name']!r}" + (f" (layer {layer.name!r})" if layer is not None else "")


def extract(graph: Graph, inputs: list[SymbolicTensor], outputs: list[SymbolicTensor]) -> Graph:
    """Each step is one traversal, so building a model stays linear in the graph's size."""
    input_nodes = {t.node for t in inputs}
    needed = reachable(graph.nx.predecessors, [t.node for t in outputs])
    for node in needed:
        if graph.op(node) == "placeholder" and node not in input_nodes:
            users = [o.name for o in outputs if node in reachable(graph.nx.predecessors, [o.node])]
            raise GraphError(
                f"Graph disconnected: cannot obtain the value of input {_describe_node(graph, node)}, which output(s) "
                f"{users} depend on. The model's inputs are {[t.name for t in inputs]}. "
                "Pass that tensor in `inputs=[...]` too, or build the outputs from the given inputs only.")
    # state updates (batch-norm statistics) driven by the model's inputs and by nothing else
    region = reachable(graph.nx.successors, input_nodes)
    foreign = [n for n in graph.nx.nodes if graph.op(n) == "placeholder" and n not in input_nodes]
    tainted = reachable(graph.nx.successors, foreign)
    updates = [n for n in region if graph.op(n) == "assign" and n not in needed and n not in tainted]
    needed |= reachable(graph.nx.predecessors, updates)
    needed |= input_nodes  # an input no output uses is still one of the model's inputs (fed, then unused)
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
            # the weight itself: edges of the copied graph already carry the reads after its own assigns
            env[node] = (data["variable"].symbolic(latest=False),)
        elif op == "constant":
            env[node] = (constant(data["value"]),)
        else:
            ins = [env[src][idx] for src, idx in model_graph.inputs_of(node)]
            with extra_scope(data.get("scope") or (), data.get("training")):
                out = apply(op, ins, **{k: getattr(data["attrs"], k) for k in data["attrs"].__dataclass_fields__})
            env[node] = out if isinstance(out, tuple) else (out,)
    return [env[n][i] for n, i in output_refs]
