"""`serialize_keras_object` / `deserialize_keras_object`: any symk object <-> Keras 3's serialized form.

    config = symk.saving.serialize_keras_object(symk.layers.Dense(3))
    # {'module': 'keras.layers', 'class_name': 'Dense', 'config': {...}, 'registered_name': None}
    layer = symk.saving.deserialize_keras_object(config)

Classes resolve as Keras resolves them: users' objects by registered name (custom_objects, scopes,
the registry), Keras's own by `module` + `class_name` among symk's families (layers, losses,
metrics, optimizers, schedules, initializers, regularizers, constraints, activations). Nothing
is imported by the module name a config gives: loading never runs code a file names. A config
without `module` (what `.h5` files hold) is looked up among the families by class name.
"""
from __future__ import annotations

import contextlib
import contextvars
import inspect
import types
import warnings

import numpy as np

from .object_form import class_identity, function_form, layer_entry, model_entry
from .registry import UnknownObjectError

__all__ = ["serialize_keras_object", "deserialize_keras_object", "SafeModeScope", "ObjectNotFoundError"]

_SAFE_MODE: contextvars.ContextVar = contextvars.ContextVar("symk_safe_mode", default=None)


class ObjectNotFoundError(UnknownObjectError, TypeError):
    """A config names a class or function symk cannot find (Keras raises TypeError here; so does this)."""


@contextlib.contextmanager
def SafeModeScope(safe_mode: bool = True):  # noqa: N802  (Keras's name)
    """While inside, nested deserialization (users' from_config included) uses this safe_mode."""
    token = _SAFE_MODE.set(bool(safe_mode))
    try:
        yield
    finally:
        _SAFE_MODE.reset(token)


def in_safe_mode():
    return _SAFE_MODE.get()


# -- the families of Keras objects symk has ------------------------------------------------------
def _classes(namespace, base=None) -> dict:
    return {name: obj for name, obj in vars(namespace).items()
            if inspect.isclass(obj) and (base is None or issubclass(obj, base)) and not name.startswith("_")}


def class_tables() -> dict:
    """Keras module name -> {class name: symk class}."""
    from .. import constraints, initializers, losses, metrics, optimizers, regularizers
    from ..losses_base import Loss
    from ..metrics.base import Metric
    from ..optimizers import schedules
    from .registry import builtin_layer_classes

    return {"keras.layers": builtin_layer_classes(),
            "keras.losses": {**_classes(losses, Loss), **losses.CLASSES},
            "keras.metrics": _classes(metrics, Metric),
            "keras.optimizers": dict(optimizers.ALL),
            "keras.optimizers.schedules": dict(schedules.ALL),
            "keras.initializers": {**initializers.ALIASES, **initializers.ALL},
            "keras.regularizers": {k: v for k, v in regularizers.ALL.items() if inspect.isclass(v)},
            "keras.constraints": {k: v for k, v in constraints.ALL.items() if inspect.isclass(v)}}


def function_tables() -> dict:
    """Keras module name -> {function name: symk function} (activations, losses, metrics)."""
    from .. import activations, losses, metrics

    metric_functions = {name: fn for name, fn in vars(metrics).items()
                        if isinstance(fn, types.FunctionType) and not name.startswith("_")}
    return {"keras.activations": {k: v for k, v in activations.ALL.items() if k != "None_"},
            "keras.losses": dict(losses.FUNCTIONS), "keras.metrics": metric_functions}


def _builtin_function_name(fn):
    for table in function_tables().values():
        for name, candidate in table.items():
            if candidate is fn:
                return name
    return None


# -- serializing ---------------------------------------------------------------------------------
def serialize_keras_object(obj):
    """Keras 3's serialized form of `obj`: plain values as they are, objects as module/class_name/config dicts."""
    from ..graph import SymbolicTensor
    from ..layers.base import Layer
    from ..models import Model

    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {"start": serialize_keras_object(obj.start),
                                                      "stop": serialize_keras_object(obj.stop),
                                                      "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, SymbolicTensor):
        history = obj._keras_history
        keras_history = [history[0].name, history[1], history[2]] if history else None
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(obj.shape), "dtype": obj.dtype, "keras_history": keras_history}}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, np.generic) or isinstance(obj, np.ndarray):
        return obj.item()
    if _is_array(obj):
        array = np.asarray(obj)
        return {"class_name": "__tensor__", "config": {"value": array.tolist(), "dtype": str(array.dtype)}}
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return _serialize_lambda(obj)
    if isinstance(obj, Model):
        return model_entry(obj, include_compile=True)
    if isinstance(obj, Layer):
        return layer_entry(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return function_form(obj)
    if inspect.isclass(obj):
        raise TypeError(f"serialize_keras_object: got the class {obj.__name__!r}, not an object; serialize an "
                        f"instance (e.g. {obj.__name__}(...)) instead")
    if hasattr(obj, "get_config"):
        identity = class_identity(type(obj))
        return {"module": identity["module"], "class_name": identity["class_name"],
                "config": serialize_keras_object(obj.get_config()), "registered_name": identity["registered_name"]}
    if callable(obj):
        return function_form(obj)
    raise TypeError(f"serialize_keras_object cannot serialize {obj!r} (type {type(obj).__name__}): it is not a "
                    "plain value, a container, an array or an object with get_config().")


def _is_array(obj) -> bool:
    try:
        import jax

        return isinstance(obj, jax.Array)
    except ImportError:  # pragma: no cover
        return False


def _serialize_lambda(fn) -> dict:
    import base64
    import marshal

    warnings.warn("The object being serialized includes a `lambda`. This is unsafe: to reload it you will have to "
                  "pass `safe_mode=False` to the loading function. Use named Python functions instead.",
                  stacklevel=3)
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__", "config": {"value": [code, fn.__defaults__, closure]}}


# -- deserializing -------------------------------------------------------------------------------
def _effective_safe_mode(safe_mode: bool) -> bool:
    from ..config import unsafe_deserialization_enabled

    scoped = _SAFE_MODE.get()
    safe_mode = scoped if scoped is not None else safe_mode
    return bool(safe_mode) and not unsafe_deserialization_enabled()


def deserialize_keras_object(config, custom_objects=None, safe_mode: bool = True, **kwargs):
    """The object `config` describes (what serialize_keras_object, or Keras 3, wrote).

    `module_objects` (a dict of name -> object, Keras's keyword for library code) is searched too."""
    module_objects = kwargs.pop("module_objects", None)
    if kwargs:
        raise TypeError(f"deserialize_keras_object got unexpected keyword argument(s) {sorted(kwargs)}")
    from .deserializer import Deserializer

    return Deserializer(custom_objects, _effective_safe_mode(safe_mode), module_objects).value(config)
