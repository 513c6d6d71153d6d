"""Setting a layer's variables from saved weights, with the checks both file formats make.

Values may be h5py datasets: their count, shape and dtype are checked against the variables
before any data is read, so a damaged file that declares 2^40 elements is an error naming the
weight, not a MemoryError. Float variables take float data of any width (float16 is cast up,
as Keras casts it); integer data is refused for them. A mismatch is a WeightMismatchError
naming the layer, the weight and both shapes; with skip_mismatch=True it is a warning and the
variable (or the whole layer, for a count mismatch) keeps its value.
"""
from __future__ import annotations

import warnings

import h5py
import numpy as np

from ..distribution import placement
from ..errors import FileFormatError, WeightMismatchError
from .h5_read import read_dataset

__all__ = ["assign_checked", "check_value", "as_array"]


def _warn_or_raise(message: str, hint: str, skip_mismatch: bool) -> None:
    if skip_mismatch:
        warnings.warn(message + " Skipped (skip_mismatch=True).")
        return
    raise WeightMismatchError(message + " " + hint)


def check_value(variable, value, what: str) -> None:
    """Refuse, before reading, a saved value whose kind of data cannot be a value of `variable`."""
    if isinstance(value, h5py.Group):
        raise FileFormatError(f"{what}: expected a dataset at {value.name!r}; found a group")
    kind, wanted = _kind(value.dtype), _kind(variable.dtype)
    accepted = {"f": "f", "c": "c", "i": "iu", "u": "iu", "b": "b"}.get(wanted, wanted)
    if kind not in accepted:
        found = "text" if kind in "SUO" else str(value.dtype)
        raise FileFormatError(f"{what}: the file holds {found} data (dtype {value.dtype}) for a {variable.dtype} "
                              f"variable; expected {'floating-point' if wanted == 'f' else variable.dtype} data.")


def _kind(dtype) -> str:
    try:
        return np.dtype(dtype).kind
    except TypeError:  # a dtype numpy does not name (bfloat16 before ml_dtypes registers it)
        return "f" if "float" in str(dtype) else "V"


def as_array(value, what: str, dtype=None) -> np.ndarray:
    """The data of a dataset (read now) or an array, as `dtype`."""
    array = read_dataset(value, what) if isinstance(value, h5py.Dataset) else np.asarray(value)
    return np.asarray(array, dtype=dtype)


def assign_checked(variables, values, skip_mismatch: bool, count_mismatch, shape_mismatch, what=None) -> None:
    """Sets each variable to its value. `count_mismatch()` and `shape_mismatch(var, value)` return the
    (message, hint) of the format's error: the hint (what to do) is left out of the skip warning.
    `what(var)` names a weight in errors about the file's data."""
    if len(variables) != len(values):
        _warn_or_raise(*count_mismatch(), skip_mismatch)
        return
    what = what or (lambda var: f"weight {var.path!r}")
    checked = []
    for var, value in zip(variables, values):
        if not isinstance(value, h5py.Group) and tuple(var.shape) != tuple(value.shape):
            _warn_or_raise(*shape_mismatch(var, value), skip_mismatch)
            continue
        check_value(var, value, what(var))
        checked.append((var, value))
    for var, value in checked:  # read only once every weight of the layer fits
        # under a distribution the value goes straight to its layout on the mesh
        var.set_value(placement.place_variable_value(var, as_array(value, what(var), var.dtype)))
