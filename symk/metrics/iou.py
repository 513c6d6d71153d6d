"""Keras's intersection-over-union metrics, from a running (num_classes, num_classes) confusion matrix.

    m = MeanIoU(num_classes=3); m.update_state(labels, predicted_labels); m.result()
"""
from __future__ import annotations

import jax.numpy as jnp

from ..losses_base import EPSILON
from .base import Metric, zeros


class _IoUBase(Metric):
    """The confusion-matrix accumulation shared by every IoU metric (rows: labels, columns: predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        # Keras counts in integers by default: float sample weights are truncated (as Keras warns)
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes, self.ignore_class = int(num_classes), ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis

    def initial_state(self):
        return {"total_confusion_matrix": zeros((self.num_classes, self.num_classes), self.dtype)}

    def _class_ids(self, y_true, y_pred):
        if not self.sparse_y_true:
            y_true = jnp.argmax(jnp.asarray(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = jnp.argmax(jnp.asarray(y_pred), axis=self.axis)
        return jnp.asarray(y_true).astype(self.dtype), jnp.asarray(y_pred).astype(self.dtype)

    def update(self, state, y_true, y_pred, sample_weight=None):
        labels, predictions = self._class_ids(y_true, y_pred)
        if sample_weight is None:
            weight = jnp.ones((), self.dtype)
        else:
            weight = jnp.asarray(sample_weight).astype(self.dtype)
            # a weight per sample (as the trainer's padding mask is) covers every pixel of that sample
            if 0 < weight.ndim < labels.ndim and weight.shape == labels.shape[:weight.ndim]:
                weight = jnp.broadcast_to(weight.reshape(weight.shape + (1,) * (labels.ndim - weight.ndim)),
                                          labels.shape)
            weight = weight.reshape(-1)
        labels, predictions = labels.reshape(-1), predictions.reshape(-1)
        weight = jnp.broadcast_to(weight, labels.shape)
        # out-of-range ids (and the ignored class) never reach the matrix
        valid = (labels >= 0) & (labels < self.num_classes) & (predictions >= 0) & (predictions < self.num_classes)
        if self.ignore_class is not None:
            valid = valid & (labels != self.ignore_class)
        labels = jnp.where(valid, labels, 0).astype(jnp.int32)
        predictions = jnp.where(valid, predictions, 0).astype(jnp.int32)
        weight = jnp.where(valid, weight, 0).astype(self.dtype)
        matrix = state["total_confusion_matrix"].at[labels, predictions].add(weight)
        return {"total_confusion_matrix": matrix}


class IoU(_IoUBase):
    """tp / (tp + fp + fn) of each class in `target_class_ids`, averaged over those classes present."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"{type(self).__name__}: target class id {max(target_class_ids)} is out of range "
                             f"[0, {num_classes})")
        self.target_class_ids = list(target_class_ids)

    def compute(self, state):
        matrix = state["total_confusion_matrix"]
        predicted_per_class = jnp.sum(matrix, axis=0)
        labelled_per_class = jnp.sum(matrix, axis=1)
        true_positives = jnp.diag(matrix)
        denominator = predicted_per_class + labelled_per_class - true_positives
        ids = jnp.asarray(self.target_class_ids, jnp.int32)
        true_positives = true_positives[ids].astype(jnp.float32)
        denominator = denominator[ids].astype(jnp.float32)
        # classes absent from both labels and predictions are left out of the mean
        valid = denominator > 1e-9
        iou = jnp.where(valid, true_positives / (denominator + EPSILON), 0.0)
        return jnp.sum(iou, axis=self.axis) / (jnp.sum(valid.astype(jnp.float32)) + EPSILON)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of two classes, predictions >= threshold being class 1."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update(self, state, y_true, y_pred, sample_weight=None):
        predicted = (jnp.asarray(y_pred, jnp.float32) >= self.threshold).astype(self.dtype)
        return super().update(state, jnp.asarray(y_true).astype(self.dtype), predicted, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU of one-hot labels (and, unless sparse_y_pred, per-class scores): arg-max picks the class."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
