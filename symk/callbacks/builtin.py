"""Keras's stock callbacks: EarlyStopping, ModelCheckpoint, LearningRateScheduler,
ReduceLROnPlateau, CSVLogger, TerminateOnNaN, LambdaCallback."""
from __future__ import annotations

import csv
import math
import warnings

import numpy as np

from ..io_utils import print_msg
from .base import Callback


def _monitor_mode(monitor: str, mode: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}")
    if mode == "auto":
        mode = "max" if any(s in monitor for s in ("acc", "auc", "precision", "recall")) else "min"
    return np.greater if mode == "max" else np.less


def _get_monitored(logs, monitor, who):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(f"{who}: metric {monitor!r} is not in the logs (available: {sorted(logs or {})}); skipping")
    return value


class EarlyStopping(Callback):
    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose, self.baseline = monitor, patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.monitor_op = _monitor_mode(monitor, mode)
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def _improved(self, value, reference):
        return self.monitor_op(value - self.min_delta, reference)

    def on_epoch_end(self, epoch, logs=None):
        value = _get_monitored(logs, self.monitor, "EarlyStopping")
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch > 0:
            if self.verbose:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save to `filepath` (a template such as 'weights.{epoch:02d}-{val_loss:.2f}.h5') after each epoch,
    or with `save_freq=N` after every N batches (then `{batch}` may appear in the template too)."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None, **kwargs):
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq to be 'epoch' or a "
                             "positive integer (a number of batches).")
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq = save_freq
        self.monitor_op = _monitor_mode(monitor, mode)
        self.best = initial_value_threshold if initial_value_threshold is not None else (
            -np.inf if self.monitor_op is np.greater else np.inf)
        self._current_epoch, self._batches_since_save = 0, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _uses_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"  # saving per batch needs the Variables current after each step

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs) if batch is None else self.filepath.format(
                epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as missing:
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} names {missing}, which is not in the logs "
                           f"{sorted(logs)}") from None
        if self.save_best_only:
            value = _get_monitored(logs, self.monitor, "ModelCheckpoint")
            if value is None or not self.monitor_op(value, self.best):
                return
            if self.verbose:
                print_msg(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {value:.5f}, saving to {path}")
            self.best = value
        elif self.verbose:
            print_msg(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate each epoch to schedule(epoch[, lr])."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        current = self.model.optimizer.learning_rate
        try:
            lr = self.schedule(epoch, current)
        except TypeError:  # Keras 1/2 schedules take only the epoch
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int, np.floating, np.integer)) and np.ndim(lr) != 0:
            raise ValueError(f"LearningRateScheduler: the schedule must return a number; got {lr!r}")
        self.model.optimizer.learning_rate = float(lr)
        if self.verbose:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class ReduceLROnPlateau(Callback):
    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1; got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.monitor_op = _monitor_mode(monitor, mode)

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = self.model.optimizer.learning_rate
        value = _get_monitored(logs, self.monitor, "ReduceLROnPlateau")
        if value is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        better = value > self.best + self.min_delta if self.monitor_op is np.greater else value < self.best - self.min_delta
        if better:
            self.best, self.wait = value, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = self.model.optimizer.learning_rate
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose:
                        print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = filename, separator, append
        self._keys, self._file = None, None

    def on_train_begin(self, logs=None):
        import os

        from ..distribution.host_files import writes_files

        self._keys, self._file = None, None
        if not writes_files():
            return  # several processes log the same numbers: process 0 alone writes the file
        self._write_header = not (self.append and os.path.exists(self.filename))
        self._file = open(self.filename, "a" if self.append else "w", newline="")

    def on_epoch_end(self, epoch, logs=None):
        if self._file is None:
            return
        logs = dict(logs or {})
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self._keys, delimiter=self.separator)
            if self._write_header:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}})
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


class TerminateOnNaN(Callback):
    """Stops training when the loss becomes NaN or infinite, as Keras checks it after each batch.

    NOTE: reading a batch's loss waits for the device, so a batch is checked when its logs were
    fetched anyway (the progress bar's refreshes, a callback that reads them) and every epoch
    is checked at its end. The logged loss is the epoch's running mean, which turns NaN/inf at
    the first bad batch and stays so: each check is exact for every batch before it.
    """

    def on_train_batch_end(self, batch, logs=None):
        if logs is None or getattr(logs, "fetched", True) is False:
            return
        if _invalid(logs.get("loss")):
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if not self.model.stop_training and _invalid((logs or {}).get("loss")):
            print_msg(f"Epoch {epoch + 1}: Invalid loss, terminating training")
            self.model.stop_training = True

    def _uses_batch_hooks(self) -> bool:
        return False  # reads only the logs: the weights need not be written back every step


def _invalid(loss) -> bool:
    return loss is not None and (math.isnan(loss) or math.isinf(loss))


class LambdaCallback(Callback):
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, on_batch_begin=None, on_batch_end=None, **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin or on_batch_begin,
                     on_train_batch_end=on_train_batch_end or on_batch_end, **kwargs)
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)

    def _uses_batch_hooks(self) -> bool:
        return any(name in self.__dict__ for name in ("on_train_batch_begin", "on_train_batch_end"))
