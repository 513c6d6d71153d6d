"""The layer-level view: one node per layer (Keras's plot), derived from the op graph's scopes.

    view = layer_view(model, expand_nested=True)
    view.nodes["inner/dense"]["class_name"]      # 'Dense', drawn inside cluster 'inner'

Op nodes are grouped by the layer scope that created them, so the view is as true for an
optimized graph as for the model's own one. Weights and constants join the layer that
uses them; ops made outside any layer (`x + y` on symbolic tensors) stay nodes of their
own (kind='op'). A shared layer is one node with several inbound edges, as in Keras.
Nested models are one node (nested=True), or with `expand_nested` a cluster of their layers.
"""
from __future__ import annotations

from typing import Optional

import networkx as nx

from ..graph import Graph
from .describe import (activation_name, count_layer_params, format_dtypes, format_specs, is_model,
                       parameter_count, resolve_layer, sublayer_named)
from .op_view import graph_of

_ATTACHED_OPS = ("parameter", "constant")  # drawn as part of the layer that reads them
_LAYERLESS = None  # first element of the group key of an op made outside any layer


class _Grouping:
    """Which layer (a scope path) each op node belongs to, and the Layer objects those paths name."""

    def __init__(self, graph: Graph, model, expand_nested: bool):
        self.graph, self.model, self.expand_nested = graph, model, expand_nested
        self.layers: dict[tuple, object] = {}
        self.group: dict[int, tuple] = {}

    def scope_path(self, data: dict) -> tuple:
        scope = tuple(data.get("scope") or ())
        # a subclassed model traces call() under its own scope: its layers start one level down
        if self.model is not None and scope and data.get("layer") is self.model:
            return scope[1:]
        return scope

    def layer_at(self, data: dict, path: tuple):
        if path not in self.layers:
            outermost = data.get("layer")
            if self.model is not None and outermost is self.model:
                layer = self.model
                for name in path:
                    layer = sublayer_named(layer, name) if layer is not None else None
            else:
                layer = resolve_layer(outermost, path)
            self.layers[path] = layer
        return self.layers[path]

    def key_of(self, node: int) -> Optional[tuple]:
        data = self.graph.node(node)
        path = self.scope_path(data)
        if not path:
            return None
        depth = 1
        while self.expand_nested and depth < len(path) and is_model(self.layer_at(data, path[:depth])):
            depth += 1
        return path[:depth]

    def assign(self) -> list[tuple]:
        """Groups in order of first appearance; attached weights go to their first reader's group."""
        order, attached = [], []
        for node in self.graph.topological_order():
            data = self.graph.node(node)
            key = self.key_of(node)
            if key is None and data["op"] in _ATTACHED_OPS:
                attached.append(node)
                continue
            if key is None:
                key = (_LAYERLESS, data["name"])  # made outside any layer: a node of its own
            self.group[node] = key
            if key not in order:
                order.append(key)
        for node in attached:
            readers = sorted(self.graph.users_of(node))
            if readers and readers[0] in self.group:
                self.group[node] = self.group[readers[0]]
        return order


def layer_view(source, expand_nested: bool = False, graph: Optional[Graph] = None, name: str = "") -> nx.MultiDiGraph:
    """The layer graph of a model (or of `graph`, e.g. its optimized copy, read with the model's layers)."""
    model = None if isinstance(source, Graph) else source
    graph = graph if graph is not None else graph_of(source)
    grouping = _Grouping(graph, model, expand_nested)
    order = grouping.assign()
    members: dict[tuple, list[int]] = {key: [] for key in order}
    for node, key in grouping.group.items():
        members[key].append(node)
    output_refs = set(getattr(model, "_output_refs", None) or []) if model is not None else set()
    own_graph = model is not None and graph is getattr(model, "_graph", None)

    view = nx.MultiDiGraph(level="layers", name=name or getattr(model, "name", "") or "graph")
    node_id = {key: _node_id(key) for key in order}
    for key in order:
        view.add_node(node_id[key], **_group_attributes(grouping, key, members[key], output_refs, own_graph))
    for source_node, target_node, edge in graph.nx.edges(data=True):
        if graph.op(source_node) in _ATTACHED_OPS:
            continue
        source_key, target_key = grouping.group.get(source_node), grouping.group.get(target_node)
        if source_key is None or target_key is None or source_key == target_key:
            continue
        spec = graph.node(source_node)["specs"][edge["index"]]
        tensor = f"{source_node}:{edge['index']}"
        view.add_edge(node_id[source_key], node_id[target_key], key=tensor, tensor=tensor,
                      tensor_shape=format_specs([spec]), dtype=str(spec.dtype))
    return view


def _node_id(key: tuple) -> str:
    return f"op:{key[1]}" if key[0] is _LAYERLESS else "/".join(key)


def _group_attributes(grouping: _Grouping, key: tuple, nodes: list[int], output_refs: set, own_graph: bool) -> dict:
    graph = grouping.graph
    inside = set(nodes)
    outputs, inputs = [], []
    for node in nodes:
        data = graph.node(node)
        if data["op"] in _ATTACHED_OPS:
            continue
        for index, spec in enumerate(data["specs"]):
            used_outside = any(edge["index"] == index and user not in inside
                               for _, user, edge in graph.nx.out_edges(node, data=True))
            is_sink = not graph.users_of(node) and data["op"] != "assign"
            if used_outside or (node, index) in output_refs or is_sink:
                outputs.append(spec)
        for source_node, index in graph.inputs_of(node):
            if source_node not in inside and graph.op(source_node) not in _ATTACHED_OPS:
                inputs.append(graph.node(source_node)["specs"][index])
    weights = sum(parameter_count(graph.node(n)) for n in nodes)
    attributes = dict(name=key[-1], ops=len(nodes), output_shape=format_specs(_unique(outputs)),
                      input_shape=format_specs(_unique(inputs)), dtype=format_dtypes(outputs or inputs))
    if key[0] is _LAYERLESS:
        data = graph.node(nodes[0])
        is_input = data["op"] == "placeholder"
        attributes.update(kind="layer" if is_input else "op", class_name="InputLayer" if is_input else data["op"],
                          name=str(data["name"]), cluster="", nested=False, params=weights)
        return attributes
    layer = grouping.layer_at(graph.node(nodes[0]), key)
    counted = count_layer_params(layer) if layer is not None and own_graph else None
    attributes.update(kind="layer", class_name=type(layer).__name__ if layer is not None else "Layer",
                      cluster="/".join(key[:-1]), nested=bool(is_model(layer) and not grouping.expand_nested),
                      params=counted if counted is not None else weights, activation=activation_name(layer),
                      trainable=bool(getattr(layer, "trainable", True)))
    return attributes


def _unique(specs: list) -> list:
    return list(dict.fromkeys(specs))
