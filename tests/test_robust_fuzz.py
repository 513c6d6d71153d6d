"""Damaged .h5 files: whatever the damage, load_model / load_weights raise a symk error that names the file.

Variants are made here from small files (symk-written, and Keras 2 / Keras 3 references):
truncations, byte flips, zeroed blocks, edited model and training configs (bad JSON, wrong
types at any depth, missing keys, duplicate layer names), edited attributes and weight layouts
(missing or renamed groups, weights of the wrong dtype or shape, a declared 2^40 elements).

    .venv/bin/python tests/test_robust_fuzz.py --variants 1500     # the figures: outcome per kind
"""
from __future__ import annotations

import faulthandler
import json
import random
import shutil
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import symk
from symk.errors import SymkError

REFERENCES = Path(__file__).parent / "references"
BYTE_KINDS = ("truncate", "flip_bytes", "zero_block")
EDIT_KINDS = ("config_text", "config_type", "config_key", "duplicate_name", "training_config", "attribute",
              "layout", "dataset")
KINDS = BYTE_KINDS + EDIT_KINDS
WRONG_VALUES = ("ten", "oops", "", 123, -1, 0, 1.5, 1e30, None, True, [], {}, [1, "x"], {"a": 1}, [[None]])


# -- sources --------------------------------------------------------------------------------
def _symk_models():
    symk.backend.clear_session()
    symk.utils.set_random_seed(3)
    mlp = symk.Sequential([symk.layers.Input((4,)), symk.layers.Dense(8, activation="relu"),
                           symk.layers.Dropout(0.5), symk.layers.Dense(3, activation="softmax")], name="mlp")
    mlp.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    x, y = np.random.RandomState(0).rand(16, 4).astype("f4"), np.eye(3, dtype="f4")[np.arange(16) % 3]
    mlp.fit(x, y, epochs=1, batch_size=8, verbose=0)
    a, b = symk.layers.Input((3,), name="a"), symk.layers.Input((2,), name="b")
    joined = symk.layers.Concatenate()([symk.layers.Dense(4, name="da")(a), b])
    functional = symk.Model([a, b], symk.layers.Dense(1, name="out")(joined), name="two_inputs")
    return mlp, functional


def make_sources(directory: Path) -> list[dict]:
    """[{name, path, kind: 'model' | 'weights', target (weights files: the model they load into)}]."""
    mlp, functional = _symk_models()
    sources = []

    def add(name, path, kind, target=None):
        sources.append({"name": name, "path": Path(path), "kind": kind, "target": target})

    mlp.save(directory / "symk_mlp.h5")
    add("symk_mlp", directory / "symk_mlp.h5", "model")
    mlp.save(directory / "symk_mlp_keras2.h5", keras_version=2)
    add("symk_mlp_keras2", directory / "symk_mlp_keras2.h5", "model")
    functional.save(directory / "symk_functional.h5")
    add("symk_functional", directory / "symk_functional.h5", "model")
    mlp.save_weights(directory / "symk_mlp_weights.h5")
    add("symk_legacy_weights", directory / "symk_mlp_weights.h5", "weights", mlp)
    mlp.save_weights(directory / "symk_mlp.weights.h5")
    add("symk_keras3_weights", directory / "symk_mlp.weights.h5", "weights", mlp)
    for version, model_file, weights_file in (("keras3", "mlp.h5", "mlp.weights.h5"),
                                              ("keras2", "mlp.h5", "mlp_weights.h5")):
        for name in (model_file, "mlp_compiled.h5", "multi_io.h5"):
            add(f"{version}_{name[:-3]}", REFERENCES / version / name, "model")
        add(f"{version}_weights", REFERENCES / version / weights_file, "weights",
            symk.models.load_model(REFERENCES / version / model_file, compile=False))
    for source in sources:
        source["expected"] = [w.copy() for w in _load(source, source["path"]).get_weights()]
    return sources


def _load(source: dict, path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if source["kind"] == "model":
            return symk.models.load_model(path)
        target = source["target"]
        target.set_weights([np.zeros_like(w) for w in target.get_weights()])
        target.load_weights(path)
        return target


# -- mutations ------------------------------------------------------------------------------
def _objects(f) -> list:
    found = [f]
    f.visititems(lambda name, obj: found.append(obj))
    return found


def _json_paths(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _json_paths(child, path + (key,))


def _edit_json(text: str, rng: random.Random, kind: str) -> str:
    config = json.loads(text)
    paths = [p for p in _json_paths(config) if p]
    if kind == "config_key":
        dicts = [p for p in _json_paths(config) if isinstance(_at(config, p), dict) and _at(config, p)]
        holder = _at(config, rng.choice(dicts))
        key = rng.choice(sorted(holder))
        value = holder.pop(key)
        if rng.random() < 0.5:
            holder[key + "_renamed"] = value
    else:
        path = rng.choice(paths)
        _at(config, path[:-1])[path[-1]] = rng.choice(WRONG_VALUES)
    return json.dumps(config)


def _at(value, path):
    for key in path:
        value = value[key]
    return value


def _set_text(obj, name: str, text) -> None:
    if name in obj.attrs:
        del obj.attrs[name]
    obj.attrs.create(name, text, dtype=h5py.string_dtype("ascii"))


def _broken_text(text: str, rng: random.Random):
    choice = rng.randrange(6)
    if choice == 0:
        return text[: rng.randrange(len(text))]
    if choice == 1:
        return b"\xff\xfe" + text.encode()  # not UTF-8
    if choice == 2:
        return rng.choice(["[]", '"oops"', "123", "null", "{}", '{"class_name": 5}'])
    if choice == 3:
        return "[" * 100_000 + "]" * 100_000  # nesting deeper than the JSON parser's recursion
    if choice == 4:
        return text.replace('"', "'", 3)
    return text.replace("{", "", 1)


def _config_edit(f, rng, kind) -> str:
    name = "training_config" if kind == "training_config" else "model_config"
    if name not in f.attrs:
        return _layout_edit(f, rng, "attribute")
    text = f.attrs[name]
    text = text.decode() if isinstance(text, bytes) else text
    if kind == "config_text" or kind == "training_config" and rng.random() < 0.4:
        _set_text(f, name, _broken_text(text, rng))
        return f"{name}: broken text"
    if kind == "duplicate_name":
        config = json.loads(text)
        layers = config["config"]["layers"]
        if len(layers) > 2:
            layers[-1]["config"]["name"] = layers[-2]["config"]["name"]
            layers[-1]["name"] = layers[-2].get("name", layers[-2]["config"]["name"])
        _set_text(f, name, json.dumps(config))
        return f"{name}: duplicate layer name"
    _set_text(f, name, _edit_json(text, rng, "config_key" if kind == "config_key" else "config_type"))
    return f"{name}: {kind}"


def _layout_edit(f, rng, kind) -> str:
    objects = _objects(f)
    obj = rng.choice(objects)
    if kind == "attribute":
        with_attrs = [o for o in objects if len(o.attrs)] or [f]
        obj = rng.choice(with_attrs)
        name = rng.choice(sorted(obj.attrs)) if len(obj.attrs) else "layer_names"
        choice = rng.randrange(7)
        if name in obj.attrs:
            del obj.attrs[name]
        if choice == 0:
            return f"{obj.name}@{name}: deleted"
        if choice == 1:
            obj.attrs[name] = np.arange(3)
        elif choice == 2:
            obj.attrs[name] = 1.5
        elif choice == 3:
            obj.attrs.create(name, [b"\xff\xfe", b"x"], dtype=h5py.string_dtype("ascii"))
        elif choice == 4:
            obj.attrs[name] = np.array([b"nowhere", b"nothing"], dtype="S7")  # fixed-length strings
        elif choice == 5:
            obj.attrs[name + "_renamed"] = b"x"
        else:
            h5py.h5a.create(obj.id, b"\xff\xfe" + name.encode(), h5py.h5t.STD_I32LE, h5py.h5s.create(h5py.h5s.SCALAR))
        return f"{obj.name}@{name}: replaced ({choice})"
    if obj is f:
        obj = rng.choice(objects[1:])
    parent, full_name = obj.parent, obj.name
    name = full_name.rsplit("/", 1)[-1]
    if kind == "layout":
        choice = rng.randrange(3)
        if choice == 0:
            del parent[name]
        elif choice == 1:
            parent.move(name, name + "_renamed")
        else:
            del parent[name]
            parent.create_dataset(name, data=np.zeros(2, "f4"))  # a dataset where a group was (or another one)
        return f"{full_name}: layout ({choice})"
    datasets = [o for o in objects if isinstance(o, h5py.Dataset)]
    if not datasets:
        return _layout_edit(f, rng, "attribute")
    obj = rng.choice(datasets)
    parent, full_name, shape = obj.parent, obj.name, obj.shape
    name = full_name.rsplit("/", 1)[-1]
    del parent[name]
    choice = rng.randrange(8)
    if choice == 0:
        parent.create_dataset(name, shape=(2 ** 20, 2 ** 20), dtype="f4", chunks=(64, 64))  # 2^40 declared
    elif choice == 1:
        parent.create_dataset(name, data=np.ones(shape, rng.choice(["i4", "bool", "i8"])))
    elif choice == 2:
        parent.create_dataset(name, data=np.ones(shape, rng.choice(["f2", "f8"])))
    elif choice == 3:
        parent.create_dataset(name, data=np.full(shape or (1,), "w", dtype=h5py.string_dtype()))
    elif choice == 4:
        parent.create_dataset(name, data=np.zeros(tuple(shape) + (2,), "f4"))
    elif choice == 5:
        parent.create_dataset(name, data=np.float32(1.0))
    elif choice == 6:
        parent.create_dataset(name, data=np.zeros((0,), "f4"))
    else:
        parent.create_group(name)
    return f"{full_name}: dataset ({choice})"


def mutate(src: Path, dst: Path, kind: str, rng: random.Random) -> str:
    """Write a damaged copy of `src` to `dst`; returns what was done."""
    data = bytearray(src.read_bytes())
    if kind == "truncate":
        cut = rng.randrange(len(data))
        dst.write_bytes(bytes(data[:cut]))
        return f"truncated at {cut}"
    if kind == "flip_bytes":
        count = rng.choice([1, 4, 20, 100])
        for _ in range(count):
            data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
        dst.write_bytes(bytes(data))
        return f"{count} byte(s) flipped"
    if kind == "zero_block":
        size, at = rng.choice([8, 64, 512, 4096]), rng.randrange(len(data))
        data[at:at + size] = bytes(len(data[at:at + size]))
        dst.write_bytes(bytes(data))
        return f"{size} bytes zeroed at {at}"
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        if kind in ("config_text", "config_type", "config_key", "duplicate_name", "training_config"):
            return _config_edit(f, rng, kind)
        return _layout_edit(f, rng, kind)


def outcome(source: dict, path: Path) -> tuple[str, str]:
    """('clear' | 'raw' | 'intact' | 'changed', detail) for one damaged file."""
    try:
        model = _load(source, path)
    except Exception as err:  # noqa: BLE001  (classifying every escape is the point)
        text = f"{type(err).__name__}: {err}"
        clear = isinstance(err, SymkError) and path.name in str(err)
        return ("clear" if clear else "raw"), text[:300]
    weights = model.get_weights()
    same = len(weights) == len(source["expected"]) and all(
        a.shape == b.shape and np.array_equal(a, b, equal_nan=True) for a, b in zip(weights, source["expected"]))
    return ("intact" if same else "changed"), ""


# -- the test -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    return make_sources(tmp_path_factory.mktemp("fuzz_sources"))


@pytest.mark.slow
@settings(max_examples=300, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_raw_exception_escapes_loading_a_damaged_file(sources, tmp_path_factory, data):
    source = data.draw(st.sampled_from(sources), label="source")
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    rng = random.Random(data.draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    path = tmp_path_factory.mktemp("variant") / f"damaged_{source['name']}.h5"
    what = mutate(source["path"], path, kind, rng)
    # a variant that hung libhdf5 would hang the suite: end the process with a traceback instead
    faulthandler.dump_traceback_later(120, exit=True)
    try:
        status, detail = outcome(source, path)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert status != "raw", f"{source['name']}, {what}: {detail}"
    if source["name"].startswith("symk") and kind in ("flip_bytes", "zero_block"):
        # symk's weights carry checksums: damaged weight bytes cannot load silently
        assert status != "changed", f"{source['name']}, {what}: loaded with changed weights"


# -- the figures ----------------------------------------------------------------------------
def _variant(sources: list, seed: int, i: int):
    rng = random.Random(seed * 1_000_003 + i)
    return rng.choice(sources), KINDS[i % len(KINDS)], random.Random(rng.random())


def _worker(count: int, seed: int, start: int, directory: Path) -> None:
    """One JSON line per variant; a variant that hangs libhdf5 ends the process (faulthandler)."""
    sources = make_sources(directory)
    for i in range(start, count):
        source, kind, rng = _variant(sources, seed, i)
        path = directory / f"variant_{source['name']}.h5"
        what = mutate(source["path"], path, kind, rng)
        print(json.dumps({"i": i, "source": source["name"], "kind": kind, "what": what, "status": "hang"}),
              file=sys.stderr, flush=True)
        faulthandler.dump_traceback_later(20, exit=True)
        status, detail = outcome(source, path)
        faulthandler.cancel_dump_traceback_later()
        print(json.dumps({"i": i, "source": source["name"], "kind": kind, "what": what, "status": status,
                          "detail": detail}), flush=True)


def _figures(count: int, seed: int) -> None:
    """Runs workers until every variant has an outcome; prints outcomes per kind and the raw escapes."""
    import collections
    import subprocess
    import tempfile

    results, start = {}, 0
    while start < count:
        with tempfile.TemporaryDirectory() as directory:
            run = subprocess.run([sys.executable, __file__, "--worker", "--variants", str(count), "--seed",
                                  str(seed), "--start", str(start), "--dir", directory],
                                 capture_output=True, text=True)
        for line in run.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                results[row["i"]] = row
        if len(results) < count and max(results, default=start - 1) + 1 < count:
            pending = [json.loads(line) for line in run.stderr.splitlines() if line.startswith('{"i"')]
            hung = next((row for row in reversed(pending) if row["i"] not in results), None)
            if hung is None:
                raise RuntimeError(run.stderr[-3000:])
            results[hung["i"]] = hung
        start = max(results) + 1
    table: dict = collections.defaultdict(collections.Counter)
    for row in results.values():
        table[row["kind"]][row["status"]] += 1
        table["all"][row["status"]] += 1
        if row["status"] in ("raw", "hang") or row["status"] == "changed" and row["source"].startswith("symk"):
            print(f"{row['status'].upper()} {row['source']} {row['kind']} {row['what']}: {row.get('detail', '')}")
    statuses = ("clear", "raw", "hang", "intact", "changed")
    print(f"{'kind':<16}" + "".join(f"{s:>9}" for s in statuses))
    for kind in list(KINDS) + ["all"]:
        print(f"{kind:<16}" + "".join(f"{table[kind][s]:>9}" for s in statuses))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--dir")
    args = parser.parse_args()
    if args.worker:
        _worker(args.variants, args.seed, args.start, Path(args.dir))
    else:
        _figures(args.variants, args.seed)
