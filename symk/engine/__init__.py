"""Keras 2 legacy module path `keras.engine` (Layer, InputSpec, Model)."""
from ..layers.base import Layer  # noqa: F401
from ..layers.input_spec import InputSpec  # noqa: F401
