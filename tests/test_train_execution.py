"""How steps execute: steps_per_execution (N steps per dispatch, callbacks per execution),
run_eagerly (no jit, same numbers), and predict over generators / (x, y) batches / `steps`."""
import numpy as np
import pytest

import symk
from symk import callbacks, optimizers
from symk.layers import Dense
from symk.models import Sequential

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 4)).astype("float32")
Y = (X[:, :1] - X[:, 1:2] > 0).astype("float32")


def _model(**compile_kwargs):
    symk.utils.set_random_seed(7)   # the same initial weights for every variant
    model = Sequential([Dense(8, activation="tanh", input_shape=(4,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"],
                  **compile_kwargs)
    return model


def _numpy_forward(weights, x):
    w1, b1, w2, b2 = weights
    return 1.0 / (1.0 + np.exp(-(np.tanh(x @ w1 + b1) @ w2 + b2)))


class BatchIndices(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.begins, self.ends = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.begins.append(batch)

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(batch)


def test_steps_per_execution_trains_exactly_like_one_step_per_dispatch():
    one, many = _model(), _model(steps_per_execution=3)
    h1 = one.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    recorder = BatchIndices()
    h3 = many.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    for a, b in zip(one.get_weights(), many.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h1.history["loss"], h3.history["loss"], rtol=1e-5)
    # 7 batches per epoch in executions of 3, 3 and 1; Keras reports each by its first and last batch
    assert recorder.begins == [0, 3, 6] * 2 and recorder.ends == [2, 5, 6] * 2
    assert int(many.optimizer.iterations.numpy()) == 14


def test_steps_per_execution_over_a_generator_matches_arrays():
    def batches():
        for start in range(0, 50, 8):
            yield X[start:start + 8], Y[start:start + 8]

    reference, model = _model(), _model(steps_per_execution=4)
    reference.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    recorder = BatchIndices()
    history = model.fit(batches(), epochs=1, verbose=0, callbacks=[recorder])
    assert recorder.begins == [0, 4] and recorder.ends == [3, 6]
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    probs = _numpy_forward(model.get_weights(), X)
    assert history.history["loss"][0] > 0 and probs.shape == (50, 1)


def test_run_eagerly_runs_without_jit_and_gives_the_jitted_numbers():
    calls = []

    def logged_mse(y_true, y_pred):
        # under jit a function is traced once into the compiled step; run eagerly it runs every step
        calls.append(1)
        return (y_true - y_pred) ** 2

    def variant(run_eagerly):
        symk.utils.set_random_seed(7)
        model = Sequential([Dense(8, activation="tanh", input_shape=(4,)), Dense(1)])
        model.compile(optimizer=optimizers.SGD(0.1, momentum=0.9), loss=logged_mse, run_eagerly=run_eagerly)
        return model, model.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)

    jitted, h_jit = variant(False)
    assert len(calls) <= 2
    calls.clear()
    eager, h_eager = variant(True)
    assert len(calls) == 2 * 4   # 2 epochs of 4 batches: called at every step, nothing compiled
    for a, b in zip(jitted.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h_jit.history["loss"], h_eager.history["loss"], rtol=1e-5)
    assert eager.evaluate(X, Y, verbose=0) == pytest.approx(jitted.evaluate(X, Y, verbose=0), rel=1e-5)


def test_predict_accepts_generators_of_x_and_of_x_y_batches_and_steps():
    model = _model()
    expected = _numpy_forward(model.get_weights(), X)
    from_arrays = model.predict(X, batch_size=16, verbose=0)
    np.testing.assert_allclose(from_arrays, expected, rtol=1e-5, atol=1e-6)
    of_x = model.predict((X[i:i + 16] for i in range(0, 50, 16)), verbose=0)
    of_x_y = model.predict(((X[i:i + 16], Y[i:i + 16]) for i in range(0, 50, 16)), verbose=0)
    of_x_tuple = model.predict([(X[i:i + 16],) for i in range(0, 50, 16)], verbose=0)
    for got in (of_x, of_x_y, of_x_tuple):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)

    def endless():
        while True:
            yield X[:10], Y[:10]

    np.testing.assert_allclose(model.predict(endless(), steps=3, verbose=0), np.tile(expected[:10], (3, 1)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(X, batch_size=16, steps=2, verbose=0), expected[:32], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.predict((X, Y), verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_predict_errors_name_the_problem():
    model = _model()
    with pytest.raises(ValueError, match="steps"):
        model.predict(X, steps=0, verbose=0)
    with pytest.raises(ValueError, match="yielded no batches"):
        model.predict(iter([]), verbose=0)
    with pytest.raises(ValueError, match="more than the first batch"):
        model.predict(iter([X[:4], X[:8]]), verbose=0)


def test_predict_shows_a_progress_bar_and_calls_predict_hooks(capsys):
    class PredictHooks(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.events = []

        def on_predict_begin(self, logs=None): self.events.append("begin")
        def on_predict_batch_end(self, batch, logs=None): self.events.append(batch)
        def on_predict_end(self, logs=None): self.events.append("end")

    model, hooks = _model(), PredictHooks()
    model.predict(X, batch_size=16, callbacks=[hooks])          # verbose='auto' shows the bar, as Keras does
    assert hooks.events == ["begin", 0, 1, 2, 3, "end"]
    out = capsys.readouterr().out
    assert "\r" not in out and out.count("4/4 [==============================]") == 1
    assert model.predict(X, verbose=0) is not None and capsys.readouterr().out == ""
