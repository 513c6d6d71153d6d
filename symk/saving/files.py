"""HDF5 files safely: atomic writes that leave no temp files behind, and reads whose every failure is a clear error.

Writing: a save writes `.<name>.symk-<host>-<pid>-<random>.tmp` in the target's directory and
renames it onto `<name>`, so a crash halfway never destroys the previous file. A save that is
killed (SIGKILL, power cut) leaves its temp file; the rule that removes it: every later save
or load of the same path, on the same host, removes the temp files of that path whose writing
process has ended (a live writer's file is never touched).

Reading: `open_h5` turns every failure inside it into a symk error that names the file:
FileFormatError for damage and layout problems (with the object being read when it happened),
or the symk error already raised (a missing custom class, a weight mismatch), its message
prefixed with the file's name.
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile

import h5py

from ..errors import ConfigError, FileFormatError, SymkError

__all__ = ["FileFormatError", "as_path", "atomic_h5_writer", "atomic_path", "open_h5", "remove_stale_temp_files"]


def as_path(filepath) -> str:
    path = os.fspath(filepath)
    if not isinstance(path, str):
        raise TypeError(f"expected a file path (str or os.PathLike); got {filepath!r}")
    return path


# -- temp files ------------------------------------------------------------------------------
def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:24] or "host"


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}.symk-{_host()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_temp_files(path: str) -> list[str]:
    """Remove the temp files that interrupted saves of `path` (on this host) left; returns their names."""
    directory, prefix = os.path.dirname(os.path.abspath(path)), _temp_prefix(path)
    removed = []
    try:
        entries = [e for e in os.scandir(directory) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return removed
    for entry in entries:
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.remove(entry.path)
            removed.append(entry.name)
    return removed


@contextlib.contextmanager
def atomic_path(filepath, overwrite: bool = True):
    """`with atomic_path('m.keras') as tmp:` gives a temp file's path beside 'm.keras', renamed onto it on success."""
    path = os.path.abspath(as_path(filepath))
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot save to {path}: directory {directory} does not exist")
    remove_stale_temp_files(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}-", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        yield tmp
        # mkstemp made the file private; give it the permissions a plain open() would
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_h5_writer(filepath, overwrite: bool = True):
    """`with atomic_h5_writer('m.h5') as f:` writes into a temp file, renamed to 'm.h5' on success."""
    with atomic_path(filepath, overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            yield f


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# -- reading ---------------------------------------------------------------------------------
# what a damaged file makes h5py, numpy, json or a layer constructor raise
_RAW_FAILURES = (OSError, KeyError, IndexError, RuntimeError, ValueError, TypeError, AttributeError,
                 ArithmeticError, UnicodeError, RecursionError, MemoryError, AssertionError)


def _name_the_file(err: SymkError, path: str) -> SymkError:
    if path not in str(err):
        err.args = (f"{path!r}: {err.args[0] if err.args else ''}",) + tuple(err.args[1:])
    return err


@contextlib.contextmanager
def open_h5(filepath, expected: str):
    """Open for reading; errors name the file and `expected` (e.g. 'a Keras model file (.h5)')."""
    from .h5_read import guarded, object_of
    from .heap_guard import HeapGuard

    path = as_path(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file at {path!r}: expected {expected}.")
    if os.path.isdir(path):
        raise FileFormatError(f"{path!r} is a directory (a TensorFlow SavedModel?); expected {expected}. symk reads "
                              "HDF5 files: in Keras, save with model.save('model.h5').")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"{path!r} cannot be read: permission denied")
    with contextlib.suppress(OSError):
        remove_stale_temp_files(path)
    if not h5py.is_hdf5(path):
        raise FileFormatError(f"{path!r} is not an HDF5 file (no HDF5 signature): expected {expected}. Is it a "
                              "Keras 3 '.keras' zip archive, or another kind of file?")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise FileFormatError(f"{path!r} could not be opened as HDF5 (truncated or corrupt?): expected {expected}. "
                              f"h5py said: {err}") from None
    try:
        guard = HeapGuard(path, f)
        with f, contextlib.closing(guard), guarded(f, guard):
            yield f
    except ConfigError as err:
        raise FileFormatError(f"{path!r}, model_config: {err}") from err
    except SymkError as err:
        raise _name_the_file(err, path)
    except _RAW_FAILURES as err:
        raise FileFormatError(f"{path!r} is damaged or not in the expected layout (expected {expected}): reading "
                              f"{object_of(err)} failed with {type(err).__name__}: {err}") from err
