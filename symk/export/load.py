"""Load a StableHLO artifact written by symk.export (format="stablehlo") with jax and numpy alone.

This file imports nothing else of symk, so an artifact runs where symk's graph code is absent:

    fn = symk.export.load("model_artifact"); y = fn(x)
    # or by hand: jax.export.deserialize(open(".../model.jax_export", "rb").read()).call(weights, x)
"""
from __future__ import annotations

import json
import os

import numpy as np

EXPORTED_FILE = "model.jax_export"   # jax.export's serialized Exported (StableHLO + calling convention)
WEIGHTS_FILE = "weights.npz"         # the weights, in the exported function's argument order: w0, w1, ...
META_FILE = "signature.json"         # input and output names, shapes, dtypes


class LoadedModel:
    """A deserialized artifact: call it on input arrays (one per model input, any batch size)."""

    def __init__(self, exported, weights: list, signature: dict):
        self.exported, self.weights, self.signature = exported, weights, signature

    @property
    def input_names(self) -> list:
        return [i["name"] for i in self.signature["inputs"]]

    @property
    def output_names(self) -> list:
        return [o["name"] for o in self.signature["outputs"]]

    def __call__(self, *inputs):
        if len(inputs) == 1 and isinstance(inputs[0], dict):
            inputs = tuple(inputs[0][n] for n in self.input_names)
        if len(inputs) != len(self.input_names):
            raise ValueError(f"this artifact takes {len(self.input_names)} input(s) {self.input_names}, "
                             f"got {len(inputs)}")
        arrays = [np.asarray(x, dtype=spec["dtype"]) for x, spec in zip(inputs, self.signature["inputs"])]
        outputs = self.exported.call(self.weights, *arrays)
        return outputs[0] if self.signature.get("single_output") else list(outputs)


def load(path: str) -> LoadedModel:
    """Read an artifact folder (model.jax_export, weights.npz, signature.json)."""
    import jax

    with open(os.path.join(path, EXPORTED_FILE), "rb") as f:
        exported = jax.export.deserialize(bytearray(f.read()))
    with np.load(os.path.join(path, WEIGHTS_FILE)) as data:
        weights = [data[f"w{i}"] for i in range(len(data.files))]
    with open(os.path.join(path, META_FILE)) as f:
        signature = json.load(f)
    return LoadedModel(exported, weights, signature)
