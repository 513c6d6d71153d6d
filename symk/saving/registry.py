"""The serializable registry: users' own classes by name, custom-object scopes, and class lookup.

    @symk.saving.register_serializable(package="my_package")
    class MyLayer(symk.layers.Layer): ...

    with symk.saving.custom_object_scope({"MyLayer": MyLayer}):
        model = symk.models.load_model("model.h5")

Built-in layer classes are looked up lazily in `symk.layers` at every resolution, so
layers other files add to the catalog are found without registering them here.
"""
from __future__ import annotations

import inspect
from typing import Any, Optional

from ..errors import SymkError

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[int, str] = {}  # id(obj) -> its registered name 'package>Name'
_scopes: list[dict] = []


def register_serializable(package: str = "Custom", name: Optional[str] = None):
    """Class decorator: make `cls` loadable by name from configs (Keras's register_keras_serializable)."""

    def decorator(obj):
        short = name or getattr(obj, "__name__", None)
        if not short:
            raise ValueError(f"register_serializable: cannot infer a name for {obj!r}; pass name='...'")
        registered = f"{package}>{short}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_serializable: class {short!r} needs a get_config() method to be serialized")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[id(obj)] = registered
        return obj

    return decorator


register_keras_serializable = register_serializable


def get_custom_objects() -> dict:
    """The global registry (name -> object); adding to it registers objects (Keras 2 habit)."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj) -> str:
    """'package>Name' for registered objects, else the class (or function) name."""
    target = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
    return _GLOBAL_CUSTOM_NAMES.get(id(target), getattr(target, "__name__", str(target)))


def get_registered_object(name: str, custom_objects: Optional[dict] = None, module_objects: Optional[dict] = None):
    """The object registered (or in scope) under exactly `name`, else None (Keras's lookup order)."""
    for source in _scopes[::-1] + [_GLOBAL_CUSTOM_OBJECTS, custom_objects or {}, module_objects or {}]:
        if name in source:
            return source[name]
    return None


class CustomObjectScope:
    """`with custom_object_scope({'MyLayer': MyLayer}):` makes those names resolvable while inside."""

    def __init__(self, *dicts):
        self.objects: dict = {}
        for d in dicts:
            if d:
                self.objects.update(d)

    def __enter__(self):
        _scopes.append(self.objects)
        return self

    def __exit__(self, *exc):
        _scopes.remove(self.objects)
        return False


custom_object_scope = CustomObjectScope


def lookup_custom(name: str, custom_objects: Optional[dict] = None):
    """A user object by name: the custom_objects argument, then scopes (innermost first), then registry."""
    candidates = [name]
    if ">" in name:
        candidates.append(name.split(">", 1)[1])
    for source in [custom_objects or {}] + _scopes[::-1]:
        for candidate in candidates:
            if candidate in source:
                return source[candidate]
    for candidate in candidates:
        if candidate in _GLOBAL_CUSTOM_OBJECTS:
            return _GLOBAL_CUSTOM_OBJECTS[candidate]
    for registered, obj in _GLOBAL_CUSTOM_OBJECTS.items():
        if registered.split(">", 1)[-1] == name:
            return obj
    return None


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


class UnknownObjectError(SymkError, ValueError):
    """A config names a class symk does not know; the message says how to register it."""


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
