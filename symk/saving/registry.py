"""Layer-class lookup for configs; the registry itself lives in symk/object_registry.py (below layers).

Built-in layer classes are looked up lazily in `symk.layers` at every resolution, so
layers other files add to the catalog are found without registering them here.
"""
from __future__ import annotations

import inspect
from typing import Optional

from ..object_registry import (_GLOBAL_CUSTOM_NAMES, _GLOBAL_CUSTOM_OBJECTS, CustomObjectScope,  # noqa: F401
                               UnknownObjectError, _scopes, custom_object_scope, get_custom_objects,
                               get_registered_name, get_registered_object, lookup_custom, register_keras_serializable,
                               register_serializable)


def builtin_layer_classes() -> dict:
    """Every Layer subclass exported by symk.layers (read now, so newly added layers count) plus models."""
    from .. import layers
    from ..layers.base import Layer
    from ..models import Model, Sequential

    found = {}
    for exported, obj in vars(layers).items():
        if inspect.isclass(obj) and issubclass(obj, Layer):
            found.setdefault(obj.__name__, obj)
            found.setdefault(exported, obj)
    found.update(Model=Model, Functional=Model, Sequential=Sequential)
    return found


def resolve_layer_class(class_name: str, custom_objects: Optional[dict] = None, where: str = ""):
    """The Layer class a config's class_name (or registered name 'package>Name') refers to."""
    custom = lookup_custom(class_name, custom_objects)
    if custom is not None:
        return custom
    builtin = builtin_layer_classes()
    cls = builtin.get(class_name) or builtin.get(class_name.split(">", 1)[-1])
    if cls is not None:
        return cls
    short = class_name.split(">", 1)[-1]
    raise UnknownObjectError(
        f"Unknown layer class {class_name!r}{where}. If it is your own layer, pass "
        f"custom_objects={{{short!r}: {short}}} to load_model / model_from_json / from_config, wrap the call in "
        f"`with symk.saving.custom_object_scope({{{short!r}: {short}}}):`, or decorate the class with "
        "@symk.saving.register_serializable(). If it is a Keras layer, symk does not implement it yet.")
