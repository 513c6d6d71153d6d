"""distribute_tensor (Keras 3's): give one tensor a layout. Inside a jitted step it is a
sharding constraint the SPMD partitioner honours; outside, the array is moved to its layout.
A symbolic tensor (graph building) is returned as it is, as Keras returns a KerasTensor.

    h = symk.distribution.distribute_tensor(h, TensorLayout(("batch", "model"), mesh))
"""
from __future__ import annotations

import jax

from .current import distribution
from .layouts import TensorLayout
from .placement import put


def _sharding(layout):
    if not isinstance(layout, TensorLayout):
        raise ValueError(f"distribute_tensor expects a TensorLayout; got {type(layout).__name__}")
    if layout.device_mesh is None:
        current = distribution()
        if current is None:
            raise ValueError(f"distribute_tensor: {layout!r} has no device mesh and no distribution is set; give the "
                             "layout a DeviceMesh or call set_distribution first.")
        layout = TensorLayout(layout.axes, current.device_mesh)
    return layout.backend_layout


def distribute_tensor(tensor, layout):
    from ..graph import SymbolicTensor

    if isinstance(tensor, SymbolicTensor):
        return tensor
    sharding = _sharding(layout)
    if isinstance(tensor, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(tensor, sharding)
    return put(tensor, sharding)
