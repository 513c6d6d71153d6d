""".keras archives symk writes are archives real Keras 3 accepted: same members, config identities and weights
layout, the predictions Keras made from them, and optimizer state that resumes in both directions.

tests/references/symk_written_keras/ holds archives tools/symk_write_checkfiles.py wrote and real Keras 3 loaded
(tools/keras_refs/check_symk_files.py, its manifest.json); `*.keras_resaved.keras` are what Keras wrote back after
resuming training from them. Without keras these tests check that symk still writes what Keras accepted.
"""
import importlib.util
import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

from symk.models import load_model

HERE = os.path.dirname(os.path.abspath(__file__))
WRITTEN = os.path.join(HERE, "references", "symk_written_keras")
with open(os.path.join(WRITTEN, "manifest.json")) as _f:
    MANIFEST = json.load(_f)
CASES = sorted(MANIFEST["cases"])
COMPILED = [c for c in CASES if c.startswith("compiled_")]


def _catalog():
    spec = importlib.util.spec_from_file_location("symk_write_checkfiles",
                                                  os.path.join(HERE, "..", "tools", "symk_write_checkfiles.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOG = _catalog()


def _npz_list(data, prefix):
    if prefix in data.files:
        return [data[prefix]]
    return [data[k] for k in sorted((k for k in data.files if k[:1] == prefix and k[1:].isdigit()),
                                    key=lambda k: int(k[1:]))]


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _identities(value):
    """Every serialized object's identity keys (module, class_name, registered_name), in config order."""
    found = []
    if isinstance(value, dict):
        if "class_name" in value and "config" in value and not str(value["class_name"]).startswith("__"):
            found.append((value.get("module"), value["class_name"], value.get("registered_name")))
        for v in value.values():
            found += _identities(v)
    elif isinstance(value, list):
        for v in value:
            found += _identities(v)
    return found


def archive_signature(path) -> dict:
    """Members; the config's object identities and top-level keys; every weights group / dataset shape."""
    with zipfile.ZipFile(path) as zf:
        members = zf.namelist()
        config = json.loads(zf.read("config.json"))
        weights = {}
        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            f.visititems(lambda name, obj: weights.__setitem__(
                name, obj.shape if isinstance(obj, h5py.Dataset) else "group"))
    return {"members": members, "keys": sorted(config), "identities": _identities(config), "weights": weights}


def test_keras_accepted_every_checked_in_archive():
    for case, entry in MANIFEST["cases"].items():
        assert entry["all_checks_ok"], (case, [c for c in entry["checks"] if not c["ok"]])
        assert any(c["check"] == "keras: load_model+predict" for c in entry["checks"])
        for name in entry["files"]:
            assert os.path.exists(os.path.join(WRITTEN, name)), name
    assert MANIFEST["keras"].startswith("keras3 3.") and COMPILED


@pytest.mark.parametrize("case", CASES)
def test_fresh_archives_keep_what_keras_accepted(case, tmp_path):
    model, xs, _, _ = CATALOG.build_case(case)
    model.save(tmp_path / f"{case}.keras")
    fresh, accepted = archive_signature(tmp_path / f"{case}.keras"), archive_signature(os.path.join(WRITTEN,
                                                                                                 f"{case}.keras"))
    for key in accepted:
        assert fresh[key] == accepted[key], key
    keras_y = [np.asarray(y, np.float32) for y in MANIFEST["cases"][case]["keras_y"]]
    for got, want in zip(_predict(model, xs), keras_y):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_symk_reads_the_archives_keras_accepted(case):
    data = np.load(os.path.join(WRITTEN, case + ".npz"))
    keras_y = [np.asarray(y, np.float32) for y in MANIFEST["cases"][case]["keras_y"]]
    model = load_model(os.path.join(WRITTEN, case + ".keras"))
    for got, want in zip(_predict(model, _npz_list(data, "x")), keras_y):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", COMPILED)
def test_symk_resumes_from_the_archive_keras_resaved(case):
    """Keras loaded symk's archive, trained 3 more steps and saved it: symk reads weights and optimizer state."""
    resaved = np.load(os.path.join(WRITTEN, case + ".keras_resaved_archive.npz"))
    model = load_model(os.path.join(WRITTEN, case + ".keras_resaved.keras"))
    np.testing.assert_allclose(_predict(model, [resaved["x"]])[0], resaved["y"], rtol=1e-5, atol=1e-6)
    assert int(model.optimizer.iterations.numpy()) == int(resaved["iterations"]) == 6
    written = np.load(os.path.join(WRITTEN, case + ".npz"))
    history = model.fit(written["x_train"], written["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 9 and np.isfinite(history.history["loss"][-1])
