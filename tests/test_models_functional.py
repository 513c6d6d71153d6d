"""Functional models: multiple named inputs/outputs, dict inputs, nested models, shared layers, call sites."""
import numpy as np
import pytest

import symk
from symk import layers
from symk.layers import Dense, Input
from symk.models import Model, Sequential

RNG = np.random.default_rng(4)


def dense_np(layer, x, act=lambda v: v):
    k, b = layer.get_weights()
    return act(x @ k + b)


def test_two_named_inputs_two_outputs_and_dict_inputs():
    main = Input(shape=(4,), name="main_input")
    aux = Input(shape=(2,), name="aux_input")
    hidden = Dense(3, activation="relu", name="hidden")(main)
    aux_out = Dense(1, activation="sigmoid", name="aux_output")(hidden)
    merged = layers.concatenate([hidden, aux])
    main_out = Dense(1, name="main_output")(merged)
    model = Model(inputs=[main, aux], outputs=[main_out, aux_out], name="two_heads")
    assert model.input_names == ["main_input", "aux_input"]
    assert model.output_names == ["main_output", "aux_output"]
    x, a = RNG.normal(size=(5, 4)).astype("float32"), RNG.normal(size=(5, 2)).astype("float32")
    h = dense_np(model.get_layer("hidden"), x, lambda v: np.maximum(v, 0))
    expected_main = dense_np(model.get_layer("main_output"), np.concatenate([h, a], 1))
    expected_aux = dense_np(model.get_layer("aux_output"), h, lambda v: 1 / (1 + np.exp(-v)))
    for got in (model.predict([x, a]), model.predict({"main_input": x, "aux_input": a}), model([x, a])):
        np.testing.assert_allclose(got[0], expected_main, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got[1], expected_aux, rtol=1e-5, atol=1e-6)


def test_dict_outputs_come_back_as_dicts():
    x = Input(shape=(3,), name="x")
    model = Model(x, {"double": x * 2, "square": x * x})
    data = RNG.normal(size=(2, 3)).astype("float32")
    out = model.predict(data)
    assert set(out) == {"double", "square"}
    np.testing.assert_allclose(out["square"], data ** 2, rtol=1e-6)


def test_nested_model_applied_to_new_inputs_shares_weights():
    inp = Input(shape=(3,))
    encoder = Model(inp, Dense(2, activation="tanh", name="enc")(inp), name="encoder")
    a, b = Input(shape=(3,)), Input(shape=(3,))
    ea, eb = encoder(a), encoder(b)
    assert tuple(ea.shape) == (None, 2)
    siamese = Model([a, b], layers.subtract([ea, eb]))
    assert siamese.count_params() == encoder.count_params() == 8
    assert encoder in siamese.layers
    xa, xb = RNG.normal(size=(4, 3)).astype("float32"), RNG.normal(size=(4, 3)).astype("float32")
    enc = siamese.get_layer("encoder").get_layer("enc")
    expected = dense_np(enc, xa, np.tanh) - dense_np(enc, xb, np.tanh)
    np.testing.assert_allclose(siamese.predict([xa, xb]), expected, rtol=1e-5, atol=1e-6)
    enc.set_weights([np.ones((3, 2), "float32"), np.zeros(2, "float32")])
    np.testing.assert_allclose(siamese.predict([xa, xb]), np.tanh(xa.sum(1, keepdims=True)).repeat(2, 1)
                               - np.tanh(xb.sum(1, keepdims=True)).repeat(2, 1), rtol=1e-5, atol=1e-6)


def test_shared_layer_call_sites_as_in_the_keras_guide():
    a, b = Input(shape=(280, 8)), Input(shape=(280, 8))
    shared = Dense(4)
    encoded_a, encoded_b = shared(a), shared(b)
    assert shared.get_output_at(0) is encoded_a and shared.get_output_at(1) is encoded_b
    assert shared.get_input_at(1) is b
    with pytest.raises(AttributeError, match="get_output_at"):
        shared.output
    # the same input shapes: input_shape is still well defined
    assert shared.input_shape == (None, 280, 8)
    c, d = Input(shape=(32, 3)), Input(shape=(64, 3))
    per_step = Dense(16)
    per_step(c)
    per_step(d)
    assert per_step.get_input_shape_at(0) == (None, 32, 3)
    assert per_step.get_input_shape_at(1) == (None, 64, 3)
    assert per_step.get_output_shape_at(1) == (None, 64, 16)
    with pytest.raises(AttributeError, match="get_input_shape_at"):
        per_step.input_shape


def test_layers_get_layer_and_count_params():
    x = Input(shape=(4,), name="in")
    y = Dense(3, name="a")(x)
    z = Dense(2, name="b")(y)
    model = Model(x, z)
    assert [l.name for l in model.layers] == ["in", "a", "b"]
    assert model.get_layer("a") is model.layers[1] and model.get_layer(index=-1).name == "b"
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    assert len(model.weights) == 4 and len(model.get_weights()) == 4
    model.layers[1].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_layer_inside_model_also_runs_outside_on_arrays():
    model = Sequential([Dense(2, input_shape=(3,))])
    x = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(model.layers[0](x), model.predict(x), rtol=1e-6)


def test_model_input_output_properties():
    x = Input(shape=(2,))
    y = Dense(1)(x)
    model = Model(x, y)
    assert model.input is x and model.output is y
    assert tuple(model.output.shape) == (None, 1)


def test_an_input_no_output_uses_is_still_fed():
    used, unused = symk.Input((3,)), symk.Input((2,))
    model = symk.Model([used, unused], symk.layers.Dense(1, kernel_initializer="ones")(used))
    out = model.predict([np.ones((2, 3), "float32"), np.zeros((2, 2), "float32")], verbose=0)
    np.testing.assert_allclose(out, np.full((2, 1), 3.0))
    assert len(model.inputs) == 2


def test_layers_order_counts_ops_outside_layers_as_keras_does():
    """Raw ops between layers (x * 2 + 1, d + 3) are nodes of Keras's depth walk too: Keras 3.15 lists this
    model's layers as x, a, c, b, d, e (printed by real Keras for the same code); the graph's topological
    order would put b before c, and weight files that load by position would then swap a and c's kernels."""
    inp = Input((4,), name="x")
    a = Dense(3, name="a")(inp)
    b = Dense(3, name="b")(inp)
    c = Dense(3, name="c")(a * 2.0 + 1.0)
    d = layers.Add(name="d")([c, b])
    e = Dense(2, name="e")(d + 3.0)
    model = Model(inp, e)
    assert [layer.name for layer in model.layers] == ["x", "a", "c", "b", "d", "e"]
