"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization.

BatchNormalization emits one "batch_norm" op for inference (the [passes] fold it into a
preceding conv), computes batch statistics for training, and picks between the two with
"training_select", so the training flag of fit/predict decides at codegen time.

    >>> BatchNormalization()(x)                    # gamma, beta, moving_mean, moving_variance
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import initializers
from ..ops.registry import apply
from .base import Layer
from .input_spec import InputSpec
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config

__all__ = ["BatchNormalization", "LayerNormalization", "UnitNormalization", "GroupNormalization"]

# Keras 2 arguments accepted for old configs; they change nothing here.
_LEGACY_BATCH_NORM_ARGS = ("fused", "virtual_batch_size", "adjustment", "moving_mean_regularizer",
                           "moving_variance_regularizer")


def _at_least_float32(x):
    """Half-precision tensors as float32: Keras computes normalization statistics in
    backend.result_type(x.dtype, "float32"), since float16 / bfloat16 sums overflow or lose the mean."""
    return apply("cast", [x], dtype="float32") if x.dtype in ("float16", "bfloat16") else x


def _as_dtype(x, dtype):
    """`x` (a tensor or a weight) in `dtype`; no node when it already is."""
    if isinstance(x, np.ndarray):
        return x.astype(dtype)
    x = x.symbolic() if hasattr(x, "symbolic") else x
    return x if x.dtype == dtype else apply("cast", [x], dtype=dtype)


def _single_axis(axis, layer: str) -> int:
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise ValueError(f"{layer}: axis must be a single integer; received axis={axis!r}")
        axis = axis[0]
    if not isinstance(axis, int):
        raise ValueError(f"{layer}: axis must be an integer; received axis={axis!r}")
    return axis


def _positive_axes(axes, rank: int, layer) -> tuple:
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"Layer {layer.name!r}: axis {a} is out of range for inputs of rank {rank}; "
                             f"use an axis in [{-rank}, {rank - 1}]")
        out.append(a % rank)
    return tuple(sorted(set(out)))


def _param_shape_for(input_shape, axes, layer) -> tuple:
    shape = tuple(input_shape[a] for a in axes)
    if None in shape:
        raise ValueError(f"Layer {layer.name!r}: the normalized axes {axes} of the input must be known to build "
                         f"its weights; received input shape {tuple(input_shape)}")
    return shape


def _read_as_stored(*variables) -> None:
    """Keras 3 creates the normalizations' weights with autocast=False: a mixed policy reads them in float32."""
    for variable in variables:
        if variable is not None:
            variable.autocast = False


class _ScaleOffsetNormalization(Layer):
    """Shared by the normalizations with an optional learned scale (gamma) and offset (beta):
    their settings, their weights, and the ones / zeros that stand in when scale / center is off."""

    def __init__(self, center=True, scale=True, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.center, self.scale = bool(center), bool(scale)
        set_weight_settings(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        set_weight_settings(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        self.supports_masking = True

    def _add_gamma_and_beta(self, shape) -> None:
        self.gamma = add_weight_with_settings(self, "gamma", shape) if self.scale else None
        self.beta = add_weight_with_settings(self, "beta", shape) if self.center else None
        _read_as_stored(self.gamma, self.beta)

    def _gamma_and_beta(self, shape, dtype):
        """gamma and beta in `dtype` (the statistics' dtype), or constant ones / zeros when scale / center is off
        (the ops always take both)."""
        gamma = self.gamma if self.gamma is not None else np.ones(shape, dtype)
        beta = self.beta if self.beta is not None else np.zeros(shape, dtype)
        return _as_dtype(gamma, dtype), _as_dtype(beta, dtype)

    def _normalize(self, inputs, mean, variance, gamma, beta, param_shape):
        """(inputs - mean) / sqrt(variance + epsilon) * gamma + beta as one multiply-add; gamma and beta
        are reshaped to `param_shape` to broadcast against the inputs."""
        inv = apply("rsqrt", [variance + self.epsilon]) * apply("reshape", [gamma], shape=param_shape)
        return inputs * inv + (apply("reshape", [beta], shape=param_shape) - mean * inv)

    def _scale_offset_config(self, initializer_only=()) -> dict:
        return weight_settings_config(self, ("beta", "gamma"), initializer_only=initializer_only)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class BatchNormalization(_ScaleOffsetNormalization):
    """Normalizes with batch statistics in training (updating the moving ones) and the moving ones otherwise."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, synchronized=False, **kwargs):
        for legacy in _LEGACY_BATCH_NORM_ARGS:
            kwargs.pop(legacy, None)
        # NOTE: one device, so synchronized (cross-replica statistics) changes nothing; kept for the config
        self.synchronized, self.renorm_clipping = bool(synchronized), renorm_clipping
        self.renorm_momentum = float(renorm_momentum)
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint, **kwargs)
        if renorm:
            raise ValueError("BatchNormalization: renorm=True (batch renormalization) is not supported; "
                             "use renorm=False")
        self.axis = _single_axis(axis, "BatchNormalization")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1]; received {momentum!r}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive; received {epsilon!r}")
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        rank = len(input_shape)
        (self._axis,) = _positive_axes((self.axis,), rank, self)
        (channels,) = _param_shape_for(input_shape, (self._axis,), self)
        self._add_gamma_and_beta((channels,))
        self.moving_mean = self.add_weight("moving_mean", (channels,), initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (channels,),
                                               initializer=self.moving_variance_initializer, trainable=False)
        _read_as_stored(self.moving_mean, self.moving_variance)
        self.input_spec = InputSpec(ndim=rank, axes={self._axis: channels})
        super().build(input_shape)

    def call(self, inputs, training=None, mask=None):
        # Keras 3: half-precision inputs are normalized in float32, the output is in the compute dtype
        return _as_dtype(self._normalize_batch(_at_least_float32(inputs), training, mask), self.compute_dtype)

    def _moving_statistics(self, dtype):
        return _as_dtype(self.moving_mean, dtype), _as_dtype(self.moving_variance, dtype)

    def _normalize_batch(self, inputs, training, mask):
        gamma, beta = self._gamma_and_beta(self.moving_mean.shape, inputs.dtype)
        moving_mean, moving_variance = self._moving_statistics(inputs.dtype)
        inference = apply("batch_norm", [inputs, moving_mean, moving_variance, gamma, beta],
                          axis=self._axis, epsilon=self.epsilon)
        # NOTE: a frozen layer always normalizes with its moving statistics, as in Keras
        if training is False or not self.trainable:
            return inference
        rank = len(inputs.shape)
        reduce_axes = tuple(a for a in range(rank) if a != self._axis)
        broadcast = tuple(-1 if a == self._axis else 1 for a in range(rank))
        if mask is None:
            mean = apply("mean", [inputs], axis=reduce_axes, keepdims=True)
            variance = apply("var", [inputs], axis=reduce_axes, keepdims=True)
        else:
            mean, variance = self._masked_moments(inputs, mask, reduce_axes)
        train_out = self._normalize(inputs, mean, variance, gamma, beta, broadcast)
        self._update_moving(self.moving_mean, apply("reshape", [mean], shape=(-1,)))
        self._update_moving(self.moving_variance, apply("reshape", [variance], shape=(-1,)))
        return apply("training_select", [train_out, inference])

    def _masked_moments(self, inputs, mask, reduce_axes):
        """Keras 3's masked batch statistics: mean and (biased) variance over the unmasked positions only."""
        if len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(f"Layer {self.name!r}: the mask must have one axis less than the inputs (no channel "
                             f"axis); received mask shape {tuple(mask.shape)} for inputs {tuple(inputs.shape)}")
        return self._weighted_moments(inputs, apply("expand_dims", [mask], axis=self._axis), reduce_axes)

    @staticmethod
    def _weighted_moments(inputs, mask, reduce_axes):
        """Mean and (biased) variance over `reduce_axes` of the positions where `mask` is set (`mask` has the
        inputs' rank, size 1 on the channel axis)."""
        weights = apply("cast", [mask], dtype=inputs.dtype)
        # NOTE: Keras adds its backend epsilon (1e-7) to the count, so an all-masked batch gives 0, not nan
        count = apply("sum", [weights], axis=reduce_axes, keepdims=True) + 1e-7  # unmasked positions
        mean = apply("sum", [weights * inputs], axis=reduce_axes, keepdims=True) / count
        squared = apply("square", [inputs - mean])
        variance = apply("sum", [weights * squared], axis=reduce_axes, keepdims=True) / count
        return mean, variance

    def call_per_time_step(self, inputs, training=None, mask=None):
        """TimeDistributed(BatchNormalization()) as Keras 3 runs it: the layer applied to each time step in
        turn, so training normalizes every step with that step's batch statistics and updates the moving
        statistics once per step, in time order. `inputs` is (batch, time, ...), the layer built for one
        step (batch, ...); `mask` is (batch, time, ...) with one axis less than `inputs`, as for call()."""
        outputs = self._normalize_per_time_step(_at_least_float32(inputs), training, mask)
        return _as_dtype(outputs, self.compute_dtype)

    def _normalize_per_time_step(self, inputs, training, mask):
        axis, rank = self._axis + 1, len(inputs.shape)
        gamma, beta = self._gamma_and_beta(self.moving_mean.shape, inputs.dtype)
        moving_mean, moving_variance = self._moving_statistics(inputs.dtype)
        inference = apply("batch_norm", [inputs, moving_mean, moving_variance, gamma, beta],
                          axis=axis, epsilon=self.epsilon)
        if training is False or not self.trainable:
            return inference
        reduce_axes = tuple(a for a in range(rank) if a not in (1, axis))  # every axis but time and channels
        if mask is None:
            mean = apply("mean", [inputs], axis=reduce_axes, keepdims=True)
            variance = apply("var", [inputs], axis=reduce_axes, keepdims=True)
        else:
            if len(mask.shape) != rank - 1:
                raise ValueError(f"Layer {self.name!r}: the mask must have one axis less than the inputs; received "
                                 f"mask shape {tuple(mask.shape)} for inputs {tuple(inputs.shape)}")
            # NOTE: Keras broadcasts a step's mask along the last axis (the channels, for channels_last)
            mean, variance = self._weighted_moments(inputs, apply("expand_dims", [mask], axis=-1), reduce_axes)
        broadcast = tuple(-1 if a == axis else 1 for a in range(rank))
        train_out = self._normalize(inputs, mean, variance, gamma, beta, broadcast)
        channels = self.moving_mean.shape[0]
        step_means = apply("reshape", [mean], shape=(-1, channels))        # (time, channels)
        step_variances = apply("reshape", [variance], shape=(-1, channels))
        for variable, values in ((self.moving_mean, step_means), (self.moving_variance, step_variances)):
            self._update_moving_per_step(variable, values, inputs.shape[1])
        return apply("training_select", [train_out, inference])

    def _update_moving_per_step(self, variable, step_values, steps) -> None:
        """One moving-average update per row of `step_values` (time, channels), in order."""
        if steps is not None:  # a known time axis: the updates one after another, as Keras computes them
            for t in range(steps):
                self._update_moving(variable, apply("getitem", [step_values], key=(("int", t),)))
            return
        # unknown time axis: the same T updates in closed form,
        # m_T = m_0 * momentum**T + sum_t (1 - momentum) * momentum**(T - 1 - t) * value_t
        from .. import ops

        ones = ops.ones_like(step_values[:, 0])
        later_steps = ops.sum(ones) - ops.cumsum(ones)                     # T - 1 - t
        weights = (1.0 - self.momentum) * ops.power(self.momentum, later_steps)
        old = variable.symbolic()
        updated = old * ops.power(self.momentum, ops.sum(ones)) + ops.sum(weights[:, None] * step_values, axis=0)
        variable.assign(apply("training_select", [_as_dtype(updated, variable.dtype), old]))

    def _update_moving(self, variable, batch_value):
        old = variable.symbolic()
        updated = old * self.momentum + batch_value * (1.0 - self.momentum)
        # the update happens only in training: in inference the variable keeps its value
        variable.assign(apply("training_select", [_as_dtype(updated, variable.dtype), old]))

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
                      scale=self.scale,
                      **self._scale_offset_config(initializer_only=("moving_mean", "moving_variance")),
                      synchronized=self.synchronized, renorm=False, renorm_clipping=self.renorm_clipping,
                      renorm_momentum=self.renorm_momentum)
        return config


class LayerNormalization(_ScaleOffsetNormalization):
    """Normalizes each sample over `axis` (default the last): (x - mean) / sqrt(var + eps) * gamma + beta.

    Keras 3's deprecated `rms_scaling=True` (a keyword argument only) computes x * rsqrt(var + eps) * gamma:
    no centering and no beta, and gamma even when scale=False."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn("LayerNormalization: rms_scaling=True is deprecated (as in Keras 3): it scales the input by "
                          "the variance, not the root mean square. For RMS normalization use "
                          "symk.layers.RMSNormalization.", UserWarning, stacklevel=2)
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint, **kwargs)
        axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
        if not axes or not all(isinstance(a, int) for a in axes):
            raise ValueError(f"LayerNormalization: axis must be an integer or a list of integers; received {axis!r}")
        self.axis = axis if isinstance(axis, int) else list(axes)
        self._axes_arg = axes
        self.epsilon, self.rms_scaling = float(epsilon), rms_scaling
        self.autocast = False  # as Keras 3: inputs come in their own dtype, weights are read as stored

    def build(self, input_shape):
        self._axes = _positive_axes(self._axes_arg, len(input_shape), self)
        shape = _param_shape_for(input_shape, self._axes, self)
        # Keras 3: gamma with scale or rms_scaling, beta with center unless rms_scaling
        self.gamma = add_weight_with_settings(self, "gamma", shape) if self.scale or self.rms_scaling else None
        self.beta = add_weight_with_settings(self, "beta", shape) if self.center and not self.rms_scaling else None
        _read_as_stored(self.gamma, self.beta)
        self._param_shape = shape
        self.axis = sorted(self._axes_arg)  # Keras keeps the axes as a sorted list once built (its config says so)
        super().build(input_shape)

    def call(self, inputs):
        # Keras 3: statistics in at least float32, back to the input's dtype, then to the compute dtype
        x = _at_least_float32(inputs)
        if self.rms_scaling:
            variance = apply("var", [x], axis=self._axes, keepdims=True)
            broadcast = tuple(x.shape[a] if a in self._axes else 1 for a in range(len(x.shape)))
            out = x * apply("rsqrt", [variance + self.epsilon]) * apply("reshape", [_as_dtype(self.gamma, x.dtype)],
                                                                        shape=broadcast)
        else:
            gamma, beta = self._gamma_and_beta(self._param_shape, x.dtype)
            out = apply("layer_norm", [x, gamma, beta], axis=self._axes, epsilon=self.epsilon, rms_scaling=False)
        return _as_dtype(_as_dtype(out, inputs.dtype), self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update(axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
                      rms_scaling=self.rms_scaling, **self._scale_offset_config())
        return config


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`: x / sqrt(max(sum(x**2), 1e-12))."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) and not (isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis)):
            raise ValueError(f"UnitNormalization: axis must be an integer or a list of integers; received {axis!r}")
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.supports_masking = True

    def call(self, inputs):
        axes = _positive_axes((self.axis,) if isinstance(self.axis, int) else self.axis, len(inputs.shape), self)
        squares = apply("sum", [apply("square", [inputs])], axis=axes, keepdims=True)
        return inputs * apply("rsqrt", [apply("maximum", [squares, 1e-12])])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class GroupNormalization(_ScaleOffsetNormalization):
    """Splits the channels along `axis` into `groups` and normalizes each group of each sample
    over its channels and all other non-batch axes; then per-channel gamma and beta."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint, **kwargs)
        if not isinstance(groups, int) or isinstance(groups, bool) or (groups < 1 and groups != -1):
            raise ValueError(f"GroupNormalization: groups must be a positive integer, or -1 for one group per "
                             f"channel (instance normalization); received groups={groups!r}")
        self.groups, self.axis = groups, _single_axis(axis, "GroupNormalization")
        self.epsilon = float(epsilon)
        self.autocast = False  # as Keras 3: inputs come in their own dtype, weights are read as stored

    def build(self, input_shape):
        (self._axis,) = _positive_axes((self.axis,), len(input_shape), self)
        (channels,) = _param_shape_for(input_shape, (self._axis,), self)
        if self.groups == -1:
            self.groups = channels  # as Keras does: its config then says how many groups were made
        if channels < self.groups:
            raise ValueError(f"Layer {self.name!r}: groups={self.groups} is more than the {channels} channels on axis "
                             f"{self.axis}; use at most {channels} groups (or -1 for one per channel)")
        if channels % self.groups:
            raise ValueError(f"Layer {self.name!r}: the {channels} channels on axis {self.axis} must be a multiple of "
                             f"groups={self.groups}; choose groups that divide {channels}")
        if any(d is None for d in input_shape[1:]):
            raise ValueError(f"Layer {self.name!r}: GroupNormalization needs every non-batch axis known; "
                             f"received input shape {tuple(input_shape)}")
        self._add_gamma_and_beta((channels,))
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self._axis: channels})
        super().build(input_shape)

    def call(self, inputs):
        shape = tuple(inputs.shape)
        axis, channels = self._axis, shape[self._axis]
        grouped_shape = (-1,) + shape[1:axis] + (self.groups, channels // self.groups) + shape[axis + 1:]
        # Keras 3: the statistics in at least float32, the result back in the input's dtype
        grouped = _at_least_float32(apply("reshape", [inputs], shape=grouped_shape))
        reduce_axes = tuple(a for a in range(1, len(grouped_shape)) if a != axis)
        mean = apply("mean", [grouped], axis=reduce_axes, keepdims=True)
        variance = apply("var", [grouped], axis=reduce_axes, keepdims=True)
        param_shape = tuple(grouped_shape[a] if a in (axis, axis + 1) else 1 for a in range(len(grouped_shape)))
        gamma, beta = self._gamma_and_beta((channels,), grouped.dtype)
        out = _as_dtype(self._normalize(grouped, mean, variance, gamma, beta, param_shape), inputs.dtype)
        return _as_dtype(apply("reshape", [out], shape=(-1,) + shape[1:]), self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update(groups=self.groups, axis=self.axis, epsilon=self.epsilon, center=self.center,
                      scale=self.scale, **self._scale_offset_config())
        return config
