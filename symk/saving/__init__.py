"""`symk.saving`: HDF5 model and weights files in Keras's layouts, JSON configs, the serializable registry."""
from .api import load_model, model_from_config, model_from_json, save_model  # noqa: F401
from ..errors import ConfigError, FileFormatError, WeightMismatchError  # noqa: F401
from .lambda_serialization import UnsafeDeserializationError  # noqa: F401
from .registry import (CustomObjectScope, UnknownObjectError, custom_object_scope, get_custom_objects,  # noqa: F401
                       get_registered_name, register_keras_serializable, register_serializable)
