"""Model configs: Sequential and functional models to Keras JSON configs and back.

Written in Keras 3's format (inbound nodes as `{"args": [keras tensors], "kwargs": {}}`);
read from Keras 2 (`[[layer, node_index, tensor_index, kwargs], ...]`) and Keras 3 alike,
with nested models, shared layers and several inputs and outputs.
"""
from __future__ import annotations

from ..models.layer_order import walk_sites
from .config_checks import check_shape, check_unique_names, expect
from .functional_reader import functional_from_config, model_from_layer_entry  # noqa: F401  (read here too)
from .h5_read import reading
from .layer_config import deserialize_layer, dtype_policy, serialize_layer


# -- Sequential ----------------------------------------------------------------------
def sequential_config(model) -> dict:
    layers = []
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None:
        layers.append(serialize_layer(input_layer))
    layers += [serialize_layer(layer) for layer in model.layers]
    # the policy's name, as Keras 3 writes it ('mixed_bfloat16' under that global policy, not its variable dtype)
    config = {"name": model.name, "trainable": model.trainable, "dtype": dtype_policy(model.dtype_policy.name),
              "layers": layers}
    if model._graph is not None:
        config["build_input_shape"] = list(model.inputs[0].shape)
    return config


def sequential_from_config(config, custom_objects=None, safe_mode: bool = True):
    from ..layers.input_layer import InputLayer
    from ..models import Sequential

    if isinstance(config, list):  # Keras 1 / early Keras 2: the config is the layer list itself
        config = {"layers": config}
    name = config.get("name")
    where = f"Sequential model {name!r}"
    if name is not None:
        expect(name, str, where, "'name'", "a string")
    entries = expect(config.get("layers", []), list, where, "'layers'", "a list of layer entries")
    model = Sequential(name=name, trainable=config.get("trainable", True) is not False)
    layers = [deserialize_layer(entry, custom_objects, safe_mode, where=f"{where}, layer #{k}")
              for k, entry in enumerate(entries)]
    check_unique_names([layer.name for layer in layers], where)
    with reading(where):
        for layer in layers:
            if isinstance(layer, InputLayer) and (model.layers or model._input_layer is not None):
                continue
            model.add(layer)
        shape = config.get("build_input_shape")
        if model._graph is None and shape is not None and model.layers:
            model.build(tuple(check_shape(shape, where, "'build_input_shape'")))
    return model


# -- functional: writing ---------------------------------------------------------------
def _tensor_ref(tensor, node_number: dict) -> list:
    layer, index, tensor_index = tensor._keras_history
    return [layer.name, node_number[id(layer._inbound_nodes[index])], tensor_index]


def _keras_tensor(tensor, node_number: dict) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": _tensor_ref(tensor, node_number)}}


def _map_structure(value, fn):
    from ..graph import SymbolicTensor

    if isinstance(value, SymbolicTensor):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_structure(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_map_structure(v, fn) for v in value]
    return value


def _first_node_number(layer) -> int:
    """Keras numbers a nested functional model's calls from 1 (its node 0 is its own graph)."""
    from ..models import Model, Sequential

    return 1 if isinstance(layer, Model) and not isinstance(layer, Sequential) and layer._functional else 0


def functional_config(model) -> dict:
    if not model._functional:
        raise NotImplementedError(
            f"Model {model.name!r} is a subclassed model: its architecture is Python code, not a config. Save its "
            "weights with save_weights() and rebuild it in code, or implement get_config()/from_config().")
    layers, sites = walk_sites(model)
    node_number: dict[int, int] = {}
    counts: dict[int, int] = {}
    for site in sorted(sites, key=lambda s: s.index):
        n = counts.get(id(site.layer), _first_node_number(site.layer))
        node_number[id(site)] = n
        counts[id(site.layer)] = n + 1
    sites_of: dict[int, list] = {}
    for site in sorted(sites, key=lambda s: s.index):
        sites_of.setdefault(id(site.layer), []).append(site)
    entries = []
    for layer in layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": [_map_structure(site.inputs, lambda t: _keras_tensor(t, node_number))],
             "kwargs": _map_structure({k: v for k, v in site.arguments.items()},
                                      lambda t: _keras_tensor(t, node_number))}
            for site in sites_of.get(id(layer), []) if type(layer).__name__ != "InputLayer"]
        entries.append(entry)

    def refs(structure):
        from ..graph import SymbolicTensor

        if isinstance(structure, SymbolicTensor):
            return _tensor_ref(structure, node_number)
        return _map_structure(structure, lambda t: _tensor_ref(t, node_number))

    return {"name": model.name, "trainable": model.trainable, "layers": entries,
            "input_layers": refs(model._input_structure), "output_layers": refs(model._output_structure)}
