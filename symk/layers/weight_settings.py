"""The initializer / regularizer / constraint triple a layer keeps per weight, in one place.

Keras layers name these settings `<weight>_initializer`, `<weight>_regularizer` and
`<weight>_constraint` (kernel_initializer, gamma_constraint, ...). These helpers read them from
constructor arguments, create the weight from them, and write them back into a config, so each
layer states only which weights it has:

    set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
    self.kernel = add_weight_with_settings(self, "kernel", (n_in, units))
    config.update(weight_settings_config(self, ("kernel", "bias"), activity_regularizer=True))
"""
from __future__ import annotations

from .. import constraints, initializers, regularizers

__all__ = ["serialize_optional", "set_weight_settings", "add_weight_with_settings", "weight_settings_config"]


def serialize_optional(obj, module):
    """`module.serialize(obj)`, or None when the setting is absent (no regularizer, no constraint)."""
    return None if obj is None else module.serialize(obj)


def set_weight_settings(layer, weight: str, initializer, regularizer=None, constraint=None) -> None:
    """Resolves the three settings (names, configs or objects) onto `layer.<weight>_initializer` etc."""
    setattr(layer, f"{weight}_initializer", initializers.get(initializer))
    setattr(layer, f"{weight}_regularizer", regularizers.get(regularizer))
    setattr(layer, f"{weight}_constraint", constraints.get(constraint))


def add_weight_with_settings(layer, weight: str, shape, settings_of: str | None = None, **overrides):
    """`layer.add_weight(weight, shape)` with the stored settings of `settings_of` (by default the weight's
    own name; 'recurrent' for 'recurrent_kernel'); `overrides` replace any of them."""
    prefix = settings_of or weight
    settings = dict(initializer=getattr(layer, f"{prefix}_initializer"),
                    regularizer=getattr(layer, f"{prefix}_regularizer"),
                    constraint=getattr(layer, f"{prefix}_constraint"))
    settings.update(overrides)
    return layer.add_weight(weight, shape, **settings)


def weight_settings_config(layer, weights, initializer_only=(), activity_regularizer: bool = False) -> dict:
    """The config entries in Keras's order: every initializer (those of `initializer_only` weights too),
    then every regularizer (activity_regularizer last when asked), then every constraint."""
    config = {f"{w}_initializer": initializers.serialize(getattr(layer, f"{w}_initializer"))
              for w in tuple(weights) + tuple(initializer_only)}
    config.update({f"{w}_regularizer": serialize_optional(getattr(layer, f"{w}_regularizer"), regularizers)
                   for w in weights})
    if activity_regularizer:
        config["activity_regularizer"] = serialize_optional(layer.activity_regularizer, regularizers)
    config.update({f"{w}_constraint": serialize_optional(getattr(layer, f"{w}_constraint"), constraints)
                   for w in weights})
    return config
