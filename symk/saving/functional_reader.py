"""Replaying a functional model's config (Keras 2 or Keras 3 form): its layers are created, then called
node by node, each reference and node checked as it is read.

    Keras 3 node: {"args": [<__keras_tensor__ with keras_history [layer, node, tensor]>], "kwargs": {...}}
    Keras 2 node: [[layer, node_index, tensor_index, kwargs], ...]
"""
from __future__ import annotations

import warnings

from ..errors import ConfigError, SymkError
from .config_checks import check_unique_names, expect
from .h5_read import reading
from ..layers.merge import Add, Average, Maximum, Minimum, Multiply, Subtract
from .layer_config import deserialize_layer, plain_dtype


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_ref(value) -> bool:
    return (isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str)
            and _is_int(value[1]) and _is_int(value[2]))


class _Builder:
    """Replays a functional config: creates layers, then calls them node by node."""

    def __init__(self, config, custom_objects, safe_mode):
        self.config, self.custom_objects, self.safe_mode = config, custom_objects, safe_mode
        self.where = f"functional model {config.get('name')!r}"
        self.layers: dict = {}
        self.outputs: dict[str, list] = {}   # layer name -> outputs of each call so far, in order
        self.offset: dict[str, int] = {}     # config node number of a layer's first call

    def tensor(self, name, node_index, tensor_index):
        from ..layers.call_site import _flatten

        if not (isinstance(name, str) and _is_int(node_index) and _is_int(tensor_index)):
            raise ConfigError(f"{self.where}: a tensor reference must be [layer name, node index, tensor index]; got "
                              f"{[name, node_index, tensor_index]}")
        if name not in self.layers:
            raise ConfigError(f"{self.where}: the config refers to layer {name!r}, which it does not define")
        layer = self.layers[name]
        if type(layer).__name__ == "InputLayer":
            return layer.output
        calls = self.outputs.get(name, [])
        position = node_index - self.offset.get(name, 0)
        if not 0 <= position < len(calls):
            position = node_index  # a writer that numbered from 0 after all
        if not 0 <= position < len(calls):
            return None  # not created yet; the node waits
        outputs = _flatten(calls[position])
        if not 0 <= tensor_index < len(outputs):
            raise ConfigError(f"{self.where}: the config refers to output #{tensor_index} of layer {name!r}, which has "
                              f"{len(outputs)} output(s)")
        return outputs[tensor_index]

    def history(self, value) -> list:
        history = value.get("config", {}).get("keras_history") if isinstance(value.get("config"), dict) else None
        if not isinstance(history, list) or len(history) < 3:
            raise ConfigError(f"{self.where}: a __keras_tensor__ needs a 'keras_history' [layer name, node index, "
                              f"tensor index]; got {str(value)[:120]}")
        return history[:3]

    def resolve(self, value):
        """Config tensors (either format) to symbolic tensors; None when one is not available yet."""
        missing = []

        def convert(v):
            if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                t = self.tensor(*self.history(v))
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
            args = self.resolve(expect(node.get("args", []), list, self.where, "a node's 'args'", "a list"))
            kwargs = self.resolve(expect(node.get("kwargs") or {}, dict, self.where, "a node's 'kwargs'", "a dict"))
            if args is None or kwargs is None:
                return None
            return args, kwargs
        expect(node, list, self.where, f"an inbound node of layer {layer.name!r}",
               "a dict {'args': [...], 'kwargs': {...}} (Keras 3) or a list of tensor references (Keras 2)")
        if not node:
            raise ConfigError(f"{self.where}: an inbound node of layer {layer.name!r} names no input tensor")
        tensors, kwargs = [], {}
        for ref in node:  # Keras 2: [[layer, node_index, tensor_index, kwargs], ...]
            if not isinstance(ref, list) or len(ref) < 3:
                raise ConfigError(f"{self.where}: layer {layer.name!r} has an inbound tensor reference {ref!r}; "
                                  "expected [layer name, node index, tensor index, kwargs]")
            t = self.tensor(*ref[:3])
            if t is None:
                return None
            tensors.append(t)
            if len(ref) > 3 and ref[3]:
                kwargs.update(expect(ref[3], dict, self.where, f"the call arguments of layer {layer.name!r}", "a dict"))
        return [tensors[0] if len(tensors) == 1 else tensors], kwargs

    def call(self, layer, node) -> bool:
        ready = self.call_args(layer, node)
        if ready is None:
            return False
        args, kwargs = ready
        if len(args) > 1 and isinstance(layer, (Add, Subtract, Multiply, Maximum, Minimum, Average)):
            args = [list(args)]  # keras.ops.add(a, b) and friends: Keras records them as Add(a, b)
        kwargs = {k: v for k, v in kwargs.items()
                  if v is not None and (k == "training" or layer._call_accepts(k))}
        try:
            self.outputs.setdefault(layer.name, []).append(layer(*args, **kwargs))
        except SymkError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
            raise ConfigError(f"{self.where}: calling layer {layer.name!r} on the inputs its config names failed "
                              f"({type(err).__name__}: {err})") from err
        return True

    def build(self):
        entries = expect(self.config.get("layers", []), list, self.where, "'layers'", "a list of layer entries")
        keras2 = any(isinstance(node, list) for entry in entries if isinstance(entry, dict)
                     for node in (entry.get("inbound_nodes") or []))
        pending, names = [], []
        for k, entry in enumerate(entries):
            layer = deserialize_layer(entry, self.custom_objects, self.safe_mode, where=f"{self.where}, layer #{k}")
            name = entry.get("name", layer.name)
            expect(name, str, self.where, f"the name of layer #{k}", "a string")
            names.append(name)
            self.layers[name] = layer
            if entry.get("class_name") in ("Functional", "Model") or keras2 and entry.get("class_name") == "Sequential":
                self.offset[name] = 1
            nodes = expect(entry.get("inbound_nodes") or [], list, self.where,
                           f"the 'inbound_nodes' of layer {name!r}", "a list")
            pending += [(layer, node) for node in nodes]
        check_unique_names(names, self.where)
        with reading(self.where):
            while pending:  # a node may wait for a layer defined later in the list (shared layers)
                waiting = [(layer, node) for layer, node in pending if not self.call(layer, node)]
                if len(waiting) == len(pending):
                    names = sorted({layer.name for layer, _ in waiting})
                    raise ConfigError(f"{self.where}: the model config cannot be replayed: the inputs of layer(s) "
                                      f"{names} are never produced (a broken or hand-edited config?)")
                pending = waiting
            inputs = self.structure(self.config.get("input_layers", []), "'input_layers'")
            outputs = self.structure(self.config.get("output_layers", []), "'output_layers'")
        return inputs, outputs

    def structure(self, refs, what: str):
        if _is_ref(refs):
            return self._produced(self.tensor(*refs[:3]), refs, what)
        if isinstance(refs, dict):
            return {k: self.structure(v, what) for k, v in refs.items()}
        if isinstance(refs, list) and len(refs) == 1 and _is_ref(refs[0]):
            return self._produced(self.tensor(*refs[0][:3]), refs[0], what)  # Keras 2 wraps single ones in a list
        if not isinstance(refs, list) or not refs:
            raise ConfigError(f"{self.where}: {what} must list tensor references [layer name, node index, tensor "
                              f"index]; got {str(refs)[:120]}")
        return [self.structure(r, what) for r in refs]

    def _produced(self, tensor, ref, what: str):
        if tensor is None:
            raise ConfigError(f"{self.where}: {what} refers to {ref!r}, a call the config never makes")
        return tensor


def functional_from_config(config, custom_objects=None, safe_mode: bool = True, cls=None):
    from ..models import Model

    inputs, outputs = _Builder(config, custom_objects, safe_mode).build()
    model_cls = cls or Model
    with reading(f"functional model {config.get('name')!r}"):
        model = model_cls(inputs=inputs, outputs=outputs, name=config.get("name"))
    if config.get("trainable") is False:
        model.trainable = False
    return model


def model_from_layer_entry(cls, class_name, config, custom_objects=None, safe_mode: bool = True):
    """A (possibly nested) model from its config, dispatching on Sequential vs functional."""
    from ..models import Sequential
    from .model_config import sequential_from_config

    if class_name == "Sequential" or (isinstance(cls, type) and issubclass(cls, Sequential)):
        return sequential_from_config(config, custom_objects, safe_mode)
    if config.get("name") is not None:
        expect(config["name"], str, f"model {class_name!r}", "'name'", "a string")
    if "layers" not in config:
        return _subclassed_from_config(cls, class_name, config)
    if "dtype" in config:
        plain_dtype(config["dtype"], f"model {config.get('name')!r}")
    from ..models import Model

    if isinstance(cls, type) and issubclass(cls, Model) and cls.__name__ not in ("Model", "Functional"):
        warnings.warn(f"rebuilding {class_name!r} as a functional model of that class from its layer config")
        return functional_from_config(config, custom_objects, safe_mode, cls=cls)
    return functional_from_config(config, custom_objects, safe_mode)


def _subclassed_from_config(cls, class_name: str, config: dict):
    """A subclassed model from its own get_config(): its from_config if it has one, else cls(**config) (Keras's
    default). Its weights are created when the caller builds it (build_config) or first calls it."""
    from ..models import Model, Sequential

    if not isinstance(cls, type) or cls in (Model, Sequential):
        raise ValueError(f"model class {class_name!r}: a {class_name} config needs 'layers'; this one has keys "
                         f"{sorted(config)}")
    own = next((klass for klass in cls.__mro__ if "from_config" in vars(klass)), None)
    if own is not None and own not in (Model, Sequential) and not own.__module__.startswith("symk."):
        return cls.from_config(config)
    kwargs = dict(config)
    if "dtype" in kwargs:
        kwargs["dtype"] = plain_dtype(kwargs["dtype"], f"model {config.get('name')!r}")
    try:
        return cls(**kwargs)
    except TypeError as err:
        raise ConfigError(f"could not rebuild subclassed model {class_name!r} from its config: {err}. Its "
                          "get_config() must return the __init__ arguments (or define from_config()).") from err
