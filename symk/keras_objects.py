"""What Keras's small configurable objects share: initializers, regularizers, constraints, losses, metrics.

Each family keeps its own classes and name table; this file holds the config round trip, the
Keras 3 serialized form, and the name / config lookup the families share. Serialized forms go through the
codec of symk/object_registry.py (Keras 3's serialize_keras_object / deserialize_keras_object, installed by
symk.saving), so users' registered objects resolve in every family.
"""
from __future__ import annotations

import inspect
import re

from . import object_registry

__all__ = ["Configurable", "keras_serialize", "from_class_config", "lookup_by_name_or_config", "class_name_to_snake",
           "serialize_object", "deserialize_object"]


class Configurable:
    """An object whose constructor arguments are its config: `cls.from_config(obj.get_config())` rebuilds it."""

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def keras_serialize(obj, module: str) -> dict:
    """Keras 3's serialized form: {"module": "keras.<family>", "class_name", "config", "registered_name"}."""
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def from_class_config(config: dict, classes: dict, kind: str):
    """The object a {"class_name": ..., "config": {...}} dict describes, built by its class's from_config."""
    cls = classes.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown {kind} config {config!r}; known classes: {sorted(classes)}")
    return cls.from_config(config.get("config", {}))


def serialize_object(obj):
    """Keras 3's serialized form of a family's object (what `keras.<family>.serialize` returns)."""
    return object_registry.serialize(obj)


def deserialize_object(config, table: dict, kind: str, custom_objects=None):
    """The object a serialized form (a name, {"class_name", "config"} or Keras 3's full form) describes:
    users' registered objects first, then `table`, the family's own names."""
    found = object_registry.deserialize(config, custom_objects=custom_objects, module_objects=table)
    if isinstance(found, str):
        raise ValueError(f"Unknown {kind} {config!r}; known: {', '.join(sorted(table))} (or register your own "
                         "with @symk.saving.register_keras_serializable())")
    return found


def lookup_by_name_or_config(identifier, base: type, table: dict, kind: str):
    """None, an instance of `base` or a plain callable as given; a name ('l2', or a registered one) or a config
    dict ({"class_name": "L2", "config": {...}}, Keras 3's full form too) built from `table`."""
    if identifier is None or isinstance(identifier, base) or callable(identifier) and not isinstance(
            identifier, (str, dict, type)):
        return identifier
    if isinstance(identifier, str):
        found = table.get(identifier) or object_registry.lookup_custom(identifier)
        if found is None:
            raise ValueError(f"unknown {kind} {identifier!r}; known: {', '.join(sorted(table))}")
        return found() if inspect.isclass(found) else found
    if isinstance(identifier, dict):
        return deserialize_object(identifier, table, kind)
    raise ValueError(f"cannot interpret {identifier!r} as a {kind}")


def class_name_to_snake(name: str) -> str:
    """The default object name of losses and metrics: an underscore before every capital after the first
    ('MeanSquaredError' -> 'mean_squared_error')."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
