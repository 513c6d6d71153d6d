"""SavingAPI (save / save_weights / load_weights / to_json, mixed into Model) and load_model.

    model.save('model.keras')                   # Keras 3's archive: architecture, weights, optimizer, compile
    model.save('model.h5')                      # the legacy HDF5 layout, the same contents
    model = symk.models.load_model('model.keras')  # also reads files written by Keras 2 and Keras 3
    model.save_weights('w.weights.h5')          # Keras 3 layout; 'w.h5' gives the legacy layout
    model.save("model.h5", keras_version=2)     # for tf.keras / tf_keras (Keras 2)
"""
from __future__ import annotations

import json
import os

from ..errors import ConfigError, FileFormatError

# the Keras version whose file layout symk writes; Keras readers only compare it with '1'
KERAS_FORMAT_VERSION = "3.15.1"
BACKEND_NAME = "jax"
MODEL_FILE = "a Keras model file in the HDF5 layout (model.save('model.h5'))"
WEIGHTS_FILE = "a Keras weights file (.h5 legacy layout, or Keras 3 .weights.h5)"


def _check_h5_name(path: str, what: str) -> None:
    if path.endswith(".keras"):
        raise ValueError(f"{what} to {path!r}: a '.keras' archive holds a whole model; save it with "
                         "model.save('model.keras'), and weights alone with save_weights('model.weights.h5').")
    if not path.endswith((".h5", ".hdf5", ".keras.h5")):
        raise ValueError(f"{what} to {path!r}: give a file name ending in '.keras' (Keras 3's archive, for "
                         "model.save), '.weights.h5' or '.h5' (TensorFlow SavedModel directories are not "
                         "supported; for those use model.export).")


class SavingAPI:
    """Mixed into Model: Keras's saving methods."""

    def save(self, filepath, overwrite: bool = True, include_optimizer: bool = True, save_format=None,
             keras_version: int = 3, zipped=None, **kwargs):
        """Architecture, weights, compile config and optimizer state in one file.

        'x.keras': Keras 3's zip archive (keras_archive.py); 'x.h5': the Keras legacy HDF5 layout.
        keras_version=2 writes what tf.keras / tf_keras (Keras 2) loads; the default, what Keras 3 loads.
        Weights carry Fletcher-32 checksums. The file is written as a temp file beside it and renamed into
        place; a temp file left by a killed save is removed by the next save or load of the same path
        (files.py states the rule)."""
        from .files import as_path
        from .legacy_h5 import write_model_file
        from .training_state import optimizer_variables, optimizer_weight_names, training_config

        path = as_path(filepath)
        if not _gathered_for_writing(self):
            return  # several processes: all gathered the weights, process 0 writes the file
        if zipped is False:
            raise ValueError("model.save(zipped=False) (an unzipped model folder) is not supported by symk; save a "
                             "'.keras' archive (the default) or an '.h5' file.")
        if path.endswith(".keras") and save_format in (None, "keras"):
            from .keras_archive import save_keras_archive

            if _keras_major(keras_version, "model.save") == 2:
                raise ValueError("model.save: Keras 2 has no '.keras' archive format; save 'model.h5' with "
                                 "keras_version=2 for tf.keras / tf_keras.")
            save_keras_archive(self, path, overwrite, include_optimizer)
            return
        if save_format not in (None, "h5", "hdf5"):
            raise ValueError(f"save_format={save_format!r} is not supported: symk saves the HDF5 format ('h5')")
        if save_format is None:
            _check_h5_name(path, "model.save")
        from .layer_assets import refuse_assets_in_h5

        refuse_assets_in_h5(self, path)  # an adapted vocabulary has no place in .h5
        if _keras_major(keras_version, "model.save") == 2:
            from .keras2_writer import save_keras2_model

            save_keras2_model(self, path, overwrite, include_optimizer)
            return
        model_config = json.dumps({"class_name": _class_name(self), "config": self.get_config()})
        train_config = training_config(self) if include_optimizer else None
        variables = optimizer_variables(self) if include_optimizer else []
        write_model_file(path, overwrite, self, KERAS_FORMAT_VERSION, BACKEND_NAME, model_config, train_config,
                         optimizer_weight_names(self, variables) if variables else [],
                         [var.numpy() for var in variables])

    def save_weights(self, filepath, overwrite: bool = True, save_format=None, keras_version: int = 3, **kwargs):
        """'x.weights.h5': Keras 3 layout (optimizer included when compiled); other '.h5': legacy layout.

        keras_version=2: the legacy layout with Keras 2's weight names ('dense/kernel:0'), for tf.keras."""
        from .files import as_path, atomic_h5_writer

        path = as_path(filepath)
        if not _gathered_for_writing(self):
            return  # several processes: all gathered the weights, process 0 writes the file
        if save_format not in (None, "h5", "hdf5"):
            raise ValueError(f"save_format={save_format!r} is not supported: symk saves weights as HDF5 ('h5')")
        if _keras_major(keras_version, "save_weights") == 2:
            from .keras2_writer import save_keras2_weights

            save_keras2_weights(self, path, overwrite)
            return
        if path.endswith(".weights.h5"):
            from .keras3_weights import write_weights
            from .training_state import optimizer_variables

            with atomic_h5_writer(path, overwrite) as f:
                write_weights(f, self, optimizer_variables(self))
            return
        if save_format is None:
            _check_h5_name(path, "save_weights")
        from .legacy_h5 import save_weights_to_group

        with atomic_h5_writer(path, overwrite) as f:
            save_weights_to_group(f, self, KERAS_FORMAT_VERSION, BACKEND_NAME)

    def load_weights(self, filepath, by_name: bool = False, skip_mismatch: bool = False, **kwargs):
        """Weights from either layout (the file's contents decide); by position unless by_name=True."""
        from .files import as_path, open_h5
        from .h5_read import attribute_names, describe_members, has_attribute, member, reading

        path = as_path(filepath)
        if path.endswith(".keras") and os.path.isfile(path) and not _is_hdf5(path):
            from .keras_archive import load_weights_from_archive

            if by_name:
                raise ValueError(f"{path!r} is a '.keras' archive, whose weights name layers by class: by_name=True "
                                 "is only for the legacy .h5 layout.")
            return load_weights_from_archive(self, path, skip_mismatch=skip_mismatch)
        with open_h5(path, WEIGHTS_FILE) as f:
            legacy = has_attribute(f, "layer_names") or has_attribute(f, "layer_names0")
            group = member(f, "model_weights") if not legacy and "model_weights" in f else f
            if has_attribute(group, "layer_names") or has_attribute(group, "layer_names0"):
                from .legacy_h5 import load_weights_from_group

                with reading(f"the weights in {group.name!r}"):
                    load_weights_from_group(group, self, by_name=by_name, skip_mismatch=skip_mismatch)
                return self
            if "layers" in f or "vars" in f:
                if by_name:
                    raise FileFormatError(f"{path!r} is a Keras 3 .weights.h5 file, which names layers by class, not "
                                          "by layer name: by_name=True is only for the legacy .h5 layout.")
                from .keras3_weights import read_weights
                from .training_state import restore_optimizer

                with reading("the Keras 3 weights layout"):
                    optimizer_values = read_weights(f, self, skip_mismatch=skip_mismatch)
                    restore_optimizer(self, optimizer_values)
                return self
            raise FileFormatError(f"{path!r} is an HDF5 file but holds no Keras weights: expected a 'layer_names' "
                                  "attribute (legacy .h5 layout) or 'layers'/'vars' groups (Keras 3 .weights.h5); "
                                  f"found groups {describe_members(f)} and attributes {attribute_names(f)}.")

    def to_json(self, **kwargs) -> str:
        """The architecture as JSON (Keras's format); `model_from_json` reads it back."""
        return json.dumps({"class_name": _class_name(self), "config": self.get_config(),
                           "keras_version": KERAS_FORMAT_VERSION, "backend": BACKEND_NAME}, **kwargs)

    def to_yaml(self, **kwargs):
        raise RuntimeError("Method model.to_yaml() has been removed from Keras (it could run arbitrary code on "
                           "load). Use model.to_json() instead.")


def _gathered_for_writing(model) -> bool:
    """Weights sharded over several processes gathered to the host; True in the process that writes."""
    from ..distribution import host_files

    optimizer = getattr(model, "optimizer", None)
    host_files.gather_for_saving(list(model.weights) + list(getattr(optimizer, "variables", None) or []))
    return host_files.writes_files()


def _is_hdf5(path: str) -> bool:
    import h5py

    try:
        return h5py.is_hdf5(path)
    except OSError:
        return False


def _keras_major(keras_version, what: str) -> int:
    """2 or 3 from keras_version=2 / 3 / '2' / '2.15' ...; anything else is an error naming the choices."""
    major = str(keras_version).split(".")[0].strip()
    if major not in ("2", "3"):
        raise ValueError(f"{what}: keras_version={keras_version!r} is not supported; pass 3 (the default: Keras 3 "
                         "reads the file) or 2 (tf.keras / tf_keras, Keras 2, reads the file).")
    return int(major)


def _class_name(model) -> str:
    """'Sequential' / 'Functional' for symk's own classes, the registered name for users' subclasses."""
    from ..models import Sequential
    from .registry import get_registered_name

    registered = get_registered_name(model)
    if ">" in registered:
        return registered
    if type(model).__module__.startswith("symk."):
        return "Sequential" if isinstance(model, Sequential) else "Functional"
    return registered


# -- loading ---------------------------------------------------------------------------
def model_from_config(config: dict, custom_objects=None, safe_mode: bool = True):
    """A model (or layer) from {'class_name': ..., 'config': ...}."""
    from .layer_config import deserialize_layer

    if not isinstance(config, dict) or "class_name" not in config:
        raise ConfigError("model_from_config expects a dict with 'class_name' and 'config' (what get_config() gives "
                          "wrapped as {'class_name': type(model).__name__, 'config': model.get_config()}); "
                          f"got {str(config)[:200]}")
    return deserialize_layer(config, custom_objects, safe_mode)


def model_from_json(json_string: str, custom_objects=None, safe_mode: bool = True):
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError, RecursionError) as err:
        raise ConfigError(f"model_from_json: the string is not valid JSON ({err}); pass what model.to_json() "
                          "returned") from None
    return model_from_config(config, custom_objects, safe_mode)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """A model from a .keras archive (symk or Keras 3) or a .h5 file (symk, Keras 2 / tf.keras, Keras 3)."""
    from .files import as_path, open_h5
    from .h5_read import has_attribute, member, read_json, reading
    from .legacy_h5 import load_weights_from_group
    from .registry import CustomObjectScope
    from .training_state import compile_from_training_config, restore_saved_optimizer

    path = as_path(filepath)
    if path.endswith(".keras") and not (os.path.isfile(path) and _is_hdf5(path)):
        from .keras_archive import load_keras_archive

        return load_keras_archive(path, custom_objects, compile, safe_mode)
    with open_h5(path, MODEL_FILE) as f, CustomObjectScope(custom_objects or {}):
        config = read_json(f, "model_config")
        if config is None:
            hint = (" It looks like a weights-only file: build the model in code and call model.load_weights()."
                    if has_attribute(f, "layer_names") or "layers" in f else "")
            raise FileFormatError(f"{path!r} has no 'model_config' attribute, so it holds no architecture: expected "
                                  f"{MODEL_FILE}.{hint}")
        with reading("the architecture in model_config"):
            model = model_from_config(config, custom_objects, safe_mode)
        if "model_weights" not in f:
            raise FileFormatError(f"{path!r} has a model_config but no 'model_weights' group: expected {MODEL_FILE}")
        weights = member(f, "model_weights")
        with reading("the weights in '/model_weights'"):
            load_weights_from_group(weights, model)
        if compile and hasattr(model, "compile"):
            try:
                training = read_json(f, "training_config")
            except FileFormatError as err:
                raise FileFormatError(f"{err} Pass compile=False to load the model without its training "
                                      "configuration.") from err
            if training is not None and compile_from_training_config(model, training, custom_objects):
                restore_saved_optimizer(model, f)
    return model


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True, **kwargs):
    """Functional form of model.save."""
    model.save(filepath, overwrite=overwrite, include_optimizer=include_optimizer, **kwargs)
