"""`symk.optimizers`: Keras's optimizers on optax, their legacy lowercase aliases and `get`.

    from symk.optimizers import SGD
    model.compile(optimizer=SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True), loss='mse')
"""
from __future__ import annotations

from ..keras_objects import deserialize_object, serialize_object
from . import schedules  # noqa: F401
from .base import Optimizer
from .loss_scale import LossScaleOptimizer
from .rules import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Ftrl, Nadam, RMSprop
from .rules_extra import Adafactor, Lamb, Lion, Muon

# Keras 2's lowercase classes (keras.optimizers.sgd(lr=...))
sgd, rmsprop, adam, adamw, adagrad, adadelta, adamax, nadam, ftrl = (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta,
                                                                    Adamax, Nadam, Ftrl)

ALL = {cls.__name__: cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion, Lamb,
                                     Adafactor, Muon, LossScaleOptimizer)}
_BY_LOWER_NAME = {name.lower(): cls for name, cls in ALL.items()}
_BY_LOWER_NAME["adam_w"] = AdamW


def get(identifier) -> Optimizer:
    """An optimizer from a name ('adam', 'SGD'), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        cls = _BY_LOWER_NAME.get(identifier.lower())
        if cls is LossScaleOptimizer:
            raise ValueError("LossScaleOptimizer wraps another optimizer: pass "
                             "LossScaleOptimizer(symk.optimizers.Adam(...)) instead of a name")
        if cls is None:
            raise ValueError(f"Unknown optimizer {identifier!r}. Known optimizers: {', '.join(sorted(ALL))} "
                             "(names are case-insensitive).")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer {identifier!r}: give a name ('adam') or an Optimizer instance")


def serialize(optimizer: Optimizer) -> dict:
    """Keras 3's `keras.optimizers.serialize`."""
    return serialize_object(optimizer)


def deserialize(config: dict, custom_objects=None) -> Optimizer:
    """The optimizer a serialized form describes; class names match case-insensitively, as in Keras."""
    if isinstance(config, dict) and config.get("module") in (None, "", "keras.optimizers") \
            and not config.get("registered_name"):
        name = config.get("class_name", "")
        builtin = _BY_LOWER_NAME.get(name.lower())
        if builtin is not None and not (custom_objects and name in custom_objects):
            config = {**config, "class_name": builtin.__name__}
    return deserialize_object(config, ALL, "optimizer", custom_objects)
