"""symk.utils.set_random_seed(s), then the same build and fit in the same process: the same weights, bit for bit."""
import numpy as np

import symk

X = np.random.RandomState(0).rand(64, 4).astype("f4")
Y = X.sum(axis=1, keepdims=True)


def seeded_run(dropout: bool) -> list:
    symk.utils.set_random_seed(7)
    layers = [symk.layers.Input((4,)), symk.layers.Dense(8, activation="relu")]
    layers += [symk.layers.Dropout(0.5)] if dropout else []
    model = symk.Sequential(layers + [symk.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    return model.get_weights()


def _assert_same(first: list, second: list) -> None:
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_seeded_runs_without_dropout_are_identical():
    _assert_same(seeded_run(dropout=False), seeded_run(dropout=False))


def test_seeded_runs_with_dropout_are_identical():
    _assert_same(seeded_run(dropout=True), seeded_run(dropout=True))
