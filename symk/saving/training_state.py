"""What `model.save` keeps of training: the compile arguments (training_config) and optimizer state.

training_config is Keras 3's dict: loss, metrics, loss_weights, weighted_metrics and the
optimizer config. Optimizer variables are saved in Keras 3's order and names
('sgd/iteration', 'sgd/learning_rate', 'sgd/<model>_<layer>_<weight>_momentum', ...).
"""
from __future__ import annotations

import json
import warnings

from ..errors import FileFormatError, WeightMismatchError
from .weight_assignment import as_array, check_value


def _plain(value):
    """Losses/metrics as Keras config values: names stay names, objects become their config."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    from .registry import get_registered_name

    if hasattr(value, "get_config"):
        return {"class_name": get_registered_name(value), "config": _plain(value.get_config())}
    if callable(value) and ">" in get_registered_name(value):
        return get_registered_name(value)  # a registered function: 'package>name' finds it again
    return getattr(value, "__name__", str(value))


def compile_arguments(model) -> dict | None:
    """The arguments model.compile() received (the attributes TrainingAPI.compile sets), or None."""
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        return None
    return {"loss": getattr(model, "loss", None), "loss_weights": getattr(model, "loss_weights", None),
            "metrics": getattr(model, "compiled_metrics", None),
            "weighted_metrics": getattr(model, "weighted_metrics", None),
            "run_eagerly": bool(getattr(model, "run_eagerly", False)),
            # "auto" (symk's measured choice) is written as 1: Keras 3 takes integers only
            "steps_per_execution": _written_steps(getattr(model, "steps_per_execution", 1))}


def _written_steps(value) -> int:
    return 1 if value == "auto" else int(value or 1)


def training_config(model) -> dict | None:
    args = compile_arguments(model)
    optimizer = getattr(model, "optimizer", None)
    if args is None or optimizer is None or not hasattr(optimizer, "get_config"):
        return None
    from .registry import get_registered_name

    config = {"loss": _plain(args.get("loss")), "loss_weights": _plain(args.get("loss_weights")),
              "metrics": _plain(args.get("metrics")), "weighted_metrics": _plain(args.get("weighted_metrics")),
              "run_eagerly": args["run_eagerly"], "steps_per_execution": args["steps_per_execution"],
              "jit_compile": True,
              "optimizer_config": {"class_name": get_registered_name(optimizer),
                                   "config": _plain(optimizer.get_config())}}
    json.dumps(config)  # fail here, naming nothing half-written, if something is not serializable
    return config


def keras_ordered_variables(optimizer) -> list:
    """The optimizer's variables in the order Keras 3 keeps (and saves) them: `optimizer.variables`."""
    return list(getattr(optimizer, "variables", None) or [])


def optimizer_variables(model) -> list:
    optimizer = getattr(model, "optimizer", None)
    return keras_ordered_variables(optimizer) if optimizer is not None else []


def optimizer_weight_names(model, variables: list) -> list[str]:
    """Keras 3's names ('sgd/iteration'); not Variable.path, which the session may have suffixed."""
    prefix = getattr(model.optimizer, "name", "optimizer")
    return [f"{prefix}/{getattr(v, 'short_name', v.path.split('/')[-1])}" for v in variables]


def _optimizer_from_config(config: dict, custom_objects=None):
    from .. import optimizers
    from .registry import lookup_custom

    name = config.get("class_name", "")
    custom = lookup_custom(name, custom_objects)
    if custom is not None:
        return custom.from_config(dict(config.get("config") or {}))
    short = name.split(">", 1)[-1]  # Keras 2 wrote 'Custom>SGD' for its new optimizers
    kwargs = dict(config.get("config") or {})
    for key in ("loss_scale_factor", "gradient_accumulation_steps"):
        if kwargs.get(key) is None:
            kwargs.pop(key, None)
    if kwargs.get("use_ema") is False:
        kwargs.pop("use_ema")
    cls = optimizers.ALL.get(short) or {n.lower(): c for n, c in optimizers.ALL.items()}.get(short.lower())
    if cls is None:
        return optimizers.deserialize({"class_name": short, "config": kwargs}, custom_objects)
    from .object_arguments import construct_object
    from .deserializer import Deserializer

    # arguments a newer Keras writes that symk's optimizer lacks are dropped with a warning
    return construct_object(cls, kwargs, Deserializer(custom_objects, True), f"optimizer {short!r} config")


def compile_from_training_config(model, config: dict, custom_objects=None) -> bool:
    """model.compile(...) from a saved training_config; False (with a warning) when it cannot."""
    from .compile_config import compile_objects

    try:
        optimizer = _optimizer_from_config(config["optimizer_config"], custom_objects)
        metrics = config.get("metrics")
        if isinstance(metrics, list) and metrics and isinstance(metrics[0], list):
            metrics = metrics[0]  # Keras 2: one list per output
        # losses and metrics may be names, registered functions' names or serialized objects
        model.compile(optimizer=optimizer, loss=compile_objects(config.get("loss"), custom_objects),
                      metrics=compile_objects(metrics, custom_objects),
                      loss_weights=compile_objects(config.get("loss_weights"), custom_objects),
                      weighted_metrics=compile_objects(config.get("weighted_metrics"), custom_objects))
        return True
    except Exception as err:  # noqa: BLE001  (an uncompilable config must not stop the architecture loading)
        warnings.warn(f"the model was loaded, but not compiled: its training_config could not be applied ({err}). "
                      "Compile it yourself before training.")
        return False


def restore_saved_optimizer(model, f) -> None:
    """The optimizer state of a legacy model file ('optimizer_weights'), if any; a warning when it cannot be used
    (as Keras warns): the model is then trained from a fresh optimizer state."""
    from .h5_read import has_attribute, member, read_names
    from .keras2_weights import restore_keras2_optimizer

    if "optimizer_weights" not in f:
        return
    try:
        group = member(f, "optimizer_weights")
        names = read_names(group, "weight_names") if has_attribute(group, "weight_names") else []
        values = [member(group, name, "dataset") for name in names]
        # Keras 2 names its slots ('Adam/m/dense/kernel:0') and saves no learning rate: match by name
        if not restore_keras2_optimizer(model, names, values):
            restore_optimizer(model, values)
    except (FileFormatError, WeightMismatchError) as err:
        warnings.warn(f"the optimizer state in the file could not be restored ({err}); training will resume with a "
                      "fresh optimizer state.")


def restore_optimizer(model, values: list) -> None:
    """Build the optimizer's slots for the model's variables and set the saved values (Keras's order).

    `values` may be h5py datasets: shapes and dtypes are checked before any is read."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not values:
        return
    try:
        if not getattr(optimizer, "built", True):
            optimizer.build(model.trainable_variables, prefix=model.name + "_")
        variables = keras_ordered_variables(optimizer)
        values = list(values)
        if len(values) == len(variables) - 1 and len(variables) > 1:
            values = [values[0], variables[1].numpy()] + values[1:]  # Keras 2 did not save the learning rate
        head = 1 if optimizer._schedule is not None else 2
        if len(values) in (1, head) and len(variables) > len(values):
            # saved before the first step (Keras builds slots lazily): the counters, and zero slots
            values = values + [v.numpy() for v in variables[len(values):]]
        if len(values) != len(variables):
            raise ValueError(f"the file holds {len(values)} optimizer variable(s), optimizer {optimizer.name!r} has "
                             f"{len(variables)} ({[getattr(v, 'short_name', v.path) for v in variables]})")
        for var, value in zip(variables, values):
            if tuple(var.shape) != tuple(value.shape):
                raise ValueError(f"optimizer variable {var.path!r} has shape {tuple(var.shape)}, the file's value "
                                 f"has shape {value.shape}")
            check_value(var, value, f"optimizer variable {var.path!r}")
        arrays = [as_array(value, f"optimizer variable {var.path!r}", var.dtype)
                  for var, value in zip(variables, values)]
        for var, array in zip(variables, arrays):
            var.set_value(array)
    except (ValueError, TypeError) as err:
        warnings.warn(f"the optimizer state in the file could not be restored ({err}); training will resume with a "
                      "fresh optimizer state.")
