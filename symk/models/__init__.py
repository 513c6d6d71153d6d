"""`symk.models`: Model, Sequential, and (from [save]) load_model / model_from_json."""
from ..layers.input_layer import Input  # noqa: F401  (Keras 2: keras.models.Input)
from .model import Model  # noqa: F401
from .sequential import Sequential  # noqa: F401
from ..saving.api import load_model, model_from_config, model_from_json, save_model  # noqa: F401,E402
from .cloning import clone_model  # noqa: F401,E402
