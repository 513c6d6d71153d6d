"""DeviceMesh and TensorLayout (Keras 3's names): a named grid of devices, and how a tensor's
axes map onto the grid's axes. They are thin descriptions of jax.sharding.Mesh and
NamedSharding(mesh, PartitionSpec(...)), which `backend_mesh` / `backend_layout` build.

    mesh = DeviceMesh(shape=(2, 4), axis_names=("batch", "model"), devices=list_devices())
    TensorLayout((None, "model"), mesh).backend_layout   # NamedSharding: columns split 4 ways
"""
from __future__ import annotations

import math

import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from .devices import list_devices, to_jax_devices


class DeviceMesh:
    """A grid of devices with named axes (jax.sharding.Mesh's twin)."""

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"DeviceMesh: shape and axis_names cannot be empty. Received: shape={shape}, "
                             f"axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(f"DeviceMesh: shape and axis_names should have the same length. Received: "
                             f"shape={shape}, axis_names={axis_names}")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"DeviceMesh: axis_names must be distinct; got {axis_names}")
        devices = np.array(list_devices() if devices is None else devices, dtype=object)
        if math.prod(shape) != devices.size:
            raise ValueError(f"DeviceMesh: shape {tuple(shape)} holds {math.prod(shape)} devices, but "
                             f"{devices.size} devices were given (devices.shape={devices.shape}). Make the product "
                             "of the shape equal the number of devices.")
        self._shape = tuple(shape)
        self._axis_names = tuple(axis_names)
        self._devices = np.reshape(devices, self._shape)

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def axis_names(self) -> tuple:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    @property
    def backend_mesh(self) -> Mesh:
        if not hasattr(self, "_backend_mesh"):
            self._backend_mesh = Mesh(to_jax_devices(self._devices), self._axis_names)
        return self._backend_mesh

    def axis_size(self, name: str) -> int:
        return self._shape[self._axis_names.index(name)]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} shape={self.shape}, axis_names={self.axis_names}>"

    __str__ = __repr__


class TensorLayout:
    """Which mesh axis (or None: not split) each axis of a tensor is split along."""

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def axes(self) -> tuple:
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh) -> None:
        if self._device_mesh is not None:
            raise ValueError(f"Cannot override device mesh value. Existing value is {self._device_mesh}")
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def backend_layout(self) -> NamedSharding:
        if self._device_mesh is None:
            raise ValueError(f"{self!r} has no device mesh yet: give TensorLayout(axes, device_mesh) or put it in a "
                             "LayoutMap, which sets its mesh.")
        if not hasattr(self, "_backend_layout"):
            # NOTE: trailing Nones dropped: jit spells the arrays it returns so (P() for replicated), and its
            # cache compares spellings, so (None, None) would compile every step twice
            axes = list(self._axes)
            while axes and axes[-1] is None:
                axes.pop()
            self._backend_layout = NamedSharding(self._device_mesh.backend_mesh, PartitionSpec(*axes))
        return self._backend_layout

    def _validate_axes(self) -> None:
        if self._device_mesh is not None:
            valid = set(self._device_mesh.axis_names)
            used = {a for axis in self._axes for a in (axis if isinstance(axis, tuple) else (axis,))} - {None}
            if used - valid:
                raise ValueError(f"Invalid axis names for Layout. Valid axis names: {valid}, Got {used}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} axes={self.axes}, device_mesh={self.device_mesh}>"

    __str__ = __repr__
