"""`symk.ops.numpy`: numpy-like array functions (keras.ops.numpy).

The functions are declared with their ops in the family files (see symk/ops/api.py).
"""
from .api import populate

__all__ = populate(globals(), "numpy")
