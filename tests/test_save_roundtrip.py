"""save -> load -> predict equality, JSON round trips, weights-only files in both layouts, custom objects."""
import json

import numpy as np
import pytest

import symk
from symk.layers import Concatenate, Dense, Dropout, Input, Lambda
from symk.models import load_model, model_from_config, model_from_json
from symk.saving import register_serializable


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def sequential_model():
    return symk.Sequential([Dense(5, activation="relu", input_shape=(3,)), Dropout(0.3),
                            Dense(2, activation="softmax")], name="seq")


def multi_io_model():
    a, b = Input(shape=(4,), name="a"), Input(shape=(3,), name="b")
    shared = Dense(6, activation="tanh", name="shared")
    h = Concatenate(name="cat")([shared(a), b])
    return symk.Model([a, b], [Dense(1, name="out1")(h), Dense(2, name="out2")(shared(a))], name="mio")


def nested_model():
    inner = symk.Sequential([Input(shape=(4,)), Dense(3, activation="relu", name="i1")], name="inner")
    x = Input(shape=(4,), name="x")
    return symk.Model(x, Dense(2, name="head")(inner(x)), name="outer")


def nested_functional_model():
    ix = Input(shape=(4,), name="ix")
    inner = symk.Model(ix, Dense(3, name="f1")(ix), name="inner_f")
    x = Input(shape=(4,), name="x")
    y1, y2 = inner(x), inner(Dense(4, name="pre")(x))  # the nested model is called twice (shared)
    return symk.Model(x, symk.layers.add([y1, y2]), name="outer_f")


MODELS = {"sequential": (sequential_model, lambda: _x(6, 3)),
          "multi_io": (multi_io_model, lambda: [_x(6, 4), _x(6, 3, seed=1)]),
          "nested": (nested_model, lambda: _x(6, 4)),
          "nested_functional_shared": (nested_functional_model, lambda: _x(6, 4))}


def _assert_same_predictions(a, b, x):
    pa, pb = a.predict(x), b.predict(x)
    for u, v in zip(pa if isinstance(pa, list) else [pa], pb if isinstance(pb, list) else [pb]):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_save_then_load_model_predicts_identically(kind, tmp_path):
    build, data = MODELS[kind]
    model = build()
    path = tmp_path / "m.h5"
    model.save(path)
    symk.backend.clear_session()  # the loader must not depend on the original objects
    loaded = load_model(path)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    _assert_same_predictions(model, loaded, data())


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_json_round_trip_keeps_architecture(kind):
    model = MODELS[kind][0]()
    text = model.to_json()
    rebuilt = model_from_json(text)
    assert json.loads(rebuilt.to_json())["config"] == json.loads(text)["config"]
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in model.weights]


@pytest.mark.parametrize("suffix", [".weights.h5", ".h5"])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_weights_only_round_trip_both_layouts(kind, suffix, tmp_path):
    build, data = MODELS[kind]
    model = build()
    model.save_weights(tmp_path / f"w{suffix}")
    fresh = model_from_config({"class_name": "Functional", "config": model.get_config()}
                              if not isinstance(model, symk.Sequential) else
                              {"class_name": "Sequential", "config": model.get_config()})
    fresh.load_weights(tmp_path / f"w{suffix}")
    _assert_same_predictions(model, fresh, data())


def test_input_layer_written_first_with_batch_shape_and_dtype_policies():
    config = sequential_model().get_config()
    first = config["layers"][0]
    assert first["class_name"] == "InputLayer" and first["config"]["batch_shape"] == [None, 3]
    dense = config["layers"][1]["config"]
    assert "batch_input_shape" not in dense
    assert dense["dtype"] == {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                              "registered_name": None}


def test_functional_config_uses_keras3_inbound_nodes():
    config = multi_io_model().get_config()
    by_name = {entry["name"]: entry for entry in config["layers"]}
    cat_node = by_name["cat"]["inbound_nodes"][0]
    histories = [t["config"]["keras_history"] for t in cat_node["args"][0]]
    assert histories == [["shared", 0, 0], ["b", 0, 0]]
    assert by_name["out2"]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["shared", 1, 0]
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out1", 0, 0], ["out2", 0, 0]]


def test_keras2_config_variants_are_accepted():
    keras2 = {"class_name": "Sequential", "config": {"name": "k2", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "trainable": True, "dtype": "float32",
                                           "batch_input_shape": [None, 3], "units": 2, "activation": "linear",
                                           "kernel_initializer": {"class_name": "Ones", "config": {}},
                                           "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                                                "config": {}, "registered_name": None}}}]}}
    model = model_from_config(keras2)
    np.testing.assert_allclose(model.predict(np.ones((1, 3), "float32")), [[3.0, 3.0]])


def test_removed_legacy_argument_is_ignored_with_a_warning():
    config = {"class_name": "Dense", "config": {"name": "d", "units": 2, "time_major": False}}
    with pytest.warns(UserWarning, match="time_major"):
        layer = model_from_config(config)
    assert layer.units == 2


@register_serializable(package="tests")
class TimesTwo(symk.layers.Layer):
    def call(self, x):
        return x * 2.0


class PlusOne(symk.layers.Layer):
    def call(self, x):
        return x + 1.0


def test_registered_and_custom_objects_load(tmp_path):
    x = Input(shape=(2,))
    model = symk.Model(x, PlusOne(name="p")(TimesTwo(name="t")(x)))
    model.save(tmp_path / "c.h5")
    entry = {e["name"]: e for e in model.get_config()["layers"]}["t"]
    assert entry["class_name"] == "tests>TimesTwo"
    with pytest.raises(ValueError, match="custom_objects=.*PlusOne"):
        load_model(tmp_path / "c.h5")
    loaded = load_model(tmp_path / "c.h5", custom_objects={"PlusOne": PlusOne})
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2), "float32")), [[3.0, 3.0]])
    with symk.utils.custom_object_scope({"PlusOne": PlusOne}):
        assert load_model(tmp_path / "c.h5").layers[-1].name == "p"


def named_square(x):
    return x * x


def test_lambda_named_function_round_trip_and_bytecode_refused(tmp_path):
    x = Input(shape=(2,))
    model = symk.Model(x, Lambda(named_square, name="sq")(Lambda(lambda t: t + 1.0, name="anon")(x)))
    model.save(tmp_path / "l.h5")
    with pytest.raises(ValueError, match="safe_mode=False"):
        load_model(tmp_path / "l.h5", custom_objects={"named_square": named_square})
    loaded = load_model(tmp_path / "l.h5", custom_objects={"named_square": named_square}, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(np.array([[1.0, 2.0]], "float32")), [[4.0, 9.0]])


def test_keras2_lambda_bytecode_config_refused_in_safe_mode():
    config = {"class_name": "Lambda", "config": {"name": "lam", "function": ["AAAA", None, None],
                                                 "function_type": "lambda", "module": "__main__",
                                                 "output_shape": None, "output_shape_type": "raw", "arguments": {}}}
    with pytest.raises(ValueError, match="lam.*bytecode.*safe_mode=False"):
        model_from_config(config)
