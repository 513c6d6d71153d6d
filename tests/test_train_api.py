"""compile / fit / evaluate / train_on_batch on small problems: learning, multi-output
weighting, generator input, regularizers and constraints, and the error paths."""
import numpy as np
import pytest

import symk
from symk import Input, Model, optimizers
from symk.layers import Dense
from symk.models import Sequential


def _blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    x = (centers[y] + rng.normal(scale=0.5, size=(n, 2))).astype("float32")
    return x, symk.utils.to_categorical(y, 3), y


def _mlp(units=3, activation="softmax"):
    return Sequential([Dense(16, activation="relu", input_shape=(2,)), Dense(units, activation=activation)])


def test_fit_learns_a_separable_problem_and_evaluate_agrees_with_numpy():
    x, y, labels = _blobs()
    model = _mlp()
    model.compile(optimizer=optimizers.Adam(0.05), loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=15, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["accuracy"][-1] >= 0.95
    loss, accuracy = model.evaluate(x, y, batch_size=50, verbose=0)
    probs = model.predict(x, verbose=0)
    expected_loss = np.mean(-np.sum(y * np.log(np.clip(probs, 1e-7, 1 - 1e-7)), axis=1))
    assert loss == pytest.approx(expected_loss, rel=1e-4)
    assert accuracy == pytest.approx(np.mean(np.argmax(probs, 1) == labels))


def test_sparse_labels_sample_weight_and_class_weight_enter_the_loss():
    x, _, labels = _blobs(40)
    model = _mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(np.clip(probs[np.arange(40), labels], 1e-7, 1))
    weights = np.linspace(0, 1, 40).astype("float32")
    # evaluate with batch 16 (40 = 16 + 16 + 8, the last batch padded): sample-count weighted batch means
    got = model.evaluate(x, labels, sample_weight=weights, batch_size=16, verbose=0)
    batches = [slice(0, 16), slice(16, 32), slice(32, 40)]
    expected = sum(np.sum(per_sample[b] * weights[b]) for b in batches) / 40
    assert got == pytest.approx(expected, rel=1e-5)
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5}
    first = model.train_on_batch(x, labels, class_weight=class_weight)
    assert first == pytest.approx(np.mean(per_sample * np.array([1.0, 2.0, 0.5])[labels]), rel=1e-5)


def test_multi_output_loss_weights_and_history_keys():
    main_in, aux_in = Input((2,), name="main_input"), Input((1,), name="aux_input")
    hidden = Dense(8, activation="relu")(symk.layers.concatenate([main_in, aux_in]) if hasattr(
        symk.layers, "concatenate") else main_in)
    main_out = Dense(1, activation="sigmoid", name="main_output")(hidden)
    aux_out = Dense(1, activation="sigmoid", name="aux_output")(main_in)
    model = Model(inputs=[main_in, aux_in], outputs=[main_out, aux_out])
    model.compile(optimizer="rmsprop", loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
                  loss_weights={"main_output": 1.0, "aux_output": 0.2}, metrics={"main_output": ["accuracy"]})
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(20, 2)).astype("float32"), rng.normal(size=(20, 1)).astype("float32")
    y = (a[:, :1] > 0).astype("float32")
    logs = model.evaluate({"main_input": a, "aux_input": b}, {"main_output": y, "aux_output": y}, batch_size=20,
                          verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["main_output_loss"] + 0.2 * logs["aux_output_loss"], rel=1e-5)
    history = model.fit({"main_input": a, "aux_input": b}, {"main_output": y, "aux_output": y}, epochs=2,
                        batch_size=8, verbose=0)
    assert {"loss", "main_output_loss", "aux_output_loss", "main_output_accuracy"} <= set(history.history)
    with pytest.raises(ValueError, match="not output names"):
        model.compile(optimizer="sgd", loss={"main": "mse"})
        model.fit([a, b], [y, y], verbose=0)


def test_generator_input_with_validation_freq_matches_array_training():
    x, y, _ = _blobs(48)
    first = _mlp()
    weights = first.get_weights()
    first.compile(optimizer=optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    from_arrays = first.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)

    second = _mlp()
    second.set_weights(weights)
    second.compile(optimizer=optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 48, 16)]
    from_batches = second.fit(batches, epochs=2, validation_data=batches, validation_freq=2, verbose=0)
    np.testing.assert_allclose(from_batches.history["loss"], from_arrays.history["loss"], rtol=1e-5)
    assert len(from_batches.history["val_loss"]) == 1

    def endless():
        while True:
            yield x[:16], y[:16]

    second.fit(endless(), steps_per_epoch=2, epochs=1, verbose=0)
    assert second.evaluate(iter(batches), verbose=0)[0] > 0
    assert second.predict_batches(iter([x[:16], x[16:20]])).shape == (20, 3)


def test_regularizers_add_to_the_loss_and_constraints_hold_after_updates():
    x, y, _ = _blobs(32)
    model = Sequential([Dense(3, activation="softmax", input_shape=(2,), kernel_regularizer=symk.regularizers.l2(0.1),
                              kernel_constraint=symk.constraints.NonNeg())])
    model.compile(optimizer=optimizers.SGD(0.5), loss="categorical_crossentropy")
    kernel = model.layers[0].kernel.numpy()
    probs = model.predict(x, verbose=0)
    expected = np.mean(-np.sum(y * np.log(np.clip(probs, 1e-7, 1)), 1)) + 0.1 * np.sum(kernel ** 2)
    assert model.evaluate(x, y, batch_size=32, verbose=0) == pytest.approx(expected, rel=1e-5)
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert (model.layers[0].kernel.numpy() >= 0).all()


def test_error_paths_are_named_before_compilation():
    x, y, labels = _blobs(20)
    model = _mlp()
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.fit(x, labels, verbose=0)
    with pytest.raises(ValueError, match="same number of samples|cardinality"):
        model.fit(x, y[:10], verbose=0)
    with pytest.raises(ValueError, match="Unknown loss"):
        model.compile(optimizer="adam", loss="categorical_crossentropyy")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        model.compile(optimizer="adamm", loss="mse")


def test_no_recompilation_between_epochs_or_for_the_partial_last_batch():
    x, y, _ = _blobs(50)  # 50 = 16 + 16 + 16 + 2
    model = _mlp()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    compiled = model._steps.train_indexed._cache_size()
    model.optimizer.learning_rate = 0.001  # a new value, not a new program
    model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert model._steps.train_indexed._cache_size() == compiled == 1


def test_train_on_batch_writes_weights_back_and_verbose_lines(capsys):
    x, y, _ = _blobs(16)
    model = _mlp()
    model.compile(optimizer=optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    before = model.get_weights()[0].copy()
    loss, accuracy = model.train_on_batch(x, y)
    assert not np.allclose(before, model.get_weights()[0]) and 0 <= accuracy <= 1 and loss > 0
    assert int(model.optimizer.iterations.numpy()) == 1
    model.fit(x, y, epochs=2, batch_size=8, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "loss:" in out and "accuracy:" in out
