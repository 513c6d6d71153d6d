"""What Keras's small configurable objects share: initializers, regularizers, constraints, losses, metrics.

Each family keeps its own classes and name table; this file holds the config round trip, the
Keras 3 serialized form, and the name / config lookup that regularizers and constraints share.
"""
from __future__ import annotations

import re

__all__ = ["Configurable", "keras_serialize", "from_class_config", "lookup_by_name_or_config", "class_name_to_snake"]


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


def lookup_by_name_or_config(identifier, base: type, table: dict, kind: str):
    """None, an instance of `base` or a plain callable as given; a name ('l2') or a config dict
    ({"class_name": "L2", "config": {...}}) built from `table`. `kind` names the family in errors."""
    if identifier is None or isinstance(identifier, base) or callable(identifier) and not isinstance(
            identifier, (str, dict, type)):
        return identifier
    if isinstance(identifier, str):
        if identifier not in table:
            raise ValueError(f"unknown {kind} {identifier!r}; known: {', '.join(sorted(table))}")
        return table[identifier]()
    if isinstance(identifier, dict):
        cls = table.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"unknown {kind} config {identifier}")
        return cls(**identifier.get("config", {}))
    raise ValueError(f"cannot interpret {identifier!r} as a {kind}")


def class_name_to_snake(name: str) -> str:
    """The default object name of losses and metrics: an underscore before every capital after the first
    ('MeanSquaredError' -> 'mean_squared_error')."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
