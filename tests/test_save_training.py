"""Saved training state: resuming after load_model continues exactly like the uninterrupted run,
and Keras's training files come back compiled with their optimizer."""
import os

import numpy as np
import pytest

import symk
from symk.layers import Dense, Input
from symk.models import load_model

REFERENCES = os.path.join(os.path.dirname(__file__), "references")


def _data():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(24, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    return x, y


def _model(optimizer):
    model = symk.Sequential([Input(shape=(6,)), Dense(8, activation="tanh"), Dense(3, activation="softmax")],
                            name="resume")
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("make_optimizer,suffix", [
    pytest.param(lambda: symk.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True), ".h5", id="sgd-h5"),
    pytest.param(lambda: symk.optimizers.Adam(learning_rate=0.01), ".weights.h5", id="adam-weights.h5"),
    pytest.param(lambda: symk.optimizers.Adam(learning_rate=0.01), ".h5", id="adam-h5", marks=pytest.mark.slow),
    pytest.param(lambda: symk.optimizers.RMSprop(learning_rate=0.01, centered=True, momentum=0.5), ".h5",
                 id="rmsprop_centered-h5", marks=pytest.mark.slow),
])
def test_resume_after_load_equals_uninterrupted_training(make_optimizer, suffix, tmp_path):
    x, y = _data()
    uninterrupted = _model(make_optimizer())
    initial = uninterrupted.get_weights()
    uninterrupted.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    symk.backend.clear_session()
    first = _model(make_optimizer())
    first.set_weights(initial)
    first.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / f"half{suffix}"
    if suffix == ".h5":
        first.save(path)
        symk.backend.clear_session()
        resumed = load_model(path)
    else:
        first.save_weights(path)
        symk.backend.clear_session()
        resumed = _model(make_optimizer())
        resumed.load_weights(path)
    assert int(resumed.optimizer.iterations.numpy()) == 3
    resumed.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for got, want in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("version,case", [
    ("keras3", "sgd_momentum_nesterov"), ("keras2", "sgd_momentum_nesterov"),
    pytest.param("keras3", "adam", marks=pytest.mark.slow), pytest.param("keras2", "adam", marks=pytest.mark.slow)])
def test_keras_training_files_load_compiled_and_train_like_keras(version, case):
    model = load_model(os.path.join(REFERENCES, version, f"train_{case}_init.h5"))
    assert model.optimizer is not None and model.compiled
    data = np.load(os.path.join(REFERENCES, version, f"train_{case}.npz"))
    for got, want in zip(model.get_weights(), [data[f"init_w{i}"] for i in range(4)]):
        np.testing.assert_array_equal(got, want)
    model.fit(data["x"], data["y"], batch_size=16, epochs=3, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), [data[f"w{i}"] for i in range(4)]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
