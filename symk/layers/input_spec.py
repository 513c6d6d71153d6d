"""InputSpec: what a layer accepts (rank, dtype, fixed axis sizes), checked at each call."""
from __future__ import annotations

from ..errors import ShapeError


class InputSpec:
    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.name = name

    def __repr__(self):
        return f"InputSpec(ndim={self.ndim}, min_ndim={self.min_ndim}, axes={self.axes})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim, "max_ndim": self.max_ndim,
                "min_ndim": self.min_ndim, "axes": self.axes}


def check_input_spec(layer, specs, tensors) -> None:
    """Raise a ShapeError naming the layer when an input breaks the layer's InputSpec."""
    if not specs:
        return
    if not isinstance(specs, (list, tuple)):
        specs = [specs]
    if len(specs) != len(tensors):
        if len(specs) == 1:
            specs = specs * len(tensors)
        else:
            raise ShapeError(f"Layer {layer.name!r} expects {len(specs)} input(s), but it received "
                             f"{len(tensors)} input tensors.")
    for i, (spec, t) in enumerate(zip(specs, tensors)):
        if spec is None:
            continue
        shape = tuple(t.shape)
        prefix = f"Input {i} of layer {layer.name!r} is incompatible with the layer: "
        if spec.ndim is not None and len(shape) != spec.ndim:
            raise ShapeError(prefix + f"expected ndim={spec.ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {shape}.")
        if spec.min_ndim is not None and len(shape) < spec.min_ndim:
            raise ShapeError(prefix + f"expected min_ndim={spec.min_ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {shape}.")
        if spec.max_ndim is not None and len(shape) > spec.max_ndim:
            raise ShapeError(prefix + f"expected max_ndim={spec.max_ndim}, found ndim={len(shape)}. "
                             f"Full shape received: {shape}.")
        for axis, value in spec.axes.items():
            if value is None:
                continue
            if not -len(shape) <= axis < len(shape):
                raise ShapeError(prefix + f"expected axis {axis} to exist, but the input has rank {len(shape)}. "
                                 f"Full shape received: {shape}.")
            if shape[axis] not in (value, None):
                raise ShapeError(
                    prefix + f"expected axis {axis} of input shape to have value {value}, but received input with "
                    f"shape {shape}. The layer was built for inputs of size {value} on that axis; call it on "
                    "inputs of that size, or use a new layer instance for the new size.")
