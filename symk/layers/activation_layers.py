"""Activation layers with parameters: ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU.

    >>> ReLU(max_value=6.0)(x)
    >>> PReLU(shared_axes=[1, 2])(x)      # one learned slope per channel
"""
from __future__ import annotations

from .. import activations
from ..ops.registry import apply
from .base import Layer
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"]


class _Elementwise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class ReLU(_Elementwise):
    """x for x >= threshold (capped at max_value), else negative_slope * (x - threshold)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU: max_value must be None or non-negative; received max_value={max_value!r}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"ReLU: negative_slope must be non-negative; received negative_slope={negative_slope!r}")
        if threshold is None or threshold < 0:
            raise ValueError(f"ReLU: threshold must be a non-negative number (as in Keras 3); received "
                             f"threshold={threshold!r}. For a shifted ReLU with a negative threshold use "
                             "symk.activations.relu(x, threshold=t) in a Lambda layer.")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """x if x > 0 else negative_slope * x (Keras 2 called the slope `alpha`; both defaults are 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        negative_slope = kwargs.pop("alpha", negative_slope)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"LeakyReLU: negative_slope must be non-negative; received {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def call(self, inputs):
        return apply("leaky_relu", [inputs], negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(_Elementwise):
    """relu(x) - alpha * relu(-x) with a learned alpha per entry (shared along `shared_axes`)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        set_weight_settings(self, "alpha", alpha_initializer, alpha_regularizer, alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = [shared_axes] if isinstance(shared_axes, int) else list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(f"Layer {self.name!r}: shared_axes {self.shared_axes} must name non-batch axes "
                                 f"(1..{len(input_shape) - 1}) of input shape {tuple(input_shape)}")
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError(f"Layer {self.name!r}: axes of unknown size must be shared (shared_axes) to build alpha; "
                             f"received input shape {tuple(input_shape)}")
        self.alpha = add_weight_with_settings(self, "alpha", tuple(shape))
        super().build(input_shape)

    def call(self, inputs):
        negative = apply("relu", [-inputs])
        return apply("relu", [inputs]) - apply("multiply", [self.alpha, negative])

    def get_config(self):
        return {**super().get_config(), **weight_settings_config(self, ("alpha",)), "shared_axes": self.shared_axes}


class ELU(_Elementwise):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return apply("elu", [inputs], alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """softmax over `axis`; masked-out positions (mask False) get probability 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else tuple(axis)

    def call(self, inputs, mask=None):
        if mask is not None:
            # a large negative logit where the mask is off, as Keras does
            keep = apply("cast", [mask], dtype=inputs.dtype)
            inputs = inputs + (1.0 - keep) * -1e9
        return apply("softmax", [inputs], axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class ThresholdedReLU(_Elementwise):
    """x where x > theta, else 0 (a Keras 2 layer)."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None or theta < 0:
            raise ValueError(f"ThresholdedReLU: theta must be non-negative; received theta={theta!r}")
        self.theta = float(theta)

    def call(self, inputs):
        return inputs * apply("cast", [apply("greater", [inputs, self.theta])], dtype=inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}
