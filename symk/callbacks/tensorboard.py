"""TensorBoard: training curves, weight histograms and profiles as TensorBoard event files (Keras 3's callback).

    model.fit(x, y, validation_split=0.2, callbacks=[symk.callbacks.TensorBoard(log_dir="logs")])
    # then: tensorboard --logdir logs

Keras 3's tags and folders: `logs/train` holds `epoch_<metric>` (and `epoch_learning_rate`,
`epoch_steps_per_second`, `batch_<metric>` when update_freq is "batch" or N, `<weight path>/histogram`
when histogram_freq > 0, and the op graph when write_graph=True — Keras 3 on JAX writes none; symk writes its
graph through its ONNX export, which needs the `onnx` extra); `logs/validation` holds `epoch_<metric>` of the validation pass and
`evaluation_<metric>_vs_iterations`. Events are written with tensorboardX (the `tensorboard` extra:
`pip install symk[tensorboard]`), so TensorFlow is never needed. `profile_batch` traces those batches
with jax.profiler into `logs/train` (TensorBoard's profile plugin reads it).
"""
from __future__ import annotations

import logging
import os
import time

import numpy as np

from .base import Callback

__all__ = ["TensorBoard"]


def _summary_writer(path: str):
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError("symk.callbacks.TensorBoard writes event files with tensorboardX, which is not installed. "
                          "Install it with `pip install tensorboardX` (or symk's extra: `pip install "
                          "symk[tensorboard]`).") from None
    return SummaryWriter(logdir=path)


def _profile_range(profile_batch) -> tuple[int, int]:
    """Keras's profile_batch: 0 (off), N (that batch), (start, stop) or "start,stop"."""
    message = ("profile_batch must be a non-negative integer or a pair of positive integers (start, stop) with "
               f"start <= stop, or a string 'start,stop'. Received: profile_batch={profile_batch!r}")
    if isinstance(profile_batch, str):
        profile_batch = [int(part) for part in profile_batch.split(",")]
    if isinstance(profile_batch, int) and not isinstance(profile_batch, bool):
        start = stop = profile_batch
    elif isinstance(profile_batch, (list, tuple)) and len(profile_batch) == 2:
        start, stop = (int(v) for v in profile_batch)
    else:
        raise ValueError(message)
    if start < 0 or stop < start or (start == 0) != (stop == 0):
        raise ValueError(message)
    return start, stop


class TensorBoard(Callback):
    def __init__(self, log_dir="logs", histogram_freq: int = 0, write_graph: bool = True, write_images: bool = False,
                 write_steps_per_second: bool = False, update_freq="epoch", profile_batch=0, embeddings_freq: int = 0,
                 embeddings_metadata=None):
        super().__init__()
        if update_freq not in ("epoch", "batch") and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"TensorBoard(update_freq={update_freq!r}): expected 'epoch', 'batch' or a positive "
                             "integer (log every N batches)")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        self._writers: dict = {}
        self._global_train_batch = 0
        self._tracing = False

    def _uses_batch_hooks(self) -> bool:
        return False  # it reads only the logs: fit need not copy the weights back after every step

    # -- writers -----------------------------------------------------------------------------
    def _writer(self, which: str):
        if which not in self._writers:
            self._writers[which] = _summary_writer(os.path.join(self.log_dir, which))
        return self._writers[which]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- training ----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        self._writer("train")
        if self.write_graph:
            self._write_model_graph()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if self._start_batch and self._global_train_batch == self._start_batch:
            self._start_trace()

    def on_train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self.update_freq != "epoch" and step % self.update_freq == 0:
            writer = self._writer("train")
            if self.write_steps_per_second:
                writer.add_scalar("batch_steps_per_second", 1.0 / max(time.time() - self._batch_start_time, 1e-9),
                                  step)
            for name, value in dict(logs or {}).items():
                writer.add_scalar(f"batch_{name}", float(value), step)
        if self._tracing and step >= self._stop_batch:
            self._stop_trace()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, dict(logs or {}))
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self.model.save_weights(os.path.join(self.log_dir, "train", f"keras_embedding.ckpt-{epoch}.weights.h5"))
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        if self._tracing:
            self._stop_trace()
        self._close_writers()

    # -- evaluation --------------------------------------------------------------------------
    def on_test_end(self, logs=None):
        if getattr(self.model, "optimizer", None) is None:
            return
        writer = self._writer("validation")
        for name, value in dict(logs or {}).items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), self._iterations())
        writer.flush()

    # -- what is written ---------------------------------------------------------------------
    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", 0)
        return int(np.asarray(iterations.numpy() if hasattr(iterations, "numpy") else iterations))

    def _learning_rates(self) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            return {}
        rate = optimizer.learning_rate
        return {"learning_rate": float(np.asarray(rate.numpy() if hasattr(rate, "numpy") else rate))}

    def _log_epoch_metrics(self, epoch: int, logs: dict) -> None:
        if not logs:
            return
        train = {name: value for name, value in logs.items() if not name.startswith("val_")}
        validation = {name[4:]: value for name, value in logs.items() if name.startswith("val_")}
        train.update(self._learning_rates())
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._epoch_start_time, 1e-9)
            train["steps_per_second"] = (self._iterations() - self._previous_epoch_iterations) / elapsed
        for which, values in (("train", train), ("validation", validation)):
            if values:
                writer = self._writer(which)
                for name, value in values.items():
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = np.asarray(weight.numpy())
                writer.add_histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    image = _weight_image(values)
                    if image is not None:
                        writer.add_images(f"{name}/image", image, epoch, dataformats="NHWC")

    def _write_model_graph(self) -> None:
        """The op graph for TensorBoard's Graphs tab, by way of symk's ONNX export (tensorboardX converts ONNX
        graphs to TensorBoard's GraphDef). A graph that cannot be written never stops training."""
        import tempfile

        try:
            from ..onnx import export_model

            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "model.onnx")
                export_model(self.model, path, check=False)
                self._writer("train").add_onnx_graph(path)
        except Exception as err:  # onnx not installed, an op without an ONNX form, an unbuilt model...
            logging.warning("TensorBoard: the model graph was not written (%s: %s); install symk[onnx] for it",
                            type(err).__name__, err)

    # -- profiling ---------------------------------------------------------------------------
    def _start_trace(self) -> None:
        import jax

        try:
            jax.profiler.start_trace(os.path.join(self.log_dir, "train"))
            self._tracing = True
        except Exception as err:  # Keras too: a profiler failure never stops training
            logging.error("TensorBoard: failed to start the profiler: %s", err)

    def _stop_trace(self) -> None:
        import jax

        try:
            jax.profiler.stop_trace()
        except Exception as err:
            logging.error("TensorBoard: failed to stop the profiler: %s", err)
        self._tracing = False


def _weight_image(values: np.ndarray):
    """A weight as Keras shows it: a bias as a 1-row image, a kernel as one image, conv kernels one per filter."""
    image = np.squeeze(values)
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        image = np.transpose(image, (2, 0, 1))[..., None]
    if image.ndim != 4 or image.shape[-1] not in (1, 3, 4):
        return None
    span = image.max() - image.min()
    return (image - image.min()) / span if span > 0 else np.zeros_like(image)
