"""`symk.metrics`: Keras's metric functions and stateful metric classes, and `get`.

    model.compile(..., metrics=['accuracy', AUC(), 'mae', my_fn])
"""
from __future__ import annotations

import jax.numpy as jnp

from .. import losses as _losses
from ..keras_objects import from_class_config, keras_serialize
from .base import Mean, MeanMetricWrapper, Metric, Sum  # noqa: F401
from .confusion import AUC, Precision, Recall  # noqa: F401


# -- per-sample metric functions (Keras 3 formulas) ------------------------------------
def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype).reshape(y_pred.shape)
    return jnp.mean((y_true == (y_pred > threshold).astype(y_pred.dtype)).astype(jnp.float32), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return (jnp.argmax(y_true, axis=-1) == jnp.argmax(y_pred, axis=-1)).astype(jnp.float32)


def _sparse_labels(y_true, y_pred):
    labels = jnp.asarray(y_true)
    if labels.ndim == jnp.ndim(y_pred) and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return labels.astype(jnp.int32)


def sparse_categorical_accuracy(y_true, y_pred):
    return (_sparse_labels(y_true, y_pred) == jnp.argmax(y_pred, axis=-1)).astype(jnp.float32)


def _in_top_k(labels, y_pred, k):
    # the label is in the top k when fewer than k classes score strictly higher
    target = jnp.take_along_axis(y_pred, labels[..., None], axis=-1)
    return (jnp.sum(y_pred > target, axis=-1) < k).astype(jnp.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(jnp.argmax(y_true, axis=-1).astype(jnp.int32), jnp.asarray(y_pred), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(_sparse_labels(y_true, y_pred), jnp.asarray(y_pred), k)


def accuracy(y_true, y_pred):
    y_pred = jnp.asarray(y_pred)
    return (jnp.asarray(y_true, y_pred.dtype).reshape(y_pred.shape) == y_pred).astype(jnp.float32).mean(axis=-1) \
        if y_pred.ndim > 1 else (jnp.asarray(y_true, y_pred.dtype) == y_pred).astype(jnp.float32)


def _wrapper(class_name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype="float32", **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name} got unexpected argument(s) {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    # from_config is Metric's: the config holds exactly these constructor arguments
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": f"Keras's {class_name} metric."})


Accuracy = _wrapper("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
                                         "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", _losses.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _losses.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError", _losses.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError", _losses.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", _losses.binary_crossentropy, "binary_crossentropy",
                              from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", _losses.categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy", _losses.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False)


class RootMeanSquaredError(MeanSquaredError):
    def __init__(self, name="root_mean_squared_error", dtype="float32"):
        super().__init__(name=name, dtype=dtype)

    def compute(self, state):
        return jnp.sqrt(super().compute(state))


mse = MSE = mean_squared_error = _losses.mean_squared_error
mae = MAE = mean_absolute_error = _losses.mean_absolute_error
mape = MAPE = mean_absolute_percentage_error = _losses.mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error = _losses.mean_squared_logarithmic_error
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy

_FUNCTIONS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
}
_CLASSES = {cls.__name__: cls for cls in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    RootMeanSquaredError, AUC, Precision, Recall, Mean, Sum)}
_SNAKE_CLASSES = {"auc": AUC, "precision": Precision, "recall": Recall,
                  "root_mean_squared_error": RootMeanSquaredError}


def get(identifier, name=None) -> Metric:
    """A Metric from a name ('mae', 'auc', 'top_k_categorical_accuracy'), a class, an
    instance, a config dict or a function `f(y_true, y_pred)`. 'accuracy' needs the loss
    or target shapes: the trainer resolves it (see training/compile_utils.py)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        return from_class_config(identifier, _CLASSES, "metric")
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return MeanMetricWrapper(_FUNCTIONS[identifier], name=name or identifier)
        if identifier in _SNAKE_CLASSES:
            return _SNAKE_CLASSES[identifier](name=name or identifier)
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier in _losses.FUNCTIONS:
            return MeanMetricWrapper(_losses.FUNCTIONS[identifier], name=name or identifier)
        known = sorted(set(_FUNCTIONS) | set(_SNAKE_CLASSES) | set(_losses.FUNCTIONS) | {"accuracy", "acc"})
        raise ValueError(f"Unknown metric {identifier!r}. Known metric names: {', '.join(known)} "
                         "(or a Metric instance, or a function f(y_true, y_pred)).")
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=name or getattr(identifier, "__name__", "metric"))
    raise ValueError(f"Could not interpret metric {identifier!r}")


def serialize(metric):
    if isinstance(metric, Metric):
        return keras_serialize(metric, "keras.metrics")
    return getattr(metric, "__name__", str(metric))

