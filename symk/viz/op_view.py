"""The op-level view: a model's op graph (the one passes rewrite) with printable attributes only.

    view = op_view(model)            # or op_view(some_graph) after a pass pipeline
    view.nodes["7"]["op"]            # 'matmul'

Nodes are keyed by the op node's id as a string and carry: kind='op', op, name, scope
('inner/dense'), layer_name (outermost layer), cluster (the scope again, for DOT
clusters; a weight, which no layer scope holds, goes to its first reader's), output_shape,
dtype, params, attrs. Edges (one per graph edge, so a tensor used twice by one op gives
two edges) carry position, index, tensor_shape and dtype. A control-flow region's bodies are drawn
inside it: their nodes are keyed '<region id>.<body attr>/<id>' and clustered under '<scope>/<region>.<body attr>'.
"""
from __future__ import annotations

import networkx as nx

from ..graph import Graph
from ..ops.body import bodies_of
from .describe import format_attrs, format_dtypes, format_specs, parameter_count


def graph_of(source) -> Graph:
    """A Graph, or the graph of a model (built models only)."""
    if isinstance(source, Graph):
        return source
    graph = getattr(source, "graph", None)
    if isinstance(graph, Graph):
        return graph
    raise TypeError(f"expected a symk Model or a symk Graph to draw; got {type(source).__name__}. "
                    "Build the model first (call it on data, or give it an input shape).")


def op_view(source, name: str = "") -> nx.MultiDiGraph:
    graph = graph_of(source)
    view = nx.MultiDiGraph(level="ops", name=name or getattr(source, "name", "") or "graph")
    _add_graph(view, graph, prefix="", outer_cluster=None)
    return view


def _add_graph(view: nx.MultiDiGraph, graph: Graph, prefix: str, outer_cluster) -> None:
    """Add a graph's nodes and edges; a region's bodies follow as clusters nested under the region node's name."""
    for node in graph.topological_order():
        data = graph.node(node)
        scope = "/".join(data.get("scope") or ())
        layer = data.get("layer")
        cluster = scope or _reader_scope(graph, node) if outer_cluster is None else outer_cluster
        view.add_node(
            prefix + str(node), kind="op", op=data["op"], name=str(data["name"]), scope=scope, cluster=cluster,
            layer_name=getattr(layer, "name", "") if layer is not None else "",
            output_shape=format_specs(data["specs"]), dtype=format_dtypes(data["specs"]),
            params=parameter_count(data), attrs=format_attrs(data.get("attrs")),
        )
        for field, body in bodies_of(data.get("attrs")):
            inner = f"{cluster}/{data['name']}.{field}" if cluster else f"{data['name']}.{field}"
            _add_graph(view, body.graph, f"{prefix}{node}.{field}/", inner)
    for source_node, target_node, edge in graph.nx.edges(data=True):
        spec = graph.node(source_node)["specs"][edge["index"]]
        view.add_edge(prefix + str(source_node), prefix + str(target_node), position=int(edge["position"]),
                      index=int(edge["index"]), tensor_shape=format_specs([spec]), dtype=str(spec.dtype))


def _reader_scope(graph: Graph, node: int) -> str:
    """Weights and constants belong to no layer; drawing them beside the op that reads them keeps layers whole."""
    if graph.op(node) not in ("parameter", "constant"):
        return ""
    readers = sorted(graph.users_of(node))
    return "/".join(graph.node(readers[0]).get("scope") or ()) if readers else ""
