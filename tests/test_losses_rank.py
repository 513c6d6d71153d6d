"""Targets one rank below (or above) the predictions, as Keras 3 aligns them: labels of shape (n,) against
predictions (n, 1) are compared row by row (Keras's squeeze_or_expand_to_same_rank), never broadcast to (n, n).
References are numpy formulas of the Keras documentation."""
import numpy as np
import pytest

import symk

Y = np.array([0.0, 1.0, 1.0, 0.0], "float32")
P = np.array([[0.1], [0.8], [0.6], [0.3]], "float32")


def numpy_bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


@pytest.mark.parametrize("loss,reference", [
    (symk.losses.BinaryCrossentropy(), numpy_bce),
    (symk.losses.MeanSquaredError(), lambda y, p: float(np.mean((y - p) ** 2))),
    (symk.losses.MeanAbsoluteError(), lambda y, p: float(np.mean(np.abs(y - p)))),
    (symk.losses.Hinge(), lambda y, p: float(np.mean(np.maximum(1 - (2 * y - 1) * p, 0)))),
])
def test_rank_one_labels_against_column_predictions(loss, reference):
    expected = reference(Y, P[:, 0])
    np.testing.assert_allclose(float(loss(Y, P)), expected, rtol=1e-5)
    np.testing.assert_allclose(float(loss(Y[:, None], P)), expected, rtol=1e-5)
    np.testing.assert_allclose(float(loss(Y[:, None], P[:, 0])), expected, rtol=1e-5)


def test_function_forms_keras_aligns():
    np.testing.assert_allclose(np.asarray(symk.losses.mean_squared_error(Y, P)), (Y - P[:, 0]) ** 2, rtol=1e-6)


def test_fit_with_rank_one_labels_learns():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(128, 2)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")  # shape (128,), predictions (128, 1)
    symk.utils.set_random_seed(0)
    model = symk.Sequential([symk.Input((2,)), symk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=symk.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    predicted = model.predict(x, verbose=0)[:, 0]
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0)[0], numpy_bce(y, predicted), rtol=1e-4)
