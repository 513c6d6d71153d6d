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
    from .legacy_h5 import write_model_file
    from .training_state import training_config

    model_config = json.dumps(keras2_model_config(model))
    train_config = keras2_training_config(training_config(model)) if include_optimizer else None
    names, values = keras2_optimizer_weights(model) if train_config is not None else ([], [])
    write_model_file(path, overwrite, model, KERAS2_VERSION, KERAS2_BACKEND, model_config, train_config, names,
                     values, weight_names=keras2_weight_names)


def save_keras2_weights(model, path: str, overwrite: bool = True) -> None:
    from .files import atomic_h5_writer
    from .legacy_h5 import save_weights_to_group

    if path.endswith(".weights.h5"):
        raise ValueError(f"save_weights({path!r}, keras_version=2): Keras 2 reads weights from the legacy .h5 "
                         "layout; give a name ending in '.h5' but not '.weights.h5' (e.g. 'model_weights.h5'). "
                         "'.weights.h5' is Keras 3's layout (keras_version=3).")
    with atomic_h5_writer(path, overwrite) as f:
        save_weights_to_group(f, model, KERAS2_VERSION, KERAS2_BACKEND, weight_names=keras2_weight_names)
