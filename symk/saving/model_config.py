"""Model configs: Sequential and functional models to Keras JSON configs and back.

Written in Keras 3's format (inbound nodes as `{"args": [keras tensors], "kwargs": {}}`);
read from Keras 2 (`[[layer, node_index, tensor_index, kwargs], ...]`) and Keras 3 alike,
with nested models, shared layers and several inputs and outputs.
"""
from __future__ import annotations

import warnings

from .layer_config import deserialize_layer, dtype_policy, plain_dtype, serialize_layer
from ..models.layer_order import walk_sites


# -- Sequential ----------------------------------------------------------------------
def sequential_config(model) -> dict:
    layers = []
    input_layer = getattr(model, "_input_layer", None)
    if input_layer is not None:
        layers.append(serialize_layer(input_layer))
    layers += [serialize_layer(layer) for layer in model.layers]
    config = {"name": model.name, "trainable": model.trainable, "dtype": dtype_policy(model.dtype), "layers": layers}
    if model._graph is not None:
        config["build_input_shape"] = list(model.inputs[0].shape)
    return config


def sequential_from_config(config, custom_objects=None, safe_mode: bool = True):
    from ..layers.input_layer import InputLayer
    from ..models import Sequential

    if isinstance(config, list):  # Keras 1 / early Keras 2: the config is the layer list itself
        config = {"layers": config}
    model = Sequential(name=config.get("name"), trainable=config.get("trainable", True))
    for entry in config.get("layers", []):
        layer = deserialize_layer(entry, custom_objects, safe_mode)
        if isinstance(layer, InputLayer) and (model.layers or model._input_layer is not None):
            continue
        model.add(layer)
    shape = config.get("build_input_shape")
    if model._graph is None and shape is not None and model.layers:
        model.build(tuple(shape))
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


# -- functional: reading ---------------------------------------------------------------
def _is_ref(value) -> bool:
    return (isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str)
            and isinstance(value[1], int) and isinstance(value[2], int))


class _Builder:
    """Replays a functional config: creates layers, then calls them node by node."""

    def __init__(self, config, custom_objects, safe_mode):
        self.config, self.custom_objects, self.safe_mode = config, custom_objects, safe_mode
        self.layers: dict = {}
        self.outputs: dict[str, list] = {}   # layer name -> outputs of each call so far, in order
        self.offset: dict[str, int] = {}     # config node number of a layer's first call

    def tensor(self, name, node_index, tensor_index):
        from ..layers.call_site import _flatten

        if name not in self.layers:
            raise ValueError(f"the config refers to layer {name!r}, which it does not define")
        layer = self.layers[name]
        if type(layer).__name__ == "InputLayer":
            return layer.output
        calls = self.outputs.get(name, [])
        position = node_index - self.offset.get(name, 0)
        if not 0 <= position < len(calls):
            position = node_index  # a writer that numbered from 0 after all
        if not 0 <= position < len(calls):
            return None  # not created yet; the node waits
        return _flatten(calls[position])[tensor_index]

    def resolve(self, value):
        """Config tensors (either format) to symbolic tensors; None when one is not available yet."""
        missing = []

        def convert(v):
            if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                t = self.tensor(*v["config"]["keras_history"][:3])
                missing.append(t is None)
                return t
            if isinstance(v, dict):
                return {k: convert(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [convert(x) for x in v]
            return v

        result = convert(value)
        return None if any(missing) else result

    def call_args(self, layer, node):
        if isinstance(node, dict):  # Keras 3
            args = self.resolve(node.get("args", []))
            kwargs = self.resolve(node.get("kwargs", {}))
            if args is None or kwargs is None:
                return None
            return args, kwargs
        tensors, kwargs = [], {}
        for ref in node:  # Keras 2: [[layer, node_index, tensor_index, kwargs], ...]
            t = self.tensor(*ref[:3])
            if t is None:
                return None
            tensors.append(t)
            if len(ref) > 3 and ref[3]:
                kwargs.update(ref[3])
        return [tensors[0] if len(tensors) == 1 else tensors], kwargs

    def call(self, layer, node) -> bool:
        ready = self.call_args(layer, node)
        if ready is None:
            return False
        args, kwargs = ready
        kwargs = {k: v for k, v in kwargs.items()
                  if v is not None and (k == "training" or layer._call_accepts(k))}
        self.outputs.setdefault(layer.name, []).append(layer(*args, **kwargs))
        return True

    def build(self):
        keras2 = any(isinstance(node, list) for entry in self.config.get("layers", [])
                     for node in entry.get("inbound_nodes", []))
        pending = []
        for entry in self.config.get("layers", []):
            layer = deserialize_layer(entry, self.custom_objects, self.safe_mode)
            name = entry.get("name", layer.name)
            self.layers[name] = layer
            if entry.get("class_name") in ("Functional", "Model") or (keras2 and entry.get("class_name") == "Sequential"):
                self.offset[name] = 1
            pending += [(layer, node) for node in entry.get("inbound_nodes", [])]
        while pending:  # a node may wait for a layer defined later in the list (shared layers)
            waiting = [(layer, node) for layer, node in pending if not self.call(layer, node)]
            if len(waiting) == len(pending):
                names = sorted({layer.name for layer, _ in waiting})
                raise ValueError(f"the model config cannot be replayed: the inputs of layer(s) {names} are never "
                                 "produced (a broken or hand-edited config?)")
            pending = waiting
        return self.structure(self.config.get("input_layers", [])), self.structure(self.config.get("output_layers", []))

    def structure(self, refs):
        if _is_ref(refs):
            return self.tensor(*refs[:3])
        if isinstance(refs, dict):
            return {k: self.structure(v) for k, v in refs.items()}
        if isinstance(refs, (list, tuple)) and len(refs) == 1 and _is_ref(refs[0]):
            return self.tensor(*refs[0][:3])  # Keras 2 wraps single inputs/outputs in a list
        return [self.structure(r) for r in refs]


def functional_from_config(config, custom_objects=None, safe_mode: bool = True, cls=None):
    from ..models import Model

    inputs, outputs = _Builder(config, custom_objects, safe_mode).build()
    model_cls = cls or Model
    model = model_cls(inputs=inputs, outputs=outputs, name=config.get("name"))
    if config.get("trainable") is False:
        model.trainable = False
    return model


def model_from_layer_entry(cls, class_name, config, custom_objects=None, safe_mode: bool = True):
    """A (possibly nested) model from its config, dispatching on Sequential vs functional."""
    from ..models import Sequential

    if class_name == "Sequential" or (isinstance(cls, type) and issubclass(cls, Sequential)):
        return sequential_from_config(config, custom_objects, safe_mode)
    if "layers" not in config:
        if hasattr(cls, "from_config") and "from_config" in vars(cls):
            return cls.from_config(config)
        raise ValueError(f"model class {class_name!r} has no 'layers' in its config and no from_config of its own: "
                         "a subclassed model cannot be rebuilt from a config; rebuild it in code and load_weights()")
    if "dtype" in config:
        plain_dtype(config["dtype"], f"model {config.get('name')!r}")
    from ..models import Model

    if isinstance(cls, type) and issubclass(cls, Model) and cls.__name__ not in ("Model", "Functional"):
        warnings.warn(f"rebuilding {class_name!r} as a functional model of that class from its layer config")
        return functional_from_config(config, custom_objects, safe_mode, cls=cls)
    return functional_from_config(config, custom_objects, safe_mode)
