"""`symk.ops.math`: segment reductions, top_k, FFTs and special functions (keras's ops.math).

The functions are declared with their ops in the family files (see symk/ops/api.py).
"""
from .api import populate

__all__ = populate(globals(), "math")
