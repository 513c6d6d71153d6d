"""`symk.saving` (Keras's `keras.saving`): .keras archives, HDF5 files in Keras's layouts, the object serialization API.

    model.save("model.keras"); model = symk.saving.load_model("model.keras")
    config = symk.saving.serialize_keras_object(layer); layer = symk.saving.deserialize_keras_object(config)
"""
from .api import load_model, model_from_config, model_from_json, save_model  # noqa: F401
from ..errors import ConfigError, FileFormatError, WeightMismatchError  # noqa: F401
from .file_editor import KerasFileEditor  # noqa: F401
from .lambda_serialization import UnsafeDeserializationError  # noqa: F401
from .registry import (CustomObjectScope, UnknownObjectError, custom_object_scope, get_custom_objects,  # noqa: F401
                       get_registered_name, get_registered_object, register_keras_serializable,
                       register_serializable)
from .serialization_lib import ObjectNotFoundError, deserialize_keras_object, serialize_keras_object  # noqa: F401
from ..object_registry import install_codec as _install_codec

# the families (activations, losses, layers, ...) serialize and deserialize through Keras 3's form
_install_codec(serialize_keras_object, deserialize_keras_object)


def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None, **kwargs):
    """Keras's `keras.saving.save_weights(model, 'x.weights.h5')`: the same as model.save_weights."""
    if max_shard_size is not None:
        raise ValueError("save_weights(max_shard_size=...): sharded weights files are not supported by symk; "
                         "leave max_shard_size unset to write one .weights.h5 file.")
    return model.save_weights(filepath, overwrite=overwrite, **kwargs)


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs):
    """Keras's `keras.saving.load_weights(model, path)`: .weights.h5, legacy .h5 or a .keras archive's weights."""
    return model.load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)
