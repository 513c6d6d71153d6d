"""Random and training-dependent ops. Each random node gets its own key: codegen folds the
node id into the step's key, so the same seed gives the same masks."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .elementwise import result_dtype, unary_rule
from .registry import def_op


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return x.shape
    return tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))


def dropout_rule(specs, attrs):
    if not 0 <= attrs.rate < 1:
        raise RuleViolation(f"dropout rate must be in [0, 1), got {attrs.rate}", "pass a fraction such as 0.5")
    if attrs.noise_shape is not None and len(attrs.noise_shape) != len(specs[0].shape):
        raise RuleViolation(f"noise_shape {attrs.noise_shape} must have the input's rank {len(specs[0].shape)}",
                            "give one entry per axis (None keeps the input's size)")
    return specs[0]


def _dropout(x, rate, noise_shape, rng, training):
    if not training or rate == 0:
        return x
    keep = jax.random.bernoulli(rng, 1.0 - rate, _noise_shape(x, noise_shape))
    return jnp.where(keep, x / (1.0 - rate), jnp.zeros_like(x))


def_op("dropout", dropout_rule, _dropout, attrs=dict(rate=0.5, noise_shape=None), random=True,
       training_dependent=True, foldable=False, doc="Inverted dropout; identity when not training.")


def training_select_rule(specs, attrs):
    a, b = specs
    if len(a.shape) != len(b.shape) or any(x is not None and y is not None and x != y for x, y in zip(a.shape, b.shape)):
        raise RuleViolation("both branches must have the same shape", "make the training and inference results agree")
    merged = tuple(x if x is not None else y for x, y in zip(a.shape, b.shape))
    return TensorSpec.of(merged, result_dtype(specs))


def _training_select(a, b, training):
    # both branches share the promoted dtype, whichever runs (the rule promises one dtype)
    return (a if training else b).astype(jnp.result_type(a, b))


def_op("training_select", training_select_rule, _training_select, inputs=2,
       training_dependent=True, foldable=False,
       doc="The first input in training, the second in inference (noise layers, batch-norm).")


def sized_rule(specs, attrs):
    if any(d is None or d < 0 for d in attrs.shape):
        raise RuleViolation(f"random ops need a fully known shape, got {attrs.shape}", "use the *_like ops for batch-sized noise")
    return TensorSpec.of(attrs.shape, attrs.dtype)


def_op("random_uniform", sized_rule,
       lambda shape, minval, maxval, dtype, seed, rng: jax.random.uniform(
           jax.random.PRNGKey(seed) if seed is not None else rng, shape, dtype, minval, maxval),
       attrs=dict(shape=(), minval=0.0, maxval=1.0, dtype="float32", seed=None), inputs=0, random=True, foldable=False)
def_op("random_normal", sized_rule,
       lambda shape, mean, stddev, dtype, seed, rng: mean + stddev * jax.random.normal(
           jax.random.PRNGKey(seed) if seed is not None else rng, shape, dtype),
       attrs=dict(shape=(), mean=0.0, stddev=1.0, dtype="float32", seed=None), inputs=0, random=True, foldable=False)
def_op("random_normal_like", unary_rule,
       lambda x, mean, stddev, rng: mean + stddev * jax.random.normal(rng, x.shape, x.dtype),
       attrs=dict(mean=0.0, stddev=1.0), random=True, foldable=False)
def_op("random_uniform_like", unary_rule,
       lambda x, minval, maxval, rng: jax.random.uniform(rng, x.shape, x.dtype, minval, maxval),
       attrs=dict(minval=0.0, maxval=1.0), random=True, foldable=False)
