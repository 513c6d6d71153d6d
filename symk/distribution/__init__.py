"""symk.distribution: Keras 3's distribution API on jax.sharding, XLA's SPMD partitioner and
jax.distributed. One line moves training from one device to all of them:

    symk.distribution.set_distribution(symk.distribution.DataParallel())
    model.fit(x, y, batch_size=256)     # each batch split over the devices, weights replicated

See docs/scaling_out.md for model parallelism (LayoutMap) and several hosts (initialize).
"""
from __future__ import annotations

from .current import distribution, set_distribution
from .devices import get_device_count, initialize, list_devices
from .layout_map import LayoutMap
from .layouts import DeviceMesh, TensorLayout
from .strategies import DataParallel, Distribution, ModelParallel
from .tensors import distribute_tensor

__all__ = ["DeviceMesh", "TensorLayout", "Distribution", "DataParallel", "ModelParallel", "LayoutMap",
           "distribute_tensor", "distribution", "set_distribution", "list_devices", "get_device_count", "initialize"]
