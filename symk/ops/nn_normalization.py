"""keras.ops.nn's normalization functions: moments (an op), batch_normalization, layer_normalization and
rms_normalization (over the batch_norm and layer_norm ops of symk/ops/normalization.py and elementwise ops).

As in Keras, layer and RMS normalization compute in at least float32 and return the input's dtype
(float16 and bfloat16 inputs keep their dtype; so do integers), and moments of half-precision
inputs are computed in float32 and cast back.

    >>> mean, variance = symk.ops.nn.moments(x, axes=[0, 1])
    >>> symk.ops.nn.layer_normalization(x, gamma, beta, axis=-1)
"""
from __future__ import annotations

import math
import warnings

import jax.numpy as jnp

from ..config import epsilon as default_epsilon
from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axes
from .api import keras_export
from .nn_args import cast_to, float_dtype, promoted
from .reduce import reduced_shape
from .registry import apply, def_op, spec_of

HALF_PRECISION = ("float16", "bfloat16")


def moments_rule(specs, attrs):
    (x,) = specs
    spec = TensorSpec.of(reduced_shape(x.shape, attrs.axes, attrs.keepdims), float_dtype(x.dtype))
    return spec, spec


def _moments(x, axes, keepdims):
    axes = normalize_axes(axes, x.ndim)
    half = x.dtype.name in HALF_PRECISION
    if half or not jnp.issubdtype(x.dtype, jnp.floating):
        x_float = x.astype(jnp.float32)   # float16's range is too small for the statistics
    else:
        x_float = x
    mean = jnp.mean(x_float, axis=axes, keepdims=keepdims)
    variance = jnp.var(x_float, axis=axes, keepdims=keepdims)
    if half:
        # clipped to float16's range (as Keras does, for bfloat16 too) so the cast cannot overflow
        limit = float(jnp.finfo(jnp.float16).max)
        mean, variance = (jnp.clip(v, -limit, limit).astype(x.dtype) for v in (mean, variance))
    return mean, variance


def_op("moments", moments_rule, _moments, attrs=dict(axes=(-1,), keepdims=False),
       doc="Mean and variance over `axes` (two outputs).")


@keras_export("nn")
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`."""
    if synchronized:
        raise NotImplementedError("moments: synchronized=True (statistics across devices) is not supported on "
                                  "JAX, as in Keras; pass synchronized=False")
    return apply("moments", [x], axes=axes, keepdims=keepdims)


@keras_export("nn")
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, with vector statistics along `axis`."""
    mean_shape = spec_of(mean).shape
    if len(mean_shape) != 1 or mean_shape[0] is None:
        raise ValueError(f"batch_normalization: mean must be a vector of length x.shape[axis], got shape "
                         f"{tuple(mean_shape)}")
    ones_or_zeros = jnp.dtype(spec_of(mean).dtype)
    scale = jnp.ones(mean_shape, ones_or_zeros) if scale is None else scale
    offset = jnp.zeros(mean_shape, ones_or_zeros) if offset is None else offset
    return apply("batch_norm", [x, mean, variance, scale, offset], axis=axis, epsilon=epsilon)


def _sorted_axes(function: str, axis, rank: int) -> tuple:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    try:
        return tuple(sorted(normalize_axes(axes, rank)))
    except RuleViolation as err:
        raise ValueError(f"{function}: axis {axis} does not fit an input of rank {rank}: {err.rule}") from None


def _axis_parameter(function: str, name: str, value, x_shape, axes):
    """A gamma/beta shaped like the normalized axes (the layer_norm op's layout), as Keras reshapes them."""
    sizes = tuple(x_shape[a] for a in axes)
    shape = tuple(spec_of(value).shape)
    if len(shape) == len(sizes) and all(a is None or b is None or a == b for a, b in zip(shape, sizes)):
        return value
    if None not in sizes and None not in shape and math.prod(shape) == math.prod(sizes) and (
            len(shape) != len(x_shape) or all(d == 1 for i, d in enumerate(shape) if i not in axes)):
        return apply("reshape", [value], shape=sizes)
    raise ValueError(f"{function}: {name} has shape {shape}, which does not fit the normalized axes {axes} of an "
                     f"input of shape {tuple(x_shape)} (sizes {sizes}); give it shape {sizes}")


def _constant_parameter(function: str, fill: float, x_shape, axes, dtype):
    sizes = tuple(x_shape[a] for a in axes)
    if None in sizes:
        raise ValueError(f"{function}: the normalized axes {axes} of an input of shape {tuple(x_shape)} must have "
                         "known sizes when gamma or beta is None; pass gamma and beta explicitly")
    return jnp.full(sizes, fill, jnp.dtype(dtype))


def _spread(param, axes, rank):
    """A parameter shaped like the normalized axes, with unit axes elsewhere (to broadcast against x)."""
    sizes = list(spec_of(param).shape)
    target = [1] * rank
    for a, size in zip(axes, sizes):
        target[a] = -1 if size is None else size
    return apply("reshape", [param], shape=tuple(target))


@keras_export("nn")
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalize over `axis` to zero mean and unit variance, then scale by gamma and shift by beta."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization got unexpected keyword argument(s) {sorted(kwargs)}; it takes "
                        "gamma, beta, axis, epsilon (and the deprecated rms_scaling)")
    epsilon = default_epsilon() if epsilon is None else epsilon
    original = spec_of(x).dtype
    compute = promoted(original, "float32")
    x = cast_to(x, compute)
    shape = spec_of(x).shape
    axes = _sorted_axes("layer_normalization", axis, len(shape))
    if gamma is not None:
        gamma = cast_to(_axis_parameter("layer_normalization", "gamma", gamma, shape, axes), compute)
    if beta is not None:
        beta = cast_to(_axis_parameter("layer_normalization", "beta", beta, shape, axes), compute)
    if rms_scaling:
        # Keras's deprecated form: no centering, and scaled by the variance (not the mean square)
        warnings.warn("layer_normalization: rms_scaling=True is deprecated (as in Keras): it scales by the variance, "
                      "not the root mean square; use symk.ops.nn.rms_normalization instead", DeprecationWarning,
                      stacklevel=2)
        variance = apply("var", [x], axis=axes, keepdims=True)
        out = apply("multiply", [x, apply("rsqrt", [apply("add", [variance, epsilon])])])
        if gamma is not None:
            out = apply("multiply", [out, _spread(gamma, axes, len(shape))])
    else:
        gamma = _constant_parameter("layer_normalization", 1.0, shape, axes, compute) if gamma is None else gamma
        beta = _constant_parameter("layer_normalization", 0.0, shape, axes, compute) if beta is None else beta
        out = apply("layer_norm", [x, gamma, beta], axis=axes, epsilon=epsilon, rms_scaling=False)
    return cast_to(out, original)


@keras_export("nn")
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x ** 2 over axis) + epsilon) * scale."""
    epsilon = default_epsilon() if epsilon is None else epsilon
    original = spec_of(x).dtype
    compute = promoted(original, "float32")
    x = cast_to(x, compute)
    rank = len(spec_of(x).shape)
    if rank == 0:   # Keras normalizes a scalar as a vector of one
        x, rank = apply("reshape", [x], shape=(1,)), 1
    axes = _sorted_axes("rms_normalization", axis, rank)
    mean_square = apply("mean", [apply("square", [x])], axis=axes, keepdims=True)
    out = apply("multiply", [x, apply("rsqrt", [apply("add", [mean_square, epsilon])])])
    if scale is not None:
        out = apply("multiply", [out, cast_to(scale, compute)])
    return cast_to(out, original)
