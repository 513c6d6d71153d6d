"""Keras 3's serialized object form of layers and models, as `.keras` archives and `serialize_keras_object` write it.

    {"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": null,
     "build_config": {"input_shape": [null, 4]}}
    {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional", ...}
    {"module": "my_package.layers", "class_name": "MyDense", "registered_name": "MyLayers>MyDense", ...}

Keras 3 resolves a class from `module` + `class_name` (its own classes) or from `registered_name`
(users' classes), so every entry of a model config, nested ones included, carries both. The
configs themselves come from model_config / layer_config (what `.h5` files hold); this module
adds the identity keys and rewrites users' functions and classes into the forms Keras reads.
"""
from __future__ import annotations

import inspect

from .layer_config import serialize_layer
from .registry import get_registered_name, lookup_custom

FUNCTIONAL_MODULE = "keras.src.models.functional"
# what a nested entry under these keys is: Keras's family of objects
FAMILY_OF_KEY = (("_initializer", "keras.initializers"), ("_regularizer", "keras.regularizers"),
                 ("_constraint", "keras.constraints"))
LAYER_KEYS = ("layer", "backward_layer", "forward_layer", "cell", "cells")
# classes Keras exports under another name than their own (keras.layers.GroupQueryAttention)
KERAS_API_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}


def family_module(cls) -> str | None:
    """'keras.layers', 'keras.losses', ... for one of symk's own classes (by its base class); None otherwise."""
    from .. import constraints, initializers, regularizers
    from ..layers.base import Layer
    from ..losses_base import Loss
    from ..metrics.base import Metric
    from ..optimizers.base import Optimizer
    from ..optimizers.schedules import LearningRateSchedule

    for base, module in ((Layer, "keras.layers"), (Loss, "keras.losses"), (Metric, "keras.metrics"),
                         (Optimizer, "keras.optimizers"), (LearningRateSchedule, "keras.optimizers.schedules"),
                         (initializers.Initializer, "keras.initializers"), (regularizers.Regularizer,
                                                                            "keras.regularizers"),
                         (constraints.Constraint, "keras.constraints")):
        if inspect.isclass(cls) and issubclass(cls, base):
            return module
    return None


def is_symk_class(cls) -> bool:
    return inspect.isclass(cls) and cls.__module__.startswith("symk.")


def class_identity(cls) -> dict:
    """{'module', 'class_name', 'registered_name'} as Keras 3 writes them for an object of class `cls`."""
    from ..models import Model, Sequential

    registered = get_registered_name(cls)
    if is_symk_class(cls) and ">" not in registered:
        if issubclass(cls, Sequential):
            return {"module": "keras", "class_name": "Sequential", "registered_name": None}
        if issubclass(cls, Model):
            return {"module": FUNCTIONAL_MODULE, "class_name": "Functional", "registered_name": "Functional"}
        return {"module": family_module(cls), "class_name": KERAS_API_NAMES.get(cls.__name__, cls.__name__),
                "registered_name": None}
    # a user's class: Keras finds it by registered name ('package>Name', or the class name if unregistered)
    module = None if cls.__module__ == "__main__" else cls.__module__
    return {"module": module, "class_name": cls.__name__, "registered_name": registered}


def function_form(fn) -> dict:
    """A function as Keras 3 writes one: by its registered name ('MyPkg>custom_fn') or plain name."""
    return {"module": "builtins", "class_name": "function", "config": get_registered_name(fn),
            "registered_name": "function"}


# -- nested values of a config --------------------------------------------------------------
def _is_entry(value) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("class_name"), str) and "config" in value
            and not value["class_name"].startswith("__"))


def _custom_class(entry: dict):
    name = entry.get("registered_name") or entry["class_name"]
    found = lookup_custom(name) or lookup_custom(entry["class_name"])
    return found if inspect.isclass(found) else None


def _family_for_key(key: str) -> str | None:
    if key in LAYER_KEYS:
        return "keras.layers"
    if key == "learning_rate":
        return "keras.optimizers.schedules"
    for suffix, module in FAMILY_OF_KEY:
        if key.endswith(suffix) or key == suffix[1:]:
            return module
    return None


def _upgrade_entry(entry: dict, key: str) -> dict:
    """A nested {'class_name', 'config'} with Keras 3's identity keys: users' classes by registered name."""
    custom = _custom_class(entry)
    out = dict(entry)
    if custom is not None and not is_symk_class(custom):
        out.update(class_identity(custom))
    elif "module" not in out or (out.get("module") is None and entry.get("registered_name") is None):
        module = _family_for_key(key)
        if module is not None:
            out["module"] = module
            out.setdefault("registered_name", None)
    out["config"] = upgrade_config(entry["config"]) if isinstance(entry["config"], dict) else entry["config"]
    return out


def _is_activation_key(key: str) -> bool:
    return key == "activation" or key.endswith("_activation")


def _upgrade_value(key: str, value):
    from .. import activations

    if _is_activation_key(key) and isinstance(value, str) and value not in activations.ALL:
        fn = lookup_custom(value)
        if callable(fn) and not inspect.isclass(fn):
            return function_form(fn)  # a registered activation: Keras looks it up by 'package>name'
        return value
    if _is_entry(value):
        return _upgrade_entry(value, key)
    if isinstance(value, list):
        return [_upgrade_value(key, v) for v in value]
    return value


def upgrade_config(config: dict) -> dict:
    """A layer's (or an optimizer's) config with its nested objects in Keras 3's form."""
    return {k: (v if k in ("function", "output_shape") else _upgrade_value(k, v)) for k, v in config.items()}


# -- layers and models -------------------------------------------------------------------------
def _build_config(layer):
    try:
        build = layer.get_build_config()
    except (AttributeError, TypeError, ValueError):
        return None
    if not build:
        return None
    from .layer_config import _jsonable

    return _jsonable(build)


def layer_entry(layer) -> dict:
    """One layer (or nested model) in Keras 3's object form."""
    from ..models import Model

    if isinstance(layer, Model):
        return model_entry(layer)
    entry = {**class_identity(type(layer)), "config": upgrade_config(serialize_layer(layer)["config"])}
    entry = {"module": entry["module"], "class_name": entry["class_name"], "config": entry["config"],
             "registered_name": entry["registered_name"]}
    if type(layer).__name__ != "InputLayer":
        build = _build_config(layer)
        if build is not None:
            entry["build_config"] = build
    return entry


def _sequential_config(model) -> dict:
    from .model_config import sequential_config

    config = sequential_config(model)
    layers = ([model._input_layer] if getattr(model, "_input_layer", None) is not None else []) + list(model.layers)
    config["layers"] = [layer_entry(layer) for layer in layers]
    return config


def _functional_config(model) -> dict:
    from ..models.layer_order import walk_sites
    from .model_config import functional_config

    config = functional_config(model)
    layers, _ = walk_sites(model)
    entries = []
    for entry, layer in zip(config["layers"], layers):
        upgraded = layer_entry(layer)
        upgraded.update(name=entry["name"], inbound_nodes=entry["inbound_nodes"])
        entries.append(upgraded)
    config["layers"] = entries
    return config


def model_config_in_object_form(model) -> dict:
    """The model's own config: Sequential and functional models as Keras writes them, subclasses by get_config()."""
    from ..models import Model, Sequential
    from .layer_config import _jsonable

    if isinstance(model, Sequential):
        return _sequential_config(model)
    if model._functional and type(model).get_config is Model.get_config:
        return _functional_config(model)
    try:
        config = model.get_config()
    except NotImplementedError as err:
        raise NotImplementedError(
            f"Model {model.name!r} ({type(model).__name__}) cannot be saved as a .keras archive: {err} A .keras "
            "archive needs get_config() (returning the __init__ arguments) and, if __init__ takes objects, "
            "from_config(). Or save only the weights: model.save_weights('model.weights.h5').") from None
    return upgrade_config(_jsonable(config))


def model_entry(model, include_compile: bool = False) -> dict:
    """A model in Keras 3's object form: identity keys, config, build_config and (if asked) compile_config."""
    from ..models import Sequential

    entry = {**class_identity(type(model)), "config": model_config_in_object_form(model)}
    entry = {"module": entry["module"], "class_name": entry["class_name"], "config": entry["config"],
             "registered_name": entry["registered_name"]}
    if isinstance(model, Sequential):
        shape = entry["config"].get("build_input_shape")
        entry["build_config"] = {"input_shape": shape}
    elif model._functional:
        entry["build_config"] = {"input_shape": None}  # Keras writes null: the config holds the inputs
    else:
        entry["build_config"] = {"input_shape": _subclass_input_shape(model)}
    if include_compile:
        from .compile_config import compile_config

        compiled = compile_config(model)
        if compiled is not None:
            entry["compile_config"] = compiled
    return entry


def _subclass_input_shape(model):
    inputs = getattr(model, "inputs", None) or []
    shapes = [list(t.shape) for t in inputs]
    if not shapes:
        return None
    return shapes[0] if len(shapes) == 1 else shapes
