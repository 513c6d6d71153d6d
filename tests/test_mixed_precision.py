"""Mixed precision against real Keras 3 (tests/references/mixed_precision/, tools/keras_refs/make_mixed_precision.py):
dtype policies, per-layer dtypes and casts, predict and 3 training steps under mixed_bfloat16 / mixed_float16,
the automatic LossScaleOptimizer, and Keras-written .keras / .h5 files with mixed policies."""
import json
import os

import h5py
import numpy as np
import pytest

import symk
from symk import dtype_policies, layers, mixed_precision
from symk.dtype_policies import policy as policy_module
from symk.models import load_model
from symk.saving.layer_config import serialize_layer
from symk.saving.keras2_config import keras2_model_config

HERE = os.path.join(os.path.dirname(__file__), "references", "mixed_precision")
FACTS = json.load(open(os.path.join(HERE, "facts.json")))
ARRAYS = np.load(os.path.join(HERE, "arrays.npz"))
POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")
# bf16 keeps 8 significant bits, f16 11: tolerances for outputs of order 1
TOLERANCE = {"float32": 1e-5, "mixed_bfloat16": 3e-2, "mixed_float16": 3e-3}


@pytest.fixture(autouse=True)
def default_policy():
    yield
    policy_module._global["policy"] = None


def build_model(policy):
    mixed_precision.set_global_policy(policy)
    inputs = symk.Input((4,), name="x")
    h = layers.Dense(8, activation="relu", name="hidden")(inputs)
    logits = layers.Dense(3, name="logits")(h)
    outputs = layers.Activation("softmax", dtype="float32", name="probs")(logits)
    model = symk.Model(inputs, outputs, name="mp_model")
    model.set_weights([ARRAYS[f"w{i}"] for i in range(4)])
    return model


# -- policies ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FACTS["policies"]))
def test_policy_dtypes_as_keras(name):
    p = symk.dtype_policies.DTypePolicy(name)
    assert [p.name, p.compute_dtype, p.variable_dtype] == FACTS["policies"][name]


def test_serialize_get_deserialize_as_keras():
    p = dtype_policies.get("mixed_float16")
    assert dtype_policies.serialize(p) == FACTS["serialized"]
    assert dtype_policies.deserialize(FACTS["serialized"]) == p
    keras2 = {"class_name": "Policy", "config": {"name": "mixed_bfloat16"}}  # what tf.keras wrote
    assert dtype_policies.get(keras2).compute_dtype == "bfloat16"
    assert repr(dtype_policies.get(None)) == '<DTypePolicy "float32">'
    assert dtype_policies.get(np.float16).name == "float16"


def test_bad_policies_are_refused_by_name():
    with pytest.raises(ValueError, match="mixed_float61"):
        symk.dtype_policies.DTypePolicy("mixed_float61")
    with pytest.raises(TypeError, match="must be a string"):
        symk.dtype_policies.DTypePolicy(3)
    with pytest.raises(ValueError, match="policy=None"):
        mixed_precision.set_global_policy(None)
    with pytest.raises(ValueError, match="Layer 'wide' \\(Dense\\): dtype='bfloat61'.*Cannot convert"):
        layers.Dense(2, dtype="bfloat61", name="wide")


def test_global_policy_through_config_and_mixed_precision():
    assert symk.config.dtype_policy().name == "float32"
    symk.config.set_dtype_policy("mixed_float16")
    assert mixed_precision.global_policy().name == "mixed_float16"
    assert mixed_precision.dtype_policy().compute_dtype == "float16"
    assert symk.config.floatx() == "float32"  # as Keras: a policy does not change floatx
    assert mixed_precision.Policy is mixed_precision.DTypePolicy
    assert mixed_precision.LossScaleOptimizer is symk.optimizers.LossScaleOptimizer
    mixed_precision.set_global_policy(mixed_precision.Policy("float32"))
    assert layers.Dense(2).compute_dtype == "float32"


# -- layers --------------------------------------------------------------------------------
def test_default_layer_dtype_unchanged():
    dense = layers.Dense(2)
    assert dense.dtype == "float32" and dense.get_config()["dtype"] == "float32"
    assert dense.dtype_policy.name == "float32"


@pytest.mark.parametrize("dtype", ["mixed_bfloat16", symk.dtype_policies.DTypePolicy("mixed_bfloat16")])
def test_layer_dtype_takes_a_policy(dtype):
    dense = layers.Dense(2, dtype=dtype)
    assert (dense.dtype, dense.compute_dtype, dense.variable_dtype) == ("float32", "bfloat16", "float32")
    y = dense(np.ones((1, 3), "float32"))  # eager: inputs cast to bf16, kernel read in bf16
    assert str(y.dtype) == "bfloat16"
    assert dense.kernel.dtype == "float32" and dense.kernel.numpy().dtype == np.float32


@pytest.mark.parametrize("policy", POLICIES)
def test_layer_dtypes_as_keras(policy):
    model = build_model(policy)
    facts = FACTS[policy]
    assert model.dtype_policy.name == facts["model_policy"]
    for layer in model.layers[1:]:
        want = facts["layers"][layer.name]
        got = {"dtype": layer.dtype, "compute_dtype": layer.compute_dtype, "variable_dtype": layer.variable_dtype,
               "policy": layer.dtype_policy.name, "output_dtype": layer.output.dtype,
               "weight_dtypes": [w.dtype for w in layer.weights],
               "config_dtype": serialize_layer(layer)["config"]["dtype"]}
        assert got == want, layer.name


def test_graph_shows_the_casts():
    model = build_model("mixed_bfloat16")
    graph = model._graph.nx
    casts = {}
    for _, data in graph.nodes(data=True):
        if data["op"] == "cast":
            scope = (data.get("scope") or ("",))[0]
            casts.setdefault(scope, []).append(data["specs"][0].dtype)
    # hidden: input, kernel and bias to bf16; logits: kernel and bias; probs: its bf16 input back to float32
    assert sorted(casts["hidden"]) == ["bfloat16"] * 3
    assert sorted(casts["logits"]) == ["bfloat16"] * 2
    assert casts["probs"] == ["float32"]


def test_autocast_false_and_integer_weights_are_left_alone():
    class Counter(layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight("scale", (), initializer="ones")
            self.steps = self.add_weight("steps", (), dtype="int32", trainable=False)
            self.raw = self.add_weight("raw", (), initializer="ones", autocast=False)

        def call(self, x):
            read = symk.ops.convert_to_tensor
            self.seen = (read(self.scale).dtype, read(self.steps).dtype, read(self.raw).dtype)
            return x * self.scale

    layer = Counter(dtype="mixed_float16")
    inputs = symk.Input((2,))
    assert layer(inputs).dtype == "float16"
    assert layer.seen == ("float16", "int32", "float32")
    plain = layers.Dense(2, dtype="mixed_float16", autocast=False)
    assert plain(inputs).dtype == "float32"  # no input cast, weights read as stored


# -- numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", POLICIES)
def test_predict_as_keras(policy):
    model = build_model(policy)
    out = model.predict(ARRAYS["x"], verbose=0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, ARRAYS[f"{policy}/predict"], atol=TOLERANCE[policy])


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_three_training_steps_as_keras(policy):
    model = build_model(policy)
    model.compile(symk.optimizers.SGD(0.1), "categorical_crossentropy")
    facts = FACTS[policy]
    assert type(model.optimizer).__name__ == facts["optimizer_class"]
    history = model.fit(ARRAYS["x"], ARRAYS["y"], epochs=3, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], facts["losses"], atol=TOLERANCE[policy])
    for i, w in enumerate(model.get_weights()):
        assert w.dtype == np.float32  # gradients applied to the float32 variables
        np.testing.assert_allclose(w, ARRAYS[f"{policy}/trained_w{i}"], atol=TOLERANCE[policy])
    if policy == "mixed_float16":
        check_loss_scale_optimizer(model.optimizer, facts)


def check_loss_scale_optimizer(optimizer, facts):
    """Config and state after 3 finite steps, as Keras's (scale unchanged, step counter 3)."""
    want, got = facts["optimizer_config"], optimizer.get_config()
    keys = ("name", "initial_scale", "dynamic_growth_steps")
    assert {k: got[k] for k in keys} == {k: want[k] for k in keys}
    assert got["inner_optimizer"]["class_name"] == want["inner_optimizer"]["class_name"]
    state = {v.path.split("/")[-1]: float(np.asarray(v.numpy())) for v in optimizer.variables}
    keras_state = {k.split("/")[-1]: v for k, v in facts["optimizer_variables"].items()
                   if k.startswith("loss_scale_optimizer/")}
    for key in ("dynamic_scale", "step_counter"):
        assert state[key] == keras_state[key]
    assert int(optimizer.iterations.numpy()) == 3


def test_auto_scale_loss_false_keeps_the_optimizer():
    model = build_model("mixed_float16")
    model.compile(symk.optimizers.SGD(0.1), "categorical_crossentropy", auto_scale_loss=False)
    assert type(model.optimizer).__name__ == "SGD"


# -- files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_written_files_keep_their_policy(policy, suffix):
    model = load_model(os.path.join(HERE, f"model_{policy}{suffix}"), compile=False)
    assert {l.name: l.dtype_policy.name for l in model.layers[1:]} == {
        name: facts["policy"] for name, facts in FACTS[policy]["layers"].items()}
    for i, w in enumerate(model.get_weights()):  # the files hold the models after fit
        np.testing.assert_array_equal(w, ARRAYS[f"{policy}/trained_w{i}"])
    np.testing.assert_allclose(model.predict(ARRAYS["x"], verbose=0), ARRAYS[f"{policy}/trained_predict"],
                               atol=TOLERANCE[policy])


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_symk_files_round_trip_the_policy(suffix, tmp_path):
    model = build_model("mixed_bfloat16")
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = load_model(path, compile=False)
    assert [l.dtype_policy.name for l in loaded.layers[1:]] == ["mixed_bfloat16", "mixed_bfloat16", "float32"]
    np.testing.assert_array_equal(loaded.predict(ARRAYS["x"], verbose=0), model.predict(ARRAYS["x"], verbose=0))
    if suffix == ".h5":
        with h5py.File(path, "r") as f:
            config = json.loads(f.attrs["model_config"])
        hidden = next(l for l in config["config"]["layers"] if l["config"]["name"] == "hidden")
        assert hidden["config"]["dtype"]["config"] == {"name": "mixed_bfloat16"}


def test_keras2_config_writes_and_reads_policy_objects():
    model = build_model("mixed_float16")
    config = keras2_model_config(model)
    by_name = {l["config"]["name"]: l["config"]["dtype"] for l in config["config"]["layers"]}
    assert by_name["hidden"] == {"class_name": "Policy", "config": {"name": "mixed_float16"}}  # tf.keras's form
    assert by_name["probs"] == "float32"
    rebuilt = symk.models.model_from_json(json.dumps(config))
    assert [l.dtype_policy.name for l in rebuilt.layers[1:]] == ["mixed_float16", "mixed_float16", "float32"]
