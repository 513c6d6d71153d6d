"""`symk.layers.serialize` / `deserialize` (Keras 3's `keras.layers.serialize` / `deserialize`).

    config = symk.layers.serialize(symk.layers.Dense(3))   # {'module': 'keras.layers', 'class_name': 'Dense', ...}
    layer = symk.layers.deserialize(config)

Both go through the codec of symk/object_registry.py, so users' registered layers resolve, and so do
layers nested in wrappers.
"""
from __future__ import annotations

import inspect

from .. import object_registry
from .base import Layer

__all__ = ["serialize", "deserialize"]


def _layer_classes() -> dict:
    from .. import layers  # read at call time: the catalog is complete by then

    return {name: obj for name, obj in vars(layers).items() if inspect.isclass(obj) and issubclass(obj, Layer)}


def serialize(layer) -> dict:
    """Keras 3's serialized form of a layer: module, class_name, config, registered_name (and build_config)."""
    return object_registry.serialize(layer)


def deserialize(config, custom_objects=None):
    """The layer a serialized form describes; a Layer instance is returned as it is."""
    if isinstance(config, Layer):
        return config
    found = object_registry.deserialize(config, custom_objects=custom_objects, module_objects=_layer_classes())
    if not isinstance(found, Layer):
        raise ValueError(f"Could not build a layer from {config!r}: it does not describe a layer "
                         "(expected Keras's {'class_name': ..., 'config': {...}} form)")
    return found
