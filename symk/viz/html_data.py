"""The data an HTML explorer page embeds: one or two graphs (before/after a pipeline) as plain JSON.

    page = page_data(model, level="op", compare="inference")
    page["graphs"][0]["nodes"][0]   # {'id': '0', 'label': 'placeholder', 'name': 'input_layer', 'group': '', ...}

Each node carries `group`, the '/'-joined path of the layer groups it is drawn in (op level: its
layer scope, so nested models nest; layer level: its nested model), and `info`, the attributes the
side panel lists. `groups` describes each group path (its layer's class). A pass diff marks nodes
and edges with `change` as symk.viz.diff does.
"""
from __future__ import annotations

from typing import Optional

import networkx as nx

from ..graph import Graph
from .model_explorer_figures import estimated_flops, output_bytes
from .op_view import graph_of, op_view

LEVELS = ("op", "layer")
# view attributes that are layout plumbing, or that the panel shows already (op, name, output shape)
_HIDDEN = {"cluster", "kind", "scope", "op", "name", "output_shape"}


def _node_entry(key: str, data: dict, level: str) -> dict:
    label = data.get("op") if level == "op" else data.get("class_name") or data.get("op") or ""
    info = {name: value for name, value in data.items() if name not in _HIDDEN and value not in ("", None)}
    entry = {"id": key, "label": str(label), "name": str(data.get("name", key)), "group": data.get("cluster", ""),
             "shape": data.get("output_shape", ""), "info": {k: str(v) for k, v in info.items()}}
    if data.get("change") and data["change"] != "kept":
        entry["change"] = data["change"]
    return entry


def view_entry(view: nx.MultiDiGraph, title: str, level: str, changes: Optional[dict] = None,
               graph: Optional[Graph] = None) -> dict:
    """A view (op_view / layer_view) as {'title', 'nodes', 'edges'}; `changes` maps node ids to a change.

    With the op `graph` the view shows, each op's panel also lists its estimated FLOPs and output bytes."""
    changes = changes or {}
    nodes = []
    for key, data in view.nodes(data=True):
        entry = _node_entry(str(key), data, level)
        if graph is not None and str(key).isdigit() and int(key) in graph.nx:
            entry["info"].update(estimated_flops=str(estimated_flops(graph, int(key))),
                                 output_bytes=str(output_bytes(graph, int(key))))
        if changes.get(str(key), "kept") != "kept":
            entry["change"] = changes[str(key)]
        nodes.append(entry)
    edges = [{"source": str(u), "target": str(v), "shape": data.get("tensor_shape", ""),
              "dtype": data.get("dtype", "")} for u, v, data in view.edges(data=True)]
    return {"title": title, "nodes": nodes, "edges": edges}


def group_descriptions(source) -> dict:
    """{group path: {'class_name', 'output_shape', 'params'}} from the model's layers (empty for a Graph)."""
    if isinstance(source, Graph):
        return {}
    from .layer_view import layer_view

    described = {}
    for key, data in layer_view(source, expand_nested=True).nodes(data=True):
        path = f"{data['cluster']}/{data['name']}" if data.get("cluster") else str(data.get("name", key))
        described[path] = {name: str(data[name]) for name in ("class_name", "output_shape", "params")
                           if data.get(name) not in (None, "")}
    return described


def _level_view(source, level: str, graph: Optional[Graph] = None, name: str = "") -> nx.MultiDiGraph:
    if level == "op":
        return op_view(graph if graph is not None else source, name=name)
    from .layer_view import layer_view

    return layer_view(source, expand_nested=True, graph=graph)


def page_data(source, level: str = "op", compare: Optional[str] = None) -> dict:
    """Everything the page draws; compare='inference' embeds the graph before and after that pipeline."""
    if level not in LEVELS:
        raise ValueError(f"level must be 'op' or 'layer'; got {level!r}")
    graph_of(source)  # a clear TypeError for anything that is neither a model nor a graph
    name = getattr(source, "name", "") or "graph"
    if level == "layer" and isinstance(source, Graph):
        raise TypeError("level='layer' needs the model (its layers name the groups); pass the model, or level='op'")
    page = {"title": name, "level": level, "groups": group_descriptions(source)}
    if compare is None:
        figures_of = graph_of(source) if level == "op" else None
        page["graphs"] = [view_entry(_level_view(source, level, name=name), name, level, graph=figures_of)]
        return page
    if isinstance(source, Graph):
        raise TypeError("compare=... runs a model's pass pipeline: pass the model, not its graph")
    from ..passes import optimize_model
    from .diff import model_diff

    subject, _ = optimize_model(source, compare)
    diff, _ = model_diff(source, mode=compare, level="ops" if level == "op" else "layers", expand_nested=True)
    changes = {str(key): data.get("change", "kept") for key, data in diff.nodes(data=True)}
    page["graphs"] = [
        view_entry(_level_view(source, level, name=name), f"before {compare} passes", level, changes,
                   graph=source.graph if level == "op" else None),
        view_entry(_level_view(source, level, graph=subject.graph, name=name), f"after {compare} passes", level,
                   changes, graph=subject.graph if level == "op" else None),
    ]
    return page
