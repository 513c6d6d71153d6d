"""Write .h5 files that Keras 2 (tf.keras / tf_keras) loads: `model.save(path, keras_version=2)`.

The HDF5 layout is the legacy one Keras 3 also uses (legacy_h5.py); what differs is the
content: the model and training configs (keras2_config.py), weight and optimizer-state names
(keras2_weights.py), and the root attributes keras_version '2.x' / backend 'tensorflow'.
"""
from __future__ import annotations

import json

from .keras2_config import KERAS2_BACKEND, KERAS2_VERSION, keras2_model_config, keras2_training_config
from .keras2_weights import keras2_optimizer_weights, keras2_weight_names


def save_keras2_model(model, path: str, overwrite: bool = True, include_optimizer: bool = True) -> None:
    from .files import atomic_h5_writer
    from .legacy_h5 import ASCII, save_attributes, save_weights_to_group
    from .training_state import training_config

    model_config = json.dumps(keras2_model_config(model))
    train_config = keras2_training_config(training_config(model)) if include_optimizer else None
    names, values = keras2_optimizer_weights(model) if train_config is not None else ([], [])
    with atomic_h5_writer(path, overwrite) as f:
        f.attrs["keras_version"] = KERAS2_VERSION
        f.attrs["backend"] = KERAS2_BACKEND
        f.attrs.create("model_config", model_config, dtype=ASCII)
        if train_config is not None:
            f.attrs.create("training_config", json.dumps(train_config), dtype=ASCII)
        save_weights_to_group(f.create_group("model_weights"), model, KERAS2_VERSION, KERAS2_BACKEND,
                              weight_names=keras2_weight_names)
        if names:
            group = f.create_group("optimizer_weights")
            save_attributes(group, "weight_names", names)
            for name, value in zip(names, values):
                group.create_dataset(name, data=value)


def save_keras2_weights(model, path: str, overwrite: bool = True) -> None:
    from .files import atomic_h5_writer
    from .legacy_h5 import save_weights_to_group

    if path.endswith(".weights.h5"):
        raise ValueError(f"save_weights({path!r}, keras_version=2): Keras 2 reads weights from the legacy .h5 "
                         "layout; give a name ending in '.h5' but not '.weights.h5' (e.g. 'model_weights.h5'). "
                         "'.weights.h5' is Keras 3's layout (keras_version=3).")
    with atomic_h5_writer(path, overwrite) as f:
        save_weights_to_group(f, model, KERAS2_VERSION, KERAS2_BACKEND, weight_names=keras2_weight_names)
