"""Callbacks as in Keras 3: every hook gets a logs dict with Keras's keys (recorded from Keras 3 by
tools/keras_refs/make_callbacks_logs.py), for symk's own step and for a custom train_step;
callbacks written as the guide "Writing your own callbacks" writes them; ModelCheckpoint(save_freq=N)."""
import json
import pathlib

import jax
import numpy as np
import pytest

import symk as keras

REFERENCE = json.loads((pathlib.Path(__file__).parent / "references" / "keras3" / "callbacks" /
                        "hook_logs.json").read_text())
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]
X = np.random.RandomState(0).random_sample((8, 3)).astype("float32")
Y = np.random.RandomState(1).random_sample((8, 1)).astype("float32")


def _recorder(events):
    class Recorder(keras.callbacks.Callback):
        pass

    def make(hook):
        def method(self, *args, logs=None):
            logs = args[-1] if args and not isinstance(args[-1], int) else logs
            events.append([hook, None if logs is None else sorted(logs)])
        return method

    for hook in HOOKS:
        setattr(Recorder, hook, make(hook))
    return Recorder()


class StepOverride(keras.Model):
    def train_step(self, state, data):
        return super().train_step(state, data)

    def test_step(self, state, data):
        return super().test_step(state, data)


@pytest.mark.parametrize("cls", [keras.Model, StepOverride], ids=["symk_step", "custom_step"])
def test_every_hook_gets_keras_logs(cls):
    inputs = keras.Input((3,))
    model = cls(inputs, keras.layers.Dense(1)(inputs))
    model.compile("sgd", "mse", metrics=["mae"])
    runs = {"fit": lambda cb: model.fit(X, Y, batch_size=4, epochs=1, verbose=0, validation_data=(X, Y),
                                        callbacks=[cb]),
            "evaluate": lambda cb: model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[cb]),
            "predict": lambda cb: model.predict(X, batch_size=4, verbose=0, callbacks=[cb])}
    for name, run in runs.items():
        events = []
        run(_recorder(events))
        assert events == REFERENCE[name], name


def test_callbacks_written_as_the_keras_guide_writes_them():
    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def on_train_batch_end(self, batch, logs=None):
            self.lines.append(f"batch {batch}: loss {logs['loss']:7.2f}")

        def on_test_batch_end(self, batch, logs=None):
            self.lines.append(f"test batch {batch}: loss {logs['loss']:7.2f}")

        def on_epoch_end(self, epoch, logs=None):
            self.lines.append(f"epoch {epoch}: loss {logs['loss']:7.2f}, mae {logs['mean_absolute_error']:7.2f}")

        def on_train_begin(self, logs=None):
            self.lines.append(f"start training; got log keys: {list(logs.keys())}")

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(keras.optimizers.RMSprop(0.1), "mean_squared_error", metrics=["mean_absolute_error"])
    callback = LossAndErrorPrintingCallback()
    model.fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[callback])
    model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[callback])
    assert callback.lines[0] == "start training; got log keys: []"
    assert sum(line.startswith("epoch") for line in callback.lines) == 2
    assert sum(line.startswith("test batch") for line in callback.lines) == 2


def test_model_checkpoint_every_n_batches(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(keras.optimizers.SGD(0.1), "mse")
    saved = []

    class Spy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            saved.append(model.get_weights()[0].copy())

    path = str(tmp_path / "w_{epoch}_{batch}.weights.h5")
    model.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0,
              callbacks=[Spy(), keras.callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=3)])
    files = sorted(p.name for p in tmp_path.iterdir())
    # 4 batches an epoch, a save after every 3rd batch seen: epoch 1 batch 3, epoch 2 batches 2 and 4... counted on
    assert files == ["w_1_3.weights.h5", "w_2_2.weights.h5"]
    probe = keras.Model(inputs, model.output)
    probe.load_weights(str(tmp_path / "w_1_3.weights.h5"))
    np.testing.assert_array_equal(probe.get_weights()[0], saved[2])


def test_model_checkpoint_rejects_an_unknown_save_freq():
    with pytest.raises(ValueError, match="save_freq"):
        keras.callbacks.ModelCheckpoint("m.h5", save_freq="batch")
