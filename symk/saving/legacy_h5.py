"""The Keras legacy HDF5 weights layout (Keras 2, tf.keras, and Keras 3's `.h5`), read and written.

    model_weights/                       (or the file root, for a weights-only file)
      @layer_names = [layer names in model order]        (split into layer_names0, 1, ... when large)
      <layer>/ @weight_names = ['<model>/<layer>/kernel', ...]; datasets at those paths
      top_level_model_weights/ @weight_names = []

Loading matches the layers that have weights by position (Keras's rule), or by name.
"""
from __future__ import annotations


import h5py

import numpy as np

from ..errors import WeightMismatchError
from ..models.layer_order import keras_layer_order
from .h5_read import CHECKSUM_ATTRIBUTE, member, read_names, values_crc32
from .weight_assignment import assign_checked

# Keras's limit for one attribute: the HDF5 object header is 64 KiB
HDF5_OBJECT_HEADER_LIMIT = 64512
ASCII = h5py.string_dtype("ascii")


def save_attributes(group, name: str, values: list) -> None:
    """Store a list of strings as an attribute, split into name0, name1, ... when too large."""
    encoded = [v.encode("utf8") if isinstance(v, str) else v for v in values]
    too_long = [v for v in encoded if len(v) > HDF5_OBJECT_HEADER_LIMIT]
    if too_long:
        raise ValueError(f"cannot save attribute {name!r}: item(s) longer than {HDF5_OBJECT_HEADER_LIMIT} bytes: "
                         f"{[v[:60] for v in too_long]}")
    if not encoded:
        group.attrs[name] = np.asarray([])  # what Keras writes for none (float64, shape (0,))
        return
    array = np.asarray(encoded)
    chunks, count = [array], 1
    while any(c.nbytes > HDF5_OBJECT_HEADER_LIMIT for c in chunks):
        count += 1
        chunks = np.array_split(array, count)
    if count == 1:
        group.attrs.create(name, encoded, dtype=ASCII)
    else:
        for i, chunk in enumerate(chunks):
            group.attrs.create(f"{name}{i}", list(chunk), dtype=ASCII)


def load_attributes(group, name: str) -> list:
    """A list attribute, joining name0, name1, ... chunks; [] when absent (checked: see h5_read.read_names)."""
    return read_names(group, name, required=False)


def layer_weights(layer) -> list:
    """A layer's weights in file order: all trainable first, then all non-trainable (Keras's _legacy_weights;
    for a nested model this differs from `weights`, which goes layer by layer)."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _weight_names(layer) -> list[str]:
    from ..models import Model

    names, seen = [], set()
    for w in layer_weights(layer):
        short = getattr(w, "short_name", w.name.split("/")[-1])
        if isinstance(layer, Model) or not w.path.startswith(layer.name + "/"):
            name = f"{layer.name}/{w.path}" if isinstance(layer, Model) else f"{layer.name}/{short}"
        else:
            name = w.path
        base, k = name, 1
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        names.append(name)
    return names


def write_weight_dataset(group, name: str, value) -> None:
    """A dataset carrying HDF5's Fletcher-32 checksum filter, so a changed byte is caught on load.

    NOTE: HDF5 filters need chunked storage, which scalars and empty arrays cannot have: those are
    written plain (an optimizer's iteration count and learning rate are scalars)."""
    value = np.asarray(value)
    if value.ndim == 0 or value.size == 0:
        dataset = group.create_dataset(name, data=value)
    else:
        # one chunk per weight (read whole anyway); past 1 GiB, slabs of rows (HDF5 caps a chunk at 4 GiB)
        rows = max(1, min(value.shape[0], (1 << 30) // max(1, value[:1].nbytes)))
        dataset = group.create_dataset(name, data=value, chunks=(rows,) + value.shape[1:], fletcher32=True)
    # NOTE: Fletcher-32 of an all-zero chunk is 0, so a zeroed block that covers a small chunk and its checksum
    # passes the filter; a CRC-32 of the values, kept in the dataset's header, catches it (and covers scalars)
    dataset.attrs[CHECKSUM_ATTRIBUTE] = np.uint32(values_crc32(value))


def _write_weights(group, names: list, values: list) -> None:
    save_attributes(group, "weight_names", names)
    for name, value in zip(names, values):
        write_weight_dataset(group, name, value)


def write_model_file(path: str, overwrite: bool, model, keras_version: str, backend: str, model_config: str,
                     train_config, optimizer_names: list, optimizer_values: list, weight_names=None) -> None:
    """A whole-model legacy .h5 (written atomically): root attributes, model_weights, optimizer_weights.

    Keras 3 and Keras 2 files share this layout; the callers differ only in what they put in it."""
    import json

    from .files import atomic_h5_writer

    with atomic_h5_writer(path, overwrite) as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = backend
        f.attrs.create("model_config", model_config, dtype=ASCII)
        if train_config is not None:
            f.attrs.create("training_config", json.dumps(train_config), dtype=ASCII)
        save_weights_to_group(f.create_group("model_weights"), model, keras_version, backend,
                              weight_names=weight_names)
        if optimizer_names:
            group = f.create_group("optimizer_weights")
            save_attributes(group, "weight_names", optimizer_names)
            for name, value in zip(optimizer_names, optimizer_values):
                write_weight_dataset(group, name, value)


def save_weights_to_group(group, model, keras_version: str, backend: str, weight_names=None) -> None:
    """weight_names(layer) -> the names to store (default: symk's / Keras 3's; keras2_weights has Keras 2's)."""
    weight_names = weight_names or _weight_names
    layers = keras_layer_order(model)
    save_attributes(group, "layer_names", [layer.name for layer in layers])
    group.attrs.create("backend", backend, dtype=ASCII)
    group.attrs.create("keras_version", keras_version, dtype=ASCII)
    # sorted so no group name is created after a longer one it prefixes (what Keras does)
    for layer in sorted(layers, key=lambda l: l.name):
        _write_weights(group.create_group(layer.name), weight_names(layer),
                       [w.numpy() for w in layer_weights(layer)])
    _write_weights(group.create_group("top_level_model_weights"), [], [])


def _read_layer(group) -> list:
    """The layer's saved weights as datasets (not read yet: their shapes are checked first)."""
    return [member(group, name, "dataset") for name in read_names(group, "weight_names")]


def _assign(layer, values: list, where: str, skip_mismatch: bool) -> None:
    variables = layer_weights(layer)
    assign_checked(
        variables, values, skip_mismatch,
        count_mismatch=lambda: (f"Weight count mismatch for {where}: the layer has {len(variables)} weight(s) "
                                f"{[tuple(v.shape) for v in variables]}, the file holds {len(values)} "
                                f"{[v.shape for v in values]}.",
                                "Is this file for another architecture? Try by_name=True or skip_mismatch=True."),
        shape_mismatch=lambda var, value: (f"Shape mismatch for {where}, weight {var.path!r}: the layer's weight has "
                                           f"shape {tuple(var.shape)}, the saved weight has shape {value.shape}.",
                                           "Pass skip_mismatch=True to skip such weights."),
        what=lambda var: f"{where}, weight {var.path!r}")


def load_weights_from_group(group, model, by_name: bool = False, skip_mismatch: bool = False) -> None:
    saved_names = read_names(group, "layer_names")
    layers = keras_layer_order(model)
    if by_name:
        by_layer_name: dict = {}
        for layer in layers:
            by_layer_name.setdefault(layer.name, []).append(layer)
        for k, name in enumerate(saved_names):
            values = _read_layer(member(group, name))
            for layer in by_layer_name.get(name, []):
                _assign(layer, values, f"layer #{k} (named {name!r})", skip_mismatch)
        return
    with_weights = [layer for layer in layers if layer_weights(layer)]
    saved = [name for name in saved_names if read_names(member(group, name), "weight_names")]
    if len(saved) != len(with_weights):
        raise WeightMismatchError(
            f"Layer count mismatch when loading weights: the model has {len(with_weights)} layer(s) with weights "
            f"{[l.name for l in with_weights]}, the file has {len(saved)} {saved}. Loading by position needs the same "
            "architecture; pass by_name=True to match layers by name instead.")
    for k, (name, layer) in enumerate(zip(saved, with_weights)):
        _assign(layer, _read_layer(member(group, name)), f"layer #{k} (named {layer.name!r} in the model, "
                                                         f"{name!r} in the file)", skip_mismatch)
    own = list(getattr(model, "_own_weights", []))
    if "top_level_model_weights" in group and own:
        values = _read_layer(member(group, "top_level_model_weights"))
        if values:
            _assign_top_level(own, values)


def _assign_top_level(own: list, values: list) -> None:
    if len(values) == len(own):
        assign_checked(own, values, False, count_mismatch=None,
                       shape_mismatch=lambda var, value: (f"Shape mismatch for the model's own weight {var.path!r}: "
                                                          f"{tuple(var.shape)} in the model, {value.shape} in the "
                                                          "file.", ""))
