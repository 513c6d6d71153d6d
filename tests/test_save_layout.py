"""Files symk writes have Keras's HDF5 layouts (LAYOUT.txt): groups, attribute names, types and datasets.

tests/references/symk/ holds small files written by symk's writer (checked in, hand-verified
against LAYOUT.txt); the same assertions run on them and on freshly written files.
"""
import json
import os

import h5py
import numpy as np
import pytest

import symk
from symk.layers import Dense, Dropout, Input
from symk.models import load_model
from symk.saving.legacy_h5 import HDF5_OBJECT_HEADER_LIMIT, load_attributes, save_attributes

CHECKED_IN = os.path.join(os.path.dirname(__file__), "references", "symk")


def mlp():
    return symk.Sequential([Input(shape=(8,)), Dense(16, activation="relu"), Dropout(0.5),
                            Dense(4, activation="softmax")], name="mlp")


def _vlen(attrs, name, encoding):
    info = h5py.check_string_dtype(attrs.get_id(name).dtype)
    assert info is not None and info.length is None and info.encoding == encoding, (name, info)


def assert_legacy_model_layout(f):
    assert {"keras_version", "backend", "model_config"} <= set(f.attrs)
    _vlen(f.attrs, "keras_version", "utf-8")
    _vlen(f.attrs, "model_config", "ascii")
    config = json.loads(f.attrs["model_config"])
    assert config["class_name"] == "Sequential" and config["config"]["layers"][0]["class_name"] == "InputLayer"
    weights = f["model_weights"]
    _vlen(weights.attrs, "layer_names", "ascii")
    assert list(weights.attrs["layer_names"]) == ["dense", "dropout", "dense_1"]
    assert set(weights) == {"dense", "dropout", "dense_1", "top_level_model_weights"}
    assert list(weights["dense"].attrs["weight_names"]) == ["dense/kernel", "dense/bias"]
    assert weights["dense/dense/kernel"].shape == (8, 16) and weights["dense/dense/kernel"].dtype == np.float32
    assert weights["dense_1/dense_1/bias"].shape == (4,)
    empty = weights["dropout"].attrs["weight_names"]
    assert empty.dtype == np.float64 and empty.shape == (0,)  # what Keras writes for no weights


def assert_keras3_weights_layout(f):
    assert set(f) == {"layers", "vars"}
    assert f["vars"].attrs["name"] == "mlp"
    assert set(f["layers"]) == {"dense", "dropout", "dense_1"}
    assert [f["layers/dense/vars"][k].shape for k in ("0", "1")] == [(8, 16), (16,)]
    assert len(f["layers/dropout/vars"]) == 0 and f["layers/dropout/vars"].attrs["name"] == "dropout"


def assert_legacy_weights_layout(f):
    assert list(f.attrs["layer_names"]) == ["dense", "dropout", "dense_1"]
    assert "model_config" not in f.attrs and f["dense/dense/kernel"].shape == (8, 16)


def test_fresh_files_have_keras_layouts(tmp_path):
    model = mlp()
    model.save(tmp_path / "mlp.h5")
    model.save_weights(tmp_path / "mlp.weights.h5")
    model.save_weights(tmp_path / "mlp_weights.h5")
    with h5py.File(tmp_path / "mlp.h5", "r") as f:
        assert_legacy_model_layout(f)
    with h5py.File(tmp_path / "mlp.weights.h5", "r") as f:
        assert_keras3_weights_layout(f)
    with h5py.File(tmp_path / "mlp_weights.h5", "r") as f:
        assert_legacy_weights_layout(f)


def test_checked_in_symk_files_keep_their_layout_and_load():
    with h5py.File(os.path.join(CHECKED_IN, "mlp.h5"), "r") as f:
        assert_legacy_model_layout(f)
    with h5py.File(os.path.join(CHECKED_IN, "mlp.weights.h5"), "r") as f:
        assert_keras3_weights_layout(f)
    with h5py.File(os.path.join(CHECKED_IN, "mlp_weights.h5"), "r") as f:
        assert_legacy_weights_layout(f)
    data = np.load(os.path.join(CHECKED_IN, "mlp.npz"))
    model = load_model(os.path.join(CHECKED_IN, "mlp.h5"))
    np.testing.assert_allclose(model.predict(data["x"]), data["y"], rtol=1e-6, atol=1e-6)
    for weights in ("mlp.weights.h5", "mlp_weights.h5"):
        fresh = mlp()
        fresh.load_weights(os.path.join(CHECKED_IN, weights))
        np.testing.assert_allclose(fresh.predict(data["x"]), data["y"], rtol=1e-6, atol=1e-6)


def test_large_attributes_are_split_into_chunks_and_joined(tmp_path):
    names = [f"layer_with_a_rather_long_name_{i:05d}" for i in range(4000)]  # ~150 KB: beyond one header
    with h5py.File(tmp_path / "a.h5", "w") as f:
        save_attributes(f, "layer_names", names)
        assert "layer_names" not in f.attrs and {"layer_names0", "layer_names1"} <= set(f.attrs)
        assert all(f.attrs[k].nbytes <= HDF5_OBJECT_HEADER_LIMIT for k in f.attrs)
        assert load_attributes(f, "layer_names") == names


def test_optimizer_and_training_config_written_when_compiled(tmp_path):
    model = mlp()
    if not hasattr(model, "compile") or not hasattr(model, "fit"):
        pytest.skip("Model.compile/fit are not available yet")
    model.compile(optimizer=symk.optimizers.SGD(learning_rate=0.01, momentum=0.9), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(8, 8)).astype("float32")
    y = np.eye(4, dtype="float32")[np.arange(8) % 4]
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.save(tmp_path / "c.h5")
    with h5py.File(tmp_path / "c.h5", "r") as f:
        training = json.loads(f.attrs["training_config"])
        assert training["loss"] == "categorical_crossentropy"
        assert training["optimizer_config"]["class_name"] == "SGD"
        names = list(f["optimizer_weights"].attrs["weight_names"])
        assert names[:2] == ["sgd/iteration", "sgd/learning_rate"]
        assert names[2] == "sgd/mlp_dense_kernel_momentum"
        assert f["optimizer_weights/sgd/iteration"][()] == 2
