"""Op `after`: its first input unchanged, made to depend on its second (an anchor).

A state update that reads no input of the call making it (SpectralNormalization's new `vector_u` is computed
from weights only) would be dropped when a model's graph is extracted: a model keeps the updates its inputs
drive (symk/models/extraction.py). `after(value, inputs)` ties such an update to the call's inputs.

    new_u = after(power_iteration(u, kernel), inputs)      # the update now belongs to this call
"""
from __future__ import annotations

from .registry import apply, def_op

__all__ = []  # not a Keras function: layers call it through apply("after", ...)


def _after_rule(specs, attrs):
    return specs[0]


# NOTE: foldable=False: folding would replace the node by a constant and cut the tie to the anchor
def_op("after", _after_rule, lambda value, anchor: value, inputs=2, foldable=False,
       doc="after(value, anchor) = value, evaluated in the call that computes anchor (a data dependency only)")


def after(value, anchor):
    """`value`, as a node that depends on `anchor` (whose value it ignores)."""
    return apply("after", [value, anchor])
