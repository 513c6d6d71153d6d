"""One layer <-> its Keras config entry, accepting what Keras 2 and Keras 3 wrote.

Reading normalizes the variants: dtype as a string or a DTypePolicy dict, `batch_shape`
vs `batch_input_shape`, `module`/`registered_name` present or absent, nested
initializer/regularizer/constraint configs with keys symk's classes do not take, and
arguments Keras removed (RNN `time_major`, DepthwiseConv2D `groups`), which are dropped
with a warning. Writing produces Keras 3's format so Keras reads it back.
"""
from __future__ import annotations

import inspect
import re
import warnings
from typing import Optional

import numpy as np

from ..errors import ConfigError, SymkError
from .config_checks import check_arguments, check_layer_entry
from .h5_read import reading
from .nested_objects import resolve_nested
from .registry import UnknownObjectError, get_registered_name, resolve_layer_class

MODEL_CLASS_NAMES = ("Sequential", "Functional", "Model")


def dtype_policy(name: str) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def plain_dtype(dtype, where: str = "") -> Optional[str]:
    """'float32' from 'float32' or a policy dict: Keras 3's {'class_name': 'DTypePolicy', 'config': {'name': ...}},
    Keras 2's {'class_name': 'Policy', 'config': {'name': 'mixed_float16'}}."""
    if isinstance(dtype, dict):
        inner = dtype.get("config")
        dtype = (inner.get("name") if isinstance(inner, dict) else None) or dtype.get("name")
    if dtype is not None and not isinstance(dtype, str):
        raise ConfigError(f"{where}: 'dtype' must be a dtype name or a DTypePolicy config; got {str(dtype)[:80]}")
    return dtype  # a policy name ('mixed_float16' included): the layer's dtype= takes it as its DTypePolicy


def _jsonable(value):
    """Tuples to lists, numpy scalars to Python numbers, functions to their Keras config."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if callable(value) and not isinstance(value, type):
        if hasattr(value, "get_config"):
            return {"class_name": get_registered_name(value), "config": _jsonable(value.get_config())}
        from .lambda_serialization import _dump_function

        return _dump_function(value)
    return value


def serialize_layer(layer) -> dict:
    """{'class_name': ..., 'config': ...} for one layer (a nested model included), in Keras 3 form."""
    config = dict(layer.get_config())
    if not _is_model(layer):
        config.pop("batch_input_shape", None)  # Keras 3 puts the input shape on an InputLayer instead
        if "dtype" in config and isinstance(config["dtype"], str) and type(layer).__name__ != "InputLayer":
            config["dtype"] = dtype_policy(config["dtype"])
    return {"class_name": get_registered_name(layer), "config": _jsonable(config)}


def _is_model(layer) -> bool:
    from ..models import Model

    return isinstance(layer, Model)


# -- reading -------------------------------------------------------------------------
def _sanitize_object(value: dict, where: str) -> dict:
    """An initializer / regularizer / constraint config without the keys symk's class does not take."""
    from .. import constraints, initializers, regularizers

    name = value.get("class_name")
    module = value.get("module") if isinstance(value.get("module"), str) else ""
    if not isinstance(name, str):
        return value
    for family, table in (("initializers", {**initializers.ALIASES, **initializers.ALL}),
                          ("regularizers", regularizers.ALL), ("constraints", constraints.ALL)):
        if (module.endswith(family) or not module) and name in table and isinstance(table[name], type):
            config = dict(value.get("config") or {})
            params = inspect.signature(table[name].__init__).parameters
            takes_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
            dropped = [k for k in config if k not in params and not takes_any]
            if any(config[k] is not None for k in dropped):
                warnings.warn(f"{where}: {name} argument(s) {dropped} are ignored (symk's {name} does not take them)")
            return {"class_name": name, "config": {k: v for k, v in config.items() if k not in dropped}}
    return value


def _normalize_nested(value, where: str, key: str = ""):
    """Walk a config: dtype policies become dtype names, nested object configs lose unknown keys."""
    if key == "dtype":
        return plain_dtype(value, where)
    if isinstance(value, dict):
        if key in ("function", "output_shape"):
            return value  # Lambda functions: lambda_serialization reads them
        if "class_name" in value and "config" in value and isinstance(value.get("config"), dict):
            value = _sanitize_object(value, where)
        return {k: _normalize_nested(v, where, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize_nested(v, where) for v in value]
    return value


def normalize_layer_config(cls, config: dict, where: str) -> dict:
    """Constructor kwargs for `cls` from a Keras config (any version)."""
    return {k: _normalize_nested(v, where, k) for k, v in config.items()}


def _own_overrides(cls) -> set:
    """Methods a class (or a parent below Layer) overrides; from_config there means 'trust the class'."""
    from ..layers.base import Layer

    found = set()
    for klass in cls.__mro__:
        if klass is Layer:
            break
        found |= set(vars(klass)) & {"from_config"}
    return found


def deserialize_layer(entry: dict, custom_objects=None, safe_mode: bool = True, where: str = "a layer entry"):
    """A new layer (or nested model) from {'class_name': ..., 'config': ...}; `where` names the entry in errors."""
    class_name, config = check_layer_entry(entry, where)
    name = config.get("name", entry.get("name")) if isinstance(config, dict) else entry.get("name")
    where = f"layer {name!r} ({class_name})"
    with reading(where):
        try:
            cls = resolve_layer_class(entry.get("registered_name") or class_name, custom_objects,
                                      where=f" (layer {name!r})")
        except UnknownObjectError:
            from .op_layers import op_function, op_layer

            if op_function(class_name) is None or not isinstance(config, dict):
                raise
            return op_layer(class_name, config)  # a keras.ops call Keras recorded as a layer (NotEqual, Any, ...)
        if class_name in MODEL_CLASS_NAMES or _is_model_class(cls):
            from .model_config import model_from_layer_entry

            return model_from_layer_entry(cls, class_name, config, custom_objects, safe_mode)
        if not isinstance(cls, type):
            raise ConfigError(f"{where}: {class_name!r} names {cls!r}, which is not a layer class")
        if cls.__name__ == "Lambda" and "function" in config:
            from .lambda_serialization import lambda_kwargs

            config = lambda_kwargs(config, custom_objects, safe_mode)
        kwargs = normalize_layer_config(cls, config, where)
        check_arguments(cls, kwargs, where)
        kwargs = resolve_nested(cls, kwargs, custom_objects, safe_mode, where)
        try:
            return _construct(cls, kwargs, where, custom_objects)
        except SymkError:
            raise
        except TypeError as err:
            missing = re.findall(r"'(\w+)'", str(err)) if "required" in str(err) else []
            if missing and cls.__module__.startswith("symk."):
                raise ConfigError(f"{where}: its config lacks the required argument(s) {missing}") from err
            raise ConfigError(f"could not rebuild {where} from its config: {err}. If it is your own layer, make sure "
                              "its get_config() returns every __init__ argument (and from_config accepts "
                              "them).") from err
        except (ValueError, KeyError, IndexError, AttributeError, ArithmeticError) as err:
            raise ConfigError(f"{where}: its config could not be applied ({type(err).__name__}: {err})") from err


def _construct(cls, kwargs: dict, where: str, custom_objects):
    """cls.from_config(kwargs), dropping the arguments the class rejects as unexpected (Keras removed them)."""
    kwargs = dict(kwargs)
    while True:
        try:
            if "from_config" in _own_overrides(cls) and _takes_custom_objects(cls.from_config):
                return cls.from_config(dict(kwargs), custom_objects=custom_objects)
            return cls.from_config(dict(kwargs))
        except TypeError as err:
            message = str(err)
            # 'unexpected': Keras removed it; 'multiple values': the class sets it itself (tf.keras SeparableConv2D)
            known = "unexpected" in message or "multiple values" in message
            rejected = [k for k in kwargs if f"'{k}'" in message] if known else []
            if not rejected:
                raise
            noted = [k for k in rejected if kwargs[k] is not None]  # Keras writes unused options as null
            if noted:
                warnings.warn(f"{where}: ignoring argument(s) {noted}, which symk's {cls.__name__} does not take "
                              "(arguments Keras removed or renamed, or features symk does not support)")
            for key in rejected:
                kwargs.pop(key)


def _is_model_class(cls) -> bool:
    from ..models import Model

    return isinstance(cls, type) and issubclass(cls, Model)


def _takes_custom_objects(method) -> bool:
    try:
        return "custom_objects" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
