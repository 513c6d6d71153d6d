"""Callbacks: hook order, History, EarlyStopping (restore_best_weights), ModelCheckpoint
templates, LearningRateScheduler, ReduceLROnPlateau, CSVLogger, TerminateOnNaN, LambdaCallback."""
import csv

import numpy as np
import pytest

from symk import callbacks, optimizers
from symk.layers import Dense
from symk.models import Sequential


def _model(lr=0.1):
    model = Sequential([Dense(4, activation="relu", input_shape=(3,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(lr), loss="mse")
    return model


def _data(n=24):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32"))


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None): self.events.append("train_begin")
    def on_epoch_begin(self, epoch, logs=None): self.events.append(f"epoch_begin{epoch}")
    def on_train_batch_end(self, batch, logs=None): self.events.append(f"batch_end{batch}:{'loss' in logs}")
    def on_epoch_end(self, epoch, logs=None): self.events.append(f"epoch_end{epoch}:{sorted(logs)}")
    def on_train_end(self, logs=None): self.events.append("train_end")


def test_hooks_run_in_keras_order_with_logs_and_current_weights():
    x, y = _data(16)
    model, recorder = _model(), Recorder()
    seen_weights = []
    watcher = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen_weights.append(model.get_weights()[0]))
    model.fit(x, y, batch_size=8, epochs=2, validation_data=(x, y), callbacks=[recorder, watcher], verbose=0)
    assert recorder.events == ["train_begin", "epoch_begin0", "batch_end0:True", "batch_end1:True",
                               "epoch_end0:['loss', 'val_loss']", "epoch_begin1", "batch_end0:True",
                               "batch_end1:True", "epoch_end1:['loss', 'val_loss']", "train_end"]
    # a batch-level callback sees the weights of that step (written back every step for it)
    assert len(seen_weights) == 4 and not np.allclose(seen_weights[0], seen_weights[1])


def test_early_stopping_stops_and_restores_best_weights():
    x, y = _data()
    model = _model(lr=0.01)  # a steadily falling loss
    stopper = callbacks.EarlyStopping(monitor="loss", mode="max", patience=1, restore_best_weights=True)
    snapshots = []
    keeper = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    history = model.fit(x, y, epochs=20, batch_size=8, callbacks=[keeper, stopper], verbose=0)
    # 'max' mode on a falling loss: epoch 0 is best, epoch 1 worse, patience 1 -> stop after epoch 1
    assert len(history.history["loss"]) == 2 and stopper.stopped_epoch == 1
    for restored, best in zip(model.get_weights(), snapshots[0]):
        np.testing.assert_array_equal(restored, best)


def test_learning_rate_scheduler_and_reduce_on_plateau_change_the_optimizer():
    x, y = _data()
    model = _model()
    scheduler = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, batch_size=8, callbacks=[scheduler], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert model.optimizer.learning_rate == pytest.approx(0.1 / 3)
    plateau = callbacks.ReduceLROnPlateau(monitor="loss", mode="max", factor=0.5, patience=1)
    history = model.fit(x, y, epochs=2, batch_size=8, callbacks=[plateau], verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]  # so 'max' mode sees no improvement
    assert model.optimizer.learning_rate == pytest.approx(0.1 / 3 * 0.5, rel=1e-5)


def test_model_checkpoint_fills_the_filepath_template(tmp_path):
    x, y = _data()
    model = _model()
    template = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.h5")
    model.fit(x, y, epochs=2, batch_size=8, validation_data=(x, y), verbose=0,
              callbacks=[callbacks.ModelCheckpoint(template, save_weights_only=True)])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and names[0].startswith("weights.01-") and names[1].startswith("weights.02-")
    best = tmp_path / "best.h5"
    model.fit(x, y, epochs=2, batch_size=8, validation_data=(x, y), verbose=0,
              callbacks=[callbacks.ModelCheckpoint(str(best), save_best_only=True, save_weights_only=True)])
    assert best.exists()


def test_csv_logger_and_terminate_on_nan(tmp_path):
    x, y = _data()
    model = _model()
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=2, batch_size=8, callbacks=[callbacks.CSVLogger(str(path))], verbose=0)
    rows = list(csv.DictReader(path.open()))
    assert [r["epoch"] for r in rows] == ["0", "1"] and float(rows[1]["loss"]) > 0
    bad = y.copy()
    bad[0] = np.nan
    history = model.fit(x, bad, epochs=5, batch_size=8, callbacks=[callbacks.TerminateOnNaN()], verbose=0)
    assert len(history.history["loss"]) == 1 and np.isnan(history.history["loss"][0])


class LogReader(callbacks.Callback):
    """Reads each batch's logs (so they are fetched from the device every batch)."""

    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append((batch, float(logs["loss"])))


def test_terminate_on_nan_stops_at_the_batch_whose_logs_were_fetched():
    x, y = _data(48)
    bad = y.copy()
    bad[20] = np.nan    # in batch 2 (rows 16..23) of batch_size 8
    model, reader = _model(), LogReader()
    history = model.fit(x, bad, epochs=3, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[reader, callbacks.TerminateOnNaN()])
    assert [b for b, _ in reader.batches] == [0, 1, 2]     # stopped right after the NaN batch
    assert np.isfinite(reader.batches[1][1]) and np.isnan(reader.batches[2][1])
    assert len(history.history["loss"]) == 1


def test_terminate_on_nan_without_fetches_checks_at_epoch_end_without_syncing_batches():
    x, y = _data(48)
    bad = y.copy()
    bad[20] = np.inf
    model = _model()
    terminate = callbacks.TerminateOnNaN()
    assert not terminate._uses_batch_hooks()   # its batch hook never makes fit write weights back per step
    history = model.fit(x, bad, epochs=3, batch_size=8, shuffle=False, verbose=0, callbacks=[terminate])
    assert len(history.history["loss"]) == 1 and not np.isfinite(history.history["loss"][0])


def test_a_batch_hook_reaches_every_callback_that_does_something_in_it_and_costs_nothing_otherwise():
    from symk.callbacks.base import CallbackList, _nothing

    calls = []

    class OldStyle(callbacks.Callback):  # Keras 2: on_batch_end stands for on_train_batch_end
        def on_batch_end(self, batch, logs=None):
            calls.append(("old", batch))

    lam = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: calls.append(("lambda", batch)))
    listed = CallbackList([OldStyle(), lam, callbacks.History()])
    listed.on_train_batch_end(3, {"loss": 1.0})
    assert calls == [("old", 3), ("lambda", 3)]
    quiet = CallbackList([callbacks.History()])
    assert quiet.on_train_batch_end is _nothing and quiet.on_train_batch_begin is _nothing
    assert quiet.on_epoch_end is not _nothing  # History records epochs
