"""JaxLayer: plain JAX functions (tests/jax_layer_functions.py) as layers, against the numbers real Keras 3
wrote running the same functions (tools/keras_refs/make_layers_jax_layer.py): predict, fit (params trained,
state updated), a Keras-written .weights.h5, a dict input with a tuple output; plus init_fn, rng and
training semantics, saving, errors, and the layer harness."""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jax_layer_functions as F
import symk
from layer_harness import check_layer, layer_example
from symk import layers as L
from symk.saving import register_serializable

REFS = os.path.join(os.path.dirname(__file__), "references", "keras3", "layers_jax_layer")
FACTS = json.load(open(os.path.join(REFS, "facts.json")))

# named functions, registered so configs that name them load back
for _fn in (F.mlp_call, F.mlp_init, F.centering_call, F.dropout_call, F.pair_call):
    register_serializable(package="symk_tests")(_fn)


def _mlp_params():
    return jax.tree_util.tree_map(np.asarray, F.mlp_init(jax.random.PRNGKey(0), np.ones((1, 3), "float32")))


EXAMPLES = [
    layer_example("jax_layer_mlp", lambda: L.JaxLayer(F.mlp_call, init_fn=F.mlp_init), (2, 3)),
    # with params, init_fn too: a config holds no params (as in Keras), so from_config rebuilds them with init_fn
    layer_example("jax_layer_given_params",
                  lambda: L.JaxLayer(F.mlp_call, init_fn=F.mlp_init, params=_mlp_params()), (2, 3)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


@pytest.fixture
def arrays():
    return np.load(os.path.join(REFS, "arrays.npz"))


def _fit_like_keras(name, layer, arrays, x):
    model = symk.Sequential([symk.Input((3,)), layer, L.Dense(1, name="head")])
    weights = [arrays[f"{name}/init_w{i}"] for i in range(len(model.weights))]
    assert [tuple(w.shape) for w in model.weights] == [tuple(s) for _, _, s in FACTS[name]["weights"]]
    assert [w.trainable for w in model.weights] == [t for _, t, _ in FACTS[name]["weights"]]
    model.set_weights(weights)
    np.testing.assert_allclose(model.predict(x, verbose=0), arrays[f"{name}/predict"], rtol=1e-5, atol=1e-6)
    model.compile(optimizer=symk.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, arrays["y"], epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], arrays[f"{name}/hist_loss"], rtol=1e-5)
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, arrays[f"{name}/w{i}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), arrays[f"{name}/trained_predict"], rtol=1e-5, atol=1e-6)
    return model


def test_mlp_predicts_and_trains_as_keras(arrays, tmp_path):
    model = _fit_like_keras("mlp", L.JaxLayer(F.mlp_call, init_fn=F.mlp_init, params=_mlp_params(), name="mlp"),
                            arrays, arrays["x"])
    fresh = symk.Sequential([symk.Input((3,)), L.JaxLayer(F.mlp_call, init_fn=F.mlp_init, name="mlp"),
                             L.Dense(1, name="head")])
    fresh.load_weights(os.path.join(REFS, "mlp.weights.h5"))  # Keras's file: the trained weights
    np.testing.assert_allclose(fresh.predict(arrays["x"], verbose=0), arrays["mlp/trained_predict"],
                               rtol=1e-5, atol=1e-6)
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
        loaded = symk.saving.load_model(tmp_path / name)  # init_fn rebuilds the params, then the file's values
        np.testing.assert_allclose(loaded.predict(arrays["x"], verbose=0), arrays["mlp/trained_predict"],
                                   rtol=1e-5, atol=1e-6)


def test_state_is_updated_in_fit_as_keras(arrays):
    layer = L.JaxLayer(F.centering_call, params={"scale": np.full((3,), 1.5, "float32")},
                       state={"mean": np.zeros((3,), "float32")}, name="center")
    _fit_like_keras("center", layer, arrays, arrays["x"] + 2.0)
    assert not np.allclose(layer.state["mean"].numpy(), 0.0)


def test_dict_inputs_and_tuple_outputs(arrays):
    layer = L.JaxLayer(F.pair_call, params={"w": arrays["pair/w"]})
    y0, y1 = layer({"a": arrays["pair/x_a"], "b": arrays["pair/x_b"]})
    np.testing.assert_allclose(np.asarray(y0), arrays["pair/y0"], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(y1), arrays["pair/y1"], rtol=1e-6)
    a, b = symk.Input((3,), name="a"), symk.Input((2,), name="b")
    s0, s1 = L.JaxLayer(F.pair_call, params={"w": arrays["pair/w"]})({"a": a, "b": b})
    assert (tuple(s0.shape), tuple(s1.shape)) == ((None, 2), (None, 1))  # the batch stays unknown


def test_init_fn_runs_on_ones_shaped_like_the_input():
    layer = L.JaxLayer(F.mlp_call, init_fn=F.mlp_init)
    y = layer(np.zeros((2, 5), "float32"))
    assert [tuple(w.shape) for w in layer.weights] == [(4,), (5, 4), (2,), (4, 2)]  # jax's sorted dict order
    assert y.shape == (2, 2)


def test_rng_is_given_in_training_only_and_differs_between_steps():
    layer = L.JaxLayer(F.dropout_call, seed=3)
    x = np.ones((4, 50), "float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), x)           # inference: the identity
    first, second = np.asarray(layer(x, training=True)), np.asarray(layer(x, training=True))
    assert set(np.unique(first)) <= {0.0, 2.0} and 0.3 < (first == 0).mean() < 0.7
    assert not np.array_equal(first, second)


def test_gradients_reach_params_in_a_model():
    inputs = symk.Input((3,))
    model = symk.Model(inputs, L.JaxLayer(F.mlp_call, init_fn=F.mlp_init)(inputs))
    model.compile(optimizer=symk.optimizers.SGD(0.1), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    model.fit(x, np.zeros((8, 2), "float32"), epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_bad_functions_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="missing required argument in `call_fn`: `inputs`"):
        L.JaxLayer(lambda params, x: x, params={})
    with pytest.raises(ValueError, match="unsupported argument in `call_fn`: `weights`"):
        L.JaxLayer(lambda weights, inputs: inputs)
    with pytest.raises(ValueError, match="cannot all be None"):
        L.JaxLayer(F.mlp_call)

    def wrong_shapes(params, inputs):
        return inputs @ params["w"]

    with pytest.raises(symk.errors.ShapeError, match="wrong_shapes"):
        L.JaxLayer(wrong_shapes, params={"w": np.ones((5, 2), "float32")})(symk.Input((3,)))


def test_config_names_the_functions_as_keras():
    config = L.JaxLayer(F.centering_call, params={"scale": np.ones(3, "float32")},
                        state={"mean": np.zeros(3, "float32")}).get_config()
    keras_config = FACTS["center"]["config"]
    assert config["call_fn"]["class_name"] == keras_config["call_fn"]["class_name"] == "function"
    assert config["call_fn"]["config"] == keras_config["call_fn"]["config"] == "centering_call"
    assert config["init_fn"] is None and keras_config["init_fn"] is None


def test_a_jax_function_node_lowers_to_the_function_itself():
    """The op's rule agrees with plain JAX on a function with a data-dependent batch."""
    from symk.ops.registry import apply

    def flat(arrays, training, rng):
        return (jnp.concatenate([arrays[0], arrays[0]], axis=0),)

    x = symk.Input((3,))
    y = apply("jax_function", [x], fn=flat, label="flat")  # one output: a tensor, not a tuple
    assert tuple(y.shape) == (None, 3)
    value = apply("jax_function", [np.ones((2, 3), "float32")], fn=flat, label="flat")
    value = value[0] if isinstance(value, (list, tuple)) else value  # run at once: the outputs as a tuple
    np.testing.assert_array_equal(np.asarray(value), np.ones((4, 3), "float32"))
