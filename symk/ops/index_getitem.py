"""`get_item(x, key)`: Python indexing of a tensor, with index arrays (numpy's advanced indexing) and masks.

A key of ints, slices, None and ... is the 'getitem' op (symk/ops/array.py). A key holding index
arrays (lists, arrays, integer tensors) is 'advanced_getitem', whose inputs are x and the arrays.
A boolean mask keeps a value-dependent number of entries: on arrays it becomes the integer index
arrays of its nonzero entries (as numpy defines it); on symbolic tensors it is refused.

    >>> symk.ops.get_item(x, (slice(None), [0, 2]))   # x[:, [0, 2]]
    >>> symk.ops.get_item(x, ids)                     # rows picked by an int tensor
"""
from __future__ import annotations

import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes
from .api import keras_export
from .array import decode_index, encode_index
from .index_inputs import concrete
from .registry import apply, def_op, spec_of

_CONSUMING = ("slice", "int", "array")  # key items that each index one axis of x


def _index_arrays_shape(index_specs: list) -> tuple:
    if not index_specs:
        raise RuleViolation("advanced_getitem needs at least one index array", "use the getitem op for other keys")
    for spec in index_specs:
        if "int" not in spec.dtype:
            raise RuleViolation(f"index arrays must hold integers, got {spec.dtype}",
                                "cast the indices to int32 (a bool mask is only allowed on arrays)")
    return tuple(broadcast_shapes(*[s.shape for s in index_specs]))


def advanced_getitem_rule(specs, attrs):
    x, index_specs = specs[0], specs[1:]
    shape, key = list(x.shape), list(attrs.key)
    if len(index_specs) != sum(1 for k in key if k[0] == "array"):
        raise RuleViolation("the key names more or fewer index arrays than were given", "pass one per array")
    broadcast = _index_arrays_shape(index_specs)
    consuming = sum(1 for k in key if k[0] in _CONSUMING)
    if consuming > len(shape):
        raise RuleViolation(f"too many indices ({consuming}) for a tensor of rank {len(shape)}", "index fewer axes")
    if key.count(("ellipsis",)) > 1:
        raise RuleViolation("an index can hold only one ellipsis (...)", "use ... once")
    if any(k[0] == "slice" and k[3] == 0 for k in key):
        raise RuleViolation("slice step cannot be zero", "use a nonzero step")
    # as jax decides, on the key as written: index arrays and ints next to each other keep their place,
    # otherwise their broadcast axes go first
    advanced = [i for i, k in enumerate(key) if k[0] in ("int", "array")]
    contiguous = all(b - a == 1 for a, b in zip(advanced, advanced[1:]))
    if ("ellipsis",) in key:
        i = key.index(("ellipsis",))
        key[i:i + 1] = [("slice", None, None, None)] * (len(shape) - consuming)
    else:
        key += [("slice", None, None, None)] * (len(shape) - consuming)
    out, axis, placed = ([] if contiguous else list(broadcast)), 0, not contiguous
    for k in key:
        if k[0] == "newaxis":
            out.append(1)
            continue
        dim = shape[axis]
        axis += 1
        if k[0] == "slice":
            out.append(None if dim is None else len(range(dim)[slice(*k[1:])]))
            continue
        if k[0] == "int" and dim is not None and not -dim <= k[1] < dim:
            raise RuleViolation(f"index {k[1]} is out of bounds for axis {axis - 1} of size {dim}",
                                "index within the axis")
        if not placed:
            out.extend(broadcast)
            placed = True
    return TensorSpec.of(out, x.dtype)


def _merge(key: tuple, index_arrays) -> tuple:
    """The Python key: decoded items, with each ('array', i) replaced by the i-th index array."""
    basic = decode_index(tuple(("newaxis",) if k[0] == "array" else k for k in key))
    return tuple(index_arrays[k[1]] if k[0] == "array" else item for k, item in zip(key, basic))


def_op("advanced_getitem", advanced_getitem_rule, lambda x, *index_arrays, key: x[_merge(key, index_arrays)],
       attrs=dict(key=()), inputs=None,
       doc="x[key] where the key holds integer index arrays (numpy's advanced indexing); inputs: x, the arrays.")


def _is_basic(item) -> bool:
    if item is None or item is Ellipsis:
        return True
    if isinstance(item, (bool, np.bool_)):
        return False
    if isinstance(item, (int, np.integer)):
        return True
    if isinstance(item, slice):
        bounds = (item.start, item.stop, item.step)
        if any(b is not None and not isinstance(b, (int, np.integer)) for b in bounds):
            raise TypeError(f"symk.ops.get_item: slice bounds must be ints or None, got {item!r}; for a slice that "
                            "starts at a tensor's value use ops.slice(x, start_indices, shape)")
        return True
    return False


def _mask_to_index_arrays(mask) -> list:
    values = concrete(mask, "get_item", "a boolean mask keeps a value-dependent number of entries; use "
                                        "ops.where(mask, x, 0) to keep the shape, or index arrays instead")
    if values.ndim == 0:
        raise TypeError("symk.ops.get_item: a scalar bool is not an index; use None to add an axis")
    return [a.astype(np.int32) for a in np.nonzero(values)]


@keras_export("numpy")
def get_item(x, key):
    """x[key], for any key Python indexing takes: ints, slices, None, ..., index arrays, boolean masks.

    >>> symk.ops.get_item(x, (0, slice(1, None)))   # x[0, 1:]
    """
    items = key if isinstance(key, tuple) else (key,)
    if all(_is_basic(item) for item in items):
        return apply("getitem", [x], key=encode_index(key))
    encoded, index_arrays = [], []
    for item in items:
        if _is_basic(item):
            encoded += encode_index((item,))
            continue
        for array in _mask_to_index_arrays(item) if spec_of(item).dtype == "bool" else [item]:
            encoded.append(("array", len(index_arrays)))
            index_arrays.append(array)
    return apply("advanced_getitem", [x, *index_arrays], key=tuple(encoded))
