"""Exporting symk models for inference without symk: StableHLO artifacts (jax.export) and pure JAX functions.

    model.export("artifact", format="stablehlo"); fn = symk.export.load("artifact"); fn(x)
"""
from .load import LoadedModel, load

__all__ = ["LoadedModel", "load"]
