"""Weight and optimizer-state names in Keras 2's legacy .h5 layout (tf.keras / tf_keras), both directions.

    model_weights/dense/ @weight_names = ['dense/kernel:0', 'dense/bias:0']   (TensorFlow's ':0' suffix)
    optimizer_weights/   @weight_names = ['iteration:0', 'Adam/m/dense/kernel:0', 'Adam/v/dense/kernel:0', ...]

tf_keras restores optimizer weights by position (`optimizer.set_weights`), in the order its
optimizers build them: the iteration count (int64), then the slots; it saves no learning rate
(that lives in the optimizer config) and no Nadam `u_product`. Its SGD always has momentum
slots, zeros when momentum is 0. Reading maps names back to symk's slot variables.
"""
from __future__ import annotations

import numpy as np

from ..distribution import placement
from .legacy_h5 import _weight_names
from .weight_assignment import as_array, check_value

# symk (Keras 3) slot name -> tf_keras's variable_name, where they differ
KERAS2_SLOT_NAMES = {
    "SGD": {"momentum": "m"},
    "Adam": {"momentum": "m", "velocity": "v", "velocity_hat": "vhat"},
    "AdamW": {"momentum": "m", "velocity": "v", "velocity_hat": "vhat"},
    "Nadam": {"momentum": "m", "velocity": "v"},
    "Adamax": {"momentum": "m", "norm": "u"},
}
# tf_keras's DepthwiseConv2D names its kernel 'depthwise_kernel'
KERAS2_WEIGHT_RENAMES = {"DepthwiseConv2D": {"kernel": "depthwise_kernel"}}


def keras2_weight_names(layer) -> list[str]:
    """'dense/kernel:0' for symk's 'dense/kernel' (tf_keras loads a layer's weights by position)."""
    from ..models import Model

    if isinstance(layer, Model):  # Keras 2 names a nested model's weights by their own layers only
        names = [w.path for w in layer.weights]
    else:
        names = _weight_names(layer)
    renames = KERAS2_WEIGHT_RENAMES.get(type(layer).__name__, {})
    out = []
    for name in names:
        head, _, last = name.rpartition("/")
        last = renames.get(last, last)
        out.append(f"{head}/{last}:0" if head else f"{last}:0")
    return out


def _optimizer_class(optimizer) -> str:
    return type(optimizer).__name__


def _slot_groups(optimizer) -> list[tuple]:
    from ..optimizers.base import _slot_groups

    return _slot_groups(tuple(optimizer._keras_slot_order))


def keras2_optimizer_weights(model) -> tuple[list[str], list[np.ndarray]]:
    """(names, values) of the compiled model's optimizer state in tf_keras's order; ([], []) if none."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(model, "compiled", False):
        return [], []
    names, values = ["iteration:0"], [np.asarray(optimizer.iterations.numpy(), np.int64)]
    if not getattr(optimizer, "built", False):
        return names, values  # what tf_keras writes before the first step
    prefix = optimizer.name if optimizer.name not in ("", None) else _optimizer_class(optimizer)
    from .keras2_config import KERAS2_OPTIMIZER_NAMES

    prefix = KERAS2_OPTIMIZER_NAMES.get(prefix, prefix)
    renames = KERAS2_SLOT_NAMES.get(_optimizer_class(optimizer), {})
    paths = list(optimizer._var_paths)
    groups = _slot_groups(optimizer)
    if _optimizer_class(optimizer) == "SGD" and not optimizer._keras_slot_order:
        groups = [("momentum",)]  # tf_keras's SGD builds momentum slots even when momentum is 0
    for group in groups:
        for path in paths:
            for slot in group:
                variable = optimizer._slot_variables.get(slot, {}).get(path)
                names.append(f"{prefix}/{renames.get(slot, slot)}/{path}:0")
                values.append(np.asarray(variable.numpy()) if variable is not None
                              else np.zeros(_shape_of(model, path), np.float32))
    return names, values


def _shape_of(model, path: str) -> tuple:
    return next(tuple(v.shape) for v in model.trainable_variables if v.path == path)


def is_keras2_optimizer_state(names: list[str]) -> bool:
    """True for tf_keras's names ('iteration:0', ...); Keras 3 writes '<optimizer>/iteration'."""
    return bool(names) and names[0].split("/")[-1] == "iteration:0"


def restore_keras2_optimizer(model, names: list[str], values: list) -> bool:
    """Set the optimizer's variables from a tf_keras optimizer state, matched by name; False if they do not match.

    `values` may be h5py datasets: every shape and dtype is checked before any is read."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not is_keras2_optimizer_state(names):
        return False
    # tf_keras writes 'Adam/m/dense/kernel:0', or 'm/dense/kernel:0' when its optimizer was made outside a
    # name scope (as load_model makes it): key the slots by what follows the optional optimizer name
    without_scope = {name.split("/", 1)[-1]: v for name, v in zip(names, values)}
    saved = {**without_scope, **dict(zip(names, values))}
    if not getattr(optimizer, "built", True):
        optimizer.build(model.trainable_variables, prefix=model.name + "_")
    renames = KERAS2_SLOT_NAMES.get(_optimizer_class(optimizer), {})
    updates = []
    for slot, by_path in optimizer._slot_variables.items():
        for path, variable in by_path.items():
            key = f"{renames.get(slot, slot)}/{path}:0"
            if key not in saved or tuple(saved[key].shape) != tuple(variable.shape):
                # saved before the first step (iteration only), or named differently: positional restore decides
                return False
            check_value(variable, saved[key], f"optimizer slot {key!r}")
            updates.append((variable, saved[key], path))
    if tuple(values[0].shape) not in ((), (1,)):
        return False
    check_value(optimizer.iterations, values[0], "the optimizer's iteration count")
    iterations = as_array(values[0], "the optimizer's iteration count").reshape(())
    arrays = [(variable, as_array(value, f"optimizer slot of {variable.path!r}", variable.dtype), path)
              for variable, value, path in updates]
    _set_iterations(optimizer, iterations)
    weights = {v.path: v for v in model.trainable_variables}
    for variable, array, path in arrays:  # under a distribution: laid out like the weight the slot shadows
        variable.set_value(placement.place_slot_value(variable, weights.get(path), array))
    if "u_product" in optimizer._extra_variables:
        # NOTE: tf_keras does not save Nadam's running product of momentum factors; it follows from the step count
        beta_1 = float(optimizer.beta_1)
        count = int(iterations)
        # past 2000 steps 0.96**t is below float precision: each further factor is beta_1
        steps = np.arange(1, min(count, 2000) + 1, dtype=np.float64)
        product = np.prod(beta_1 * (1.0 - 0.5 * 0.96 ** steps)) * beta_1 ** max(count - 2000, 0)
        extra = optimizer._extra_variables["u_product"]
        extra.set_value(placement.place_slot_value(extra, None, np.asarray(product, dtype=extra.dtype)))
    return True


def _set_iterations(optimizer, value) -> bool:
    iterations = optimizer.iterations
    iterations.set_value(placement.place_slot_value(iterations, None, np.asarray(value, dtype=iterations.dtype)))
    return True
