"""Benchmark of symk.applications, one architecture per family: graph build, the inference pass pipeline
(nodes before -> after, batch norms folded), first predict call (program build + trace + XLA compile + run)
and steady predict time, with the pipeline ('default') and without it ('none'). Prints a markdown table
(benchmarks/RESULTS.md). Run: python benchmarks/apps_bench.py [--size 96] [--batch 8] [--only ResNet50,...]"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import symk
from symk import applications
from symk.backend import clear_session

FAMILIES = ["VGG16", "ResNet50", "ResNet50V2", "MobileNet", "MobileNetV2", "MobileNetV3Small", "DenseNet121",
            "InceptionV3", "InceptionResNetV2", "Xception", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny",
            "NASNetMobile"]


def _predict_times(model, x, repeats):
    start = time.perf_counter()
    model.predict(x, verbose=0)
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(x, verbose=0)
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def measure(name, size, batch, repeats):
    clear_session()
    start = time.perf_counter()
    try:
        model = getattr(applications, name)(weights=None, include_top=True, input_shape=(size, size, 3))
    except (NotImplementedError, AttributeError) as error:
        return {"name": name, "skipped": f"{type(error).__name__}: {error}"}
    build = time.perf_counter() - start
    start = time.perf_counter()
    report = model.optimize(mode="inference")
    passes = time.perf_counter() - start
    batch_norms = sum(type(layer).__name__ == "BatchNormalization" for layer in model.layers)
    x = np.random.RandomState(0).uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    row = {"name": name, "layers": len(model.layers), "build": build, "passes": passes,
           "nodes": f"{report.nodes_before} -> {report.nodes_after}",
           "bn": f"{len(report.changes('bn_folded'))}/{batch_norms}"}
    for setting in ("none", "default"):
        model.compile(optimize=setting)
        row[f"first_{setting}"], row[f"predict_{setting}"] = _predict_times(model, x, repeats)
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default=",".join(FAMILIES))
    args = parser.parse_args()
    import jax

    print(f"jax {jax.__version__}, devices: {jax.devices()}; input {args.size}x{args.size}, batch {args.batch}")
    print("| model | layers | build (s) | passes (s) | nodes | BN folded | first call none / default (s) "
          "| predict none / default (ms) | default vs none |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for name in args.only.split(","):
        row = measure(name, args.size, args.batch, args.repeats)
        if "skipped" in row:
            print(f"| {name} | skipped: {row['skipped'][:60]} |||||||")
            continue
        print(f"| {name} | {row['layers']} | {row['build']:.2f} | {row['passes']:.2f} | {row['nodes']} | {row['bn']} "
              f"| {row['first_none']:.1f} / {row['first_default']:.1f} "
              f"| {1e3 * row['predict_none']:.1f} / {1e3 * row['predict_default']:.1f} "
              f"| {row['predict_none'] / row['predict_default']:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
