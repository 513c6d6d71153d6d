"""Replays the keras.ops calls that real Keras 3 answered (tests/references/keras3/ops/*.json, written by
tools/keras_refs/make_ops_refs.py) on symk, eagerly and through one compiled graph per family."""
from __future__ import annotations

import json
import pathlib

import jax
import numpy as np

import symk
from symk import backend as K

REFERENCE_DIR = pathlib.Path(__file__).parent / "references" / "keras3" / "ops"


def families() -> list[str]:
    return sorted(p.stem for p in REFERENCE_DIR.glob("*.json"))


def load(family: str):
    cases = json.loads((REFERENCE_DIR / f"{family}.json").read_text())["cases"]
    with np.load(REFERENCE_DIR / f"{family}.npz") as data:
        arrays = {k: data[k] for k in data.files}
    return cases, arrays


def symk_function(name: str):
    target = symk.ops
    for part in name.split("."):
        target = getattr(target, part)
    return target


def decode(spec, arrays, placeholders=None):
    """An argument: arrays as numpy (or as placeholders, recorded in `placeholders`)."""
    if "array" in spec:
        value = arrays[spec["array"]]
        if placeholders is None:
            return value
        tensor = K.placeholder(shape=value.shape, dtype=str(value.dtype))
        placeholders.append((tensor, value))
        return tensor
    if "tuple" in spec:
        return tuple(decode(v, arrays, placeholders) for v in spec["tuple"])
    if "list" in spec:
        return [decode(v, arrays, placeholders) for v in spec["list"]]
    return spec["value"]


def call(case, arrays, placeholders=None):
    fn = symk_function(case["fn"])
    args = [decode(a, arrays, placeholders) for a in case["args"]]
    kwargs = {k: decode(v, arrays, placeholders) for k, v in case["kwargs"].items()}
    return fn(*args, **kwargs)


def leaves(out) -> list:
    return jax.tree_util.tree_leaves(out)


def compare(case, got_leaves, arrays, where: str) -> list[str]:
    """Mismatches of one case's outputs against Keras's (values and dtypes)."""
    problems = []
    expected = [arrays[k] for k in case["outputs"]]
    if len(got_leaves) != len(expected):
        return [f"{case['id']} ({where}): {len(got_leaves)} outputs, Keras gives {len(expected)}"]
    for got, want in zip(got_leaves, expected):
        got_dtype = str(got.dtype) if hasattr(got, "dtype") else type(got).__name__
        got = np.asarray(got)
        if got.shape != want.shape:
            problems.append(f"{case['id']} ({where}): shape {got.shape}, Keras gives {want.shape}")
            continue
        if got_dtype != str(want.dtype) and not (want.ndim == 0 and np.asarray(got).dtype == want.dtype):
            problems.append(f"{case['id']} ({where}): dtype {got_dtype}, Keras gives {want.dtype}")
        try:
            if want.dtype.kind in "fc":
                np.testing.assert_allclose(got, want, rtol=case["rtol"], atol=case["atol"], equal_nan=True)
            else:
                np.testing.assert_array_equal(got, want)
        except AssertionError as err:
            problems.append(f"{case['id']} ({where}): values differ: {str(err).strip().splitlines()[-3:]}")
    return problems


def check_family(family: str) -> list[str]:
    cases, arrays = load(family)
    problems, graph_cases = [], []
    for case in cases:
        try:
            problems += compare(case, leaves(call(case, arrays)), arrays, "eager")
        except Exception as err:  # noqa: BLE001  (reported with the case id)
            problems.append(f"{case['id']} (eager): {type(err).__name__}: {err}")
        if not case["symbolic"]:
            continue
        placeholders = []
        try:
            graph_cases.append((case, placeholders, leaves(call(case, arrays, placeholders))))
        except Exception as err:  # noqa: BLE001
            problems.append(f"{case['id']} (graph building): {type(err).__name__}: {err}")
    if graph_cases:
        inputs = [t for _, ph, _ in graph_cases for t, _ in ph]
        values = [v for _, ph, _ in graph_cases for _, v in ph]
        outputs = [o for _, _, outs in graph_cases for o in outs]
        results = K.function(inputs, outputs)(values) if outputs else []
        position = 0
        for case, _, outs in graph_cases:
            problems += compare(case, results[position:position + len(outs)], arrays, "graph")
            position += len(outs)
    return problems
