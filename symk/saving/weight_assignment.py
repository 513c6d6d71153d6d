"""Setting a layer's variables from loaded arrays, with the count and shape checks both file formats make.

A mismatch is an error naming the layer, the weight and both shapes; with skip_mismatch=True it
is a warning and the variable (or the whole layer, for a count mismatch) keeps its value.
"""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["assign_checked"]


def _warn_or_raise(message: str, hint: str, skip_mismatch: bool) -> None:
    if skip_mismatch:
        warnings.warn(message + " Skipped (skip_mismatch=True).")
        return
    raise ValueError(message + " " + hint)


def assign_checked(variables, values, skip_mismatch: bool, count_mismatch, shape_mismatch) -> None:
    """Sets each variable to its value. `count_mismatch()` and `shape_mismatch(var, value)` return the
    (message, hint) of the format's error: the hint (what to do) is left out of the skip warning."""
    if len(variables) != len(values):
        _warn_or_raise(*count_mismatch(), skip_mismatch)
        return
    for var, value in zip(variables, values):
        if tuple(var.shape) != tuple(value.shape):
            _warn_or_raise(*shape_mismatch(var, value), skip_mismatch)
            continue
        var.set_value(np.asarray(value, dtype=var.dtype))
