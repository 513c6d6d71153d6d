"""Checks on configs before they are used: the JSON type of each key, and each layer constructor argument.

A damaged config ('"units": "ten"', '"layers": "oops"', '"class_name": 123') is a ConfigError
that names the layer and the key or argument, raised before a constructor or a graph sees it.

    check_arguments(Dense, {"units": "ten"}, "layer 'dense' (Dense)")
    # ConfigError: layer 'dense' (Dense): argument 'units' must be a positive integer; got 'ten'
"""
from __future__ import annotations

import inspect
import math
from collections import Counter

from ..errors import ConfigError

DATA_FORMATS = ("channels_last", "channels_first")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return (_is_int(v) or isinstance(v, float)) and not isinstance(v, bool) and math.isfinite(v)


def _ints(v, low: int) -> bool:
    """An int >= low, or a list of them (kernel_size=3 or [3, 3])."""
    return _is_int(v) and v >= low or isinstance(v, list) and 0 < len(v) <= 3 and all(
        _is_int(x) and x >= low for x in v)


def _nested_ints(v) -> bool:
    """padding / cropping: 1, [1, 2] or [[1, 1], [2, 2]]."""
    return _ints(v, 0) or isinstance(v, list) and 0 < len(v) <= 3 and all(
        isinstance(x, list) and len(x) == 2 and _ints(x, 0) for x in v)


def _shape(v) -> bool:
    return isinstance(v, list) and len(v) <= 32 and all(x is None or _is_int(x) and x >= -1 for x in v)


def _axis(v) -> bool:
    return _is_int(v) or isinstance(v, list) and all(_is_int(x) for x in v)


# what an argument must be, by the name Keras gives it in every layer: (test, description)
POSITIVE_INT = (lambda v: _is_int(v) and v > 0, "a positive integer")
NAMED_ARGUMENTS = {
    **{name: POSITIVE_INT for name in ("units", "filters", "input_dim", "output_dim", "depth_multiplier", "n",
                                       "num_heads", "key_dim", "groups")},
    **{name: (lambda v: _ints(v, 1), "a positive integer or a list of them")
       for name in ("kernel_size", "strides", "pool_size", "dilation_rate", "size")},
    "cropping": (_nested_ints, "a non-negative integer, or a list of them (or of pairs)"),
    "padding": (lambda v: isinstance(v, str) or _nested_ints(v),
                "a padding mode ('valid', 'same', ...) or non-negative integers"),
    "axis": (_axis, "an integer axis or a list of them"),
    "axes": (_axis, "an integer axis or a list of them"),
    "rate": (lambda v: _is_number(v) and 0 <= v <= 1, "a number between 0 and 1"),
    "data_format": (lambda v: v in DATA_FORMATS, "'channels_last' or 'channels_first'"),
    "name": (lambda v: isinstance(v, str) and v != "", "a non-empty string"),
    "trainable": (lambda v: isinstance(v, bool), "true or false"),
    "dtype": (lambda v: isinstance(v, str), "a dtype name such as 'float32'"),
    "seed": (_is_int, "an integer"),
    **{name: (_shape, "a shape: a list of integers (or null for an unknown size)")
       for name in ("batch_shape", "batch_input_shape", "shape", "target_shape", "noise_shape", "dims",
                    "input_shape")},
}
NULLABLE = {"axis", "axes", "noise_shape", "dtype", "name", "seed", "data_format", "input_shape",
            "batch_input_shape", "batch_shape", "shape"}
OBJECT_ARGUMENT = (lambda v: isinstance(v, (str, dict)), "a name or a {'class_name': ..., 'config': ...} dict")
def _number_or_range(v) -> bool:
    """A number, or a (low, high) pair: Keras's augmentation factors take both (factor=0.2 or [-0.1, 0.3])."""
    return _is_number(v) or isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v)


BY_DEFAULT = {bool: (lambda v: isinstance(v, bool), "true or false"),
              int: (_is_int, "an integer"),
              float: (_number_or_range, "a number (or a [low, high] pair)"),
              str: (lambda v: isinstance(v, str), "a string")}


def _rule(name: str, parameter):
    if name in NAMED_ARGUMENTS:
        return NAMED_ARGUMENTS[name]
    if name == "activation" or name.endswith(("_activation", "_initializer", "_regularizer", "_constraint")):
        return OBJECT_ARGUMENT
    if parameter is not None and parameter.default is not inspect.Parameter.empty:
        return BY_DEFAULT.get(type(parameter.default))
    return None


def _parameters(cls) -> dict:
    params = {}
    for klass in reversed(cls.__mro__):
        init = vars(klass).get("__init__")
        if init is not None:
            try:
                params.update(inspect.signature(init).parameters)
            except (TypeError, ValueError):
                continue
    return params


def check_arguments(cls, kwargs: dict, where: str) -> None:
    """Refuse, naming `where` and the argument, a value of the wrong kind for one of symk's own layers.

    null passes for any argument but those that must hold a value (units, kernel_size, rate, ...)
    when their default is not null: Keras writes unused options as null."""
    if not cls.__module__.startswith("symk."):
        return  # a user's class checks its own arguments
    params = _parameters(cls)
    for name, value in kwargs.items():
        parameter = params.get(name)
        if value is None and (name not in NAMED_ARGUMENTS or name in NULLABLE
                              or parameter is None or parameter.default is None):
            continue
        rule = _rule(name, parameter)
        if rule is not None and not rule[0](value):
            raise ConfigError(f"{where}: argument {name!r} must be {rule[1]}; got {_show(value)}")


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def expect(value, kinds, where: str, what: str, description: str):
    """`value` if it is one of `kinds`, else a ConfigError: '<where>: <what> must be <description>; got ...'."""
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise ConfigError(f"{where}: {what} must be {description}; got {_show(value)}")
    if not isinstance(value, kinds):
        raise ConfigError(f"{where}: {what} must be {description}; got {_show(value)}")
    return value


def check_layer_entry(entry, where: str) -> tuple[str, dict]:
    """(class_name, config) of a {'class_name': ..., 'config': {...}} entry, each of the right type."""
    expect(entry, dict, where, "a layer entry", "a dict with 'class_name' and 'config'")
    if "class_name" not in entry:
        raise ConfigError(f"{where}: a layer entry needs a 'class_name'; it has keys {sorted(map(str, entry))}")
    class_name = expect(entry["class_name"], str, where, "'class_name'", "a class name (a string)")
    config = entry.get("config")
    config = {} if config is None else config
    if class_name != "Sequential" or not isinstance(config, list):  # Keras 1: a Sequential's layer list
        expect(config, dict, where, f"the 'config' of a {class_name}", "a dict")
    for key in ("registered_name", "module", "name"):
        if entry.get(key) is not None:
            expect(entry[key], str, where, f"{key!r}", "a string")
    return class_name, config


def check_unique_names(names: list, where: str) -> None:
    """Keras refuses a model whose layers share a name (weights are matched by it)."""
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise ConfigError(f"{where}: layer name(s) {repeated} are used by more than one layer; the layer names in a "
                          "model must be unique (Keras refuses such configs too).")


def check_shape(value, where: str, what: str) -> list:
    if not _shape(value):
        raise ConfigError(f"{where}: {what} must be a shape (a list of integers or nulls); got {_show(value)}")
    return value
