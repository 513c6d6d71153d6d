"""HDF5 files safely: atomic writes, and clear errors for missing, corrupt or truncated files.

A save writes to a temporary file in the target's directory and renames it into place,
so a crash halfway never destroys the previous file. Reading wraps h5py's low-level
errors in a FileFormatError that names the file and what was expected.
"""
from __future__ import annotations

import contextlib
import os
import tempfile

import h5py

from ..errors import SymkError


class FileFormatError(SymkError, ValueError):
    """A file is missing, not HDF5, truncated, or not in the layout a Keras model file has."""


def as_path(filepath) -> str:
    path = os.fspath(filepath)
    if not isinstance(path, str):
        raise TypeError(f"expected a file path (str or os.PathLike); got {filepath!r}")
    return path


@contextlib.contextmanager
def atomic_h5_writer(filepath, overwrite: bool = True):
    """`with atomic_h5_writer('m.h5') as f:` writes into a temp file, renamed to 'm.h5' on success."""
    path = os.path.abspath(as_path(filepath))
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot save to {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            yield f
        # mkstemp made the file private; give it the permissions a plain open() would
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def open_h5(filepath, expected: str):
    """Open for reading; errors name the file and `expected` (e.g. 'a Keras model file (.h5)')."""
    path = as_path(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file at {path!r}: expected {expected}.")
    if os.path.isdir(path):
        raise FileFormatError(f"{path!r} is a directory (a TensorFlow SavedModel?); expected {expected}. symk reads "
                              "HDF5 files: in Keras, save with model.save('model.h5').")
    if not h5py.is_hdf5(path):
        raise FileFormatError(f"{path!r} is not an HDF5 file (no HDF5 signature): expected {expected}. Is it a "
                              "Keras 3 '.keras' zip archive, or another kind of file?")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise FileFormatError(f"{path!r} could not be opened as HDF5 (truncated or corrupt?): expected {expected}. "
                              f"h5py said: {err}") from None
    try:
        with f:
            yield f
    except (OSError, KeyError, RuntimeError) as err:
        raise FileFormatError(f"{path!r} is damaged or not in the expected layout (expected {expected}); reading "
                              f"failed with {type(err).__name__}: {err}") from None
