"""Pass diffs: one op view showing what a pass pipeline removed, added, fused and rewrote.

    view, report = model_diff(model, mode="inference")
    write_view(view, "what_the_optimizer_did.svg")

Passes keep the ids of the nodes they keep (symk.passes.rewrite), so nodes are matched by
id. A node's `change` is 'removed' (only before), 'added' (only after), 'fused' (after,
replacing two or more nodes: its `provenance` names them), 'rewritten' (same id, new op,
attributes or provenance) or 'kept'. Edges carry 'removed' / 'added' / 'kept' the same way.
"""
from __future__ import annotations

import networkx as nx

from ..graph import Graph
from .op_view import graph_of, op_view


def _provenance(data: dict) -> tuple:
    return tuple(data.get("provenance") or ())


def _classify(before: Graph, after: Graph, node: int) -> str:
    data = after.node(node)
    provenance = _provenance(data)
    if node not in before.nx:
        return "fused" if len(set(provenance)) >= 2 else "added"
    old = before.node(node)
    same = old["op"] == data["op"] and old.get("attrs") == data.get("attrs") and _provenance(old) == provenance
    if same:
        return "kept"
    return "fused" if len(set(provenance)) >= 2 else "rewritten"


def _edge_set(graph: Graph) -> set:
    return {(u, v, d["position"], d["index"]) for u, v, d in graph.nx.edges(data=True)}


def pass_diff(before, after, name: str = "") -> nx.MultiDiGraph:
    """The op view of `after`, plus `before`'s lost nodes and edges, each marked with its `change`."""
    before, after = graph_of(before), graph_of(after)
    view = op_view(after, name=name or "pass diff")
    old_view = op_view(before)
    counts = dict.fromkeys(("removed", "added", "fused", "rewritten", "kept"), 0)
    for node in after.nx.nodes:
        change = _classify(before, after, node)
        counts[change] += 1
        view.nodes[str(node)].update(change=change, provenance=", ".join(_provenance(after.node(node))))
    for node in before.nx.nodes:
        if node not in after.nx:
            counts["removed"] += 1
            view.add_node(str(node), **old_view.nodes[str(node)], change="removed",
                          provenance=", ".join(_provenance(before.node(node))))
    old_edges, new_edges = _edge_set(before), _edge_set(after)
    for u, v, key, data in view.edges(keys=True, data=True):
        data["change"] = "kept" if (int(u), int(v), data["position"], data["index"]) in old_edges else "added"
    for u, v, data in old_view.edges(data=True):
        if (int(u), int(v), data["position"], data["index"]) not in new_edges:
            view.add_edge(u, v, **data, change="removed")
    view.graph.update({f"{change}_nodes": count for change, count in counts.items()})
    return view


def model_diff(model, mode: str = "inference", optimize="default", level: str = "ops",
               expand_nested: bool = False) -> tuple:
    """Run the model's pass pipeline (the model is unchanged); returns (diff view, PipelineReport).

    level='layers' draws the layer graph instead (symk.viz.layer_diff), `expand_nested` as in layer_view.
    """
    from ..passes import optimize_model

    if level == "layers":
        from .layer_diff import layer_model_diff

        return layer_model_diff(model, mode, optimize, expand_nested=expand_nested)
    if level != "ops":
        raise ValueError(f"level must be 'layers' or 'ops'; got {level!r}")
    subject, report = optimize_model(model, mode, optimize)
    return pass_diff(model.graph, subject.graph, name=f"{model.name} ({mode} pipeline)"), report
