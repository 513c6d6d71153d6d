"""Predict throughput of symk (XLA, jitted predict_on_batch) against ONNX Runtime (CPU) on the same models
exported with model.export(format="onnx"), at batch 1 and 32.

    .venv/bin/python benchmarks/onnx_vs_symk.py [--repeats 50]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import onnxruntime as ort

import symk
from symk import layers as L


def cnn():
    return symk.Sequential([L.Input(shape=(32, 32, 3)), L.Conv2D(32, 3, padding="same", activation="relu"),
                            L.BatchNormalization(), L.MaxPooling2D(2), L.Conv2D(64, 3, padding="same", activation="relu"),
                            L.MaxPooling2D(2), L.Conv2D(128, 3, activation="relu"), L.GlobalAveragePooling2D(),
                            L.Dense(10, activation="softmax")], name="cnn")


def mlp():
    return symk.Sequential([L.Input(shape=(784,)), L.Dense(512, activation="relu"), L.Dense(512, activation="relu"),
                            L.Dense(10, activation="softmax")], name="mlp")


def lstm():
    return symk.Sequential([L.Input(shape=(40, 16)), L.LSTM(64, return_sequences=True), L.GRU(64), L.Dense(5)],
                           name="lstm")


def _time(fn, repeats: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    print("| model | batch | symk (XLA) samples/s | ONNX Runtime samples/s | max abs diff |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for build in (mlp, cnn, lstm):
            model = build()
            path = os.path.join(tmp, model.name + ".onnx")
            model.export(path, format="onnx")
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            name = session.get_inputs()[0].name
            for batch in (1, 32):
                x = np.random.default_rng(0).normal(size=(batch,) + tuple(model.input_shape[1:])).astype(np.float32)
                symk_s = _time(lambda: model.predict_on_batch(x), args.repeats)
                ort_s = _time(lambda: session.run(None, {name: x}), args.repeats)
                diff = float(np.max(np.abs(model.predict_on_batch(x) - session.run(None, {name: x})[0])))
                print(f"| {model.name} | {batch} | {batch / symk_s:,.0f} | {batch / ort_s:,.0f} | {diff:.1e} |")


if __name__ == "__main__":
    main()
