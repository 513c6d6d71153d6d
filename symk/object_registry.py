"""The registry of users' serializable objects, and the codec every family's serialize/deserialize uses.

    @symk.saving.register_keras_serializable(package="my_package")
    def custom_fn(x): ...

    with symk.saving.custom_object_scope({"MyLayer": MyLayer}):
        model = symk.models.load_model("model.h5")

This sits below layers and saving: activations, losses, metrics, optimizers, initializers,
regularizers, constraints and layers all resolve registered names here. Their `serialize` and
`deserialize` functions go through the codec that `symk.saving` installs when it is imported
(Keras 3's serialize_keras_object / deserialize_keras_object), so a family never imports saving.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Optional

from .errors import SymkError

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


class UnknownObjectError(SymkError, ValueError):
    """A config names a class symk does not know; the message says how to register it."""


# -- the codec: Keras 3's serialized form, installed by symk.saving ------------------------------------
_codec: dict[str, Callable] = {}


def install_codec(serialize: Callable, deserialize: Callable) -> None:
    """symk.saving registers serialize_keras_object / deserialize_keras_object here when it is imported."""
    _codec.update(serialize=serialize, deserialize=deserialize)


def _installed(which: str) -> Callable:
    if which not in _codec:
        raise RuntimeError(f"symk's serializer is not installed yet: `import symk` (which imports symk.saving) "
                           f"before calling a family's {which}()")
    return _codec[which]


def serialize(obj):
    """Keras 3's serialized form of `obj` (serialize_keras_object)."""
    return _installed("serialize")(obj)


def deserialize(config, custom_objects: Optional[dict] = None, module_objects: Optional[dict] = None):
    """The object a serialized form describes; names are looked up in `module_objects` (the family's table)
    after users' registered objects, as Keras's family deserializers do."""
    return _installed("deserialize")(config, custom_objects=custom_objects, module_objects=module_objects)
