"""Deserializer: one pass of deserialize_keras_object over a config (serialization_lib.py has the public API).

Special forms (`__numpy__`, `__tensor__`, `__bytes__`, `__slice__`, `__ellipsis__`, `__keras_tensor__`,
`__lambda__`, DTypePolicy) first; then functions, then classes: users' by registered name, symk's by
module + class name (serialization_lib.class_tables). Layers and models go through layer_config's
deserializer (unknown arguments dropped with a warning at any depth); other objects through
object_arguments.construct_object. Objects Keras marked with `shared_object_id` are built once.
"""
from __future__ import annotations

import inspect
import types

import numpy as np

from ..errors import SymkError
from .registry import get_registered_object, lookup_custom
from .serialization_lib import ObjectNotFoundError, SafeModeScope, class_tables, function_tables


class Deserializer:
    """Resolves one config; `shared` remembers objects by Keras's shared_object_id."""

    def __init__(self, custom_objects, safe_mode: bool, module_objects=None):
        self.custom_objects = dict(custom_objects or {})
        self.safe_mode = safe_mode
        self.module_objects = module_objects or {}
        self.shared: dict = {}

    def custom(self, name):
        if not isinstance(name, str):
            return None
        found = lookup_custom(name, self.custom_objects)
        if found is None:
            found = get_registered_object(name, self.custom_objects, self.module_objects)
        return found

    def value(self, config):
        if config is None:
            return None
        if isinstance(config, str):
            found = self.custom(config)
            if found is None and config in self.module_objects:
                found = self.module_objects[config]
            return found if found is not None else config
        if isinstance(config, (list, tuple)):
            return [self.value(x) for x in config]
        if isinstance(config, (int, float, bool)):
            return config
        if not isinstance(config, dict):
            raise TypeError(f"Could not parse config: {config}")
        if "class_name" not in config or "config" not in config:
            return {key: self.value(v) for key, v in config.items()}
        special = self.special(config)
        if special is not _NOT_SPECIAL:
            return special
        if config["class_name"] == "function":
            return self.function(config)
        shared_id = config.get("shared_object_id")
        if shared_id is not None and shared_id in self.shared:
            return self.shared[shared_id]
        obj = self.instance(config)
        if shared_id is not None:
            self.shared[shared_id] = obj
        return obj

    def special(self, config):
        name, inner = config["class_name"], config["config"] if config["config"] is not None else {}
        if name == "__numpy__":
            return np.array(inner["value"], dtype=inner["dtype"])
        if name == "__tensor__":
            import jax.numpy as jnp

            return jnp.asarray(np.array(inner["value"], dtype=inner["dtype"]))
        if name == "__bytes__":
            return inner["value"].encode("utf-8")
        if name == "__ellipsis__":
            return Ellipsis
        if name == "__slice__":
            return slice(self.value(inner.get("start")), self.value(inner.get("stop")), self.value(inner.get("step")))
        if name == "__keras_tensor__":
            from ..layers.input_layer import make_placeholder

            return make_placeholder(tuple(inner["shape"]), inner.get("dtype") or "float32")
        if name == "__lambda__":
            return self.lambda_function(inner)
        if name in ("DTypePolicy", "FloatDTypePolicy") and (config.get("module") or "keras").startswith("keras"):
            from .layer_config import plain_dtype

            return plain_dtype(config, "a DTypePolicy")  # symk keeps dtype policies as their dtype names
        return _NOT_SPECIAL

    def lambda_function(self, inner: dict):
        from .lambda_serialization import UnsafeDeserializationError, _load_bytecode

        if self.safe_mode:
            raise UnsafeDeserializationError(
                "Requested the deserialization of a Python lambda. This carries a potential risk of arbitrary code "
                "execution and thus it is disallowed by default. If you trust the source of the artifact, you can "
                "override this error by passing `safe_mode=False` to the loading function, or calling "
                "`symk.config.enable_unsafe_deserialization()`.")
        value = inner.get("value")
        code, defaults, closure = (list(value) + [None, None])[:3] if value is not None else (
            inner["code"], inner.get("defaults"), inner.get("closure"))
        return _load_bytecode(code.replace("\n", ""), defaults, closure)

    def function(self, config: dict):
        name = config["config"]
        if not isinstance(name, str):
            raise TypeError(f"Expected 'config' to be a non-null str for a function classname, instead got "
                            f"{type(name)}. Full config: {config}")
        found = self.custom(name)
        if found is None and config.get("registered_name") not in (None, "function"):
            found = self.custom(config["registered_name"])
        if found is not None:
            return found
        module = config.get("module") or "builtins"
        tables = function_tables()
        search = tables.values() if module == "builtins" or module not in tables else [tables[module]]
        for table in search:
            if name in table:
                return table[name]
        if ">" not in name:  # Keras <= 3.6 wrote custom functions by their plain name
            for registered, obj in _registered_items(self.custom_objects):
                if registered.endswith(f">{name}"):
                    return obj
        raise ObjectNotFoundError(
            f"Could not locate function '{name}'. Make sure custom classes and functions are decorated with "
            "`@keras.saving.register_keras_serializable()`. If they are already decorated, make sure they are all "
            f"imported so that the decorator is run before trying to load them. Full object config: {config}")

    def resolve_class(self, config: dict):
        class_name, module = config["class_name"], config.get("module")
        registered = config.get("registered_name") or class_name
        found = self.custom(registered)
        if found is None and registered != class_name:
            found = self.custom(class_name)
        if found is not None:
            return found
        tables = class_tables()
        if class_name in ("Functional", "Model", "Sequential"):
            from ..models import Model, Sequential

            return Sequential if class_name == "Sequential" else Model
        if module in tables and class_name in tables[module]:
            return tables[module][class_name]
        if module is None or module in ("keras", "keras.src") or module not in tables and module.startswith("keras"):
            for table in tables.values():  # no module (an .h5 config), or a Keras module symk groups differently
                if class_name in table:
                    return table[class_name]
        if class_name in self.module_objects:
            return self.module_objects[class_name]
        raise ObjectNotFoundError(
            f"Could not locate class '{class_name}'. Make sure custom classes and functions are decorated with "
            "`@keras.saving.register_keras_serializable()`. If they are already decorated, make sure they are all "
            f"imported so that the decorator is run before trying to load them. Full object config: {config}")

    def instance(self, config: dict):
        from ..layers.base import Layer
        from .registry import CustomObjectScope

        cls = self.resolve_class(config)
        if isinstance(cls, types.FunctionType):
            return cls
        if not hasattr(cls, "from_config"):
            raise TypeError(f"Unable to reconstruct an instance of '{config['class_name']}' because the class is "
                            f"missing a `from_config()` method. Full object config: {config}")
        with CustomObjectScope(self.custom_objects), SafeModeScope(self.safe_mode):
            if inspect.isclass(cls) and issubclass(cls, Layer):
                return self.layer(cls, config)
            from .object_arguments import construct_object

            inner = config["config"] if config["config"] is not None else {}
            return construct_object(cls, inner, self, where=f"{config['class_name']} config")

    def layer(self, cls, config: dict):
        from .layer_config import deserialize_layer

        entry = {"class_name": config["class_name"], "config": config["config"]}
        # the class resolve_class found (symk's, a user's or from module_objects) is the one built
        custom = {**self.custom_objects, config["class_name"]: cls}
        layer = deserialize_layer(entry, custom, self.safe_mode)
        apply_build_and_compile(layer, config, self.custom_objects)
        return layer


_NOT_SPECIAL = object()


def _registered_items(custom_objects: dict):
    from .registry import _GLOBAL_CUSTOM_OBJECTS, _scopes

    for source in [custom_objects] + _scopes[::-1] + [_GLOBAL_CUSTOM_OBJECTS]:
        yield from source.items()


def apply_build_and_compile(obj, config: dict, custom_objects=None) -> None:
    """Keras's steps after from_config: build_from_config(build_config), then compile_from_config."""
    from ..models import Model

    build = config.get("build_config")
    if isinstance(obj, Model) and build and build.get("input_shape") is not None and obj._graph is None:
        shape = build["input_shape"]
        multiple = bool(shape) and isinstance(shape[0], (list, tuple))
        obj.build([tuple(s) for s in shape] if multiple else tuple(shape))  # a subclassed model traces call()
    elif build and not getattr(obj, "built", True) and hasattr(obj, "build_from_config"):
        try:
            obj.build_from_config(build)
        except SymkError:
            raise
        except (ValueError, TypeError) as err:
            raise ValueError(f"{type(obj).__name__} {getattr(obj, 'name', '')!r}: its build_config {build} could "
                             f"not be applied ({err})") from err
    compiled = config.get("compile_config")
    if compiled and hasattr(obj, "compile"):
        from .compile_config import compile_from_config

        compile_from_config(obj, compiled, custom_objects)
