"""Merge layers and their functional forms, against numpy."""
import numpy as np
import pytest

from symk import layers
from symk.layers import Input
from symk.models import Model

RNG = np.random.default_rng(2)
A, B, C = (RNG.normal(size=(3, 4)).astype("float32") for _ in range(3))


@pytest.mark.parametrize("cls,fn,reference", [
    (layers.Add, layers.add, lambda xs: xs[0] + xs[1] + xs[2]),
    (layers.Multiply, layers.multiply, lambda xs: xs[0] * xs[1] * xs[2]),
    (layers.Average, layers.average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
    (layers.Maximum, layers.maximum, lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
    (layers.Minimum, layers.minimum, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2])),
    (layers.Concatenate, layers.concatenate, lambda xs: np.concatenate(xs, axis=-1)),
])
def test_merge_of_three_inputs(cls, fn, reference):
    inputs = [Input(shape=(4,)) for _ in range(3)]
    for out in (cls()(inputs), fn(inputs)):
        model = Model(inputs, out)
        np.testing.assert_allclose(model.predict([A, B, C]), reference([A, B, C]), rtol=1e-6)


def test_subtract_takes_exactly_two():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    model = Model([a, b], layers.subtract([a, b]))
    np.testing.assert_allclose(model.predict([A, B]), A - B, rtol=1e-6)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([a, b, Input(shape=(4,))])


def test_concatenate_along_other_axes():
    a, b = Input(shape=(2, 3)), Input(shape=(5, 3))
    out = layers.concatenate([a, b], axis=1)
    assert tuple(out.shape) == (None, 7, 3)
    x, y = RNG.normal(size=(2, 2, 3)), RNG.normal(size=(2, 5, 3))
    np.testing.assert_allclose(Model([a, b], out).predict([x, y]), np.concatenate([x, y], 1), rtol=1e-6)


def test_dot_layer_matches_keras_batch_dot():
    a, b = Input(shape=(4,)), Input(shape=(4,))
    out = layers.dot([a, b], axes=1)
    assert tuple(out.shape) == (None, 1)
    np.testing.assert_allclose(Model([a, b], out).predict([A, B]), (A * B).sum(1, keepdims=True), rtol=1e-5)
    cos = layers.Dot(axes=-1, normalize=True)([a, b])
    expected = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(Model([a, b], cos).predict([A, B])[:, 0], expected, rtol=1e-5)
    x, y = Input(shape=(3, 4)), Input(shape=(5, 4))
    scores = layers.Dot(axes=(2, 2))([x, y])
    assert tuple(scores.shape) == (None, 3, 5)
    xv, yv = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 5, 4))
    np.testing.assert_allclose(Model([x, y], scores).predict([xv, yv]), np.einsum("bik,bjk->bij", xv, yv), rtol=1e-5)


def test_merge_needs_a_list_and_broadcasts_batch():
    with pytest.raises(ValueError, match="list of at least 2"):
        layers.Add()(Input(shape=(4,)))
    a, b = Input(shape=(4,)), Input(shape=(1,))
    model = Model([a, b], layers.add([a, b]))
    np.testing.assert_allclose(model.predict([A, A[:, :1]]), A + A[:, :1], rtol=1e-6)


def test_merge_configs_round_trip():
    for layer in (layers.Add(), layers.Concatenate(axis=1), layers.Dot(axes=1, normalize=True)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
