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


def keras_layer_order(model) -> list:
    """model.layers, which is already in Keras's order (see Model.layers)."""
    return list(model.layers)
