"""Keras's layer order for an application model whose graph also holds ops made outside layers
(MobileNetV3's `x + 3.0` in hard_sigmoid): Keras orders layers by decreasing depth from the outputs
over all operations, ties broken by first discovery in a depth-first walk from the outputs.

    keras_order(model)   # [layers] as keras.Model.layers lists them (and weight files load them)

NOTE: a workaround: symk's Model.layers falls back to the graph's topological order when an op has no
layer (symk/models/layer_order.py raises NotLayerGraph), which is not Keras's order, so weight files
that load by position would meet the layers in another order.
"""
from __future__ import annotations


def _producers(model):
    """{(graph node, output index): call site} for every layer call in the model's graph."""
    graph = model.graph
    producers = {}
    for node in graph.topological_order():
        layer = graph.node(node).get("layer")
        if layer is None:
            continue
        for site in getattr(layer, "_inbound_nodes", ()):
            for tensor in site.output_tensors:  # the model's graph copies the build graph's node ids
                producers[(tensor.node, tensor.index)] = site
    return producers


def keras_order(model) -> list:
    graph = model.graph
    producers = _producers(model)
    input_keys = {(t.node, t.index) for t in model.inputs}

    def unit_of(key):
        """A call site, or the raw op node itself when no layer produced this tensor."""
        return producers.get(key, ("op", key[0]))

    def parents(unit):
        if isinstance(unit, tuple):
            edges = sorted(graph.nx.in_edges(unit[1], data=True), key=lambda e: e[2].get("position", 0))
            return [(source, data.get("index", 0)) for source, _, data in edges]
        if type(unit.layer).__name__ == "InputLayer":
            return []
        tensors = list(unit.input_tensors) + [v for v in unit.arguments.values() if hasattr(v, "node")]
        return [(t.node, t.index) for t in tensors]

    order_index, finished, visited = {}, [], set()
    stack = [(unit_of((t.node, t.index)), False) for t in reversed(model.outputs)]
    while stack:  # iterative depth-first walk (deep networks overflow Python's recursion)
        unit, expanded = stack.pop()
        key = id(unit) if not isinstance(unit, tuple) else unit
        if expanded:
            if key not in visited:
                visited.add(key)
                finished.append(unit)
            continue
        if key in visited:
            continue
        if not isinstance(unit, tuple) and id(unit.layer) not in order_index:
            order_index[id(unit.layer)] = (len(order_index), unit.layer)
        stack.append((unit, True))
        for parent in reversed(parents(unit)):
            if parent not in input_keys or parent in producers:
                stack.append((unit_of(parent), False))
    unit_depth, layer_depth = {}, {}
    for unit in reversed(finished):
        key = id(unit) if not isinstance(unit, tuple) else unit
        depth = unit_depth.get(key, 0)
        if not isinstance(unit, tuple):
            depth = max(depth, layer_depth.get(id(unit.layer), 0))
            layer_depth[id(unit.layer)] = depth
        unit_depth[key] = depth
        for parent in parents(unit):
            parent_unit = unit_of(parent)
            parent_key = id(parent_unit) if not isinstance(parent_unit, tuple) else parent_unit
            unit_depth[parent_key] = max(depth + 1, unit_depth.get(parent_key, 0))
    layers = sorted(order_index.values(), key=lambda entry: (-layer_depth[id(entry[1])], entry[0]))
    return [layer for _, layer in layers]
