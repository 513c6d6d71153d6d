"""BackupAndRestore: resume an interrupted `fit` from the last backup (Keras 3's callback and file names).

    model.fit(x, y, epochs=10, callbacks=[symk.callbacks.BackupAndRestore(backup_dir="/tmp/backup")])

The backup is `latest.weights.h5` (the model's weights and the optimizer's state, Keras 3's
.weights.h5 layout) and `training_metadata.json` ({"epoch", "batch"}). On the next `fit`, training
restarts at the recorded epoch with the restored weights and optimizer state. Every file is written
atomically (model.save_weights writes to a temporary file and renames it).
"""
from __future__ import annotations

import json
import os
import shutil

from ..distribution.host_files import writes_files
from ..errors import FileFormatError
from ..saving.files import atomic_path
from .base import Callback

__all__ = ["BackupAndRestore"]


class BackupAndRestore(Callback):
    """Back up at the end of each epoch (save_freq="epoch") or every `save_freq` batches; restore in
    on_train_begin; delete the backup when training ends normally (delete_checkpoint=True)."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty `backup_dir` argument passed; give the folder for the backup")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq!r}. "
                             "Expected either 'epoch' or a positive integer (a number of batches).")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._previous_weights_path = self._weights_path + ".bkp"
        self._previous_metadata_path = self._metadata_path + ".bkp"
        self._batches_since_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def _uses_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"  # a mid-epoch backup must see the weights of that step

    # -- restoring ---------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        try:
            self._restore()
        except (OSError, FileFormatError):
            # a backup torn by a crash mid-write: fall back to the previous one (double_checkpoint=True)
            if not os.path.exists(self._previous_weights_path):
                raise
            shutil.copyfile(self._previous_weights_path, self._weights_path)
            if os.path.exists(self._previous_metadata_path):
                shutil.copyfile(self._previous_metadata_path, self._metadata_path)
            elif os.path.exists(self._metadata_path):
                os.remove(self._metadata_path)
            self._restore()

    def _restore(self) -> None:
        if not getattr(self.model, "built", True):
            raise ValueError("To use the BackupAndRestore callback, your model must be built before you call "
                             f"`fit()`. Model {self.model.name!r} is unbuilt: build it first by calling it on a "
                             "batch of data (or give its first layer an input shape).")
        if os.path.exists(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._metadata_path):
            with open(self._metadata_path) as f:
                metadata = json.load(f)
            self._current_epoch = int(metadata["epoch"])
            # fit() reads this once on_train_begin has run, as Keras's trainers do
            self.model._initial_epoch = self._current_epoch

    # -- backing up --------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self._due_on_batch(batch):
            self._save()

    def _due_on_batch(self, batch: int) -> bool:
        """Counts batches across executions (steps_per_execution reports only each execution's last batch)."""
        if self.save_freq == "epoch":
            return False
        seen = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_since_saving += seen
        self._last_batch_seen = batch
        if self._batches_since_saving >= self.save_freq:
            self._batches_since_saving = 0
            return True
        return False

    def _save(self) -> None:
        # every process takes part in save_weights (it gathers sharded weights); only process 0 writes
        if not writes_files():
            self.model.save_weights(self._weights_path, overwrite=True)
            return
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for current, previous in ((self._weights_path, self._previous_weights_path),
                                      (self._metadata_path, self._previous_metadata_path)):
                if os.path.exists(current):
                    shutil.copyfile(current, previous)
        self.model.save_weights(self._weights_path, overwrite=True)
        with atomic_path(self._metadata_path) as tmp, open(tmp, "w") as f:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and writes_files() and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
