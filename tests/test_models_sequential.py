"""Sequential: list constructor, add, pop, deferred build, build(input_shape), input_dim/input_shape/batch_size."""
import networkx as nx
import numpy as np
import pytest

from symk.layers import Activation, Dense, Dropout, Input, InputLayer
from symk.models import Sequential

RNG = np.random.default_rng(3)


def numpy_forward(model, x):
    for layer in model.layers:
        if isinstance(layer, Dense):
            k, b = layer.get_weights()
            x = x @ k + b
            x = np.maximum(x, 0) if layer.get_config()["activation"] == "relu" else x
        elif isinstance(layer, Activation):
            x = np.maximum(x, 0)
    return x


def test_add_with_input_dim_builds_immediately():
    model = Sequential()
    model.add(Dense(units=8, input_dim=20))
    assert model.built and tuple(model.output_shape) == (None, 8)
    model.add(Activation("relu"))
    model.add(Dense(3))
    assert model.input_shape == (None, 20) and model.output_shape == (None, 3)
    assert [type(l).__name__ for l in model.layers] == ["Dense", "Activation", "Dense"]
    x = RNG.normal(size=(5, 20)).astype("float32")
    np.testing.assert_allclose(model.predict(x), numpy_forward(model, x), rtol=1e-5, atol=1e-5)


def test_list_constructor_with_input_shape_and_batch_size():
    model = Sequential([Dense(4, input_shape=(6,), batch_size=16), Dense(2)])
    assert model.input_shape == (16, 6) and model.output_shape == (16, 2)
    model = Sequential([Input(shape=(3,)), Dense(2)])
    assert model.input_shape == (None, 3)
    assert not any(isinstance(l, InputLayer) for l in model.layers)
    model = Sequential([InputLayer(input_shape=(3,)), Dense(2)])
    assert model.output_shape == (None, 2)


def test_deferred_build_on_first_predict_and_build_input_shape():
    model = Sequential([Dense(4, activation="relu"), Dense(2)])
    assert not model.built or model._graph is None
    with pytest.raises(AttributeError, match="not built"):
        model.output
    x = RNG.normal(size=(3, 7)).astype("float32")
    out = model.predict(x)
    assert out.shape == (3, 2) and model.input_shape == (None, 7)
    np.testing.assert_allclose(out, numpy_forward(model, x), rtol=1e-5, atol=1e-5)
    other = Sequential([Dense(5)])
    other.build((None, 9))
    assert other.output_shape == (None, 5) and other.count_params() == 50


def test_pop_removes_the_last_layer_and_rebuilds():
    model = Sequential([Dense(4, input_shape=(3,)), Activation("relu"), Dense(2)])
    popped = model.pop()
    assert isinstance(popped, Dense) and popped.units == 2
    assert model.output_shape == (None, 4) and len(model.layers) == 2
    model.add(Dense(6))
    assert model.output_shape == (None, 6)
    x = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x), numpy_forward(model, x), rtol=1e-5, atol=1e-5)
    Sequential().pop if False else None
    with pytest.raises(TypeError, match="no layers"):
        Sequential().pop()


def test_graph_is_networkx_and_names_layers():
    model = Sequential([Dense(4, input_shape=(3,)), Dropout(0.5), Dense(2, activation="softmax")])
    g = model.graph.nx
    assert isinstance(g, nx.MultiDiGraph) and nx.is_directed_acyclic_graph(g)
    ops = {data["op"] for _, data in g.nodes(data=True)}
    assert {"placeholder", "parameter", "matmul", "bias_add", "dropout", "softmax"} <= ops
    scopes = {data["scope"][0] for _, data in g.nodes(data=True) if data["scope"]}
    assert {"dense", "dropout", "dense_1"} <= scopes
    assert all("position" in d and "index" in d for _, _, d in g.edges(data=True))


def test_get_layer_count_params_and_weights_order():
    model = Sequential([Dense(4, input_shape=(3,), name="first"), Dense(2, name="second")])
    assert model.get_layer("second").units == 2 and model.get_layer(index=0).name == "first"
    assert model.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    assert [w.path for w in model.weights] == ["first/kernel", "first/bias", "second/kernel", "second/bias"]
    with pytest.raises(ValueError, match=r"No such layer: 'third'.*'first', 'second'"):
        model.get_layer("third")


def test_sequential_as_a_layer_of_another_model():
    inner = Sequential([Dense(3, input_shape=(2,), activation="relu")])
    outer = Sequential([inner, Dense(1)])
    x = RNG.normal(size=(4, 2)).astype("float32")
    k, b = inner.get_weights()
    k2, b2 = outer.layers[1].get_weights()
    np.testing.assert_allclose(outer.predict(x), np.maximum(x @ k + b, 0) @ k2 + b2, rtol=1e-5, atol=1e-6)
    assert outer.count_params() == inner.count_params() + 4
