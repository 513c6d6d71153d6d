"""optax gradient transformations for Keras 3's Lion, Lamb, Adafactor and Muon update rules.

optax has transforms of these names, but each differs from Keras in a detail that changes the
numbers (Lamb's and Adafactor's epsilons and step sizes, Muon's orthogonalisation scaling and
its AdamW fallback) or in the state it keeps (a step count Keras does not have). These take the
step count from the caller and name their state fields as Keras names the slots. Each works on
the trainer's flat {path: array} dicts; the learning rate is part of each update, as in Keras.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import jax.numpy as jnp
import optax


class MomentumState(NamedTuple):
    momentum: dict


def keras_lion(learning_rate, beta_1=0.9, beta_2=0.99) -> optax.GradientTransformation:
    """w -= lr sign(b1 m + (1 - b1) g), then m = b2 m + (1 - b2) g."""

    def init(params):
        return MomentumState(optax.tree.zeros_like(params))

    def update(grads, state, params=None):
        updates = {p: -learning_rate * jnp.sign(state.momentum[p] * beta_1 + g * (1.0 - beta_1))
                   for p, g in grads.items()}
        momentum = {p: m * beta_2 + grads[p] * (1.0 - beta_2) for p, m in state.momentum.items()}
        return updates, MomentumState(momentum)

    return optax.GradientTransformation(init, update)


class MomentsState(NamedTuple):
    momentum: dict
    velocity: dict


def keras_lamb(step, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> optax.GradientTransformation:
    """Adam's bias-corrected direction, scaled per weight by ||w|| / ||direction|| (1 when either is 0)."""

    def init(params):
        return MomentsState(optax.tree.zeros_like(params), optax.tree.zeros_like(params))

    def update(grads, state, params):
        t = (step + 1).astype(jnp.float32)
        updates, momentum, velocity = {}, {}, {}
        for path, g in grads.items():
            m = state.momentum[path] + (g - state.momentum[path]) * (1.0 - beta_1)
            v = state.velocity[path] + (jnp.square(g) - state.velocity[path]) * (1.0 - beta_2)
            direction = (m / (1.0 - beta_1 ** t)) / (jnp.sqrt(v / (1.0 - beta_2 ** t)) + epsilon)
            w_norm = jnp.sqrt(jnp.sum(jnp.square(params[path])))
            d_norm = jnp.sqrt(jnp.sum(jnp.square(direction)))
            ratio = jnp.where(w_norm > 0, jnp.where(d_norm > 0, w_norm / jnp.where(d_norm > 0, d_norm, 1.0), 1.0),
                              1.0)
            updates[path], momentum[path], velocity[path] = -(ratio * learning_rate * direction), m, v
        return updates, MomentsState(momentum, velocity)

    return optax.GradientTransformation(init, update)


class AdafactorState(NamedTuple):
    r: dict
    c: dict
    velocity: dict


def _rms(x):
    return jnp.sqrt(jnp.mean(jnp.square(x)))


def keras_adafactor(step, learning_rate, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                    relative_step=True) -> optax.GradientTransformation:
    """Keras's Adafactor: factored second moments (row means r, column means c) for weights of
    rank >= 2, a full second moment otherwise; step size max(eps2, rms(w)) min(lr, 1/sqrt(t));
    updates clipped to rms <= clip_threshold. Rank < 2 weights keep scalar (unused) r and c, as in Keras."""

    def init(params):
        # Keras's r and c of a rank < 2 weight are int32 scalar zeros
        r = {p: jnp.zeros(w.shape[:-1], w.dtype) if w.ndim >= 2 else jnp.zeros((), jnp.int32)
             for p, w in params.items()}
        c = {p: jnp.zeros(w.shape[:-2] + w.shape[-1:], w.dtype) if w.ndim >= 2 else jnp.zeros((), jnp.int32)
             for p, w in params.items()}
        return AdafactorState(r, c, optax.tree.zeros_like(params))

    def update(grads, state, params):
        t = (step + 1).astype(jnp.float32)
        lr = jnp.minimum(learning_rate, 1.0 / jnp.sqrt(t)) if relative_step else learning_rate
        rho = jnp.minimum(lr, 1.0 / jnp.sqrt(t))
        beta_2_t = 1.0 - jnp.power(t, beta_2_decay)
        updates, rows, cols, velocities = {}, {}, {}, {}
        for path, g in grads.items():
            w, r, c = params[path], state.r[path], state.c[path]
            squared = jnp.square(g) + epsilon_1
            if w.ndim >= 2:
                r = beta_2_t * r + (1.0 - beta_2_t) * jnp.mean(squared, axis=-1)
                c = beta_2_t * c + (1.0 - beta_2_t) * jnp.mean(squared, axis=-2)
                v = (r / jnp.mean(r, axis=-1, keepdims=True))[..., None] * c[..., None, :]
            else:
                v = beta_2_t * state.velocity[path] + (1.0 - beta_2_t) * squared
            u = g / jnp.sqrt(v)
            u = u / jnp.maximum(1.0, _rms(u) / clip_threshold)
            updates[path] = -(jnp.maximum(epsilon_2, _rms(w)) * rho) * u
            rows[path], cols[path], velocities[path] = r, c, v
        return updates, AdafactorState(rows, cols, velocities)

    return optax.GradientTransformation(init, update)


def newton_schulz(x, steps: int, a: float, b: float, c: float):
    """Keras's quintic Newton-Schulz iteration towards the nearest semi-orthogonal matrix
    (run on the wide orientation; the Frobenius norm scaled to about 1 first)."""
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = jnp.swapaxes(x, -1, -2)
    x = x / (jnp.sqrt(jnp.sum(jnp.square(x), axis=(-2, -1), keepdims=True)) + 1e-7)
    for _ in range(steps):
        gram = x @ jnp.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return jnp.swapaxes(x, -1, -2) if tall else x


def keras_muon(step, learning_rate, uses_adamw: Callable[[str, tuple], bool], adam_beta_1=0.9, adam_beta_2=0.999,
               epsilon=1e-7, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95,
               ns_steps=5, nesterov=True, rms_rate=0.2) -> optax.GradientTransformation:
    """Muon for 2-D weights (momentum, then Newton-Schulz orthogonalisation, scaled by
    sqrt(max(rows, cols)) * rms_rate); Keras's AdamW step for the others (`uses_adamw(path, shape)`)."""

    def init(params):
        velocity = {p: jnp.zeros_like(w) for p, w in params.items() if uses_adamw(p, w.shape)}
        return MomentsState(optax.tree.zeros_like(params), velocity)

    def update(grads, state, params=None):
        t = (step + 1).astype(jnp.float32)
        updates, momenta, velocities = {}, {}, {}
        for path, g in grads.items():
            m = state.momentum[path]
            if path in state.velocity:
                lr = learning_rate * adam_lr_ratio
                alpha = lr * jnp.sqrt(1.0 - adam_beta_2 ** t) / (1.0 - adam_beta_1 ** t)
                m = m + (g - m) * (1.0 - adam_beta_1)
                v = state.velocity[path] + (jnp.square(g) - state.velocity[path]) * (1.0 - adam_beta_2)
                updates[path], velocities[path] = -(m * alpha / (jnp.sqrt(v) + epsilon)), v
            else:
                m = m + (g + m * (momentum - 1.0))
                direction = newton_schulz(g + momentum * m if nesterov else m, ns_steps, muon_a, muon_b, muon_c)
                step_size = learning_rate * direction
                if rms_rate is not None:
                    step_size = step_size * jnp.sqrt(jnp.float32(max(g.shape[0], g.shape[1]))) * rms_rate
                updates[path] = -step_size
            momenta[path] = m
        return updates, MomentsState(momenta, velocities)

    return optax.GradientTransformation(init, update)
