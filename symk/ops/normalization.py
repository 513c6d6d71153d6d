"""Neural-network ops that are not convolutions: batch_norm, layer_norm and image resizing.

`batch_norm` is the inference form (given statistics); the [passes] fold it into a preceding
conv's weights, so its inputs are fixed: (x, mean, variance, gamma, beta).

    >>> symk.ops.batch_norm(x, mean, variance, gamma, beta, axis=-1, epsilon=1e-3)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axes, normalize_axis
from .elementwise import result_dtype
from .registry import def_op


def _broadcastable(param, x, axes: tuple):
    """A parameter of shape [x.shape[a] for a in axes] reshaped to line up with x (no silent broadcasting)."""
    expected = tuple(x.shape[a] for a in axes)
    if tuple(param.shape) != expected:
        raise ValueError(f"a parameter of shape {tuple(param.shape)} does not match the normalized axes {expected}")
    shape = [1] * x.ndim
    for a, size in zip(axes, expected):
        shape[a] = size
    return param.reshape(shape)


def _check_params(x, params, axes, names):
    expected = tuple(x.shape[a] for a in axes)
    for name, p in zip(names, params):
        if len(p.shape) != len(axes) or any(e is not None and d is not None and e != d
                                             for e, d in zip(expected, p.shape)):
            raise RuleViolation(
                f"{name} has shape {tuple(p.shape)}, but the normalized axes {axes} of the input have sizes {expected}",
                "build the statistics and scales for this input's feature axis (check `axis`)")


def batch_norm_rule(specs, attrs):
    x, *params = specs
    axis = normalize_axis(attrs.axis, len(x.shape), "axis")
    _check_params(x, params, (axis,), ("mean", "variance", "gamma", "beta"))
    if attrs.epsilon < 0:
        raise RuleViolation(f"epsilon must be non-negative, got {attrs.epsilon}", "use a small positive epsilon")
    return TensorSpec(x.shape, result_dtype(specs))


def _batch_norm(x, mean, variance, gamma, beta, axis, epsilon):
    # Keras's form: x * inv + (beta - mean * inv), with inv = gamma / sqrt(variance + epsilon)
    axes = (axis % x.ndim,)
    inv = jax.lax.rsqrt(_broadcastable(variance, x, axes) + epsilon) * _broadcastable(gamma, x, axes)
    return x * inv + (_broadcastable(beta, x, axes) - _broadcastable(mean, x, axes) * inv)


def_op("batch_norm", batch_norm_rule, _batch_norm, attrs=dict(axis=-1, epsilon=1e-3), inputs=5,
       doc="Inference batch normalization: (x - mean) / sqrt(variance + epsilon) * gamma + beta along `axis`.")


def layer_norm_rule(specs, attrs):
    x, gamma, beta = specs
    axes = tuple(sorted(normalize_axes(attrs.axis, len(x.shape))))
    _check_params(x, (gamma, beta), axes, ("gamma", "beta"))
    return TensorSpec(x.shape, result_dtype(specs))


def _layer_norm(x, gamma, beta, axis, epsilon, rms_scaling):
    axes = tuple(sorted(normalize_axes(axis, x.ndim)))
    gamma, beta = _broadcastable(gamma, x, axes), _broadcastable(beta, x, axes)
    if rms_scaling:
        # Keras's rms_scaling: no centering, scale by the root mean square
        return x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=axes, keepdims=True) + epsilon) * gamma
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.var(x, axis=axes, keepdims=True)
    inv = jax.lax.rsqrt(variance + epsilon) * gamma
    return x * inv + (beta - mean * inv)


def_op("layer_norm", layer_norm_rule, _layer_norm, attrs=dict(axis=(-1,), epsilon=1e-3, rms_scaling=False), inputs=3,
       doc="Layer normalization over `axis` (a tuple), with gamma/beta shaped like those axes.")


def resize_rule(specs, attrs):
    (x,) = specs
    axes = normalize_axes(attrs.axes, len(x.shape))
    if len(attrs.sizes) != len(axes) or any(s < 1 for s in attrs.sizes):
        raise RuleViolation(f"sizes {attrs.sizes} need one positive target size per axis {axes}",
                            "give one size per resized axis")
    if attrs.method not in ("nearest", "bilinear", "linear", "bicubic", "cubic", "lanczos3", "lanczos5"):
        raise RuleViolation(f"unknown interpolation {attrs.method!r}", "use 'nearest' or 'bilinear'")
    shape = list(x.shape)
    for a, s in zip(axes, attrs.sizes):
        shape[a] = s
    return TensorSpec.of(shape, x.dtype if "float" in x.dtype else "float32")


def _resize(x, axes, sizes, method):
    x = x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float32)
    shape = list(x.shape)
    for a, s in zip(normalize_axes(axes, x.ndim), sizes):
        shape[a] = s
    return jax.image.resize(x, shape, method=method, antialias=False)


def_op("resize", resize_rule, _resize, attrs=dict(axes=(1, 2), sizes=(1, 1), method="bilinear"),
       doc="Resize the given axes to `sizes` with jax.image.resize (half-pixel centers, as Keras on JAX).")
