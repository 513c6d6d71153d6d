"""RMSNormalization: x / sqrt(mean(x ** 2 over axis) + epsilon) * scale (Zhang and Sennrich, 2019).

    >>> RMSNormalization()(x)            # one learned `scale` per feature of the last axis
"""
from __future__ import annotations

from ..ops.nn_normalization import rms_normalization
from .base import Layer

__all__ = ["RMSNormalization"]


def _axes_argument(axis) -> list | int:
    if isinstance(axis, bool) or not (isinstance(axis, int) or (
            isinstance(axis, (list, tuple)) and axis and all(isinstance(a, int) for a in axis))):
        raise ValueError(f"RMSNormalization: axis must be an integer or a non-empty list of integers; "
                         f"received axis={axis!r}")
    return axis if isinstance(axis, int) else list(axis)


class RMSNormalization(Layer):
    """Scales each sample by the reciprocal root mean square over `axis`; weight `scale` (initialized to ones)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes_argument(axis)
        if not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise ValueError(f"RMSNormalization: epsilon must be a non-negative number; received epsilon={epsilon!r}")
        self.epsilon = epsilon
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        # NOTE: as Keras does, build turns axis into a sorted list, so a built layer's config says [-1]
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self._check_axes(axes, rank, input_shape)
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(f"Layer {self.name!r}: the normalized axes {axes} of the input must have known sizes "
                             f"to build `scale`; received input shape {tuple(input_shape)}")
        # Keras multiplies by `scale` as it is, so it broadcasts against the trailing axes of the input
        if tuple(input_shape[rank - len(shape):]) != shape:
            raise ValueError(f"Layer {self.name!r}: `scale` of shape {shape} (the sizes of axis {axes}) must match "
                             f"the trailing axes of the input {tuple(input_shape)}, as Keras multiplies it without "
                             "reshaping; normalize over the last axes (e.g. axis=-1)")
        self.axis = axes
        self.scale = self.add_weight("scale", shape, initializer="ones")
        super().build(input_shape)

    def _check_axes(self, axes, rank, input_shape) -> None:
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"Layer {self.name!r}: axis {a} is out of bounds for input shape "
                                 f"{tuple(input_shape)}; received axis={self.axis}")

    def call(self, inputs):
        return rms_normalization(inputs, scale=self.scale, axis=self.axis, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._check_axes(axes, len(input_shape), input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
