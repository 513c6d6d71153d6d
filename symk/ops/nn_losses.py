"""keras.ops.nn's crossentropies: binary, categorical and sparse categorical, per example (no reduction).

Probabilities are clipped to [epsilon, 1 - epsilon] (symk.config.epsilon() when the call is made) and
categorical ones renormalized along `axis`, as Keras does. The result has the inputs' promoted float
dtype (float16 stays float16); the sparse form gives float32, as Keras on JAX does.

    >>> symk.ops.nn.sparse_categorical_crossentropy(labels, logits, from_logits=True)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..config import epsilon as default_epsilon
from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axis
from .api import keras_export
from .nn_args import float_dtype, promoted
from .registry import apply, def_op


def _same_shapes(target, output) -> bool:
    return len(target) == len(output) and all(a is None or b is None or a == b for a, b in zip(target, output))


def _check_same_shapes(target, output):
    if not _same_shapes(target.shape, output.shape):
        raise RuleViolation(f"target and output must have the same shape, got {tuple(target.shape)} and "
                            f"{tuple(output.shape)}", "reshape the targets like the predictions")


def binary_crossentropy_rule(specs, attrs):
    target, output = specs
    _check_same_shapes(target, output)
    return TensorSpec(output.shape, float_dtype(promoted(target.dtype, output.dtype)))


def _binary_crossentropy(target, output, from_logits, epsilon):
    dtype = float_dtype(promoted(target.dtype.name, output.dtype.name))
    target, output = target.astype(dtype), output.astype(dtype)
    if from_logits:
        return -target * jax.nn.log_sigmoid(output) - (1.0 - target) * jax.nn.log_sigmoid(-output)
    output = jnp.clip(output, epsilon, 1.0 - epsilon)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


def categorical_crossentropy_rule(specs, attrs):
    target, output = specs
    _check_same_shapes(target, output)
    if not output.shape:
        raise RuleViolation("target and output must have at least one axis (the classes)", "pass (..., classes)")
    axis = normalize_axis(attrs.axis, len(output.shape))
    shape = output.shape[:axis] + output.shape[axis + 1:]
    return TensorSpec.of(shape, float_dtype(promoted(target.dtype, output.dtype)))


def _log_probabilities(output, from_logits, axis, epsilon):
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(output, epsilon, 1.0 - epsilon))


def _categorical_crossentropy(target, output, from_logits, axis, epsilon):
    dtype = float_dtype(promoted(target.dtype.name, output.dtype.name))
    target, output = target.astype(dtype), output.astype(dtype)
    return -jnp.sum(target * _log_probabilities(output, from_logits, axis, epsilon), axis=axis)


def _class_free_target_shape(target_shape, output_shape):
    """Keras accepts integer labels shaped like the output without its class axis, or with a trailing 1."""
    if len(target_shape) == len(output_shape) and target_shape and target_shape[-1] == 1:
        return target_shape[:-1]
    return target_shape


def sparse_categorical_crossentropy_rule(specs, attrs):
    target, output = specs
    if not output.shape:
        raise RuleViolation("output must have at least one axis (the classes)", "pass (..., classes)")
    axis = normalize_axis(attrs.axis, len(output.shape))
    shape = output.shape[:axis] + output.shape[axis + 1:]
    if not _same_shapes(_class_free_target_shape(target.shape, output.shape), shape):
        raise RuleViolation(f"the labels' shape {tuple(target.shape)} must be the output's {tuple(output.shape)} "
                            f"without its class axis {attrs.axis}", "pass one integer label per example")
    # the one-hot labels are float32, so half-precision outputs give float32 (as Keras on JAX)
    return TensorSpec.of(shape, promoted("float32", float_dtype(output.dtype)))


def _sparse_categorical_crossentropy(target, output, from_logits, axis, epsilon):
    target = target.astype(jnp.int32)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    output = output.astype(float_dtype(output.dtype.name))
    log_probabilities = _log_probabilities(output, from_logits, axis, epsilon)
    labels = jax.nn.one_hot(target, output.shape[axis], axis=axis, dtype=jnp.float32)
    return -jnp.sum(labels * log_probabilities, axis=axis)


def_op("binary_crossentropy", binary_crossentropy_rule, _binary_crossentropy, attrs=dict(from_logits=False,
       epsilon=1e-7), inputs=2, doc="Elementwise binary crossentropy of probabilities (or logits).")
def_op("categorical_crossentropy", categorical_crossentropy_rule, _categorical_crossentropy,
       attrs=dict(from_logits=False, axis=-1, epsilon=1e-7), inputs=2,
       doc="Crossentropy of one-hot (or soft) targets against class probabilities (or logits) along `axis`.")
def_op("sparse_categorical_crossentropy", sparse_categorical_crossentropy_rule, _sparse_categorical_crossentropy,
       attrs=dict(from_logits=False, axis=-1, epsilon=1e-7), inputs=2,
       doc="Crossentropy of integer labels against class probabilities (or logits) along `axis`.")


@keras_export("nn")
def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy between targets and probabilities (or logits)."""
    return apply("binary_crossentropy", [target, output], from_logits=bool(from_logits), epsilon=default_epsilon())


@keras_export("nn")
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot targets and class probabilities (or logits) along `axis`."""
    return apply("categorical_crossentropy", [target, output], from_logits=bool(from_logits), axis=axis,
                 epsilon=default_epsilon())


@keras_export("nn")
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between integer labels and class probabilities (or logits) along `axis`."""
    return apply("sparse_categorical_crossentropy", [target, output], from_logits=bool(from_logits), axis=axis,
                 epsilon=default_epsilon())
