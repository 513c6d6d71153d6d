"""Write tests/references/keras3/ops/<family>.{npz,json}: real Keras 3 (JAX) outputs for the calls in
tools/keras_refs/ops_cases/<family>.py. tests/test_ops_keras_reference.py replays each call on symk,
eagerly and through a graph, and compares values and dtypes.

    KERAS_BACKEND=jax python tools/keras_refs/make_ops_refs.py [family ...]
"""
import importlib.util
import json
import os
import pathlib
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parents[1] / "tests" / "references" / "keras3" / "ops"
sys.path.insert(0, str(HERE / "ops_cases"))


def keras_function(name: str):
    target = keras.ops
    for part in name.split("."):
        target = getattr(target, part)
    return target


def encode(value, arrays: dict, key: str):
    """JSON for one argument; numpy arrays go into the npz under `key`."""
    if isinstance(value, np.ndarray):
        arrays[key] = value
        return {"array": key}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, arrays, f"{key}_{i}") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return {"list": [encode(v, arrays, f"{key}_{i}") for i, v in enumerate(value)]}
    if isinstance(value, np.generic):
        value = value.item()
    return {"value": value}


def decode(spec, arrays):
    if "array" in spec:
        return arrays[spec["array"]]
    if "tuple" in spec:
        return tuple(decode(v, arrays) for v in spec["tuple"])
    if "list" in spec:
        return [decode(v, arrays) for v in spec["list"]]
    return spec["value"]


def run_family(path: pathlib.Path) -> None:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    arrays, entries, failures = {}, [], []
    for index, c in enumerate(module.CASES):
        cid = c["id"] or f"{index:03d}_{c['fn']}"
        args = [encode(a, arrays, f"{cid}/arg{i}") for i, a in enumerate(c["args"])]
        kwargs = {k: encode(v, arrays, f"{cid}/kw_{k}") for k, v in c["kwargs"].items()}
        try:
            out = keras_function(c["fn"])(*[decode(a, arrays) for a in args],
                                          **{k: decode(v, arrays) for k, v in kwargs.items()})
        except Exception as err:  # noqa: BLE001  (a case Keras refuses is reported, not written)
            failures.append(f"{cid}: {type(err).__name__}: {err}")
            continue
        leaves = keras.tree.flatten(out)
        outputs = []
        for j, leaf in enumerate(leaves):
            arrays[f"{cid}/out{j}"] = np.asarray(keras.ops.convert_to_numpy(leaf))
            outputs.append(f"{cid}/out{j}")
        entries.append({"id": cid, "fn": c["fn"], "args": args, "kwargs": kwargs, "outputs": outputs,
                        "symbolic": c["symbolic"], "rtol": c["rtol"], "atol": c["atol"]})
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / f"{path.stem}.npz", **arrays)
    (OUT / f"{path.stem}.json").write_text(json.dumps(
        {"keras_version": keras.__version__, "cases": entries}, indent=1, sort_keys=True) + "\n")
    print(f"{path.stem}: {len(entries)} cases written")
    for line in failures:
        print(f"  Keras refused {line}")


def main(families):
    paths = sorted(p for p in (HERE / "ops_cases").glob("*.py") if not p.stem.startswith("_"))
    for path in paths:
        if not families or path.stem in families:
            run_family(path)


if __name__ == "__main__":
    main(sys.argv[1:])
