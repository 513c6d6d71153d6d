"""`symk.ops.core`: control flow, conversion, scatter and slicing (keras's ops.core).

The functions are declared with their ops in the family files (see symk/ops/api.py).
"""
from .api import populate

__all__ = populate(globals(), "core")
