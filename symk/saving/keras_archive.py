"""Keras 3's `.keras` zip archive, written and read with Keras 3.15's layout.

    metadata.json       {"keras_version": "3.15.1", "date_saved": "2026-01-31@12:00:00"}
    config.json         the model in Keras 3's object form (object_form.py), compile_config included
    model.weights.h5    the Keras 3 weights layout (keras3_weights.py), optimizer variables included
    assets/...          layers' files, e.g. an adapted vocabulary (layer_assets.py)

    model.save("model.keras"); model = symk.models.load_model("model.keras")

Members are stored uncompressed, as Keras stores them. The archive is written to a temp file beside
the target and renamed into place (files.atomic_path), so a failed or killed save never leaves
a half-written archive under the target's name; weights carry Fletcher-32 checksums. Reading
checks the zip's CRCs, refuses members that declare far more bytes than they store, and names
the member in every error (FileFormatError) — a missing member, damaged JSON, a damaged HDF5.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import tempfile
import zipfile

from ..errors import ConfigError, FileFormatError, SymkError

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
ARCHIVE = "a Keras 3 '.keras' archive (model.save('model.keras'))"
MAX_JSON_BYTES = 1 << 28            # 256 MiB: far above any real config, far below harm
BOMB_FLOOR, MAX_EXPANSION = 1 << 28, 100   # Keras's guard: big and >100x its stored size is a zip bomb


# -- writing --------------------------------------------------------------------------------------
def save_keras_archive(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Write `model` (architecture, weights, compile config and optimizer state) as a .keras archive."""
    from .api import KERAS_FORMAT_VERSION
    from .files import as_path, atomic_path
    from .keras3_weights import write_weights
    from .layer_assets import write_assets
    from .object_form import model_entry
    from .training_state import optimizer_variables

    path = as_path(filepath)
    # everything that can fail on the model's side fails before a byte is written
    config = json.dumps(model_entry(model, include_compile=include_optimizer))
    metadata = json.dumps({"keras_version": KERAS_FORMAT_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    variables = optimizer_variables(model) if include_optimizer else []
    import h5py

    with atomic_path(path, overwrite) as tmp, tempfile.TemporaryDirectory(prefix="symk-keras-") as work:
        weights_path = os.path.join(work, WEIGHTS)
        with h5py.File(weights_path, "w") as f:
            write_weights(f, model, variables)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA, metadata)
            zf.writestr(CONFIG, config)
            zf.write(weights_path, WEIGHTS)
            write_assets(zf, model)  # adapted vocabularies (layer_assets.py), as Keras keeps them


# -- reading --------------------------------------------------------------------------------------
def _check_path(path: str) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file at {path!r}: expected {ARCHIVE}.")
    if os.path.isdir(path):
        raise FileFormatError(f"{path!r} is a directory; expected {ARCHIVE}. (An unzipped Keras model folder is "
                              "not read by symk: zip it, or save the model with model.save('model.keras').)")
    if not zipfile.is_zipfile(path):
        raise FileFormatError(f"{path!r} is not a zip archive (no zip directory found: truncated, corrupt, or "
                              f"another kind of file); expected {ARCHIVE}.")


@contextlib.contextmanager
def open_archive(filepath):
    """The archive as an open ZipFile; damage found while opening it is a FileFormatError naming the file."""
    from .files import as_path

    path = as_path(filepath)
    _check_path(path)
    try:
        zf = zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise FileFormatError(f"{path!r} could not be opened as a zip archive ({err}); expected {ARCHIVE}.") from None
    with zf:
        yield zf


def _info(zf, path: str, name: str, required: bool = True):
    try:
        info = zf.getinfo(name)
    except KeyError:
        if not required:
            return None
        raise FileFormatError(f"{path!r} has no member {name!r}; a Keras 3 '.keras' archive holds {CONFIG}, "
                              f"{METADATA} and {WEIGHTS} (it has {sorted(zf.namelist())[:20]}).") from None
    if info.file_size > BOMB_FLOOR and info.file_size > MAX_EXPANSION * max(1, info.compress_size):
        raise FileFormatError(f"{path!r}: member {name!r} declares {info.file_size} bytes but stores only "
                              f"{info.compress_size}; refusing to unpack a potential decompression bomb.")
    return info


def _read_member(zf, path: str, name: str) -> bytes:
    info = _info(zf, path, name)
    if info.file_size > MAX_JSON_BYTES:
        raise FileFormatError(f"{path!r}: member {name!r} is {info.file_size} bytes, too large for a config")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        raise FileFormatError(f"{path!r}: member {name!r} is damaged and cannot be read ({err}).") from None


def read_json_member(zf, path: str, name: str):
    data = _read_member(zf, path, name)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise FileFormatError(f"{path!r}: member {name!r} is not valid JSON ({err}).") from None


@contextlib.contextmanager
def extracted_weights(zf, path: str):
    """model.weights.h5 copied out of the archive (CRC-checked) and opened with symk's guarded HDF5 reader."""
    from .files import open_h5

    info = _info(zf, path, WEIGHTS)
    with tempfile.TemporaryDirectory(prefix="symk-keras-") as work:
        local = os.path.join(work, WEIGHTS)
        try:
            with zf.open(info) as source, open(local, "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
            raise FileFormatError(f"{path!r}: member {WEIGHTS!r} is damaged and cannot be read ({err}).") from None
        try:
            with open_h5(local, f"the {WEIGHTS} member of {ARCHIVE}") as f:
                yield f
        except SymkError as err:
            raise _renamed(err, local, path) from None


def _renamed(err: SymkError, local: str, path: str) -> SymkError:
    """An error about the extracted temp file, about the archive member instead."""
    where = f"{path!r} (member {WEIGHTS!r})"
    text = str(err.args[0]) if err.args else ""
    text = text.replace(repr(local), where).replace(local, where)
    err.args = (text,) + tuple(err.args[1:])
    return err


def _name_the_archive(err: SymkError, path: str, member: str) -> SymkError:
    if path not in str(err):
        err.args = (f"{path!r}, {member}: {err.args[0] if err.args else ''}",) + tuple(err.args[1:])
    return err


def _model_from_archive_config(config, path: str, custom_objects, safe_mode: bool):
    from .serialization_lib import SafeModeScope, deserialize_keras_object

    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise FileFormatError(f"{path!r}: member {CONFIG!r} should hold a model's serialized form (a dict with "
                              f"'class_name' and 'config'); found {str(config)[:120]}")
    config = {k: v for k, v in config.items() if k != "compile_config"}  # compiled once the weights are in
    try:
        with SafeModeScope(safe_mode):
            model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
    except ConfigError as err:
        raise FileFormatError(f"{path!r}, {CONFIG}: {err}") from err
    except SymkError as err:
        raise _name_the_archive(err, path, CONFIG)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as err:
        raise FileFormatError(f"{path!r}, {CONFIG}: the model could not be rebuilt from its config "
                              f"({type(err).__name__}: {err})") from err
    from ..models import Model

    if not isinstance(model, Model):
        raise FileFormatError(f"{path!r}: {CONFIG} describes a {type(model).__name__}, not a model")
    return model


def load_keras_archive(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """A model from a .keras archive written by symk or Keras 3."""
    from .compile_config import compile_from_config
    from .files import as_path
    from .keras3_weights import read_weights
    from .layer_assets import read_assets
    from .registry import CustomObjectScope
    from .training_state import restore_optimizer

    path = as_path(filepath)
    with open_archive(path) as zf, CustomObjectScope(custom_objects or {}):
        config = read_json_member(zf, path, CONFIG)
        if _info(zf, path, METADATA, required=False) is not None:
            read_json_member(zf, path, METADATA)  # Keras does not need it, but damage there is damage
        if WEIGHTS not in zf.namelist() and "model.weights.npz" in zf.namelist():
            raise FileFormatError(f"{path!r} stores its weights as 'model.weights.npz' (Keras's npz weights format), "
                                  "which symk does not read; in Keras, save with the default weights_format='h5'.")
        model = _model_from_archive_config(config, path, custom_objects, safe_mode)
        read_assets(zf, path, model)  # layer_assets.py: vocabularies back into their layers; others warned of
        with extracted_weights(zf, path) as f:
            optimizer_values = read_weights(f, model)
            compile_config = config.get("compile_config") if compile else None
            if compile_config and compile_from_config(model, compile_config, custom_objects):
                restore_optimizer(model, optimizer_values)
    return model


def load_weights_from_archive(model, filepath, skip_mismatch: bool = False):
    """The weights (and, for a compiled model, the optimizer state) of a .keras archive, into `model`."""
    from .files import as_path
    from .keras3_weights import read_weights
    from .training_state import restore_optimizer

    path = as_path(filepath)
    with open_archive(path) as zf, extracted_weights(zf, path) as f:
        restore_optimizer(model, read_weights(f, model, skip_mismatch=skip_mismatch))
    return model
