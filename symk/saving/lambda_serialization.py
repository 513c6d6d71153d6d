"""Lambda functions in configs: written as Keras 3 does, read from Keras 2 and Keras 3 configs.

A named function is written by name (`{"class_name": "function", "config": "my_fn", ...}`)
and read back from custom_objects / the registry. An anonymous lambda is written as
base64 marshal bytecode (what Keras writes); reading it back would execute code from the
file, so it is refused unless the caller passes safe_mode=False.
"""
from __future__ import annotations

import base64
import marshal
import types
from typing import Optional

from ..config import unsafe_deserialization_enabled
from ..errors import SymkError
from .registry import lookup_custom


class UnsafeDeserializationError(SymkError, ValueError):
    """Loading would execute code stored in the file."""


def _is_anonymous(fn) -> bool:
    return isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>"


def _dump_function(fn) -> dict:
    if _is_anonymous(fn):
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
        return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    if callable(fn):
        name = getattr(fn, "__name__", None)
        if name is None:
            raise ValueError(f"cannot serialize {fn!r} in a Lambda layer: it has no name; use a def function")
        from .registry import get_registered_name

        return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
                "registered_name": get_registered_name(fn)}
    raise ValueError(f"Lambda layer function must be callable; got {fn!r}")


def serialize_function(fn) -> dict:
    """The config keys a Lambda layer adds for its function (Keras 3 format)."""
    return {"function": _dump_function(fn)}


def _refuse(layer_name: str, what: str):
    raise UnsafeDeserializationError(
        f"Lambda layer {layer_name!r}: its {what} was saved as Python bytecode, and loading it would execute code "
        "from the file. symk refuses this by default (safe_mode=True). If you trust the file's author, pass "
        "safe_mode=False to load_model / model_from_json / model_from_config (or call "
        "symk.config.enable_unsafe_deserialization()); better, rewrite the lambda as a named "
        "function and pass it in custom_objects.")


def _load_bytecode(code: str, defaults, closure):
    raw = base64.b64decode(code.encode("ascii"))
    function_code = marshal.loads(raw)
    cells = tuple(types.CellType(value) for value in closure) if closure else None
    return types.FunctionType(function_code, globals(), name=function_code.co_name,
                              argdefs=tuple(defaults) if defaults else None, closure=cells)


def _named_function(name: str, module: Optional[str], custom_objects, layer_name: str):
    fn = lookup_custom(name, custom_objects)
    if fn is not None:
        return fn
    from .. import activations, backend

    for namespace in (activations.ALL, vars(backend)):
        if name in namespace and callable(namespace[name]) and (module or "").split(".")[0] in ("", "keras", "symk"):
            return namespace[name]
    # NOTE: never import `module` here: that would run code the file names
    raise ValueError(f"Lambda layer {layer_name!r} uses function {name!r} (from module {module!r}), which symk "
                     f"cannot find. Pass custom_objects={{{name!r}: {name}}} when loading.")


def deserialize_function(spec, config: dict, custom_objects=None, safe_mode: bool = True, key: str = "function"):
    """A callable from a Keras 2 or Keras 3 Lambda config entry (`spec` is config[key])."""
    layer_name = config.get("name", "?")
    safe_mode = safe_mode and not unsafe_deserialization_enabled()
    if spec is None or callable(spec):
        return spec
    if isinstance(spec, dict):
        if spec.get("class_name") == "__lambda__":
            if safe_mode:
                _refuse(layer_name, key)
            inner = spec["config"]
            return _load_bytecode(inner["code"], inner.get("defaults"), inner.get("closure"))
        name = spec.get("registered_name") or spec.get("config")
        fn = lookup_custom(name, custom_objects) if name else None
        return fn or _named_function(spec.get("config"), spec.get("module"), custom_objects, layer_name)
    # Keras 2: function_type says how `function` was written
    kind = config.get(f"{key}_type" if key != "function" else "function_type", "lambda")
    if kind == "function":
        return _named_function(spec, config.get("module"), custom_objects, layer_name)
    if kind == "lambda":
        if safe_mode:
            _refuse(layer_name, key)
        code, defaults, closure = (list(spec) + [None, None])[:3] if isinstance(spec, (list, tuple)) else (spec, None, None)
        return _load_bytecode(code, defaults, closure)
    return spec  # output_shape 'raw': a plain shape


_KERAS2_KEYS = ("function_type", "module", "output_shape_type", "output_shape_module")


def lambda_kwargs(config: dict, custom_objects=None, safe_mode: bool = True) -> dict:
    """Lambda constructor arguments from a (Keras 2 or 3) config: functions resolved, format keys dropped."""
    config = dict(config)
    config["function"] = deserialize_function(config.get("function"), config, custom_objects, safe_mode)
    shape = config.get("output_shape")
    if isinstance(shape, dict) or config.get("output_shape_type") in ("lambda", "function"):
        config["output_shape"] = deserialize_function(shape, config, custom_objects, safe_mode, key="output_shape")
    for key in _KERAS2_KEYS:
        config.pop(key, None)
    arguments = config.get("arguments")
    if isinstance(arguments, dict) and "config" in arguments and "class_name" in arguments:
        config["arguments"] = arguments["config"]  # Keras 3 wraps a plain dict as {"class_name": "__dict__", ...}
    return config
