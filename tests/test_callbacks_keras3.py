"""Keras 3's BackupAndRestore, SwapEMAWeights and TensorBoard callbacks.

BackupAndRestore is checked against the uninterrupted run (resuming must land on the same weights) and
Keras's file names and metadata; SwapEMAWeights against a numpy forward pass with the optimizer's averages;
TensorBoard by parsing the event files it writes (TFRecord framing + tensorboardX's Event proto) and
comparing the scalars with fit's history, under Keras 3's tag names and folders.
"""
import glob
import json
import os
import struct

import numpy as np
import pytest

import symk

RNG = np.random.RandomState(0)
X = RNG.normal(size=(64, 4)).astype("float32")
Y = (X @ RNG.normal(size=(4, 1))).astype("float32")


def small_model(seed=1, optimizer=None):
    symk.utils.set_random_seed(seed)
    model = symk.Sequential([symk.Input((4,)), symk.layers.Dense(3, activation="tanh"), symk.layers.Dense(1)])
    model.compile(optimizer=optimizer or symk.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    return model


class StopAt(symk.callbacks.Callback):
    """Simulates a crash: raises when `epoch` begins (or after `batch` batches of it)."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch
        if epoch == self.epoch and self.batch is None:
            raise RuntimeError("interrupted")

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            raise RuntimeError("interrupted")


# -- BackupAndRestore ----------------------------------------------------------------------------
def test_backup_and_restore_resumes_where_training_stopped(tmp_path):
    reference = small_model()
    reference.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0)

    backup = str(tmp_path / "backup")
    model = small_model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                  callbacks=[symk.callbacks.BackupAndRestore(backup), StopAt(2)])
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "training_metadata.json"]
    assert json.loads((tmp_path / "backup" / "training_metadata.json").read_text()) == {"epoch": 2, "batch": 0}

    resumed = small_model(seed=7)  # other initial weights: everything must come from the backup
    history = resumed.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                          callbacks=[symk.callbacks.BackupAndRestore(backup)])
    assert history.epoch == [2, 3]
    for got, want in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert not os.path.exists(backup), "a finished fit deletes its backup (delete_checkpoint=True)"


def test_backup_every_n_batches_records_the_batch(tmp_path):
    backup = tmp_path / "backup"
    model = small_model()
    with pytest.raises(RuntimeError):
        model.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0,
                  callbacks=[symk.callbacks.BackupAndRestore(str(backup), save_freq=3, delete_checkpoint=False),
                             StopAt(1, batch=2)])
    # 4 batches an epoch: saved after batch 2 of epoch 0 (3 seen) and batch 1 of epoch 1 (6 seen)
    assert json.loads((backup / "training_metadata.json").read_text()) == {"epoch": 1, "batch": 1}


def test_backup_double_checkpoint_recovers_from_a_torn_file(tmp_path):
    backup = tmp_path / "backup"
    model = small_model()
    with pytest.raises(RuntimeError):
        model.fit(X, Y, epochs=3, batch_size=16, verbose=0,
                  callbacks=[symk.callbacks.BackupAndRestore(str(backup), double_checkpoint=True), StopAt(2)])
    assert (backup / "latest.weights.h5.bkp").exists()
    (backup / "latest.weights.h5").write_bytes(b"torn")
    history = small_model().fit(X, Y, epochs=3, batch_size=16, verbose=0,
                                callbacks=[symk.callbacks.BackupAndRestore(str(backup))])
    assert history.epoch == [1, 2]  # the previous backup (end of epoch 0) was used


def test_backup_arguments_are_checked():
    with pytest.raises(ValueError, match="backup_dir"):
        symk.callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        symk.callbacks.BackupAndRestore("/tmp/x", save_freq="batch")


# -- SwapEMAWeights ------------------------------------------------------------------------------
def numpy_mse(weights, x, y):
    k1, b1, k2, b2 = weights
    prediction = np.tanh(x @ k1 + b1) @ k2 + b2
    return float(np.mean((prediction - y) ** 2))


def ema_values(model):
    averages = model.optimizer._own_variables["average"]
    return [np.asarray(averages[w.path].numpy()) for w in model.trainable_weights]


def test_swap_ema_weights_evaluates_with_the_averages():
    model = small_model(optimizer=symk.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9))
    for start in range(0, 64, 16):  # train_on_batch: fit would leave the averages in the model when it ends
        model.train_on_batch(X[start:start + 16], Y[start:start + 16])
    raw = [w.copy() for w in model.get_weights()]
    averages = ema_values(model)
    assert not all(np.allclose(a, r) for a, r in zip(averages, raw))
    loss = model.evaluate(X, Y, verbose=0, batch_size=64, callbacks=[symk.callbacks.SwapEMAWeights()])
    np.testing.assert_allclose(loss, numpy_mse(averages, X, Y), rtol=1e-5)
    for got, want in zip(model.get_weights(), raw):
        np.testing.assert_array_equal(got, want)  # swapped back after evaluation


def test_swap_ema_weights_validation_inside_fit():
    model = small_model(optimizer=symk.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9))

    class Record(symk.callbacks.Callback):
        def on_test_begin(self, logs=None):
            self.weights = [w.copy() for w in self.model.get_weights()]
            self.averages = ema_values(self.model)

    before, after = Record(), Record()  # around the swap: callbacks run in list order
    history = model.fit(X, Y, epochs=1, batch_size=16, verbose=0, validation_data=(X, Y),
                        callbacks=[before, symk.callbacks.SwapEMAWeights(), after])
    for got, want in zip(after.weights, before.averages):
        np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(history.history["val_loss"][0], numpy_mse(before.averages, X, Y), rtol=1e-5)


def test_swap_ema_weights_needs_use_ema():
    model = small_model()
    with pytest.raises(ValueError, match="use_ema=True"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[symk.callbacks.SwapEMAWeights()])


# -- TensorBoard ---------------------------------------------------------------------------------
def read_events(folder):
    """tag -> [(step, value)] for scalars, and the set of histogram tags, parsed from the TFRecord files."""
    from tensorboardX.proto import event_pb2

    scalars, histograms = {}, set()
    for path in sorted(glob.glob(os.path.join(folder, "events.out.tfevents.*"))):
        data = open(path, "rb").read()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack("<Q", data[offset:offset + 8])
            record = data[offset + 12:offset + 12 + length]  # 8 length + 4 length-crc bytes before the record
            offset += 12 + length + 4
            event = event_pb2.Event.FromString(record)
            for value in event.summary.value:
                if value.HasField("histo"):
                    histograms.add(value.tag)
                else:
                    scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars, histograms


def tensorboard_package_reads(folder):
    """The same scalars as TensorBoard itself reads them (its EventAccumulator), when tensorboard is installed."""
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    events = accumulator.EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0})
    events.Reload()
    return events


def test_tensorboard_writes_keras_tags(tmp_path):
    pytest.importorskip("tensorboardX")
    model = small_model()
    callback = symk.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, update_freq=2)
    history = model.fit(X, Y, epochs=2, batch_size=16, verbose=0, validation_split=0.25, callbacks=[callback])
    train, train_histograms = read_events(tmp_path / "train")
    validation, _ = read_events(tmp_path / "validation")

    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history.history["loss"], rtol=1e-6)
    assert [s for s, _ in train["epoch_loss"]] == [0, 1]
    np.testing.assert_allclose([v for _, v in validation["epoch_loss"]], history.history["val_loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in train["epoch_learning_rate"]], [0.05, 0.05], rtol=1e-6)
    # 48 training rows / 16 = 3 batches an epoch, 6 in all: update_freq=2 logs global batches 2, 4, 6
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6]
    assert [s for s, _ in validation["evaluation_loss_vs_iterations"]] == [3, 6]
    # Keras 3's tag for each weight: its path + "/histogram"
    assert train_histograms == {f"{w.path}/histogram" for w in model.weights}
    assert len(train_histograms) == 4

    events = tensorboard_package_reads(tmp_path / "train")
    np.testing.assert_allclose([e.value for e in events.Scalars("epoch_loss")], history.history["loss"], rtol=1e-6)
    assert set(events.Tags()["histograms"]) == train_histograms
    graph = events.Graph()  # the op graph, through symk's ONNX export
    assert any(node.op == "Gemm" or node.op == "MatMul" for node in graph.node), [n.op for n in graph.node]


def test_tensorboard_arguments_are_checked():
    with pytest.raises(ValueError, match="update_freq"):
        symk.callbacks.TensorBoard(update_freq="sometimes")
    with pytest.raises(ValueError, match="profile_batch"):
        symk.callbacks.TensorBoard(profile_batch=(5, 2))


KILLED_RUN = r"""
import os, signal, sys
import numpy as np
sys.path.insert(0, {tests!r})
import symk
from test_callbacks_keras3 import X, Y, small_model

class KillAt(symk.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no exception: the process just dies

model = small_model()
model.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
          callbacks=[symk.callbacks.BackupAndRestore(sys.argv[1]), KillAt()])
np.savez(sys.argv[3], *model.get_weights())
"""


@pytest.mark.slow
def test_backup_and_restore_after_the_process_is_killed(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN.format(tests=os.path.dirname(os.path.abspath(__file__))))
    backup, result = str(tmp_path / "backup"), str(tmp_path / "weights.npz")
    killed = subprocess.run([sys.executable, str(script), backup, "2", result], timeout=300)
    assert killed.returncode == -9 and os.path.exists(os.path.join(backup, "latest.weights.h5"))
    resumed = subprocess.run([sys.executable, str(script), backup, "-1", result], timeout=300)
    assert resumed.returncode == 0
    reference = small_model()
    reference.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    got = np.load(result)
    for index, want in enumerate(reference.get_weights()):
        np.testing.assert_allclose(got[f"arr_{index}"], want, rtol=1e-5, atol=1e-6)
