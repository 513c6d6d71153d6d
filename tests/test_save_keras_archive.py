"""`.keras` archives symk writes: every catalog model of tools/symk_write_checkfiles.py round-trips with equal
predictions, a compiled model resumes training to the same next step, and the archive has Keras 3's layout."""
import importlib.util
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import symk
from symk.models import load_model

HERE = os.path.dirname(os.path.abspath(__file__))


def _catalog():
    spec = importlib.util.spec_from_file_location("symk_write_checkfiles",
                                                  os.path.join(HERE, "..", "tools", "symk_write_checkfiles.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOG = _catalog()
PREDICTION_CASES = sorted(CATALOG.PREDICTION_CASES)
COMPILED_CASES = [c for c in CATALOG.CASES if c.startswith("compiled_")]


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _assert_close(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", PREDICTION_CASES)
def test_catalog_model_round_trips_through_a_keras_archive(case, tmp_path):
    model, xs, _, _ = CATALOG.build_case(case)
    want = _predict(model, xs)
    path = tmp_path / f"{case}.keras"
    model.save(path)
    symk.backend.clear_session()
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    _assert_close(_predict(loaded, xs), want)
    # the weights alone, from the same archive, into a zeroed copy
    for var in loaded.weights:
        var.set_value(np.zeros(tuple(var.shape), var.dtype))
    loaded.load_weights(path)
    _assert_close(_predict(loaded, xs), want)


@pytest.mark.parametrize("case", COMPILED_CASES)
def test_optimizer_state_resumes_to_the_same_next_step(case, tmp_path):
    model, xs, extra, _ = CATALOG.build_case(case)
    path = tmp_path / f"{case}.keras"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 3
    for ours, theirs in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for m in (model, loaded):  # one more epoch each, from the same state
        m.fit(extra["x_train"], extra["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert int(loaded.optimizer.iterations.numpy()) == 6
    _assert_close(_predict(loaded, xs), _predict(model, xs))


def test_archive_has_keras_3_members_and_config_form(tmp_path):
    model, _, _, _ = CATALOG.build_case("compiled_adam")
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
        metadata = json.loads(zf.read("metadata.json"))
        config = json.loads(zf.read("config.json"))
        assert set(metadata) == {"keras_version", "date_saved"} and metadata["keras_version"].startswith("3.")
        zf.extract("model.weights.h5", tmp_path)
    assert {k for k in config} == {"module", "class_name", "config", "registered_name", "build_config",
                                   "compile_config"}
    assert (config["module"], config["class_name"], config["registered_name"]) == ("keras", "Sequential", None)
    assert config["compile_config"]["optimizer"]["module"] == "keras.optimizers"
    assert config["compile_config"]["loss"] == "categorical_crossentropy"
    dense = config["config"]["layers"][1]
    assert (dense["module"], dense["class_name"], dense["registered_name"]) == ("keras.layers", "Dense", None)
    assert dense["build_config"] == {"input_shape": [None, 6]}
    with h5py.File(tmp_path / "model.weights.h5", "r") as f:
        assert sorted(f) == ["layers", "optimizer", "vars"]
        assert sorted(f["layers"]) == ["dense", "dense_1"]
        assert len(f["optimizer/vars"]) == len(model.optimizer.variables)
        assert f["layers/dense/vars/0"].fletcher32  # checksummed like the .h5 files


def test_functional_archive_names_nested_models_as_keras_does(tmp_path):
    model, xs, _, _ = CATALOG.build_case("nested_sequential")
    path = tmp_path / "nested.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
    assert (config["module"], config["class_name"], config["registered_name"]) == (
        "keras.src.models.functional", "Functional", "Functional")
    assert config["build_config"] == {"input_shape": None}
    inner = next(entry for entry in config["config"]["layers"] if entry["class_name"] == "Sequential")
    assert inner["module"] == "keras" and inner["name"] == "inner" and inner["inbound_nodes"]


def test_include_optimizer_false_and_compile_false(tmp_path):
    model, xs, _, _ = CATALOG.build_case("compiled_sgd")
    model.save(tmp_path / "no_opt.keras", include_optimizer=False)
    with zipfile.ZipFile(tmp_path / "no_opt.keras") as zf:
        assert "compile_config" not in json.loads(zf.read("config.json"))
    assert getattr(load_model(tmp_path / "no_opt.keras"), "optimizer", None) is None
    model.save(tmp_path / "with_opt.keras")
    uncompiled = load_model(tmp_path / "with_opt.keras", compile=False)
    assert not getattr(uncompiled, "compiled", False)
    _assert_close(_predict(uncompiled, xs), _predict(model, xs))


def test_save_is_atomic_and_respects_overwrite(tmp_path):
    model, xs, _, _ = CATALOG.build_case("dense_dropout")
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]  # no temp file left behind


def test_weights_only_names_point_to_the_right_methods(tmp_path):
    model, _, _, _ = CATALOG.build_case("dense_dropout")
    with pytest.raises(ValueError, match=r"model\.save\('model\.keras'\)"):
        model.save_weights(tmp_path / "w.keras")
    with pytest.raises(ValueError, match="zipped=False"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(ValueError, match="Keras 2 has no '.keras'"):
        model.save(tmp_path / "m.keras", keras_version=2)


def test_saving_functions_of_keras_saving(tmp_path):
    model, xs, _, _ = CATALOG.build_case("conv1d")
    symk.saving.save_model(model, tmp_path / "m.keras")
    symk.saving.save_weights(model, tmp_path / "m.weights.h5")
    loaded = symk.saving.load_model(tmp_path / "m.keras")
    for var in loaded.weights:
        var.set_value(np.zeros(tuple(var.shape), var.dtype))
    symk.saving.load_weights(loaded, tmp_path / "m.weights.h5")
    _assert_close(_predict(loaded, xs), _predict(model, xs))


class Residual(symk.Model):
    """A subclassed model with a list of layers: Keras's weights layout names them by attribute and class."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.stem = symk.layers.Dense(units, activation="relu")
        self.blocks = [symk.layers.Dense(units), symk.layers.Dense(units)]
        self._head = symk.layers.Dense(1)

    def call(self, x):
        h = self.stem(x)
        for block in self.blocks:
            h = h + block(h)
        return self._head(h)

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_subclassed_model_with_get_config_round_trips(tmp_path):
    model = Residual(3, name="residual")
    x = np.random.RandomState(1).uniform(-1, 1, (5, 2)).astype("float32")
    want = model.predict(x, verbose=0)
    model.save(tmp_path / "r.keras")
    with zipfile.ZipFile(tmp_path / "r.keras") as zf:
        zf.extract("model.weights.h5", tmp_path)
        config = json.loads(zf.read("config.json"))
    assert config["class_name"] == "Residual" and config["build_config"] == {"input_shape": [None, 2]}
    with h5py.File(tmp_path / "model.weights.h5", "r") as f:
        assert sorted(f) == ["_head", "blocks", "stem", "vars"]
        assert sorted(f["blocks"]) == ["dense", "dense_1"]
    with pytest.raises(symk.saving.UnknownObjectError, match="Residual"):
        load_model(tmp_path / "r.keras")
    loaded = load_model(tmp_path / "r.keras", custom_objects={"Residual": Residual})
    assert type(loaded) is Residual and loaded.units == 3
    np.testing.assert_allclose(loaded.predict(x, verbose=0), want, rtol=1e-6, atol=1e-6)


def test_subclassed_model_without_get_config_says_what_to_do(tmp_path):
    class Plain(symk.Model):
        def __init__(self):
            super().__init__()
            self.dense = symk.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Plain()
    model.build((None, 3))
    with pytest.raises(NotImplementedError, match=r"get_config\(\).*save_weights"):
        model.save(tmp_path / "p.keras")
    assert not os.listdir(tmp_path)


def test_a_failing_save_keeps_the_previous_archive(tmp_path, monkeypatch):
    from symk.saving import keras3_weights

    model, xs, _, _ = CATALOG.build_case("dense_dropout")
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(keras3_weights, "write_weights", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["m.keras"]
