"""A model's compile arguments in Keras 3's `compile_config` (the `.keras` archive's) and back.

    {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": {...}},
     "loss": "mse" | {"module": "keras.losses", ...} | {"class_name": "function", "config": "MyPkg>my_loss", ...},
     "loss_weights": null, "metrics": [...], "weighted_metrics": null,
     "run_eagerly": false, "steps_per_execution": 1, "jit_compile": true}

Reading accepts the same values in `.h5` training_configs (objects as {"class_name", "config"}
without `module`): names stay names, registered functions and classes resolve from the registry.
"""
from __future__ import annotations

import json
import warnings

from .training_state import compile_arguments


def compile_config(model):
    """Keras 3's compile_config of a compiled model, or None."""
    from .object_form import upgrade_config
    from .serialization_lib import serialize_keras_object

    args = compile_arguments(model)
    optimizer = getattr(model, "optimizer", None)
    if args is None or optimizer is None:
        return None
    optimizer_entry = serialize_keras_object(optimizer)
    optimizer_entry["config"] = upgrade_config(optimizer_entry["config"])
    config = {"optimizer": optimizer_entry, "loss": serialize_keras_object(args["loss"]),
              "loss_weights": serialize_keras_object(args["loss_weights"]),
              "metrics": serialize_keras_object(args["metrics"]),
              "weighted_metrics": serialize_keras_object(args["weighted_metrics"]),
              "run_eagerly": args["run_eagerly"], "steps_per_execution": args["steps_per_execution"],
              "jit_compile": True}
    json.dumps(config)  # fail here, before anything is written, if something is not serializable
    return config


def compile_objects(value, custom_objects=None):
    """Losses / metrics / loss weights of a saved compile config as compile() takes them."""
    from .serialization_lib import deserialize_keras_object

    if value is None or isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, str):
        return deserialize_keras_object(value, custom_objects)  # a name, or a registered object's name
    if isinstance(value, list):
        return [compile_objects(v, custom_objects) for v in value]
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        if value.get("class_name") == "MeanMetricWrapper":  # Keras 2 wrote metric functions this way
            inner = value.get("config") or {}
            return compile_objects(inner.get("fn") or inner.get("name"), custom_objects)
        return deserialize_keras_object(value, custom_objects)
    if isinstance(value, dict):
        return {k: compile_objects(v, custom_objects) for k, v in value.items()}
    return value


def compile_from_config(model, config: dict, custom_objects=None) -> bool:
    """model.compile(...) from Keras 3's compile_config; False (with a warning) when it cannot be applied."""
    from .serialization_lib import deserialize_keras_object

    try:
        optimizer = config.get("optimizer")
        optimizer = deserialize_keras_object(optimizer, custom_objects) if isinstance(optimizer, dict) else optimizer
        model.compile(optimizer=optimizer or "rmsprop", loss=compile_objects(config.get("loss"), custom_objects),
                      metrics=compile_objects(config.get("metrics"), custom_objects),
                      loss_weights=compile_objects(config.get("loss_weights"), custom_objects),
                      weighted_metrics=compile_objects(config.get("weighted_metrics"), custom_objects))
        return True
    except Exception as err:  # noqa: BLE001  (an uncompilable config must not stop the model loading)
        warnings.warn(f"the model was loaded, but not compiled: its compile_config could not be applied ({err}). "
                      "Compile it yourself before training.")
        return False
