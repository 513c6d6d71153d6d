"""Objects nested in one of symk's layer configs, resolved before the layer is built from it.

    "layer": {"class_name": "Dense", "config": {..., "quantization_config": null}}   a wrapped layer
    "cell" / "cells": [...]                                                          RNN cells
    "activation": "custom_fn" | {"class_name": "function", "config": "MyPkg>custom_fn", ...}
    "kernel_initializer": {"class_name": "MyInit", "registered_name": "MyPkg>MyInit", ...}

A nested layer goes through the same deserializer as a top-level one (layer_config.deserialize_layer),
so an argument symk does not know is dropped with a warning at any depth, and users' layers, cells,
functions and classes resolve from custom_objects, custom-object scopes and the registry. What symk
knows itself (a built-in activation name, an initializer config) is left for the layer to read.
"""
from __future__ import annotations

import inspect

from .registry import lookup_custom

LAYER_KEYS = ("layer", "backward_layer", "cell", "cells")
OBJECT_SUFFIXES = ("_initializer", "_regularizer", "_constraint")


def _is_layer_entry(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("class_name"), str) and isinstance(
        value.get("config"), (dict, list))


def _custom(value, custom_objects):
    """A user's object named by a config value (a name or a serialized object), or None."""
    if isinstance(value, str):
        return lookup_custom(value, custom_objects)
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        if value["class_name"] == "function":
            names = [value.get("config"), value.get("registered_name")]
        else:
            names = [value.get("registered_name"), value["class_name"]]
        for name in names:
            if isinstance(name, str) and name != "function":
                found = lookup_custom(name, custom_objects)
                if found is not None:
                    return found
    return None


def _activation(value, custom_objects, where: str):
    from .. import activations

    if isinstance(value, str) and value in activations.ALL:
        return value
    if isinstance(value, dict) and value.get("class_name") == "function":
        found = _custom(value, custom_objects)
        if found is not None:
            return found
        name = value.get("config")
        if isinstance(name, str) and name in activations.ALL:
            return name  # Keras's own function, written in the object form
        return value
    found = _custom(value, custom_objects)
    return found if callable(found) and not inspect.isclass(found) else value


def _user_object(value, custom_objects, where: str):
    """A user's initializer / regularizer / constraint class's config as an instance; anything else as it is."""
    found = _custom(value, custom_objects) if isinstance(value, dict) else None
    if inspect.isclass(found) and not found.__module__.startswith("symk."):
        config = value.get("config") or {}
        return found.from_config(dict(config)) if hasattr(found, "from_config") else found(**config)
    if isinstance(value, str):
        found = lookup_custom(value, custom_objects)
        if found is not None and not (inspect.isclass(found) and found.__module__.startswith("symk.")):
            return found() if inspect.isclass(found) else found
    return value


def _nested_layer(value, custom_objects, safe_mode: bool, where: str):
    from ..layers.base import Layer
    from .layer_config import deserialize_layer
    from .registry import builtin_layer_classes

    if not _is_layer_entry(value):
        return value
    name = value.get("registered_name") or value["class_name"]
    known = _custom(value, custom_objects)
    cls = known if known is not None else builtin_layer_classes().get(value["class_name"])
    if not (inspect.isclass(cls) and issubclass(cls, Layer)):
        return value
    return deserialize_layer({**value, "registered_name": name if known is not None else None}, custom_objects,
                             safe_mode, where=f"{where}, nested layer {value['class_name']!r}")


def resolve_nested(cls, kwargs: dict, custom_objects, safe_mode: bool, where: str) -> dict:
    """Constructor kwargs of one of symk's layers with nested layers, functions and users' objects resolved."""
    if not cls.__module__.startswith("symk."):
        return kwargs  # a user's layer reads its own config, as in Keras
    out = dict(kwargs)
    for key, value in kwargs.items():
        if key in LAYER_KEYS:
            if isinstance(value, list):
                out[key] = [_nested_layer(v, custom_objects, safe_mode, where) for v in value]
            else:
                out[key] = _nested_layer(value, custom_objects, safe_mode, where)
        elif key == "activation" or key.endswith("_activation"):
            out[key] = _activation(value, custom_objects, where)
        elif key.endswith(OBJECT_SUFFIXES) or key == "activity_regularizer":
            out[key] = _user_object(value, custom_objects, where)
    return out
