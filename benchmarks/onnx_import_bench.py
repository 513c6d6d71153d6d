"""Predict throughput on ONNX models: symk (imported with symk.onnx.load_model, XLA) against onnxruntime (CPU),
on the light models shipped inside the onnx package, at batch 1 and 32.

    .venv/bin/python benchmarks/onnx_import_bench.py [--models resnet50,densenet121,inception_v1,squeezenet]
        [--batches 1,32] [--reps 5]

Both engines run the same ModelProto with the batch dimension fixed; each is warmed up once (compile) and
then timed over `reps` calls; the figure is images per second from the median call.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np

LIGHT = os.path.join(os.path.dirname(__import__("onnx").__file__), "backend", "test", "data", "light")


def with_batch(model, batch: int):
    import onnx

    m = onnx.ModelProto()
    m.CopyFrom(model)
    inits = {t.name for t in m.graph.initializer}
    for info in list(m.graph.input) + list(m.graph.output):
        if info.name not in inits and info.type.tensor_type.shape.dim:
            info.type.tensor_type.shape.dim[0].dim_value = batch
    # the light models reshape to a fixed batch of 1 before Gemm: let the batch through (-1)
    for node in m.graph.node:
        if node.op_type == "Reshape":
            for t in m.graph.initializer:
                if t.name == node.input[1]:
                    from onnx import numpy_helper

                    shape = numpy_helper.to_array(t).copy()
                    shape[0] = -1 if shape[0] == 1 else shape[0]
                    t.CopyFrom(numpy_helper.from_array(shape, t.name))
    return m


def timed(fn, reps: int) -> float:
    fn()  # warm-up (compile)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(name: str, batch: int, reps: int) -> tuple:
    import onnx
    import onnxruntime as ort

    import symk.onnx

    model = with_batch(onnx.load(os.path.join(LIGHT, f"light_{name}.onnx")), batch)
    inits = {t.name for t in model.graph.initializer}
    info = [i for i in model.graph.input if i.name not in inits][0]
    shape = [d.dim_value for d in info.type.tensor_type.shape.dim]
    x = np.random.default_rng(0).random(shape, np.float32)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ort_s = timed(lambda: sess.run(None, {info.name: x}), reps)
    symk_model = symk.onnx.load_model(model)
    program = symk_model._program(False)
    weights = symk_model._weight_values(program)
    symk_s = timed(lambda: [o.block_until_ready() for o in program.run(weights, {}, [x])[0]], reps)
    ours = np.asarray(program.run(weights, {}, [x])[0][0])
    agree = np.allclose(ours, sess.run(None, {info.name: x})[0], rtol=1e-3, atol=1e-6)
    return batch / symk_s, batch / ort_s, agree


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="resnet50,densenet121,inception_v1,squeezenet")
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print("| model | batch | symk (XLA) img/s | onnxruntime img/s | symk / ort | outputs agree |")
    print("|---|---|---|---|---|---|")
    for name in args.models.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            ours, theirs, agree = bench(name, batch, args.reps)
            print(f"| {name} | {batch} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f}x | {agree} |", flush=True)


if __name__ == "__main__":
    main()
