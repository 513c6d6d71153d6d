"""Reading a Keras .h5 file defensively: every attribute, group and dataset is checked before it is read.

Each function raises a FileFormatError naming the object in the file (`/model_weights/dense`,
attribute `weight_names`) and what was expected; `files.open_h5` adds the file's name. Types
and sizes are checked before data is read, and string attributes are read only once the heap
guard (heap_guard.py) has checked the heap their values live in.

    names = read_names(group, "layer_names")          # ['dense', 'dropout', ...]
    config = read_json(f, "model_config")             # a dict, or None when absent
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import zlib
from typing import Optional

import h5py

import numpy as np

from ..errors import FileFormatError

_guards: contextvars.ContextVar[dict] = contextvars.ContextVar("symk_h5_guards", default={})


@contextlib.contextmanager
def reading(what: str):
    """`with reading("layer 'dense' of model_config"):` names what a failure inside happened to
    (the innermost `reading` an exception passes through is the one it is reported against)."""
    try:
        yield
    except Exception as err:
        if not hasattr(err, "_symk_reading"):
            err._symk_reading = what
        raise


def object_of(err: BaseException) -> str:
    """What was being read when `err` was raised (see `reading`)."""
    return getattr(err, "_symk_reading", "the file")


@contextlib.contextmanager
def guarded(h5file, guard):
    """While inside, attribute reads on `h5file` are checked by `guard` (a heap_guard.HeapGuard)."""
    token = _guards.set({**_guards.get(), h5file.id.fileno: guard})
    try:
        yield
    finally:
        _guards.reset(token)


def safe_names(names) -> list[str]:
    """Sorted names for a message, whatever their type (h5py gives bytes for names that are not UTF-8)."""
    return sorted(n if isinstance(n, str) else repr(n) for n in names)


def attribute_names(obj) -> list[str]:
    try:
        return safe_names(obj.attrs.keys())
    except (OSError, UnicodeError, RuntimeError):
        return ["(unreadable)"]


def member_names(group) -> list[str]:
    """The names in a group, sorted; a group whose index is damaged is a FileFormatError."""
    try:
        return safe_names(group.keys())
    except (OSError, UnicodeError, RuntimeError, KeyError, ValueError) as err:
        raise FileFormatError(f"the members of {group.name!r} cannot be listed (damaged group index?): {err}") from err


def describe_members(group) -> str:
    """For messages: the names in a group, or why they cannot be listed."""
    try:
        return str(member_names(group))
    except FileFormatError:
        return "(none readable: its index is damaged)"


def _label(obj, name: str) -> str:
    return f"attribute {name!r} of {obj.name!r}"


def has_attribute(obj, name: str) -> bool:
    try:
        return name in obj.attrs
    except (OSError, RuntimeError, UnicodeError) as err:
        raise FileFormatError(f"the attributes of {obj.name!r} cannot be read (damaged object header?): {err}") from err


def read_attribute(obj, name: str):
    """The raw value (numpy scalar or array, or str); the string heap is checked first."""
    label = _label(obj, name)
    guard = _guards.get().get(obj.id.fileno)
    try:
        if guard is not None:
            guard.check_object(obj, label)
        return obj.attrs[name]
    except FileFormatError:
        raise
    except (OSError, RuntimeError, KeyError, ValueError, TypeError, UnicodeError) as err:
        raise FileFormatError(f"{label} cannot be read (damaged?): {type(err).__name__}: {err}") from err


def _as_text(value, label: str) -> str:
    if isinstance(value, np.ndarray) and value.shape == () or isinstance(value, np.generic):
        value = value.item() if value.dtype.kind in "SUO" else value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as err:
            raise FileFormatError(f"{label} is not valid UTF-8 text ({err})") from None
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # h5py keeps undecodable bytes as lone surrogates
        except UnicodeEncodeError as err:
            raise FileFormatError(f"{label} is not valid UTF-8 text ({err.reason} at character {err.start})") from None
        return value
    raise FileFormatError(f"{label} should be a string; found {_describe(value)}")


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype} with shape {value.shape}"
    return f"a {type(value).__name__} ({str(value)[:60]})"


def read_text(obj, name: str) -> Optional[str]:
    """A string attribute, or None when absent."""
    if not has_attribute(obj, name):
        return None
    return _as_text(read_attribute(obj, name), _label(obj, name))


def read_json(obj, name: str):
    """A JSON attribute (model_config, training_config) parsed; None when absent."""
    text = read_text(obj, name)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise FileFormatError(f"{_label(obj, name)} is not valid JSON ({err}); found {text[:80]!r}...") from None
    except RecursionError:
        raise FileFormatError(f"{_label(obj, name)} nests JSON deeper than Python's parser can read; it is not a "
                              "Keras config") from None


def _text_items(value, label: str) -> list[str]:
    if isinstance(value, np.ndarray) and value.size == 0:
        return []  # Keras writes an empty float64 array for 'no names'
    items = np.atleast_1d(value)
    if items.ndim != 1 or items.dtype.kind not in "SUO":
        raise FileFormatError(f"{label} should be a list of strings; found {_describe(value)}")
    return [_as_text(item, f"{label}, item {k}") for k, item in enumerate(items)]


def read_names(obj, name: str, required: bool = True) -> list[str]:
    """A list-of-strings attribute, joining the chunks name0, name1, ... Keras splits large lists into."""
    if has_attribute(obj, name):
        return _text_items(read_attribute(obj, name), _label(obj, name))
    values, i = [], 0
    while has_attribute(obj, f"{name}{i}"):
        values += _text_items(read_attribute(obj, f"{name}{i}"), _label(obj, f"{name}{i}"))
        i += 1
    if i == 0 and required:
        raise FileFormatError(f"{obj.name!r} has no attribute {name!r} (expected a list of names); its attributes "
                              f"are {attribute_names(obj)}")
    return values


def member(group, name: str, kind: str = "group"):
    """group[name], which must exist and be a group (kind='group') or a dataset (kind='dataset')."""
    if not isinstance(group, h5py.Group):
        raise FileFormatError(f"{group.name!r} should be a group; found a dataset")
    try:
        found = group.get(name)
    except (OSError, RuntimeError, KeyError, ValueError, UnicodeError) as err:
        raise FileFormatError(f"{group.name!r}: its member {name!r} cannot be read (damaged?): {err}") from err
    if found is None:
        listing = describe_members(group)
        if f"'{name.split('/')[0]}'" in listing:
            raise FileFormatError(f"{group.name!r} lists a member {name!r}, but it cannot be opened (its object "
                                  "header is damaged?)")
        raise FileFormatError(f"{group.name!r} has no {kind} {name!r}; its members are {listing}")
    wanted = h5py.Group if kind == "group" else h5py.Dataset
    if not isinstance(found, wanted):
        raise FileFormatError(f"{found.name!r} should be a {kind}; found a {type(found).__name__.lower()}")
    return found


CHECKSUM_ATTRIBUTE = "symk_crc32"  # written by symk on each weight; Keras ignores a dataset's attributes


def values_crc32(value) -> int:
    return zlib.crc32(np.ascontiguousarray(value).tobytes())


def _stored_crc(attribute) -> int:
    """The CRC-32 an attribute holds; -1 (matches nothing) when a damaged attribute holds something else."""
    value = np.asarray(attribute).reshape(-1)
    return int(value[0]) if value.size == 1 and np.issubdtype(value.dtype, np.integer) else -1


def read_dataset(dataset, what: str) -> np.ndarray:
    """The data of a dataset whose shape and dtype the caller has checked; a checksum failure names it.
    Datasets symk wrote carry a CRC-32 of their values too (Fletcher-32 misses all-zero chunks)."""
    try:
        value = dataset[()]
        expected = dataset.attrs.get(CHECKSUM_ATTRIBUTE)
    except (OSError, RuntimeError, ValueError, TypeError, KeyError) as err:
        if getattr(dataset, "fletcher32", False):
            raise FileFormatError(f"{what} ({dataset.name!r}) fails its Fletcher-32 checksum: its bytes changed "
                                  f"after it was written. The file is damaged ({err}).") from err
        raise FileFormatError(f"{what} ({dataset.name!r}) cannot be read (damaged?): {err}") from err
    if expected is not None and _stored_crc(expected) != values_crc32(value):
        raise FileFormatError(f"{what} ({dataset.name!r}) fails its CRC-32 checksum: its values changed after it "
                              "was written. The file is damaged.")
    return value
