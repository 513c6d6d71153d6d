"""Files and progress in a run of several processes: values gathered whole onto the host before
a file is written, and the one process (0) that writes files and prints progress."""
from __future__ import annotations

import jax
import numpy as np


def host_value(value) -> np.ndarray:
    """A (possibly sharded, possibly global) array gathered whole onto the host."""
    if isinstance(value, jax.Array) and not value.is_fully_addressable:
        from jax.experimental import multihost_utils

        return np.asarray(multihost_utils.process_allgather(value, tiled=True))
    return np.asarray(value)


def gather_for_saving(variables) -> None:
    """Before a file is written: values spread over several processes are gathered (every process
    takes part; the collective needs them all) and kept on the host."""
    if jax.process_count() == 1:
        return  # np.asarray of a sharded array already gathers it
    for variable in variables:
        if isinstance(variable.value, jax.Array) and not variable.value.is_fully_addressable:
            variable.set_value(host_value(variable.value))


def writes_files() -> bool:
    """Only process 0 writes files and prints progress."""
    return jax.process_index() == 0
