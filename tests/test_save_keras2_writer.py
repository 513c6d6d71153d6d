"""model.save(path, keras_version=2): the Keras 2 (tf_keras) layout, and files tf_keras verified.

tests/references/symk_written_keras2/ holds files symk wrote with keras_version=2 that real tf_keras
2.21 loaded (tools/keras_refs/check_symk_files.py DIR keras2w); manifest.json records what tf_keras
predicted (`keras_y`), and *.tfkeras_resaved.* are what tf_keras saved after resuming training. The
layout assertions follow tests/references/LAYOUT.txt (keras2/*.h5, written by tf_keras itself).
"""
import json
import os

import h5py
import numpy as np
import pytest

import symk
from symk import cli
from symk import layers as L
from symk.saving.keras2_config import Keras2ConversionError

HERE = os.path.join(os.path.dirname(__file__), "references", "symk_written_keras2")
with open(os.path.join(HERE, "manifest.json")) as _f:
    MANIFEST = json.load(_f)
CASES = sorted(MANIFEST["cases"])
COMPILED = [c for c in CASES if c.startswith("compiled_")]


def _inputs(data, prefix="x"):
    if prefix in data.files:
        return [data[prefix]]
    keys = sorted((k for k in data.files if k[:1] == prefix and k[1:].isdigit()), key=lambda k: int(k[1:]))
    return [data[k] for k in keys]


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _config(path):
    with h5py.File(path, "r") as f:
        return json.loads(f.attrs["model_config"]), dict(f.attrs)


def _walk(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


# -- what tf_keras verified, read back by symk --------------------------------------------------
def test_manifest_says_tf_keras_passed_every_check():
    assert MANIFEST["keras"].startswith("keras2w 2.")
    for case, entry in MANIFEST["cases"].items():
        assert entry["all_checks_ok"], case
        assert {c["check"] for c in entry["checks"]} >= {"load_model+predict", "load_weights(_weights.h5)"}


@pytest.mark.parametrize("case", CASES)
def test_symk_reads_its_keras2_file_and_predicts_what_tf_keras_predicted(case):
    data = np.load(os.path.join(HERE, case + ".npz"))
    model = symk.models.load_model(os.path.join(HERE, case + ".h5"), compile=False)
    keras_y = [np.asarray(y, np.float32) for y in MANIFEST["cases"][case]["keras_y"]]
    for got, want in zip(_predict(model, _inputs(data)), keras_y, strict=True):
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=1e-5)
    for var in model.weights:  # the legacy weights file, into zeroed weights
        var.set_value(np.zeros(tuple(var.shape), var.dtype))
    model.load_weights(os.path.join(HERE, case + "_weights.h5"))
    for got, want in zip(_predict(model, _inputs(data)), keras_y, strict=True):
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize("case", COMPILED)
def test_optimizer_state_is_restored_by_name(case):
    data = np.load(os.path.join(HERE, case + ".npz"))
    model = symk.models.load_model(os.path.join(HERE, case + ".h5"))
    optimizer = model.optimizer
    assert int(optimizer.iterations.numpy()) == int(data["iterations"]) == 3
    by_key = {}
    for slot, by_path in optimizer._slot_variables.items():
        for path, variable in by_path.items():
            by_key[(slot, path)] = variable.numpy()
    # tf_keras's names: '<Optimizer>/<slot>/<layer>/<weight>:0' (see keras2/mlp_compiled.h5 in LAYOUT.txt)
    tf_slot = {"m": "momentum", "v": "velocity", "vhat": "velocity_hat"}
    names = [str(n) for n in data["opt_names"]]
    assert names[0] == "iteration:0"
    for i, name in enumerate(names[1:], start=1):
        _, slot, path = name[:-len(":0")].split("/", 2)
        np.testing.assert_array_equal(by_key[(tf_slot.get(slot, slot), path)], data[f"opt_{i}"])
    if case == "compiled_nadam":  # not saved by tf_keras: prod_{t=1..3} beta_1 (1 - 0.5 * 0.96^t)
        want = np.prod([0.9 * (1 - 0.5 * 0.96 ** t) for t in (1, 2, 3)])
        np.testing.assert_allclose(optimizer._extra_variables["u_product"].numpy(), want, rtol=1e-6)


@pytest.mark.parametrize("case", ["compiled_sgd", "compiled_adam"])
def test_training_resumes_like_tf_keras(case):
    """symk and tf_keras load the same file and train the same 3 steps: same weights after."""
    data = np.load(os.path.join(HERE, case + ".npz"))
    resaved = np.load(os.path.join(HERE, case + ".tfkeras_resaved.npz"))
    model = symk.models.load_model(os.path.join(HERE, case + ".h5"))
    model.fit(data["x_train"], data["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == int(resaved["iterations"]) == 6
    np.testing.assert_allclose(_predict(model, [resaved["x"]])[0], resaved["y"], atol=2e-5)


@pytest.mark.parametrize("case", COMPILED)
def test_symk_reads_what_tf_keras_resaved(case):
    resaved = np.load(os.path.join(HERE, case + ".tfkeras_resaved.npz"))
    model = symk.models.load_model(os.path.join(HERE, case + ".tfkeras_resaved.h5"))
    np.testing.assert_allclose(_predict(model, [resaved["x"]])[0], resaved["y"], atol=2e-6)
    assert int(model.optimizer.iterations.numpy()) == int(resaved["iterations"])


# -- the layout (as tf_keras writes it) --------------------------------------------------------------
def test_root_attributes_and_weight_names():
    config, attrs = _config(os.path.join(HERE, "embedding_lstm_gru.h5"))
    assert attrs["keras_version"].startswith("2.") and attrs["backend"] == "tensorflow"
    assert config["class_name"] == "Sequential"
    first = config["config"]["layers"][0]
    assert first["class_name"] == "InputLayer" and first["config"]["batch_input_shape"] == [None, 6]
    assert "batch_shape" not in first["config"]
    assert not any(isinstance(v, dict) and v.get("class_name") == "DTypePolicy" for v in _walk(config))
    lstm = next(l for l in config["config"]["layers"] if l["class_name"] == "LSTM")["config"]
    assert lstm["time_major"] is False and "seed" not in lstm
    with h5py.File(os.path.join(HERE, "embedding_lstm_gru.h5"), "r") as f:
        group = f["model_weights"]
        assert group.attrs["keras_version"].startswith("2.")
        assert [n.decode() if isinstance(n, bytes) else n for n in group["lstm"].attrs["weight_names"]] == [
            "lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm_cell/bias:0"]
        assert group["lstm/lstm/lstm_cell/kernel:0"].shape == (5, 28)


def test_functional_config_uses_keras2_node_lists():
    config, _ = _config(os.path.join(HERE, "multi_io_shared.h5"))
    assert config["class_name"] == "Functional"
    layers = {l["name"]: l for l in config["config"]["layers"]}
    assert layers["main_input"]["inbound_nodes"] == []
    assert layers["shared_dense"]["inbound_nodes"] == [[["main_input", 0, 0, {}]], [["aux_input", 0, 0, {}]]]
    assert layers["concat"]["inbound_nodes"] == [[["shared_dense", 0, 0, {}], ["shared_dense", 1, 0, {}]]]
    assert config["config"]["input_layers"] == [["main_input", 0, 0], ["aux_input", 0, 0]]
    assert config["config"]["output_layers"] == [["main_output", 0, 0], ["aux_output", 0, 0]]


def test_nested_sequential_is_called_as_node_1_and_weights_lose_the_model_prefix():
    config, _ = _config(os.path.join(HERE, "nested_sequential.h5"))
    layers = {l["name"]: l for l in config["config"]["layers"]}
    assert layers["outer_dense"]["inbound_nodes"] == [[["inner", 1, 0, {}]]]  # as keras2/nested.h5
    assert config["config"]["input_layers"] == [["outer_input", 0, 0]]
    with h5py.File(os.path.join(HERE, "nested_sequential.h5"), "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["model_weights/inner"].attrs["weight_names"]]
    assert names == ["inner_dense_1/kernel:0", "inner_dense_1/bias:0", "inner_dense_2/kernel:0",
                     "inner_dense_2/bias:0"]


def test_training_config_and_optimizer_weights():
    with h5py.File(os.path.join(HERE, "compiled_adam.h5"), "r") as f:
        training = json.loads(f.attrs["training_config"])
        optimizer = training["optimizer_config"]
        assert optimizer["class_name"] == "Adam" and optimizer["config"]["name"] == "Adam"
        assert optimizer["config"]["is_legacy_optimizer"] is False  # else tf_keras builds its legacy Adam
        assert "loss_scale_factor" not in optimizer["config"] and optimizer["config"]["amsgrad"] is True
        group = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert names[:3] == ["iteration:0", "Adam/m/dense/kernel:0", "Adam/v/dense/kernel:0"]
        assert names[-1] == "Adam/vhat/dense_1/bias:0" and len(names) == 1 + 3 * 4
        assert group["iteration:0"].dtype == np.int64
    with h5py.File(os.path.join(HERE, "compiled_sgd.h5"), "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
    assert names == ["iteration:0", "SGD/m/dense/kernel:0", "SGD/m/dense/bias:0", "SGD/m/dense_1/kernel:0",
                     "SGD/m/dense_1/bias:0"]


# -- writing now, reading back ---------------------------------------------------------------------------
def _small_model():
    symk.backend.clear_session()
    x = L.Input(shape=(3,), name="x")
    return symk.Model(x, L.Dense(2, name="out")(L.Dense(4, activation="relu", name="hidden")(x)), name="small")


def test_plain_sgd_writes_zero_momentum_slots_and_reads_back(tmp_path):
    model = _small_model()
    model.compile(optimizer=symk.optimizers.SGD(0.1), loss="mse")
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    model.fit(x, np.ones((4, 2), np.float32), batch_size=2, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5", keras_version=2)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        group = f["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert names[1] == "SGD/m/hidden/kernel:0" and not np.asarray(group[names[1]]).any()
    loaded = symk.models.load_model(tmp_path / "m.h5")
    assert int(loaded.optimizer.iterations.numpy()) == 2
    np.testing.assert_allclose(_predict(loaded, [x])[0], _predict(model, [x])[0], atol=1e-6)


def test_save_weights_keras2_and_errors(tmp_path):
    model = _small_model()
    model.save_weights(tmp_path / "w.h5", keras_version=2)
    with h5py.File(tmp_path / "w.h5", "r") as f:
        assert f.attrs["keras_version"].startswith("2.") and f.attrs["backend"] == "tensorflow"
        assert list(f["hidden"].attrs["weight_names"]) in (["hidden/kernel:0", "hidden/bias:0"],
                                                           [b"hidden/kernel:0", b"hidden/bias:0"])
    with pytest.raises(ValueError, match="legacy .h5 layout"):
        model.save_weights(tmp_path / "w.weights.h5", keras_version=2)
    with pytest.raises(ValueError, match="keras_version=4 is not supported; pass 3"):
        model.save(tmp_path / "m.h5", keras_version=4)


def test_what_keras2_cannot_express_is_refused_by_name(tmp_path):
    symk.backend.clear_session()
    a, b = L.Input(shape=(2,), name="a"), L.Input(shape=(2,), name="b")
    model = symk.Model({"a": a, "b": b}, L.Add()([a, b]), name="dict_inputs")
    with pytest.raises(Keras2ConversionError, match="dict inputs"):
        model.save(tmp_path / "m.h5", keras_version=2)
    assert not os.path.exists(tmp_path / "m.h5")


def test_cli_convert_keras_version_2(tmp_path, capsys):
    source = os.path.join(HERE, "..", "symk_written", "dense_dropout.h5")  # a Keras 3 layout file
    out = tmp_path / "k2.h5"
    assert cli.main(["convert", source, str(out), "--keras-version", "2"]) == 0
    assert "Keras 2" in capsys.readouterr().out
    config, attrs = _config(out)
    assert attrs["backend"] == "tensorflow"
    assert "batch_input_shape" in config["config"]["layers"][0]["config"]
    data = np.load(os.path.join(HERE, "dense_dropout.npz"))
    want = _predict(symk.models.load_model(source, compile=False), _inputs(data))[0]
    np.testing.assert_allclose(_predict(symk.models.load_model(out, compile=False), _inputs(data))[0], want,
                               atol=1e-6)
