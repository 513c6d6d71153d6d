"""Steps per second of model.fit against a hand-written jax.jit + optax loop, same MLP, same data.

    python benchmarks/train_step.py [--steps 2000] [--batch 128] [--steps-per-execution 8]

Both sides run Adam on a 784-256-256-10 MLP with softmax cross-entropy; the hand-written loop
is the floor the trainer aims for (its per-step host work is one dispatch). The fit side also
runs with compile(steps_per_execution=N): N steps per dispatch (a lax.scan) instead of one.
"""
from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

import symk
from symk.layers import Dense
from symk.models import Sequential


def hand_written(x, y, weights, batch, steps):
    params = [jnp.asarray(w) for w in weights]
    tx = optax.adam(1e-3, eps=1e-7)
    opt_state = tx.init(params)

    def loss_fn(p, xb, yb):
        h = jax.nn.relu(xb @ p[0] + p[1])
        h = jax.nn.relu(h @ p[2] + p[3])
        logits = h @ p[4] + p[5]
        return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits), axis=-1))

    @jax.jit
    def step(p, s, xb, yb):
        grads = jax.grad(loss_fn)(p, xb, yb)
        updates, s = tx.update(grads, s, p)
        return optax.apply_updates(p, updates), s

    xd, yd = jnp.asarray(x), jnp.asarray(y)
    n_batches = len(x) // batch
    batches = [(xd[i * batch:(i + 1) * batch], yd[i * batch:(i + 1) * batch]) for i in range(n_batches)]
    params, opt_state = step(params, opt_state, *batches[0])  # compile
    jax.block_until_ready(params)
    start = time.perf_counter()
    for i in range(steps):
        params, opt_state = step(params, opt_state, *batches[i % n_batches])
    jax.block_until_ready(params)
    return steps / (time.perf_counter() - start)


def with_fit(x, y, weights, batch, steps, steps_per_execution=1):
    model = Sequential([Dense(256, activation="relu", input_shape=(x.shape[1],)), Dense(256, activation="relu"),
                        Dense(10)])
    model.set_weights(weights)
    model.compile(optimizer=symk.optimizers.Adam(1e-3), loss=symk.losses.CategoricalCrossentropy(from_logits=True),
                  steps_per_execution=steps_per_execution)
    model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)  # compile
    epochs = max(1, steps // (len(x) // batch))
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    rate = epochs * (len(x) // batch) / (time.perf_counter() - start)
    if steps_per_execution == "auto":
        return rate, model._steps_tuner.chosen
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps-per-execution", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.batch * 50
    x = rng.normal(size=(n, 784)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    shapes = [(784, 256), (256,), (256, 256), (256,), (256, 10), (10,)]
    weights = [rng.normal(scale=0.05, size=s).astype("float32") for s in shapes]
    fit_rate = with_fit(x, y, weights, args.batch, args.steps)
    many_rate = with_fit(x, y, weights, args.batch, args.steps, args.steps_per_execution)
    auto_rate, auto_choice = with_fit(x, y, weights, args.batch, args.steps, "auto")
    jax_rate = hand_written(x, y, weights, args.batch, args.steps)
    n = args.steps_per_execution
    print(f"device: {jax.devices()[0]}")
    print(f"model.fit:                          {fit_rate:9.1f} steps/s")
    print(f"model.fit, steps_per_execution={n:<3d}: {many_rate:9.1f} steps/s")
    print(f"model.fit, steps_per_execution=auto: {auto_rate:8.1f} steps/s (chose {auto_choice})")
    print(f"jax.jit + optax loop:               {jax_rate:9.1f} steps/s")
    print(f"ratio fit / hand-written: {fit_rate / jax_rate:.2f}")
    print(f"ratio steps_per_execution={n} / 1: {many_rate / fit_rate:.2f}")
    print(f"ratio steps_per_execution=auto / 1: {auto_rate / fit_rate:.2f}")


if __name__ == "__main__":
    main()
