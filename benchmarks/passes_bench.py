"""Benchmark of the graph passes: node counts, predict throughput and first-call compile time with the
inference pipeline vs passes disabled, on a Conv-BN-ReLU CNN and an MLP; then graph build + pipeline
time at 1k/5k/10k ops (it should grow linearly). Run: python benchmarks/passes_bench.py [--quick]"""
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


def measure(model, data, setting, repeats):
    model._optimize = setting  # resets the cached programs: the first call traces and compiles again
    start = time.perf_counter()
    program = model._program(training=False)
    outs, _ = program.run(model._weight_values(program), {}, [data])
    outs[0].block_until_ready()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        outs, _ = program.run(model._weight_values(program), {}, [data])
        outs[0].block_until_ready()
        times.append(time.perf_counter() - start)
    return first, len(data) / statistics.median(times), len(program.graph), np.asarray(outs[0])


def bench_models(repeats):
    rng = np.random.default_rng(0)
    print(f"{'model':6} {'nodes none->opt':>16} {'first call none/opt (s)':>24} {'predict samples/s none/opt':>28} "
          f"{'speedup':>8}")
    for name, make in (("cnn", cnn), ("mlp", mlp)):
        model, shape = make()
        randomize(model, rng)
        data = rng.normal(size=(64,) + shape).astype("float32")
        rows = {}
        # alternate the two settings and keep each one's best, so machine noise hits both alike
        for _ in range(3):
            for setting in ("none", "default"):
                first, rate, nodes, out = measure(model, data, setting, repeats)
                best = rows.get(setting)
                rows[setting] = (min(first, best[0]) if best else first, max(rate, best[1]) if best else rate, nodes,
                                 out)
        (f0, r0, n0, o0), (f1, r1, n1, o1) = rows["none"], rows["default"]
        assert np.allclose(o0, o1, rtol=1e-4, atol=1e-5), "the pipeline changed the predictions"
        print(f"{name:6} {f'{n0} -> {n1}':>16} {f'{f0:.3f} / {f1:.3f}':>24} {f'{r0:,.0f} / {r1:,.0f}':>28} "
              f"{r1 / r0:>7.2f}x")


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
    print(f"\n{'ops':>6} {'build (s)':>10} {'pipeline (s)':>13} {'nodes after':>12} {'us/op':>7}")
    for n in sizes:
        start = time.perf_counter()
        graph, x, out = chain_graph(n)
        built = time.perf_counter() - start
        start = time.perf_counter()
        optimized, _ = run_pipeline(Subject(graph, [x.node], [(out.node, 0)], "inference"), "default")
        piped = time.perf_counter() - start
        print(f"{len(graph):>6} {built:>10.2f} {piped:>13.2f} {len(optimized.graph):>12} "
              f"{(built + piped) / len(graph) * 1e6:>7.0f}")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    bench_models(repeats=10 if quick else 30)
    bench_scaling([1000, 5000] if quick else [1000, 5000, 10000])
