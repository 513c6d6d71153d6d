"""Keras 2 legacy module path `keras.engine.topology` (Layer, InputSpec, Input, InputLayer)."""
from ..layers.base import Layer  # noqa: F401
from ..layers.input_layer import Input, InputLayer  # noqa: F401
from ..layers.input_spec import InputSpec  # noqa: F401
