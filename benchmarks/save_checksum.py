"""What the Fletcher-32 checksums on saved weights cost: model.save and load_model times, with and without.

    python benchmarks/save_checksum.py [--repeats 7]

The same models are saved with symk's writer as it is (every weight dataset carries HDF5's
Fletcher-32 filter, one chunk per weight) and with the filter switched off (plain contiguous
datasets, as before); each file is then loaded with load_model and with load_weights. Medians of
`--repeats` runs, in a rotated order; the file size is shown too.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings

import numpy as np

import symk
from symk.saving import legacy_h5


def plain_dataset(group, name, value):
    group.create_dataset(name, data=np.asarray(value))


def build(width: int, depth: int):
    layers = [symk.layers.Input((width,))] + [symk.layers.Dense(width, activation="relu") for _ in range(depth)]
    model = symk.Sequential(layers + [symk.layers.Dense(10)], name=f"mlp_{width}x{depth}")
    model.compile("adam", "mse")
    model.optimizer.build(model.trainable_variables, prefix=model.name + "_")  # slots saved too
    return model


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(model, directory: str, repeats: int) -> dict:
    paths = {"fletcher32": os.path.join(directory, "checked.h5"), "plain": os.path.join(directory, "plain.h5")}
    writers = {"fletcher32": legacy_h5.write_weight_dataset, "plain": plain_dataset}
    times = {(kind, what): [] for kind in paths for what in ("save", "load_model", "load_weights")}
    original = legacy_h5.write_weight_dataset
    kinds = list(paths)
    try:
        for r in range(repeats):
            for kind in kinds[r % 2:] + kinds[:r % 2]:
                legacy_h5.write_weight_dataset = writers[kind]
                times[kind, "save"].append(_timed(lambda: model.save(paths[kind])))
                legacy_h5.write_weight_dataset = original
                times[kind, "load_model"].append(_timed(lambda: symk.models.load_model(paths[kind])))
                times[kind, "load_weights"].append(_timed(lambda: model.load_weights(paths[kind])))
    finally:
        legacy_h5.write_weight_dataset = original
    result = {key: statistics.median(values) for key, values in times.items()}
    result.update({(kind, "bytes"): os.path.getsize(path) for kind, path in paths.items()})
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print("| model | parameters | file (plain -> checked) | save (s) plain / checked | load_model (s) plain / checked "
          "| load_weights (s) plain / checked |")
    print("|---|---:|---:|---:|---:|---:|")
    for width, depth in ((32, 2), (512, 4), (2048, 4)):
        model = build(width, depth)
        with tempfile.TemporaryDirectory() as directory:
            r = measure(model, directory, args.repeats)
        params = sum(int(np.prod(w.shape)) for w in model.get_weights())
        cells = [f"{r['plain', w]:.4f} / {r['fletcher32', w]:.4f} ({r['fletcher32', w] / r['plain', w]:.2f}x)"
                 for w in ("save", "load_model", "load_weights")]
        sizes = f"{r['plain', 'bytes'] / 1e6:.2f} MB -> {r['fletcher32', 'bytes'] / 1e6:.2f} MB"
        print(f"| {model.name} | {params:,} | {sizes} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
