"""KerasFileEditor, read-only: inspect the weights (and config) of a `.keras` archive or a `.weights.h5` file.

    editor = symk.saving.KerasFileEditor("model.keras")
    editor.summary()                      # the weights tree: layers/dense ('dense') > 0: shape=(4, 3) ...
    editor.compare(model)                 # {'status': 'success', 'error_count': 0, 'match_count': 4}
    editor.weights_dict["layers"]["dense"]["0"]     # a numpy array

Keras's editing methods (rename_object, delete_object, add_object, delete_weight, add_weights,
save, resave_weights) are not provided: symk's editor only reads. Reading goes through the same
guarded HDF5 reader as load_model (checksums checked, sizes checked before data is read).
"""
from __future__ import annotations

import collections
import io
import math

import h5py

from ..errors import FileFormatError

MAX_DATASET_BYTES = 1 << 32  # Keras's limit for one weight (4 GiB)


def _extract(group, metadata: dict, inner_path: str = ""):
    """{name: sub-dict or array}, 'vars' groups folded into their object (Keras's weights_dict)."""
    from .h5_read import has_attribute, member_names, read_dataset, read_text

    if has_attribute(group, "name"):  # read through the heap guard, as every attribute symk reads
        metadata[inner_path] = {"name": read_text(group, "name")}
    result = collections.OrderedDict()
    for key in member_names(group):
        path = f"{inner_path}/{key}"
        link = group.get(key, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise FileFormatError(f"{path!r} is an HDF5 {link.__name__}: not allowed in a Keras weights file")
        value = group[key]
        if isinstance(value, h5py.Group):
            if len(value) == 0:
                continue
            if "vars" in value:
                if len(value["vars"]) == 0 and len(value) == 1:
                    continue
                inner = _extract(value["vars"], metadata, path)
                for sub in member_names(value):
                    if sub != "vars" and isinstance(value[sub], h5py.Group) and len(value[sub]):
                        inner[sub] = _extract(value[sub], metadata, f"{path}/{sub}")
                if inner:
                    result[key] = inner
            else:
                inner = _extract(value, metadata, path)
                if inner:
                    result[key] = inner
            continue
        if not isinstance(value, h5py.Dataset):
            continue
        if value.external or value.is_virtual:
            raise FileFormatError(f"{path!r} is an external or virtual HDF5 dataset: not allowed in a Keras file")
        if math.prod(value.shape) * value.dtype.itemsize > MAX_DATASET_BYTES:
            raise FileFormatError(f"{path!r} declares {value.shape} {value.dtype}: too large to load safely")
        result[key] = read_dataset(value, f"weight {path!r}")
    return result


def _spec_of(model) -> dict:
    """The model's own weights tree, as a file written now would hold it (shapes compared, not values)."""
    from .keras3_weights import write_weights
    from .training_state import optimizer_variables

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_weights(f, model, optimizer_variables(model))
        return _extract(f, {})


class KerasFileEditor:
    """Read-only view of a Keras weights file: `config`, `metadata`, `weights_dict`, `summary()`, `compare()`."""

    def __init__(self, filepath):
        from .files import as_path, open_h5

        self.filepath = as_path(filepath)
        self.config = self.metadata = None
        self.object_metadata: dict = {}
        if self.filepath.endswith(".keras"):
            from .keras_archive import CONFIG, METADATA, extracted_weights, open_archive, read_json_member

            with open_archive(self.filepath) as zf:
                self.config = read_json_member(zf, self.filepath, CONFIG)
                if METADATA in zf.namelist():
                    self.metadata = read_json_member(zf, self.filepath, METADATA)
                with extracted_weights(zf, self.filepath) as f:
                    self.weights_dict = _extract(f, self.object_metadata)
        elif self.filepath.endswith(".weights.h5"):
            with open_h5(self.filepath, "a Keras 3 .weights.h5 file") as f:
                self.weights_dict = _extract(f, self.object_metadata)
        else:
            raise ValueError(f"Invalid filename: expected a `.keras` `.weights.h5` extension. Received: "
                             f"filepath={self.filepath}")
        print(f"Keras model file '{self.filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: {self.metadata.get('date_saved')}")

    def summary(self) -> None:
        """Prints the weights tree of the file."""
        print("Weights structure")
        self._print(self.weights_dict, prefix="", path="")

    def _print(self, tree: dict, prefix: str, path: str) -> None:
        items = list(tree.items())
        for k, (key, value) in enumerate(items):
            connector = "└─ " if k == len(items) - 1 else "├─ "
            inner = f"{path}/{key}"
            if isinstance(value, dict):
                name = self.object_metadata.get(f"{inner}", {}).get("name")
                print(f"{prefix}{connector}{key}" + (f" ('{name}')" if name is not None else ""))
                self._print(value, prefix + ("    " if k == len(items) - 1 else "│   "), inner)
            else:
                print(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")

    def compare(self, reference_model) -> dict:
        """Lists every mismatch between the file and `reference_model`; {'status', 'error_count', 'match_count'}."""
        print("Running comparison")
        reference = _spec_of(reference_model)
        checked: set = set()
        errors, matches = self._compare(self.weights_dict, reference, "", "saved file", "reference model", checked)
        more, _ = self._compare(reference, self.weights_dict, "", "reference model", "saved file", checked)
        errors += more
        print("─────────────────────")
        if errors == 0:
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{'' if matches == 1 else 's'}")
        else:
            print(f"Found {errors} error{'' if errors == 1 else 's'}: saved file is not compatible with the "
                  "reference model")
        return {"status": "success" if errors == 0 else "error", "error_count": errors, "match_count": matches}

    def _compare(self, target, reference, path, target_name, reference_name, checked):
        errors = matches = 0
        for key, value in reference.items():
            inner = f"{path}/{key}"
            if inner in checked:
                continue
            if key not in target:
                errors += 1
                checked.add(inner)
                kind = "Object" if isinstance(value, dict) else "Weight"
                print(f"...{kind} {inner} present in {reference_name}, missing from {target_name}")
            elif isinstance(value, dict):
                e, m = self._compare(target[key], value, inner, target_name, reference_name, checked)
                errors, matches = errors + e, matches + m
            elif target[key].shape != value.shape:
                errors += 1
                checked.add(inner)
                print(f"...Weight shape mismatch for {inner}\n    In {reference_name}: shape={value.shape}\n"
                      f"    In {target_name}: shape={target[key].shape}")
            else:
                matches += 1
        return errors, matches

