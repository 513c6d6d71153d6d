"""`symk.ops.linalg`: linear algebra (keras.ops.linalg).

The functions are declared with their ops in the family files (see symk/ops/api.py).
"""
from .api import populate

__all__ = populate(globals(), "linalg")
