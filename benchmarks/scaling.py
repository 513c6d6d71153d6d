"""Samples per second of model.fit under DataParallel on 1, 2, 4, 8 devices, for an MLP and a small CNN.

    python benchmarks/scaling.py [--devices 1,2,4,8] [--steps 30] [--json out.json]

On a CPU-only machine each device count runs in a child process with XLA forced to expose that many
host devices (XLA_FLAGS=--xla_force_host_platform_device_count=N must precede jax's start); those
"devices" share the machine's cores, so the figures measure what partitioning costs, not a speed-up.
On a GPU machine the same command runs in one process over the first N GPUs (counts above the number
of GPUs are skipped). The global batch stays fixed (weak scaling would change the numerics): every
count trains the same model on the same batches.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

WORKLOADS = {"mlp": 256, "cnn": 128}  # global batch per workload


def build(kind: str):
    import symk as keras

    keras.utils.set_random_seed(0)
    layers = keras.layers
    if kind == "mlp":
        model = keras.Sequential([layers.Dense(256, activation="relu", input_shape=(784,)),
                                  layers.Dense(256, activation="relu"), layers.Dense(10, activation="softmax")])
        shape = (784,)
    else:
        model = keras.Sequential([layers.Conv2D(16, 3, activation="relu", input_shape=(28, 28, 1)),
                                  layers.MaxPooling2D(), layers.Conv2D(32, 3, activation="relu"),
                                  layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10, activation="softmax")])
        shape = (28, 28, 1)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model, shape


def measure(kind: str, devices: list, steps: int) -> float:
    """Samples/s of fit over `steps` batches (after one epoch that compiles)."""
    import numpy as np

    import symk as keras

    batch = WORKLOADS[kind]
    model, shape = build(kind)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch * steps,) + shape).astype("float32")
    y = rng.integers(0, 10, size=(batch * steps,)).astype("int32")
    distribution = keras.distribution.DataParallel(devices=devices) if len(devices) > 1 else None
    with keras.distribution.set_distribution(distribution):
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # compiles
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        import jax

        jax.block_until_ready(model.layers[0].kernel.value)
        seconds = time.perf_counter() - start
    return batch * steps / seconds


def child(count: int, steps: int) -> None:
    """In a process with `count` forced host devices: one JSON line of samples/s per workload."""
    import symk as keras

    devices = keras.distribution.list_devices()[:count]
    print(json.dumps({kind: measure(kind, devices, steps) for kind in WORKLOADS}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", default="1,2,4,8")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--json", default=None)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.steps)
        return
    counts = [int(c) for c in args.devices.split(",")]
    import jax

    platform = jax.default_backend()
    rows = {}
    if platform == "cpu":
        for count in counts:
            env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={count}", JAX_PLATFORMS="cpu")
            out = subprocess.run([sys.executable, __file__, "--child", str(count), "--steps", str(args.steps)],
                                 env=env, capture_output=True, text=True, check=True)
            rows[count] = json.loads(out.stdout.strip().splitlines()[-1])
    else:
        import symk as keras

        available = keras.distribution.list_devices()
        for count in counts:
            if count <= len(available):
                rows[count] = {kind: measure(kind, available[:count], args.steps) for kind in WORKLOADS}
    device = f"{platform} ({os.cpu_count()} cores)" if platform == "cpu" else jax.devices()[0].device_kind
    print(f"DataParallel fit on {device}, samples/s (global batch: mlp {WORKLOADS['mlp']}, cnn {WORKLOADS['cnn']})")
    print("| devices | MLP samples/s | CNN samples/s |\n|---:|---:|---:|")
    for count, row in rows.items():
        print(f"| {count} | {row['mlp']:,.0f} | {row['cnn']:,.0f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"platform": platform, "device": device, "rows": rows}, f)


if __name__ == "__main__":
    main()
