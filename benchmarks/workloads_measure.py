"""One benchmark process: build one workload in one system (symk, symk with steps_per_execution,
hand-written jax.jit + optax, or Keras 3), time it and print one JSON line. harness.py starts
these processes (the Keras ones with the Keras venv's Python) and prints the table.

    python benchmarks/workloads_measure.py mlp symk [--quick] [--repeats=5]
"""
from __future__ import annotations

import json
import logging
import re
import resource
import statistics
import sys
import time

import numpy as np

from workloads import WORKLOADS

TRAIN_STEP = re.compile(r"train", re.I)   # the jitted train step's name in every system contains 'train'


class CompileLog(logging.Handler):
    """The names of the XLA compilations jax logs (pxla logs 'Compiling <name> ...' once per compile)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.names: list[str] = []
        logger = logging.getLogger("jax._src.interpreters.pxla")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        logger.propagate = False

    def emit(self, record):
        if record.msg.startswith("Compiling "):
            self.names.append(str(record.args[0]) if record.args else record.getMessage().split()[1])


# -- the systems: each returns (first_epoch(), epoch(), predict(x)) closures ----------------------
def symk_system(work, x, y, steps_per_execution=1):
    import symk

    model = work.build(symk)
    loss = "categorical_crossentropy" if work.loss == "categorical" else "binary_crossentropy"
    model.compile(optimizer=symk.optimizers.Adam(1e-3), loss=loss, steps_per_execution=steps_per_execution)
    fit = lambda: model.fit(x, y, batch_size=work.batch, epochs=1, shuffle=False, verbose=0)  # noqa: E731
    return fit, fit, lambda xp: model.predict(xp, batch_size=work.batch, verbose=0)


def keras_system(work, x, y):
    import keras

    model = work.build(keras)
    loss = "categorical_crossentropy" if work.loss == "categorical" else "binary_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    fit = lambda: model.fit(x, y, batch_size=work.batch, epochs=1, shuffle=False, verbose=0)  # noqa: E731
    return fit, fit, lambda xp: model.predict(xp, batch_size=work.batch, verbose=0)


def jax_system(work, x, y):
    import jax
    import jax.numpy as jnp
    import optax

    from workloads_jax import MODELS

    init, apply = MODELS[work.name]
    batch, n_batches = work.batch, len(x) // work.batch

    def loss_of(logits, yb):
        if work.loss == "categorical":
            return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits), -1))
        return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, yb))

    tx = optax.adam(1e-3, eps=1e-7)

    @jax.jit
    def train_step(carry, x_all, y_all, i):
        params, state, opt, key = carry
        key, sub = jax.random.split(key)
        xb = jax.lax.dynamic_slice_in_dim(x_all, i * batch, batch)
        yb = jax.lax.dynamic_slice_in_dim(y_all, i * batch, batch)

        def loss_fn(p):
            logits, new_state = apply(p, state, xb, sub, True)
            return loss_of(logits, yb), new_state

        (_, new_state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt = tx.update(grads, opt, params)
        return optax.apply_updates(params, updates), new_state, opt, key

    train_step = jax.jit(train_step.__wrapped__, donate_argnums=(0,))
    box = {}

    def first_epoch():
        params, state = init(np.random.default_rng(0))
        box["carry"] = (params, state, tx.init(params), jax.random.PRNGKey(0))
        box["x"], box["y"] = jax.device_put(x), jax.device_put(y)
        epoch()

    def epoch():
        carry = box["carry"]
        for i in range(n_batches):
            carry = train_step(carry, box["x"], box["y"], i)
        box["carry"] = jax.block_until_ready(carry)

    @jax.jit
    def predict_step(params, state, xb):
        logits, _ = apply(params, state, xb, jax.random.PRNGKey(0), False)
        return jax.nn.softmax(logits) if work.loss == "categorical" else jax.nn.sigmoid(logits)

    def predict(xp):  # fair: fixed batch (last one padded), every result copied to the host
        params, state = box["carry"][0], box["carry"][1]
        chunks = []
        for start in range(0, len(xp), batch):
            xb = xp[start:start + batch]
            size = len(xb)
            if size < batch:
                xb = np.concatenate([xb, np.zeros((batch - size,) + xb.shape[1:], xb.dtype)])
            chunks.append(np.asarray(predict_step(params, state, xb))[:size])
        return np.concatenate(chunks)

    return first_epoch, epoch, predict


SYSTEMS = {"symk": symk_system, "symk_spe": lambda w, x, y: symk_system(w, x, y, steps_per_execution=10),
           "symk_auto": lambda w, x, y: symk_system(w, x, y, steps_per_execution="auto"),
           "jax": jax_system, "keras": keras_system}


def measure(workload: str, system: str, quick: bool, repeats: int) -> dict:
    work = WORKLOADS[workload]
    x, y = work.data(quick)
    xp, _ = work.data(quick, predict=True)
    __import__({"keras": "keras", "jax": "optax"}.get(system, "symk"))  # imports are not the first epoch's
    log = CompileLog()
    start = time.perf_counter()
    first_epoch, epoch, predict = SYSTEMS[system](work, x, y)
    first_epoch()
    first = time.perf_counter() - start
    names = list(log.names)
    before_train = next((i for i, name in enumerate(names) if TRAIN_STEP.search(name)), len(names))
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        epoch()
        rates.append(len(x) / (time.perf_counter() - start))
    train_compiles = len(log.names) - len(names)
    predict(xp)  # warm-up at the timed batch size
    predict_rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = predict(xp)
        predict_rates.append(len(xp) / (time.perf_counter() - start))
    assert len(out) == len(xp), f"predict returned {len(out)} rows for {len(xp)} samples"
    return {"workload": workload, "system": system, "train_samples_s": statistics.median(rates),
            "first_epoch_s": first, "predict_samples_s": statistics.median(predict_rates),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "compiles_before_train": before_train, "compiles_first_epoch": len(names),
            "compiles_later_epochs": train_compiles, "compiled_before_train": names[:before_train],
            "samples": len(x)}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    given = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--repeats=")]
    repeats = int(given[0]) if given else (2 if quick else 5)
    try:
        result = measure(args[0], args[1], quick, repeats)
    except NotImplementedError as err:
        result = {"workload": args[0], "system": args[1], "skipped": str(err)}
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
