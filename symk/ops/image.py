"""`symk.ops.image`: image transforms (keras.ops.image; not in symk.ops itself, as in Keras).

The functions are declared with their ops in the family files (see symk/ops/api.py).
"""
from .api import populate

__all__ = populate(globals(), "image")
