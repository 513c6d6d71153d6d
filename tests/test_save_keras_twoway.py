"""Files symk writes are files real Keras 3 accepted: same HDF5 layout, same predictions, optimizer resumes.

tests/references/symk_written/ holds files tools/symk_write_checkfiles.py wrote and real Keras 3 loaded
(tools/keras_refs/check_symk_files.py); its manifest.json records what Keras predicted and which optimizer
variables Keras saw. `*.keras_resaved.*` are what Keras wrote back after resuming training. Without
keras, these tests check that symk still writes the same layout and numbers; with keras importable, they
also load freshly written files in Keras directly.
"""
import importlib.util
import json
import os

import h5py
import jax
import numpy as np
import pytest

import symk
from symk.models import load_model
from symk.saving.h5_read import CHECKSUM_ATTRIBUTE
from symk.saving.training_state import optimizer_variables, optimizer_weight_names

HERE = os.path.dirname(os.path.abspath(__file__))
WRITTEN = os.path.join(HERE, "references", "symk_written")
with open(os.path.join(WRITTEN, "manifest.json")) as _f:
    MANIFEST = json.load(_f)
CASES = sorted(MANIFEST["cases"])
COMPILED = [c for c in CASES if c.startswith("compiled_")]
SUFFIXES = (".h5", ".weights.h5", "_weights.h5")


def _catalog():
    """tools/symk_write_checkfiles.py, the writer whose files Keras accepted."""
    path = os.path.join(HERE, "..", "tools", "symk_write_checkfiles.py")
    spec = importlib.util.spec_from_file_location("symk_write_checkfiles", path)
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
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


def _config_shape(value):
    """A JSON config's structure: every key, and every class_name, without the other values."""
    if isinstance(value, dict):
        return {k: (v if k == "class_name" else _config_shape(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_config_shape(v) for v in value]
    return type(value).__name__


def _attribute_signature(attrs, name):
    value = attrs[name]
    dtype = attrs.get_id(name).dtype
    string = h5py.check_string_dtype(dtype)
    described = (("str", string.encoding, string.length) if string else (dtype.kind, dtype.itemsize))
    if name in ("model_config", "training_config"):
        return described, _config_shape(json.loads(value))
    if string is not None or dtype.kind == "O":
        return described, np.shape(value), [v.decode() if isinstance(v, bytes) else str(v)
                                             for v in np.atleast_1d(value)]
    return described, np.shape(value)


def h5_signature(path) -> dict:
    """Every group and dataset (shape, dtype) and every attribute (type, shape, names / config keys)."""
    signature = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            kind = ("dataset", obj.shape, obj.dtype.str) if isinstance(obj, h5py.Dataset) else ("group",)
            # NOTE: symk's per-weight CRC-32 attribute came after these files were verified in Keras; Keras 3.15
            # loaded .h5, .keras, .weights.h5 and legacy weights files carrying it (checked by hand, 2026-12-02)
            signature[name] = kind + (sorted((a, _attribute_signature(obj.attrs, a)) for a in obj.attrs
                                             if a != CHECKSUM_ATTRIBUTE),)

        visit("/", f)
        f.visititems(visit)
    return signature


def test_keras_accepted_every_checked_in_case():
    for case, entry in MANIFEST["cases"].items():
        assert entry["all_checks_ok"], (case, [c for c in entry["checks"] if not c["ok"]])
        for name in entry["files"]:
            assert os.path.exists(os.path.join(WRITTEN, name)), name
    assert MANIFEST["keras"].startswith("keras3 3.")
    assert COMPILED and len(CASES) >= 8


@pytest.mark.parametrize("case", CASES)
def test_fresh_files_keep_the_layout_and_numbers_keras_accepted(case, tmp_path):
    model, xs, extra, description = CATALOG.build_case(case)
    CATALOG.write_case(str(tmp_path), case, model, xs, extra, description)
    for suffix in SUFFIXES:
        fresh, accepted = h5_signature(tmp_path / (case + suffix)), h5_signature(os.path.join(WRITTEN, case + suffix))
        assert fresh.keys() == accepted.keys(), (suffix, sorted(fresh.keys() ^ accepted.keys()))
        for key in accepted:
            assert fresh[key] == accepted[key], (suffix, key)
    checked_in = np.load(os.path.join(WRITTEN, case + ".npz"))
    for x, x_in in zip(xs, _npz_list(checked_in, "x")):
        np.testing.assert_array_equal(x, x_in)
    # what real Keras 3 predicted from the accepted files: an independent reference for symk's numbers
    keras_y = [np.asarray(y, np.float32) for y in MANIFEST["cases"][case]["keras_y"]]
    for got, want in zip(_predict(model, xs), keras_y):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_symk_reads_the_files_keras_accepted(case):
    data = np.load(os.path.join(WRITTEN, case + ".npz"))
    xs = _npz_list(data, "x")
    keras_y = [np.asarray(y, np.float32) for y in MANIFEST["cases"][case]["keras_y"]]
    model = load_model(os.path.join(WRITTEN, case + ".h5"))
    for got, want in zip(_predict(model, xs), keras_y):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for suffix in (".weights.h5", "_weights.h5"):
        for var in model.weights:
            var.set_value(np.zeros(tuple(var.shape), var.dtype))
        model.load_weights(os.path.join(WRITTEN, case + suffix))
        for got, want in zip(_predict(model, xs), keras_y):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _keras_optimizer_names(case) -> list:
    return next(c["keras_variables"] for c in MANIFEST["cases"][case]["checks"] if "keras_variables" in c)


@pytest.mark.parametrize("case", COMPILED)
def test_optimizer_variables_are_saved_in_keras_order(case):
    """Keras restores optimizer variables by position, so symk's file order must be Keras's own."""
    with h5py.File(os.path.join(WRITTEN, case + ".h5"), "r") as f:
        saved = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
    keras_names = _keras_optimizer_names(case)
    assert len(saved) == len(keras_names)
    for ours, theirs in zip(saved, keras_names):
        short = ours.split("/", 1)[-1]
        # Keras auto-names Nadam's u_product ('variable_3'); every other name is Keras's
        assert short == theirs or (short == "u_product" and theirs.startswith("variable")), (ours, theirs)


@pytest.mark.parametrize("case", COMPILED)
def test_symk_resumes_from_what_keras_saved_after_training(case):
    """Keras loaded symk's file, trained 3 more steps and saved: symk reads its weights and optimizer slots."""
    path = os.path.join(WRITTEN, case + ".keras_resaved")
    data = np.load(path + ".npz")
    model = load_model(path + ".h5")
    np.testing.assert_allclose(_predict(model, [data["x"]])[0], data["y"], rtol=1e-5, atol=1e-6)
    assert int(model.optimizer.iterations.numpy()) == int(data["iterations"]) == 6
    variables = optimizer_variables(model)
    with h5py.File(path + ".h5", "r") as f:
        group = f["optimizer_weights"]
        keras_names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert len(keras_names) == len(variables)
        for var, ours, theirs in zip(variables, optimizer_weight_names(model, variables), keras_names):
            np.testing.assert_array_equal(var.numpy(), group[theirs][()], err_msg=f"{ours} <- {theirs}")
    written = np.load(os.path.join(WRITTEN, case + ".npz"))
    history = model.fit(written["x_train"], written["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 9 and np.isfinite(history.history["loss"][-1])


def test_keras_loads_freshly_written_files(tmp_path):
    """Only where keras is installed (never in CI's symk venv): real Keras 3 loads what symk writes now."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    for case in ("multi_io_shared", "compiled_adam"):
        model, xs, extra, description = CATALOG.build_case(case)
        CATALOG.write_case(str(tmp_path), case, model, xs, extra, description)
        want = _predict(model, xs)
        with jax.numpy_rank_promotion("allow"):  # Keras's own code relies on implicit rank promotion
            loaded = keras.models.load_model(str(tmp_path / (case + ".h5")), compile=False)
            got_model = _predict(loaded, xs)
            for var in loaded.weights:
                var.assign(np.zeros(tuple(var.shape), "float32"))
            loaded.load_weights(str(tmp_path / (case + ".weights.h5")))
            got_weights = _predict(loaded, xs)
        for got in (got_model, got_weights):
            for a, b in zip(got, want):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
