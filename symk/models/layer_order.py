"""A functional model's layers and call sites in Keras's order (Model.layers, configs and weight files).

Keras orders a functional model's layers by decreasing depth from the outputs, ties broken
by the order a depth-first walk from the outputs first meets them. Weight files load
layers by that position, so symk writes and reads in the same order.
"""
from __future__ import annotations

from ..layers.call_site import _flatten


class NotLayerGraph(ValueError):
    """The model's graph has ops that no layer call produced, so no Keras config describes it."""


def _site_of(tensor):
    history = tensor._keras_history
    if history is None:
        raise NotLayerGraph(
            f"tensor {tensor.name!r} (op {tensor.op_name!r}) was computed outside any layer, so the model has no "
            "Keras config. Wrap that computation in a Lambda layer (or a custom Layer) to save the architecture; "
            "save_weights() works either way.")
    layer, index, _ = history
    return layer, layer._inbound_nodes[index]


def walk_sites(model):
    """(layers in Keras order, call sites that belong to the model in discovery order)."""
    inputs = list(model.inputs)
    input_ids = {id(t) for t in inputs}
    layer_index: dict[int, int] = {}
    layers_by_id: dict[int, object] = {}
    finished: list = []  # call sites, each after everything it depends on
    visited: set[int] = set()

    def is_input(t) -> bool:
        return id(t) in input_ids

    def visit(tensor) -> None:
        layer, site = _site_of(tensor)
        if id(site) in visited:
            return
        if id(layer) not in layer_index:
            layer_index[id(layer)] = len(layer_index)
            layers_by_id[id(layer)] = layer
        if not is_input(tensor):
            for parent in site.input_tensors + _kwarg_tensors(site):
                visit(parent)
        visited.add(id(site))
        finished.append(site)

    for t in model.outputs:
        visit(t)
    # depth: outputs are 0, a site's inputs are deeper than the site
    site_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for site in reversed(finished):
        depth = max(site_depth.get(id(site), 0), layer_depth.get(id(site.layer), 0))
        layer_depth[id(site.layer)] = depth
        site_depth[id(site)] = depth
        if _is_input_site(site, is_input):
            continue
        for parent in site.input_tensors + _kwarg_tensors(site):
            _, parent_site = _site_of(parent)
            site_depth[id(parent_site)] = max(depth + 1, site_depth.get(id(parent_site), 0))
    for t in inputs:  # inputs no output needs still belong to the model
        layer, site = _site_of(t)
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], layer_index[id(layer)] = 0, -1
            layers_by_id[id(layer)] = layer
            finished.append(site)
    order = sorted(layers_by_id, key=lambda i: (-layer_depth[i], layer_index[i]))
    return [layers_by_id[i] for i in order], finished


def _is_input_site(site, is_input) -> bool:
    return all(is_input(t) for t in site.output_tensors) and type(site.layer).__name__ == "InputLayer"


def _kwarg_tensors(site) -> list:
    return [t for v in site.arguments.values() for t in _flatten(v)]


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


def order_with_raw_ops(model) -> list:
    """Keras's layer order for a functional model whose graph also holds ops made outside layers
    (MobileNetV3's `x + 3.0` in hard_sigmoid): Keras orders by decreasing depth over all operations, the
    raw ops included, ties broken by first discovery in a depth-first walk from the outputs."""
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

    def owner(unit):
        return None if isinstance(unit, tuple) else unit.layer

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
        layer = owner(unit)
        if layer is not None and id(layer) not in order_index:
            order_index[id(layer)] = (len(order_index), layer)
        stack.append((unit, True))
        for parent in reversed(parents(unit)):
            if parent not in input_keys or parent in producers:
                stack.append((unit_of(parent), False))
    unit_depth, layer_depth = {}, {}
    for unit in reversed(finished):
        key = id(unit) if not isinstance(unit, tuple) else unit
        depth = unit_depth.get(key, 0)
        layer = owner(unit)
        if layer is not None:
            depth = max(depth, layer_depth.get(id(layer), 0))
            layer_depth[id(layer)] = depth
        unit_depth[key] = depth
        for parent in parents(unit):
            parent_unit = unit_of(parent)
            parent_key = id(parent_unit) if not isinstance(parent_unit, tuple) else parent_unit
            unit_depth[parent_key] = max(depth + 1, unit_depth.get(parent_key, 0))
    layers = [layer for _, layer in sorted(order_index.values(), key=lambda e: (-layer_depth[id(e[1])], e[0]))]
    return layers + _scope_only_layers(model, {id(layer) for layer in layers})


def _scope_only_layers(model, listed: set) -> list:
    """Layers that own ops of the graph without any call site (an imported ONNX node's OnnxNode scope), in the
    order their ops were made in (for an import, the ONNX file's node order)."""
    out = []
    for node in model.graph.nx.nodes:
        layer = model.graph.node(node).get("layer")
        if layer is not None and layer is not model and id(layer) not in listed:
            listed.add(id(layer))
            out.append(layer)
    return out


def keras_layer_order(model) -> list:
    """model.layers, which is already in Keras's order (see Model.layers)."""
    return list(model.layers)
