"""Distribution, DataParallel and ModelParallel (Keras 3's): where variables and data go.

DataParallel replicates every variable and splits each batch along a 1-D mesh; ModelParallel
lays variables out by a LayoutMap (replicated where no key matches) and splits batches along
its `batch_dim_name` axis. Both only describe layouts; the training loop places arrays with
them and XLA's SPMD partitioner inserts the collectives (gradient all-reduce included).

    set_distribution(DataParallel(devices=list_devices()))
"""
from __future__ import annotations

import contextlib
import warnings

import jax
import numpy as np

from .current import distribution, set_distribution
from .devices import list_devices
from .layout_map import LayoutMap
from .layouts import DeviceMesh, TensorLayout

DEFAULT_BATCH_DIM_NAME = "batch"


class Distribution:
    """Base class: a device mesh, the mesh axis batches are split along, and variable layouts."""

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset: bool = True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self._num_processes = jax.process_count()
        self._process_id = jax.process_index()
        self._is_multi_process = self._num_processes > 1

    @property
    def num_processes(self) -> int:
        return self._num_processes

    @property
    def num_model_replicas(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not say how many model replicas it runs")

    @property
    def data_shard_id(self) -> int:
        replicas = self.num_model_replicas
        if replicas >= self.num_processes:
            return self._process_id
        return self._process_id // (self.num_processes // replicas)

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = value

    def get_data_layout(self, data_shape) -> TensorLayout:
        """Batches: the first axis split along the batch mesh axis, the others whole."""
        axes = [None] * len(data_shape)
        axes[0] = self.batch_dim_name
        return TensorLayout(axes, self.device_mesh)

    def get_variable_layout(self, variable) -> TensorLayout:
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return None

    @contextlib.contextmanager
    def scope(self):
        """Make this distribution current inside the `with` block."""
        original = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(original)

    def distribute_dataset(self, dataset):
        """symk's loops shard array data and batch iterables themselves (with auto_shard_dataset,
        each process places only its shard of every global batch; without it, each process's data
        is its own slice: process_input.py), so datasets are returned as they are."""
        return dataset

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self.device_mesh}, batch_dim_name={self.batch_dim_name!r}>"

    __str__ = __repr__


class DataParallel(Distribution):
    """Replicated variables; batches split along a 1-D mesh (of `devices`, or all devices)."""

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset: bool = True):
        if device_mesh is not None and devices is not None:
            raise ValueError("DataParallel: pass device_mesh or devices, not both")
        if device_mesh:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(f"Expect `mesh` to be an instance of `DeviceMesh`. Received: mesh={device_mesh} "
                                 f"(of type {type(device_mesh)})")
            if device_mesh.devices.ndim != 1:
                warnings.warn(f"Expect the input mesh to be 1D, but received mesh.devices.ndim="
                              f"{device_mesh.devices.ndim}. The first axis will be used for data-parallel sharding.")
            super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
            return
        devices = np.array(list_devices() if devices is None or len(devices) == 0 else devices, dtype=object)
        mesh = DeviceMesh(shape=devices.shape, axis_names=[DEFAULT_BATCH_DIM_NAME], devices=devices)
        super().__init__(mesh, DEFAULT_BATCH_DIM_NAME, auto_shard_dataset)

    @property
    def num_model_replicas(self) -> int:
        return self.device_mesh.devices.size

    def get_data_layout(self, data_shape) -> TensorLayout:
        if self.device_mesh.devices.ndim == 1:
            return super().get_data_layout(data_shape)
        # a mesh of several axes: its first axis splits batches, the rest replicate them
        return TensorLayout([self.batch_dim_name] + [None] * (len(data_shape) - 1), self.device_mesh)


class ModelParallel(Distribution):
    """Variables laid out by a LayoutMap; batches split along `batch_dim_name` (default: the
    mesh's first axis)."""

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset: bool = True, **kwargs):
        kwargs.pop("device_mesh", None)  # Keras 3 takes the mesh from the layout map
        if kwargs:
            raise TypeError(f"ModelParallel got unexpected arguments {sorted(kwargs)}")
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(f"Argument `layout_map` must be a `LayoutMap` instance. Received: layout_map={layout_map}")
        mesh = layout_map.device_mesh
        batch_dim_name = batch_dim_name or mesh.axis_names[0]
        if batch_dim_name not in mesh.axis_names:
            raise ValueError(f"ModelParallel: batch_dim_name={batch_dim_name!r} is not an axis of the mesh; its axes "
                             f"are {mesh.axis_names}.")
        super().__init__(mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map
        if self._is_multi_process and self.num_processes > self.num_model_replicas \
                and self.num_processes % self.num_model_replicas != 0:
            raise ValueError("If `num_processes` is greater than `num_model_replicas`, `num_processes` must be "
                             f"divisible by `num_model_replicas`. Got num_processes={self.num_processes}, "
                             f"num_model_replicas={self.num_model_replicas}.")

    @property
    def num_model_replicas(self) -> int:
        return self.device_mesh.axis_size(self.batch_dim_name)

    def get_variable_layout(self, variable) -> TensorLayout:
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        layout = self._layout_map[variable.path]
        if layout is not None:
            return layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return self._layout_map[path]
