"""Mixed precision against real Keras 3 (tests/references/mixed_precision_more/, written by
tools/keras_refs/make_mixed_precision_more.py) under "mixed_float16" and "mixed_bfloat16":

- ConvLSTM1D/2D/3D compute in the compute dtype inside their scan bodies and output it;
- BatchNormalization / LayerNormalization / GroupNormalization compute their statistics in float32 (Keras
  upcasts half-precision inputs; LayerNormalization and GroupNormalization do not autocast their inputs;
  all their weights are read as stored) and output the compute dtype; RMSNormalization alike;
- a Sequential model's config writes the policy's name as its dtype (a functional model's has no dtype).

The same weights and inputs as Keras give the same half-precision outputs, bit for bit here (XLA on CPU).
"""
import json
import os
import zipfile

import numpy as np
import pytest

import symk
from symk import layers as L
from symk.saving.model_config import functional_config, sequential_config

REFS = os.path.join(os.path.dirname(__file__), "references", "mixed_precision_more")
FACTS = json.load(open(os.path.join(REFS, "facts.json")))
POLICIES = ("mixed_float16", "mixed_bfloat16")

# the cases of tools/keras_refs/make_mixed_precision_more.py: (id, class, kwargs, call kwargs)
CASES = [
    ("conv_lstm1d", "ConvLSTM1D", dict(filters=3, kernel_size=2), {}),
    ("conv_lstm1d_sequences", "ConvLSTM1D", dict(filters=2, kernel_size=3, padding="same", return_sequences=True),
     {}),
    ("conv_lstm2d", "ConvLSTM2D", dict(filters=2, kernel_size=2), {}),
    ("conv_lstm3d", "ConvLSTM3D", dict(filters=2, kernel_size=2), {}),
    ("batch_norm_inference", "BatchNormalization", dict(), dict(training=False)),
    ("batch_norm_training", "BatchNormalization", dict(momentum=0.5), dict(training=True)),
    ("layer_norm", "LayerNormalization", dict(), {}),
    ("layer_norm_axes", "LayerNormalization", dict(axis=[1, 2], epsilon=1e-5), {}),
    ("group_norm", "GroupNormalization", dict(groups=2), {}),
    ("rms_norm", "RMSNormalization", dict(), {}),
]


@pytest.fixture
def arrays():
    return np.load(os.path.join(REFS, "arrays.npz"))


@pytest.fixture(params=POLICIES)
def policy(request):
    symk.mixed_precision.set_global_policy(request.param)
    yield request.param
    symk.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("case_id, class_name, kwargs, call_kwargs", CASES, ids=[c[0] for c in CASES])
def test_layer_under_mixed_policy_matches_keras(policy, arrays, case_id, class_name, kwargs, call_kwargs):
    key = f"{policy}/{case_id}"
    facts = FACTS[policy][case_id]
    x = arrays[f"{key}/x"]
    layer = getattr(L, class_name)(**kwargs)
    layer.build(x.shape)
    assert [w.dtype for w in layer.weights] == facts["weight_dtypes"]  # float32 variables
    layer.set_weights([arrays[f"{key}/w{i}"] for i in range(len(layer.weights))])
    y = np.asarray(layer(x, **call_kwargs))
    assert str(y.dtype) == facts["output_dtype"]
    # NOTE: exact here; a ulp of the half-precision output (float16: 2**-10, bfloat16: 2**-7, relative) would
    # still be Keras's computation, rounded in another order
    ulp = 2.0 ** (-10 if policy == "mixed_float16" else -7)
    np.testing.assert_allclose(y.astype("float32"), arrays[f"{key}/y"], rtol=ulp, atol=ulp)
    if call_kwargs.get("training"):  # the moving statistics: float32, from float32 statistics
        for i, weight in enumerate(layer.get_weights()):
            np.testing.assert_allclose(weight, arrays[f"{key}/trained_w{i}"], rtol=1e-6, atol=1e-6)
    symbolic = getattr(L, class_name)(**kwargs)(symk.Input(x.shape[1:]))
    assert symbolic.dtype == facts["symbolic_dtype"]


def test_conv_lstm_in_a_mixed_model_trains_and_keeps_float32_weights(policy):
    rng = np.random.default_rng(0)
    inputs = symk.Input((3, 5, 2))
    h = L.ConvLSTM1D(2, 2, return_sequences=True)(inputs)
    outputs = L.Dense(1, dtype="float32")(L.Flatten()(h))
    model = symk.Model(inputs, outputs)
    assert h.dtype == symk.mixed_precision.global_policy().compute_dtype
    model.compile(optimizer=symk.optimizers.SGD(0.05), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    x, y = rng.normal(size=(4, 3, 5, 2)).astype("float32"), rng.normal(size=(4, 1)).astype("float32")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_stateful_conv_lstm_keeps_float32_states(policy):
    layer = L.ConvLSTM1D(2, 2, stateful=True)
    x = np.random.default_rng(1).normal(size=(2, 3, 5, 1)).astype("float32")
    first = np.asarray(layer(x))
    assert all(v.dtype == "float32" for v in layer._state_variables)
    second = np.asarray(layer(x))
    assert str(first.dtype) == symk.mixed_precision.global_policy().compute_dtype
    assert not np.array_equal(first, second)  # the second call starts from the first call's states


def test_normalizations_keep_float32_numbers_under_float32_policy():
    """No casts under the default policy: the same values as the plain float32 formula."""
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(3, 4, 6)).astype("float32")
    y = np.asarray(L.LayerNormalization(epsilon=1e-3)(x))
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-5)
    assert y.dtype == np.float32


@pytest.mark.parametrize("policy_name", POLICIES)
def test_sequential_config_writes_the_policy_as_keras(policy_name):
    symk.mixed_precision.set_global_policy(policy_name)
    try:
        inputs = symk.Input((4,), name="x")
        h = L.Dense(3, name="hidden")(inputs)
        functional = symk.Model(inputs, L.Activation("softmax", dtype="float32", name="probs")(h),
                                name="functional_mp")
        sequential = symk.Sequential([symk.Input((4,)), L.Dense(3, name="dense_mp")], name="sequential_mp")
    finally:
        symk.mixed_precision.set_global_policy("float32")
    keras_configs = FACTS["configs"][policy_name]
    written = json.loads(json.dumps(sequential_config(sequential), default=list))
    assert written["dtype"] == keras_configs["sequential"]["dtype"]
    assert [e["config"]["dtype"] for e in written["layers"]] == [
        e["config"]["dtype"] for e in keras_configs["sequential"]["layers"]]
    written = json.loads(json.dumps(functional_config(functional), default=list))
    assert ("dtype" in written) == ("dtype" in keras_configs["functional"])
    assert [e["config"]["dtype"] for e in written["layers"]] == [
        e["config"]["dtype"] for e in keras_configs["functional"]["layers"]]


def test_saved_sequential_archive_carries_the_mixed_policy(tmp_path):
    symk.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = symk.Sequential([symk.Input((4,)), L.Dense(3)])
        model.save(tmp_path / "m.keras")
    finally:
        symk.mixed_precision.set_global_policy("float32")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        config = json.loads(archive.read("config.json"))["config"]
    assert config["dtype"]["config"]["name"] == "mixed_bfloat16"
    loaded = symk.saving.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].compute_dtype == "bfloat16"
