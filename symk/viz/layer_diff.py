"""Pass diffs at layer level: the model's layer graph after a pass pipeline, each layer marked by what
the pipeline did to its ops.

    view, report = layer_model_diff(model, mode="inference")
    view.nodes["drop"]["change"]        # 'removed'  (Dropout is the identity in inference)
    view.nodes["bn"]["change"]          # 'folded'   (merged_with='conv': BatchNormalization into the Conv)

A layer's `change` is one of
  removed    none of its ops is left (or only an `identity` that keeps an output's id);
  folded     a weight-folding pass (tag 'fold') merged its ops or weights, maybe with another layer's;
  fused      a fusion pass (tag 'fuse') merged its ops, maybe with another layer's;
  rewritten  some of its ops were removed, added or changed, nothing was merged;
  kept       untouched;  added: a layer group that only the optimized graph has.
Merges are read from the `provenance` passes keep on the nodes they create (symk.passes.rewrite):
node names there are mapped back to the layers that owned them. Which pass did a merge is read
from the pipeline's snapshots (one graph per pass that changed something). `merged_with` names the
other layers of a merge, `passes` the passes that touched the layer. Edges are 'kept', 'added'
(the optimized graph's only) or 'removed' (drawn dashed, from the model's own graph).
"""
from __future__ import annotations

from typing import Optional

import networkx as nx

from ..graph import Graph
from .layer_view import _ATTACHED_OPS, _Grouping, _node_id, layer_view

LAYER_CHANGES = ("removed", "folded", "fused", "rewritten", "kept", "added")
_KIND_BY_TAG = (("fold", "folded"), ("fuse", "fused"))  # a pass's tags say what kind of merge it made


def _layer_of_nodes(graph: Graph, model, expand_nested: bool) -> dict:
    """op node id -> layer-view node id, exactly as layer_view groups them."""
    grouping = _Grouping(graph, model, expand_nested)
    grouping.assign()
    return {node: _node_id(key) for node, key in grouping.group.items()}


def _computing(graph: Graph, nodes) -> set:
    """The nodes that compute something (weights and constants only feed the layer that reads them)."""
    return {n for n in nodes if graph.op(n) not in _ATTACHED_OPS}


def _provenance(graph: Graph, node: int) -> tuple:
    return tuple(graph.node(node).get("provenance") or ())


def _pass_history(snapshots: Optional[list]) -> dict:
    """op node id -> names of the passes that added, removed or changed it (from consecutive snapshots)."""
    history: dict = {}
    for (_, before), (pass_name, after) in zip(snapshots or [], (snapshots or [])[1:]):
        for node in set(before.nx.nodes) | set(after.nx.nodes):
            if node not in before.nx or node not in after.nx:
                history.setdefault(node, []).append(pass_name)
                continue
            old, new = before.node(node), after.node(node)
            if old["op"] != new["op"] or old.get("attrs") != new.get("attrs") or \
                    _provenance(before, node) != _provenance(after, node):
                history.setdefault(node, []).append(pass_name)
    return history


def _merge_kind(pass_names: list) -> str:
    """'folded' or 'fused' by the tags of the last pass that touched a merged node ('fused' when unknown)."""
    from ..passes import PASSES

    for pass_name in reversed(pass_names):
        tags = PASSES[pass_name].tags if pass_name in PASSES else ()
        for tag, kind in _KIND_BY_TAG:
            if tag in tags:
                return kind
    return "fused"


def _merges(before: Graph, after: Graph, layer_before: dict, layer_after: dict, history: dict) -> dict:
    """layer id -> {'kind': folded/fused, 'partners': other layer ids} for every layer in a merge."""
    name_to_layer = {before.node(n)["name"]: layer for n, layer in layer_before.items()}
    found: dict = {}
    for node in after.nx.nodes:
        names = set(_provenance(after, node))
        if len(names) < 2:  # one name: a node rewritten in place, not two things made one
            continue
        layers = {name_to_layer[name] for name in names if name in name_to_layer}
        if node in layer_after:
            layers.add(layer_after[node])
        kind = _merge_kind(history.get(node, []))
        # a host-folded weight (fold_weights) merges weights whatever merged the ops that read it: the
        # ops' merge names the layer's change (two Dense merged by merge_linear are 'fused', then folded)
        slot = "weight_kind" if after.op(node) in _ATTACHED_OPS else "op_kind"
        for layer in layers:
            entry = found.setdefault(layer, {"op_kind": None, "weight_kind": None, "partners": set()})
            if entry[slot] != "folded":  # folding wins between two op merges: it changes the weights
                entry[slot] = kind
            entry["partners"] |= layers - {layer}
    for entry in found.values():
        entry["kind"] = entry["op_kind"] or entry["weight_kind"]
    return found


def _members(layer_of: dict) -> dict:
    members: dict = {}
    for node, layer in layer_of.items():
        members.setdefault(layer, set()).add(node)
    return members


def _classify(layer: str, before: Graph, after: Graph, before_members: dict, after_members: dict,
              merges: dict) -> str:
    old_ops = _computing(before, before_members.get(layer, ()))
    new_ops = _computing(after, after_members.get(layer, ()))
    # an output that was simplified away stays as an identity of its replacement (rewrite.replace_uses)
    only_identities = all(after.op(n) == "identity" and (n not in before.nx or before.op(n) != "identity")
                          for n in new_ops)
    if layer in merges:
        return merges[layer]["kind"]
    if old_ops and (not new_ops or only_identities):
        return "removed"
    if old_ops != new_ops or any(after.node(n)["op"] != before.node(n)["op"] or
                                 after.node(n).get("attrs") != before.node(n).get("attrs")
                                 for n in new_ops & old_ops):
        return "rewritten"
    if len(before_members.get(layer, ())) != len(after_members.get(layer, ())):
        return "rewritten"  # its weights changed (a host-folded weight replaced them)
    return "kept"


def layer_pass_diff(model, after: Graph, snapshots: Optional[list] = None, expand_nested: bool = False,
                    name: str = "") -> nx.MultiDiGraph:
    """The layer view of `after` (an optimized copy of model.graph) plus the layers and edges it lost,
    each marked with its `change`. `snapshots`: [(pass name, graph), ...] from a pipeline report."""
    before = model.graph
    before_view = layer_view(model, expand_nested=expand_nested)
    after_view = layer_view(model, expand_nested=expand_nested, graph=after)
    layer_before = _layer_of_nodes(before, model, expand_nested)
    layer_after = _layer_of_nodes(after, model, expand_nested)
    before_members, after_members = _members(layer_before), _members(layer_after)
    history = _pass_history(snapshots)
    merges = _merges(before, after, layer_before, layer_after, history)

    view = nx.MultiDiGraph(level="layers", diff=True, name=name or f"{model.name} (pass diff)")
    counts = dict.fromkeys(LAYER_CHANGES, 0)
    ordered = list(before_view.nodes) + [n for n in after_view.nodes if n not in before_view]
    for layer in ordered:
        if layer in before_view:
            change = _classify(layer, before, after, before_members, after_members, merges)
        else:
            change = "added"
        attributes = dict(after_view.nodes[layer] if layer in after_view else before_view.nodes[layer])
        touched = before_members.get(layer, set()) | after_members.get(layer, set())
        passes = sorted({p for n in touched for p in history.get(n, [])})
        partners = sorted(merges.get(layer, {}).get("partners", ()))
        attributes.update(change=change, merged_with=", ".join(partners), passes=", ".join(passes),
                          ops_before=len(_computing(before, before_members.get(layer, ()))),
                          ops_after=len(_computing(after, after_members.get(layer, ()))))
        view.add_node(layer, **attributes)
        counts[change] += 1

    before_pairs = {(u, v) for u, v in before_view.edges()}
    after_pairs = {(u, v) for u, v in after_view.edges()}
    for u, v, key, data in after_view.edges(keys=True, data=True):
        view.add_edge(u, v, key=key, **data, change="kept" if (u, v) in before_pairs else "added")
    for u, v, key, data in before_view.edges(keys=True, data=True):
        if (u, v) not in after_pairs:
            view.add_edge(u, v, key=f"before:{key}", **data, change="removed")
    view.graph.update({f"{change}_layers": count for change, count in counts.items()})
    return view


def with_snapshots(optimize) -> dict:
    """An `optimize=` setting that also keeps a graph after each pass (what attributes merges to passes)."""
    setting = dict(optimize) if isinstance(optimize, dict) else {"passes": optimize}
    return {**setting, "snapshots": True}


def layer_model_diff(model, mode: str = "inference", optimize="default", expand_nested: bool = False) -> tuple:
    """Run the model's pass pipeline (the model is unchanged); returns (layer diff view, PipelineReport)."""
    from ..passes import optimize_model

    subject, report = optimize_model(model, mode, with_snapshots(optimize))
    view = layer_pass_diff(model, subject.graph, report.snapshots, expand_nested=expand_nested,
                           name=f"{model.name} ({mode} pipeline, layers)")
    return view, report
