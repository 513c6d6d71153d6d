"""Lowering graphs to JAX."""
from .lower import Program, Step  # noqa: F401
