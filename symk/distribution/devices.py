"""Devices and processes: `list_devices`, `get_device_count` and multi-host `initialize`
(Keras 3's names), over `jax.devices()` and `jax.distributed`.

Devices are named as Keras names them, "platform:id" ("cpu:0", "gpu:3"); in a multi-process
run the list is global (every process's devices), as jax.devices() is.
"""
from __future__ import annotations

import os
from typing import Optional

import jax
import numpy as np

from .. import random_state

# Keras's environment variables for initialize()
JOB_ADDRESSES_ENV = "KERAS_DISTRIBUTION_JOB_ADDRESSES"
NUM_PROCESSES_ENV = "KERAS_DISTRIBUTION_NUM_PROCESSES"
PROCESS_ID_ENV = "KERAS_DISTRIBUTION_PROCESS_ID"


def _platform_devices(device_type: Optional[str]) -> list:
    if device_type is None:
        return jax.devices()  # the default backend: gpu/tpu when present, else cpu
    kind = str(device_type).lower()
    try:
        return jax.devices(kind)
    except RuntimeError as err:
        raise ValueError(f"list_devices(device_type={device_type!r}): this machine has no {kind!r} devices "
                         f"({err}); the default backend has {[d.platform for d in jax.devices()][:1]} "
                         "devices. Pass device_type=None for them.") from None


def list_devices(device_type: Optional[str] = None) -> list:
    """All devices of one type, as strings "platform:id" ("cpu:0", "gpu:1").

        devices = symk.distribution.list_devices()      # ['cpu:0', 'cpu:1', ...]
    """
    return [f"{d.platform}:{d.id}" for d in _platform_devices(device_type)]


def get_device_count(device_type: Optional[str] = None) -> int:
    """The number of devices of one type (of the default type when None), across all processes."""
    return len(_platform_devices(device_type))


def to_jax_device(device):
    """A jax Device from a Keras device name ("cpu:3") or a jax Device."""
    if isinstance(device, jax.Device):
        return device
    name = str(device)
    if ":" not in name:
        raise ValueError(f"device {device!r} is not a device name of the form 'platform:id' (e.g. 'cpu:0'); "
                         "take the names from symk.distribution.list_devices().")
    platform, index = name.split(":", 1)
    for candidate in _platform_devices(platform):
        if str(candidate.id) == index:
            return candidate
    raise ValueError(f"device {name!r} does not exist here; the {platform} devices are "
                     f"{list_devices(platform)}.")


def to_jax_devices(devices) -> np.ndarray:
    array = np.asarray(devices, dtype=object)
    return np.vectorize(to_jax_device, otypes=[object])(array) if array.size else array


def initialize(job_addresses: Optional[str] = None, num_processes: Optional[int] = None,
               process_id: Optional[int] = None, *, coordinator_address: Optional[str] = None) -> None:
    """Join a multi-process (multi-host) run: wraps `jax.distributed.initialize`.

    Arguments left None are read from KERAS_DISTRIBUTION_JOB_ADDRESSES ("host:port" of each
    process, comma separated; the first is the coordinator), KERAS_DISTRIBUTION_NUM_PROCESSES
    and KERAS_DISTRIBUTION_PROCESS_ID, as Keras reads them; all None on a cluster jax
    detects itself (TPU pods, SLURM) lets jax find them. Call it first, before any array is made.
    Afterwards every process draws from the same seed (process 0's), so weights and shuffles agree.

        symk.distribution.initialize("10.0.0.1:1234", num_processes=2, process_id=0)
    """
    if coordinator_address is not None and job_addresses is not None:
        raise ValueError("initialize: pass job_addresses or coordinator_address, not both")
    job_addresses = job_addresses if job_addresses is not None else coordinator_address
    if job_addresses is None and JOB_ADDRESSES_ENV in os.environ:
        job_addresses = os.environ[JOB_ADDRESSES_ENV]
    if num_processes is None and NUM_PROCESSES_ENV in os.environ:
        num_processes = int(os.environ[NUM_PROCESSES_ENV])
    if process_id is None and PROCESS_ID_ENV in os.environ:
        process_id = int(os.environ[PROCESS_ID_ENV])
    coordinator = job_addresses.split(",")[0].strip() if job_addresses else None
    _use_cpu_collectives()
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes, process_id=process_id)
    _agree_on_seed()


def _use_cpu_collectives() -> None:
    """CPU devices of different processes talk through gloo (jax's CPU collectives); GPUs and
    TPUs use their own, so the setting only matters for CPU-only runs."""
    try:
        if jax.config.jax_cpu_collectives_implementation in (None, "", "none"):
            jax.config.update("jax_cpu_collectives_implementation", "gloo")
    except AttributeError:  # an older jax without the option: its CPU backend has none to choose
        pass


def _agree_on_seed() -> None:
    """Identical seeds in every process: process 0's (a set seed is kept as it is)."""
    if jax.process_count() == 1 or random_state._state["seed"] is not None:
        return
    from jax.experimental import multihost_utils

    seed = int(np.random.default_rng().integers(1, 2**31 - 1))
    seed = int(multihost_utils.broadcast_one_to_all(np.int32(seed)))
    random_state.set_seed(seed)
