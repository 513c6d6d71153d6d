"""`symk.ops.nn`: activations, convolutions, pooling, losses and normalization (keras.ops.nn).

The functions are declared with their ops in the family files (see symk/ops/api.py).
"""
from .api import populate

__all__ = populate(globals(), "nn")
