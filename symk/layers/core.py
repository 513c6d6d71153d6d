"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda."""
from __future__ import annotations

import math

from .. import activations
from ..config import image_data_format
from ..ops.registry import apply
from .base import Layer
from .input_spec import InputSpec
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config


class Dense(Layer):
    """`activation(inputs @ kernel + bias)`; kernel (input_dim, units)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer {self.name!r}: the last axis of the input must be known to build the kernel; "
                             f"received input shape {tuple(input_shape)}")
        self.kernel = add_weight_with_settings(self, "kernel", (input_dim, self.units))
        self.bias = add_weight_with_settings(self, "bias", (self.units,)) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        super().build(input_shape)

    def call(self, inputs):
        x = apply("matmul", [inputs, self.kernel])
        if self.bias is not None:
            x = apply("bias_add", [x, self.bias])
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation), use_bias=self.use_bias,
            **weight_settings_config(self, ("kernel", "bias"), activity_regularizer=True))
        return config


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout in training; identity in inference."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self.supports_masking = True

    def call(self, inputs, training=None):
        if self.rate == 0:
            return inputs
        return apply("dropout", [inputs], rate=self.rate, noise_shape=self.noise_shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or image_data_format()
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x.ndim > 2:
            x = apply("transpose", [x], axes=(0,) + tuple(range(2, x.ndim)) + (1,))
        rest = x.shape[1:]
        if any(d is None for d in rest):  # Keras too: (None, None, 1) -> (None, None), sized when it runs
            from .. import ops

            return ops.reshape(x, (ops.shape(x)[0], -1))
        return apply("reshape", [x], shape=(-1, math.prod(rest)))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], math.prod(rest) if all(d is not None for d in rest) else None)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        rest = inputs.shape[1:]
        if -1 not in self.target_shape and None not in rest and None not in self.target_shape:
            # per sample, not per batch: the op alone would let (3, 4) -> (3, 2) double the batch
            if math.prod(rest) != math.prod(self.target_shape):
                from ..errors import ShapeError

                raise ShapeError(
                    f"Layer {self.name!r} (op 'reshape'): the total size of each sample must be unchanged; cannot "
                    f"reshape input shape {tuple(inputs.shape)} ({math.prod(rest)} elements per sample) to target "
                    f"shape {self.target_shape} ({math.prod(self.target_shape)} elements). Hint: use -1 for one "
                    "axis, or a target whose sizes multiply to the sample size.")
        return apply("reshape", [inputs], shape=(-1,) + tuple(-1 if d is None else d for d in self.target_shape)
                     if -1 not in self.target_shape else _fill_batch(inputs, self.target_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


def _fill_batch(inputs, target):
    """A target with its own -1: the batch axis must then be known, or the -1 resolved here."""
    rest = inputs.shape[1:]
    total = math.prod(rest) if all(d is not None for d in rest) else None
    if total is None:
        raise ValueError(f"Reshape{target}: cannot infer the -1 axis when the input's non-batch axes {tuple(rest)} are unknown")
    known = math.prod(d for d in target if d != -1)
    if known == 0 or total % known:
        raise ValueError(f"Reshape: cannot reshape input with shape {tuple(inputs.shape)} to target {target}: "
                         f"{total} elements per sample do not divide into {known}")
    return (-1,) + tuple(total // known if d == -1 else d for d in target)


class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)} (the batch axis is not "
                             f"included); got {self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return apply("transpose", [inputs], axes=(0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return apply("repeat", [apply("expand_dims", [inputs], axis=1)], repeats=self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Lambda(Layer):
    """Wraps a function of symbolic tensors: `Lambda(lambda x: x ** 2)`."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.output_shape_arg = output_shape
        self.mask_arg = mask
        self.arguments = arguments or {}

    def call(self, inputs, mask=None, training=None):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        from ..saving.lambda_serialization import serialize_function  # written by [save]

        config = super().get_config()
        config.update(serialize_function(self.function))
        config.update(output_shape=self.output_shape_arg, arguments=self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        # get_config() writes the function as a name or as bytecode: resolve it as loading does (Keras 3 does too)
        from ..saving.lambda_serialization import lambda_kwargs

        return cls(**lambda_kwargs(config, custom_objects, safe_mode))
