"""Benchmark of the graph passes: node counts, first-call time (trace + XLA compile) and predict throughput
with the inference pipeline (and variants with the off-by-default fusions enabled) vs passes disabled, on a
Conv-BN-ReLU CNN and an MLP, in one run (ratios per repetition, medians); then graph build + pipeline
time at 1k/5k/10k ops (it should grow linearly). Prints markdown tables (benchmarks/RESULTS.md).
Run: python benchmarks/passes_bench.py [--quick]"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import symk
from symk import layers as L
from symk.ops.registry import apply
from symk.passes import Subject, run_pipeline
from symk.variables import Variable


def cnn():
    x = symk.Input(shape=(32, 32, 3))
    h = x
    for filters in (16, 32, 32):
        h = L.Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = L.BatchNormalization()(h)
        h = L.Activation("relu")(h)
    h = L.Dropout(0.3)(h)
    h = L.Flatten()(h)
    return symk.Model(x, L.Dense(10, activation="softmax")(h)), (32, 32, 3)


def mlp():
    x = symk.Input(shape=(256,))
    h = x
    for _ in range(3):
        h = L.Dropout(0.2)(L.Dense(256, activation="relu")(h))
    return symk.Model(x, L.Dense(10, activation="softmax")(h)), (256,)


def randomize(model, rng):
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if "variance" in w.path
                       else (rng.normal(size=w.shape) * 0.1).astype("float32") for w in model._ordered_weights()])


SETTINGS = {  # name -> compile(optimize=...) setting; every ratio is against 'none' of the same repetition
    "none": "none",
    "default": "default",
    "default+fuse_linear": {"enable": ["fuse_linear"]},
    "default+fuse_elementwise": {"enable": ["fuse_elementwise"]},
}


def measure(model, data, setting, calls):
    """(first call seconds: trace + XLA compile + run, samples/s as the median of `calls` timed calls,
    node count of the graph that runs, the output)."""
    model._optimize = setting  # resets the cached programs: the first call traces and compiles again
    start = time.perf_counter()
    program = model._program(training=False)
    outs, _ = program.run(model._weight_values(program), {}, [data])
    outs[0].block_until_ready()
    first = time.perf_counter() - start
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        outs, _ = program.run(model._weight_values(program), {}, [data])
        outs[0].block_until_ready()
        times.append(time.perf_counter() - start)
    return first, len(data) / statistics.median(times), len(program.graph), np.asarray(outs[0])


def bench_models(repetitions, calls, batch):
    """Every setting once per repetition, in a rotated order (machine noise hits all alike); medians."""
    rng = np.random.default_rng(0)
    header = (f"| model | setting | nodes | first call (s) | first call vs none | predict (samples/s) "
              f"| predict vs none |")
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|")
    names = list(SETTINGS)
    for model_name, make in (("cnn-bn", cnn), ("mlp", mlp)):
        model, shape = make()
        randomize(model, rng)
        data = rng.normal(size=(batch,) + shape).astype("float32")
        runs = {name: [] for name in names}
        for rep in range(repetitions):
            order = names[rep % len(names):] + names[:rep % len(names)]
            for name in order:
                runs[name].append(measure(model, data, SETTINGS[name], calls))
        reference = runs["none"]
        for name in names:
            first = statistics.median(r[0] for r in runs[name])
            rate = statistics.median(r[1] for r in runs[name])
            first_ratio = statistics.median(n[0] / r[0] for r, n in zip(runs[name], reference))
            rate_ratio = statistics.median(r[1] / n[1] for r, n in zip(runs[name], reference))
            assert np.allclose(runs[name][0][3], reference[0][3], rtol=1e-4, atol=1e-5), \
                f"{name} changed the predictions of {model_name}"
            print(f"| {model_name} | {name} | {reference[0][2]} -> {runs[name][0][2]} | {first:.3f} | "
                  f"{first_ratio:.2f}x faster | {rate:,.0f} | {rate_ratio:.2f}x |")


def chain_graph(n_ops):
    """A long layered chain (matmul, bias, activation, BN-like scale, dropout, residual add) of ~n_ops ops."""
    graph = symk.graph.Graph()
    with symk.graph.graph_scope(graph):
        x = symk.backend.placeholder(shape=(None, 8))
        h = x
        rng = np.random.default_rng(0)
        while len(graph) < n_ops:
            w = Variable(rng.normal(size=(8, 8)).astype("float32") * 0.3, path="bench/w")
            b = Variable(np.zeros(8, "float32"), path="bench/b")
            z = apply("tanh", [apply("bias_add", [apply("matmul", [h, w]), b])])
            z = apply("dropout", [z * 1.0], rate=0.1)
            h = apply("training_select", [z + h, h + z])
    return graph, x, h


def bench_scaling(sizes):
    print("\n| ops | build (s) | pipeline (s) | nodes after | us per op |\n|---:|---:|---:|---:|---:|")
    for n in sizes:
        start = time.perf_counter()
        graph, x, out = chain_graph(n)
        built = time.perf_counter() - start
        start = time.perf_counter()
        optimized, _ = run_pipeline(Subject(graph, [x.node], [(out.node, 0)], "inference"), "default")
        piped = time.perf_counter() - start
        print(f"| {len(graph)} | {built:.2f} | {piped:.2f} | {len(optimized.graph)} | "
              f"{(built + piped) / len(graph) * 1e6:.0f} |")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    import jax

    print(f"device: {jax.devices()[0].device_kind} ({jax.default_backend()}), jax {jax.__version__}\n")
    bench_models(repetitions=3 if quick else 7, calls=10 if quick else 20, batch=256)
    bench_scaling([1000, 5000] if quick else [1000, 5000, 10000])
