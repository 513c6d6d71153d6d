"""optax gradient transformations for the update rules optax has no exact transform for.

Keras places epsilon outside the bias-corrected square root (Adam, AdamW, Adamax) and
uses Dozat's momentum schedule for Nadam; optax's `adam`/`nadam` place epsilon inside the
corrected term, which differs by up to ~1e-4 relative in the first steps. These are built
from optax's own moment helpers (`optax.tree`), and take the step count from the caller
(the optimizer's `iteration`), so no count lives in the optax state.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax


class KerasAdamState(NamedTuple):
    momentum: dict
    velocity: dict
    velocity_hat: dict


def scale_by_keras_adam(step, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False) -> optax.GradientTransformation:
    """m/(sqrt(v)+eps) * sqrt(1-b2^t)/(1-b1^t) (Keras 3's Adam; the learning rate is applied after)."""

    def init(params):
        zeros = optax.tree.zeros_like(params)
        return KerasAdamState(zeros, optax.tree.zeros_like(params), optax.tree.zeros_like(params) if amsgrad else {})

    def update(grads, state, params=None):
        local_step = (step + 1).astype(jnp.float32)
        alpha = jnp.sqrt(1.0 - beta_2 ** local_step) / (1.0 - beta_1 ** local_step)
        momentum = optax.tree.update_moment(grads, state.momentum, beta_1, 1)
        velocity = optax.tree.update_moment_per_elem_norm(grads, state.velocity, beta_2, 2)
        velocity_hat = state.velocity_hat
        denominator_source = velocity
        if amsgrad:
            velocity_hat = jax.tree.map(jnp.maximum, state.velocity_hat, velocity)
            denominator_source = velocity_hat
        updates = jax.tree.map(lambda m, v: m * alpha / (jnp.sqrt(v) + epsilon), momentum, denominator_source)
        return updates, KerasAdamState(momentum, velocity, velocity_hat)

    return optax.GradientTransformation(init, update)


class KerasAdamaxState(NamedTuple):
    momentum: dict
    norm: dict


def scale_by_keras_adamax(step, beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> optax.GradientTransformation:
    """m / ((1-b1^t) (u + eps)), u = max(b2 u, |g|) (Keras's Adamax: eps outside the max)."""

    def init(params):
        return KerasAdamaxState(optax.tree.zeros_like(params), optax.tree.zeros_like(params))

    def update(grads, state, params=None):
        local_step = (step + 1).astype(jnp.float32)
        momentum = optax.tree.update_moment(grads, state.momentum, beta_1, 1)
        norm = optax.tree.update_infinity_moment(grads, state.norm, beta_2, 0.0)
        correction = 1.0 - beta_1 ** local_step
        updates = jax.tree.map(lambda m, u: m / (correction * (u + epsilon)), momentum, norm)
        return updates, KerasAdamaxState(momentum, norm)

    return optax.GradientTransformation(init, update)


class KerasNadamState(NamedTuple):
    momentum: dict
    velocity: dict
    u_product: jax.Array


def scale_by_keras_nadam(step, beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> optax.GradientTransformation:
    """Keras 3's Nadam (Dozat's momentum schedule mu_t = b1 (1 - 0.5 * 0.96^t))."""

    def init(params):
        return KerasNadamState(optax.tree.zeros_like(params), optax.tree.zeros_like(params),
                               jnp.ones((), jnp.float32))

    def update(grads, state, params=None):
        local_step = (step + 1).astype(jnp.float32)
        u_t = beta_1 * (1.0 - 0.5 * 0.96 ** local_step)
        u_t_1 = beta_1 * (1.0 - 0.5 * 0.96 ** (local_step + 1.0))
        u_product_t = state.u_product * u_t
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = beta_2 ** local_step
        momentum = optax.tree.update_moment(grads, state.momentum, beta_1, 1)
        velocity = optax.tree.update_moment_per_elem_norm(grads, state.velocity, beta_2, 2)

        def direction(g, m, v):
            m_hat = u_t_1 * m / (1.0 - u_product_t_1) + (1.0 - u_t) * g / (1.0 - u_product_t)
            return m_hat / (jnp.sqrt(v / (1.0 - beta_2_power)) + epsilon)

        updates = jax.tree.map(direction, grads, momentum, velocity)
        return updates, KerasNadamState(momentum, velocity, u_product_t)

    return optax.GradientTransformation(init, update)


def clip_each_by_norm(max_norm) -> optax.GradientTransformation:
    """Clip each gradient to L2 norm `max_norm` on its own (Keras's `clipnorm`; optax clips globally)."""

    def update(grads, state, params=None):
        def clip(g):
            norm = jnp.sqrt(jnp.sum(jnp.square(g)))
            return g * max_norm / jnp.maximum(norm, max_norm)

        return jax.tree.map(clip, grads), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


class FtrlState(NamedTuple):
    accumulator: dict
    linear: dict


def keras_ftrl(learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1, l1=0.0, l2=0.0,
               l2_shrinkage=0.0, beta=0.0) -> optax.GradientTransformation:
    """Keras's FTRL-Proximal (McMahan et al. 2013); optax has none. The rule sets each weight to
    (clip(linear, -l1, l1) - linear) / quadratic, so the update is that value minus the weight."""

    def init(params):
        return FtrlState(jax.tree.map(lambda p: jnp.full_like(p, initial_accumulator_value), params),
                         optax.tree.zeros_like(params))

    def update(grads, state, params):
        lr = jnp.asarray(learning_rate, jnp.float32)
        l2_total = l2 + beta / (2.0 * lr)

        def one(g, w, accum, linear):
            new_accum = accum + jnp.square(g)
            shrunk_grad = g + 2.0 * l2_shrinkage * w
            linear = linear + shrunk_grad - (new_accum ** -learning_rate_power - accum ** -learning_rate_power) / lr * w
            quadratic = new_accum ** -learning_rate_power / lr + 2.0 * l2_total
            new_w = (jnp.clip(linear, -l1, l1) - linear) / quadratic
            return new_w - w, new_accum, linear

        out = jax.tree.map(one, grads, params, state.accumulator, state.linear)
        is_triple = lambda x: isinstance(x, tuple)  # noqa: E731
        pick = lambda i: jax.tree.map(lambda t: t[i], out, is_leaf=is_triple)  # noqa: E731
        return pick(0), FtrlState(pick(1), pick(2))

    return optax.GradientTransformation(init, update)
