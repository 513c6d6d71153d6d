"""Files written by real Keras 3 and Keras 2 (tests/references/) load in symk and predict what Keras predicted."""
import json
import os

import h5py
import numpy as np
import pytest

import symk
from symk.layers import Dense, Dropout, Input
from symk.models import load_model
from symk.saving.registry import builtin_layer_classes

REFERENCES = os.path.join(os.path.dirname(__file__), "references")
MODEL_CASES = ["mlp", "mlp_compiled", "multi_io", "nested", "cnn", "rnn", "rnn2", "conv1d_misc", "conv2d_misc"]


def _class_names(config) -> set:
    names = set()
    if isinstance(config, dict):
        if "class_name" in config and isinstance(config.get("config"), dict) and "layers" in config["config"]:
            names.add(config["class_name"])
            for entry in config["config"]["layers"]:
                names |= _class_names(entry)
        elif "class_name" in config:
            names.add(config["class_name"])
            for key in ("layer", "backward_layer", "cell"):
                if isinstance(config.get("config", {}).get(key), dict):
                    names |= _class_names(config["config"][key])
    return names


def skip_if_layers_missing(path: str) -> None:
    """Skip only while a layer class the file uses is not in symk.layers yet."""
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
    missing = sorted(n for n in _class_names(config) if n not in builtin_layer_classes())
    if missing:
        pytest.skip(f"symk.layers lacks {missing} (the [layers] work adds them)")


def reference_io(version: str, case: str):
    data = np.load(os.path.join(REFERENCES, version, f"{case}.npz"))
    xs = [data[k] for k in sorted(data.files) if k == "x" or (k.startswith("x") and k[1:].isdigit())]
    ys = [data[k] for k in sorted(data.files) if k == "y" or (k.startswith("y") and k[1:].isdigit())]
    return xs, ys


def assert_predicts_reference(model, version: str, case: str) -> None:
    xs, ys = reference_io(version, case)
    predicted = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    predicted = predicted if isinstance(predicted, list) else [predicted]
    assert len(predicted) == len(ys)
    for got, want in zip(predicted, ys):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("version", ["keras3", "keras2"])
@pytest.mark.parametrize("case", MODEL_CASES)
def test_load_model_written_by_keras_predicts_the_same(version, case):
    path = os.path.join(REFERENCES, version, f"{case}.h5")
    skip_if_layers_missing(path)
    model = load_model(path, compile=False)
    assert_predicts_reference(model, version, case)


@pytest.mark.parametrize("version", ["keras3", "keras2"])
def test_loaded_layer_names_and_order_follow_the_file(version):
    model = load_model(os.path.join(REFERENCES, version, "multi_io.h5"), compile=False)
    with h5py.File(os.path.join(REFERENCES, version, "multi_io.h5"), "r") as f:
        saved = [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"].attrs["layer_names"]]
    from symk.models.layer_order import keras_layer_order

    assert [layer.name for layer in keras_layer_order(model)] == saved
    assert model.input_names == ["main_input", "aux_input"]


def _reference_mlp():
    return symk.Sequential([Input(shape=(8,)), Dense(16, activation="relu"), Dropout(0.5),
                            Dense(4, activation="softmax")], name="mlp")


def _reference_nested():
    inner = symk.Sequential([Input(shape=(5,)), Dense(4, activation="relu", name="inner_dense_1"),
                             Dense(3, name="inner_dense_2")], name="inner")
    x = Input(shape=(5,), name="outer_input")
    return symk.Model(x, Dense(2, name="outer_dense")(inner(x)), name="outer")


@pytest.mark.parametrize("weights_file,build,case", [
    ("keras3/mlp.weights.h5", _reference_mlp, "mlp"),
    ("keras2/mlp_weights.h5", _reference_mlp, "mlp"),
    ("keras3/nested.weights.h5", _reference_nested, "nested"),
])
def test_weights_only_files_from_keras_load_by_position(weights_file, build, case):
    model = build()
    model.load_weights(os.path.join(REFERENCES, weights_file))
    assert_predicts_reference(model, weights_file.split("/")[0], case)


def test_keras2_weights_load_by_name_into_a_model_with_other_layers():
    x = Input(shape=(8,))
    extra = Dense(16, name="unrelated")(x)  # not in the file: left alone
    model = symk.Model(x, [Dense(4, activation="softmax", name="dense_1")(Dense(16, activation="relu",
                                                                                name="dense")(x)), extra])
    before = model.get_layer("unrelated").get_weights()
    model.load_weights(os.path.join(REFERENCES, "keras2/mlp_weights.h5"), by_name=True)
    xs, ys = reference_io("keras2", "mlp")
    np.testing.assert_allclose(model.predict(xs[0])[0], ys[0], rtol=1e-5, atol=1e-5)
    for a, b in zip(before, model.get_layer("unrelated").get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("weights_file", ["keras3/cnn.weights.h5", "keras2/cnn_weights.h5"])
def test_cnn_weights_only_files(weights_file):
    model_file = os.path.join(REFERENCES, weights_file.split("/")[0], "cnn.h5")
    skip_if_layers_missing(model_file)
    model = load_model(model_file, compile=False)
    for w in model.weights:
        w.set_value(np.zeros(tuple(w.shape), w.dtype))
    model.load_weights(os.path.join(REFERENCES, weights_file))
    assert_predicts_reference(model, weights_file.split("/")[0], "cnn")
