"""keras.saving's serialization API in symk: serialize/deserialize_keras_object in Keras 3's forms (checked against
what Keras 3.15 itself wrote, tests/references/keras3/archives/serialized.json), the registry and scopes,
registered objects resolving in files, and the read-only KerasFileEditor."""
import json
import os

import numpy as np
import pytest

import symk
from symk import saving
from symk.models import load_model

L = symk.layers
HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "references", "keras3", "archives", "serialized.json")) as _f:
    KERAS_FORMS = json.load(_f)


# the custom objects the Keras references name, registered once (by the archive tests' module)
from test_save_keras_archive_refs import ScaledDense, scaled_tanh  # noqa: E402


def _objects():
    return {"dense": L.Dense(3, activation="relu", name="dense_ref"), "relu": symk.activations.relu,
            "registered_function": scaled_tanh, "registered_layer": ScaledDense(2, name="scaled_ref"),
            "loss": symk.losses.MeanSquaredError(), "loss_function": symk.losses.mean_squared_error,
            "metric": symk.metrics.AUC(name="auc_ref"), "optimizer": symk.optimizers.Adam(0.01),
            "schedule": symk.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
            "initializer": symk.initializers.GlorotUniform(seed=1), "regularizer": symk.regularizers.L2(0.1),
            "constraint": symk.constraints.MaxNorm(2.0), "array": np.arange(3, dtype="float32"),
            "bytes": b"abc", "nested": {"a": (1, 2), "b": [None, "x"]}}


@pytest.mark.parametrize("name", sorted(KERAS_FORMS))
def test_serialized_form_is_kerass(name):
    ours = json.loads(json.dumps(saving.serialize_keras_object(_objects()[name])))
    theirs = KERAS_FORMS[name]
    if not isinstance(theirs, dict) or "class_name" not in theirs:
        assert ours == theirs
        return
    for key in ("class_name", "registered_name"):
        assert ours.get(key) == theirs.get(key), key
    if theirs.get("module") is not None and name != "registered_layer":
        assert ours["module"] == theirs["module"]
    if isinstance(theirs["config"], dict):
        shared = set(ours["config"]) & set(theirs["config"])
        assert shared, (ours["config"], theirs["config"])
        for key in shared - {"dtype", "kernel_initializer"}:
            assert ours["config"][key] == pytest.approx(theirs["config"][key]) if isinstance(
                theirs["config"][key], float) else ours["config"][key] == theirs["config"][key], key
    else:
        assert ours["config"] == theirs["config"]


@pytest.mark.parametrize("name", sorted(KERAS_FORMS))
def test_keras_forms_deserialize_to_symk_objects(name):
    obj = saving.deserialize_keras_object(KERAS_FORMS[name])
    want = _objects()[name]
    if isinstance(want, np.ndarray):
        np.testing.assert_array_equal(obj, want)
    elif name == "nested":
        assert obj == {"a": [1, 2], "b": [None, "x"]}
    elif callable(want) and not hasattr(want, "get_config"):
        assert obj is want
    elif name == "bytes":
        assert obj == b"abc"
    else:
        assert type(obj) is type(want)
        assert saving.serialize_keras_object(obj)["config"] == saving.serialize_keras_object(want)["config"]


def test_models_round_trip_with_compile_and_build():
    model = symk.Sequential([L.Input((4,)), L.Dense(3, activation=scaled_tanh), ScaledDense(2, scale=0.5)])
    model.compile(optimizer=symk.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    config = saving.serialize_keras_object(model)
    assert config["compile_config"]["optimizer"]["class_name"] == "SGD"
    assert config["config"]["layers"][1]["config"]["activation"] == {
        "module": "builtins", "class_name": "function", "config": "SymkRefs>scaled_tanh",
        "registered_name": "function"}
    clone = saving.deserialize_keras_object(json.loads(json.dumps(config)))
    assert clone.built and clone.compiled and clone.layers[0].activation is scaled_tanh
    clone.set_weights(model.get_weights())
    x = np.random.RandomState(0).uniform(-1, 1, (3, 4)).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_standalone_layer_gets_its_build_config():
    layer = saving.deserialize_keras_object(saving.serialize_keras_object(_built_dense()))
    assert layer.built and tuple(layer.kernel.shape) == (5, 3)


def _built_dense():
    layer = L.Dense(3)
    layer.build((None, 5))
    layer._build_input_shape = (None, 5)
    return layer


def test_registry_functions():
    assert saving.get_registered_name(ScaledDense) == "SymkRefs>ScaledDense"
    assert saving.get_registered_name(L.Dense) == "Dense"
    assert saving.get_registered_object("SymkRefs>ScaledDense") is ScaledDense
    assert saving.get_registered_object("ScaledDense") is None
    assert saving.get_registered_object("x", custom_objects={"x": 1}) == 1
    assert saving.get_custom_objects()["SymkRefs>scaled_tanh"] is scaled_tanh
    with pytest.raises(ValueError, match="get_config"):
        saving.register_keras_serializable("SymkRefs")(type("NoConfig", (), {}))


def test_custom_object_scope_and_keras_error_for_unknown_classes():
    class Unregistered(L.Layer):
        def get_config(self):
            return super().get_config()

    config = {"module": "my_project.layers", "class_name": "Unregistered", "config": {"name": "u"},
              "registered_name": "Unregistered"}
    with pytest.raises(TypeError, match="Could not locate class 'Unregistered'. Make sure custom classes"):
        saving.deserialize_keras_object(config)
    with saving.custom_object_scope({"Unregistered": Unregistered}):
        assert type(saving.deserialize_keras_object(config)) is Unregistered
    with saving.CustomObjectScope({"Unregistered": Unregistered}):
        assert saving.get_registered_object("Unregistered") is Unregistered
    assert type(saving.deserialize_keras_object(config, custom_objects={"Unregistered": Unregistered})) is Unregistered


def test_registered_function_as_activation_loss_and_metric_loads_from_h5(tmp_path):
    model = symk.Sequential([L.Input((4,)), L.Dense(3, activation=scaled_tanh), L.Dense(2)])
    model.compile(optimizer="adam", loss=_registered_loss, metrics=[_registered_loss])
    for suffix in (".h5", ".keras"):
        model.save(tmp_path / f"m{suffix}")
        loaded = load_model(tmp_path / f"m{suffix}")
        assert loaded.layers[0].activation is scaled_tanh
        assert loaded.loss is _registered_loss and _registered_loss in loaded.compiled_metrics


@saving.register_keras_serializable(package="SymkRefs", name="registered_loss")
def _registered_loss(y_true, y_pred):
    return symk.ops.mean(symk.ops.abs(y_true - y_pred), axis=-1)


def test_keras_file_editor_reads_archives_and_weights_files(tmp_path, capsys):
    model = symk.Sequential([L.Input((4,)), L.Dense(3), L.Dense(2)], name="edited")
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    for name in ("m.keras", "m.weights.h5"):
        editor = saving.KerasFileEditor(str(tmp_path / name))
        np.testing.assert_array_equal(editor.weights_dict["layers"]["dense"]["0"], model.layers[0].kernel.numpy())
        editor.summary()
        assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": 4}
    assert editor.object_metadata["/layers/dense_1"] == {"name": model.layers[1].name}
    assert saving.KerasFileEditor(str(tmp_path / "m.keras")).metadata["keras_version"].startswith("3.")
    other = symk.Sequential([L.Input((4,)), L.Dense(5), L.Dense(2)])
    result = editor.compare(other)
    assert result["status"] == "error" and result["error_count"] == 3  # both dense kernels and one bias
    assert "shape mismatch" in capsys.readouterr().out
    with pytest.raises(ValueError, match="expected a `.keras` `.weights.h5` extension"):
        saving.KerasFileEditor(str(tmp_path / "m.h5"))
