"""`symk.preprocessing` (keras.preprocessing): Keras 2's path to the sequence helpers."""
from . import sequence  # noqa: F401
