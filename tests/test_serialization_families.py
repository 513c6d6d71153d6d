"""Each family's serialize / deserialize / get against what Keras 3.15 returns for the same objects.

References: tests/references/keras3/family_serialization.json, written by
tools/keras_refs/make_family_serialization.py with real Keras (built-in objects and objects registered with
register_keras_serializable). symk builds the same objects, registers the same custom ones under the same
package, and must serialize them to Keras's forms and rebuild Keras's forms into the same objects.
"""
import json
import pathlib
import types

import numpy as np
import pytest

import symk

REFERENCE = json.loads((pathlib.Path(__file__).parent / "references" / "keras3" /
                        "family_serialization.json").read_text())["families"]


@symk.saving.register_keras_serializable(package="my")
def custom_fn(x):
    return symk.ops.relu(x) * 2.0


@symk.saving.register_keras_serializable(package="my")
def my_loss(y_true, y_pred):
    return symk.ops.mean((y_true - y_pred) ** 2)


@symk.saving.register_keras_serializable(package="my")
class MyRegularizer(symk.regularizers.Regularizer):
    def __init__(self, strength=0.1):
        self.strength = strength

    def __call__(self, x):
        return self.strength * symk.ops.sum(x)

    def get_config(self):
        return {"strength": self.strength}


@symk.saving.register_keras_serializable(package="my")
class MyLayer(symk.layers.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def symk_cases():
    """The same objects, in the same order, as the reference script's family_cases()."""
    return {
        "activations": [symk.activations.relu, symk.activations.softmax, custom_fn],
        "constraints": [symk.constraints.MaxNorm(2.0), symk.constraints.NonNeg()],
        "initializers": [symk.initializers.GlorotUniform(seed=3), symk.initializers.Constant(0.5)],
        "layers": [symk.layers.Dense(3, activation="relu", name="dense_ref"), MyLayer(4, name="my_layer_ref")],
        "losses": [symk.losses.MeanSquaredError(), symk.losses.mean_absolute_error, my_loss],
        "metrics": [symk.metrics.MeanAbsoluteError(), symk.metrics.AUC(num_thresholds=50)],
        "optimizers": [symk.optimizers.Adam(learning_rate=0.01)],
        "schedules": [symk.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9)],
        "regularizers": [symk.regularizers.L2(0.01), MyRegularizer(0.3)],
    }


def family_module(family):
    return symk.optimizers.schedules if family == "schedules" else getattr(symk, family)


CASES = [(family, index) for family, entries in REFERENCE.items() for index in range(len(entries))]


def comparable(form):
    """A serialized form with what differs by design normalized away: optimizers' class_name spelling
    (keras.optimizers.serialize gives the lower-case export name, 'adam'; both load everywhere), arguments
    symk's layers do not have (quantization_config) or write as None (activity_regularizer), and the Python
    module of a registered user class (the reference script ran as __main__; Keras finds such classes by
    registered_name). A layer's get_config() gives its dtype policy by name; serialized forms carry
    Keras 3's DTypePolicy object, which is compared by that name."""
    if isinstance(form, dict) and form.get("class_name") == "DTypePolicy":
        return form["config"]["name"]
    if isinstance(form, dict):
        dropped = {"quantization_config"} | ({"activity_regularizer"} if form.get("activity_regularizer") is None
                                             else set())
        if ">" in str(form.get("registered_name")):
            dropped.add("module")
        form = {key: comparable(value) for key, value in form.items() if key not in dropped}
        if form.get("module") == "keras.optimizers" and isinstance(form.get("class_name"), str):
            form["class_name"] = form["class_name"].lower()
        return form
    if isinstance(form, (list, tuple)):
        return [comparable(value) for value in form]
    if isinstance(form, float):
        return round(form, 6)
    return form


def json_form(value):
    return json.loads(json.dumps(value, default=str))


@pytest.mark.parametrize("family,index", CASES)
def test_serialize_matches_keras(family, index):
    obj = symk_cases()[family][index]
    expected = REFERENCE[family][index]["serialized"]
    assert comparable(json_form(family_module(family).serialize(obj))) == comparable(expected)


def assert_rebuilt(rebuilt, description, family):
    if description["kind"] == "function":
        assert isinstance(rebuilt, types.FunctionType), rebuilt
        assert rebuilt.__name__ == description["name"]
        return
    assert type(rebuilt).__name__ == description["class_name"]
    expected = comparable(description.get("config", {}))
    got = comparable(json_form(rebuilt.get_config()))
    if family == "optimizers":  # Keras writes every optimizer option; compare the ones both have
        got = {key: value for key, value in got.items() if key in expected}
        expected = {key: value for key, value in expected.items() if key in got}
    assert got == expected


@pytest.mark.parametrize("family,index", CASES)
def test_deserialize_keras_forms(family, index):
    entry = REFERENCE[family][index]
    rebuilt = family_module(family).deserialize(entry["serialized"])
    assert_rebuilt(rebuilt, entry["deserialized"], family)
    if "get" in entry:
        assert_rebuilt(family_module(family).get(entry["serialized"]), entry["get"], family)


def test_registered_activation_and_loss_work_after_a_round_trip():
    fn = symk.activations.get(symk.activations.serialize(custom_fn))
    np.testing.assert_allclose(np.asarray(fn(np.array([-1.0, 2.0], "float32"))), [0.0, 4.0])
    loss = symk.losses.get(symk.losses.serialize(my_loss))
    assert float(loss(np.ones((2, 2), "float32"), np.zeros((2, 2), "float32"))) == pytest.approx(1.0)


def test_registered_layer_inside_a_wrapper_round_trips():
    wrapped = symk.layers.TimeDistributed(MyLayer(5))
    rebuilt = symk.layers.deserialize(symk.layers.serialize(wrapped))
    assert type(rebuilt.layer) is MyLayer and rebuilt.layer.units == 5


def test_custom_objects_argument_resolves_unregistered_names():
    def plain_activation(x):
        return x * 3.0

    form = {"module": "builtins", "class_name": "function", "config": "plain_activation",
            "registered_name": "function"}
    assert symk.activations.deserialize(form, custom_objects={"plain_activation": plain_activation}) \
        is plain_activation
    with pytest.raises((ValueError, TypeError), match="plain_activation"):
        symk.activations.deserialize(form)


def test_unknown_names_say_what_is_known():
    with pytest.raises(ValueError, match="unknown regularizer 'l3'.*l1"):
        symk.regularizers.get("l3")
    with pytest.raises(ValueError, match="Unknown loss 'not_a_loss'"):
        symk.losses.get("not_a_loss")
