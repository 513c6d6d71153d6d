"""Building one of symk's objects (optimizer, loss, metric, initializer, ...) from a config a newer Keras wrote.

A Keras 3.15 config may carry arguments symk's class does not take (an option symk lacks, or one a
later Keras added). They are dropped with a warning naming the object and the arguments (a
null value, Keras's "unused", silently), exactly as layer arguments are (layer_config._construct);
a user's class gets its config untouched, as Keras gives it.

    construct_object(symk.optimizers.Adam, {"learning_rate": 0.01, "new_option": 1}, deserializer, "Adam config")
    # UserWarning: Adam config: ignoring argument(s) ['new_option'], which symk's Adam does not take
"""
from __future__ import annotations

import inspect
import re
import warnings

from .object_form import is_symk_class


def _accepted(cls):
    """The keyword names cls's constructor takes, or None when it takes any (**kwargs)."""
    names = set()
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            return None
        kinds = {p.kind for p in params.values()}
        names |= {n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if inspect.Parameter.VAR_KEYWORD not in kinds:
            return names - {"self"}
    return None


def _nested(value, deserializer):
    """Nested serialized objects (a schedule inside an optimizer, a dtype policy) as objects."""
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        return deserializer.value(value)
    return value


def _rejected_by(message: str, kwargs: dict) -> list:
    """The arguments a TypeError's message names as unexpected (before any list of accepted ones)."""
    if "unexpected" not in message and "multiple values" not in message:
        return []
    head = re.split(r"accepts|accepted|known", message, maxsplit=1)[0]
    return [k for k in kwargs if f"'{k}'" in head]


def construct_object(cls, config: dict, deserializer, where: str):
    """cls.from_config(config): for symk's classes, nested objects deserialized and unknown arguments dropped."""
    if not isinstance(config, dict):
        raise TypeError(f"Expected 'config' to be a dict for {cls.__name__}, instead got {type(config)}. "
                        f"{where}: {config!r}")
    if not is_symk_class(cls):
        return _from_config(cls, dict(config), deserializer)
    kwargs = {k: _nested(v, deserializer) for k, v in config.items()}
    accepted = _accepted(cls)
    dropped = [k for k in kwargs if accepted is not None and k not in accepted]
    while True:
        noted = [k for k in dropped if kwargs.get(k) is not None]
        if noted:
            warnings.warn(f"{where}: ignoring argument(s) {noted}, which symk's {cls.__name__} does not take "
                          "(arguments Keras added or renamed, or features symk does not support)")
        for key in dropped:
            kwargs.pop(key, None)
        try:
            return _from_config(cls, dict(kwargs), deserializer)
        except TypeError as err:
            dropped = _rejected_by(str(err), kwargs)
            if not dropped:
                raise TypeError(f"{where}: {cls.__name__} could not be rebuilt from its config ({err})") from err


def _from_config(cls, config: dict, deserializer):
    method = cls.from_config
    try:
        takes_custom = "custom_objects" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        takes_custom = False
    if takes_custom:
        return method(config, custom_objects=deserializer.custom_objects)
    return method(config)
