"""A symk op graph as Model Explorer's graph JSON (plain dicts, so it needs no Model Explorer installed).

    graphs = graph_dicts(model.graph, "cnn")     # [main graph, one graph per control-flow body]
    graphs[0]["nodes"][0]                        # {'id': '0', 'label': 'placeholder', 'namespace': '', ...}

The fields are those of `model_explorer.graph_builder` (Graph, GraphNode, IncomingEdge, KeyValue,
MetadataItem, GraphNodeStyle): layer scopes become namespaces ('inner/dense', so nested models
nest), op attributes and weight shapes become node attrs, output shapes and dtypes become
outputsMetadata (Model Explorer draws them on the edges), and a region's bodies become graphs of
their own that the region node names in `subgraphIds`. A `changes` map ({node id: 'removed' | 'added'
| 'fused' | 'rewritten'}) colours the nodes a pass pipeline touched and adds a `change` attr.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from ..graph import Graph
from ..ops.body import bodies_of
from .describe import format_shape, parameter_count
from .model_explorer_figures import estimated_flops, output_bytes

# the colours of symk.viz.formats.CHANGE_STYLES, in CSS
CHANGE_COLOURS = {"removed": "#f4b6b6", "added": "#b8f0b8", "fused": "#ffc870", "folded": "#e8c0e8",
                  "rewritten": "#bcdcf4"}
CHANGE_BORDERS = {"removed": "#cd0000", "added": "#008b00", "fused": "#cd6600", "folded": "#7d26cd",
                  "rewritten": "#0000cd"}


def _key_values(pairs) -> list:
    return [{"key": str(key), "value": str(value)} for key, value in pairs]


def _attr_pairs(attrs) -> list:
    if attrs is None or not dataclasses.is_dataclass(attrs):
        return []
    pairs = []
    for field in dataclasses.fields(attrs):
        value = getattr(attrs, field.name)
        if isinstance(value, np.ndarray):  # a constant's values are too many to show: its shape says enough
            value = f"array{format_shape(value.shape)}"
        elif hasattr(value, "graph") and hasattr(value, "outputs"):  # a Body: the subgraph shows it
            value = f"body graph '{getattr(value, 'name', field.name)}'"
        pairs.append((field.name, repr(value) if not isinstance(value, str) else value))
    return pairs


def namespace_of(graph: Graph, node: int) -> str:
    """The layer scope ('inner/dense'); weights and constants join the layer of their first reader."""
    data = graph.node(node)
    scope = tuple(data.get("scope") or ())
    if not scope and data["op"] in ("parameter", "constant"):
        readers = sorted(graph.users_of(node))
        scope = tuple(graph.node(readers[0]).get("scope") or ()) if readers else ()
    return "/".join(scope)


def _node_dict(graph: Graph, node: int, graph_id: str, changes: dict, prefix: str) -> dict:
    data = graph.node(node)
    layer = data.get("layer")
    attrs = [("name", data["name"]), ("op", data["op"])]
    if layer is not None:
        attrs.append(("layer", f"{getattr(layer, 'name', '')} ({type(layer).__name__})"))
    if data["op"] == "parameter":
        attrs += [("weight_shape", format_shape(data["specs"][0].shape)), ("params", parameter_count(data))]
    attrs += _attr_pairs(data.get("attrs"))
    attrs += [("estimated_flops", estimated_flops(graph, node)), ("output_bytes", output_bytes(graph, node))]
    provenance = data.get("provenance")
    if provenance:
        attrs.append(("provenance", ", ".join(map(str, provenance))))
    change = changes.get(prefix + str(node))
    result = {
        "id": prefix + str(node),
        "label": data["op"],
        "namespace": namespace_of(graph, node),
        "subgraphIds": [f"{graph_id}/{node}.{field}" for field, _ in bodies_of(data.get("attrs"))],
        "attrs": _key_values(attrs + ([("change", change)] if change else [])),
        "incomingEdges": [
            {"sourceNodeId": prefix + str(source), "sourceNodeOutputId": str(index),
             "targetNodeInputId": str(position)}
            for position, (source, index) in enumerate(graph.inputs_of(node))],
        "outputsMetadata": [
            {"id": str(index), "attrs": _key_values([("tensor_shape", format_shape(spec.shape)),
                                                     ("dtype", str(spec.dtype)),
                                                     ("__tensor_tag", f"{data['name']}:{index}")])}
            for index, spec in enumerate(data["specs"])],
        "inputsMetadata": [],
    }
    if change in CHANGE_COLOURS:
        result["style"] = {"backgroundColor": CHANGE_COLOURS[change], "borderColor": CHANGE_BORDERS[change],
                           "hoveredBorderColor": CHANGE_BORDERS[change]}
    return result


def graph_dicts(graph: Graph, graph_id: str, changes: Optional[dict] = None) -> list:
    """Model Explorer graphs for `graph` and, recursively, the bodies of its region ops (main graph first)."""
    changes = changes or {}
    nodes = [_node_dict(graph, node, graph_id, changes, "") for node in graph.topological_order()]
    result = [{"id": graph_id, "nodes": nodes,
               "groupNodeAttributes": _group_attributes(graph),
               "layoutConfigs": {"keepLayersWithASingleChild": True}}]
    for node in graph.topological_order():
        for field, body in bodies_of(graph.node(node).get("attrs")):
            result += graph_dicts(body.graph, f"{graph_id}/{node}.{field}")
    return result


def _group_attributes(graph: Graph) -> dict:
    """The side panel of a layer group: its layer's class (Model Explorer keys groups by namespace)."""
    groups: dict = {}
    for node in graph.nx.nodes:
        data = graph.node(node)
        scope, layer = tuple(data.get("scope") or ()), data.get("layer")
        if scope and layer is not None and "/".join(scope) not in groups:
            groups["/".join(scope)] = {"class": type(layer).__name__ if len(scope) == 1 else "",
                                       "outermost_layer": getattr(layer, "name", "")}
    return {namespace: {k: v for k, v in values.items() if v} for namespace, values in groups.items()}
