"""Losses with Keras's formulas, clipping (epsilon 1e-7) and reductions.

Each snake_case function maps (y_true, y_pred) to one value per sample (the last axis
reduced); each class adds `reduction` and sample weights:

    loss = CategoricalCrossentropy(label_smoothing=0.1)
    value = loss(y_true, y_pred)            # a scalar ('sum_over_batch_size')
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from . import object_registry
from .keras_objects import deserialize_object, serialize_object
from .losses_base import (EPSILON, REDUCTIONS, Loss, LossFunctionWrapper, floats as _floats,  # noqa: F401
                          reduce_values, squeeze_or_expand_to_same_rank, wrapper_class)
from .losses_ctc import CTC, ctc
from .losses_embedding import Circle, circle
from .losses_focal import (BinaryFocalCrossentropy, CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy,
                           binary_focal_crossentropy, categorical_focal_crossentropy,
                           categorical_generalized_cross_entropy)
from .losses_overlap import Dice, Tversky, dice, tversky


# -- per-sample functions (Keras 3 formulas) -----------------------------------------
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    return jnp.mean(jnp.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    return jnp.mean(jnp.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    diff = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), EPSILON))
    return 100.0 * jnp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    first = jnp.log(jnp.maximum(y_pred, EPSILON) + 1.0)
    second = jnp.log(jnp.maximum(y_true, EPSILON) + 1.0)
    return jnp.mean(jnp.square(first - second), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _floats(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per_entry = -y_true * jax.nn.log_sigmoid(y_pred) - (1.0 - y_true) * jax.nn.log_sigmoid(-y_pred)
    else:
        y_pred = jnp.clip(y_pred, EPSILON, 1.0 - EPSILON)
        per_entry = -(y_true * jnp.log(y_pred) + (1.0 - y_true) * jnp.log(1.0 - y_pred))
    return jnp.mean(per_entry, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _floats(y_true, y_pred)
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        log_prob = jax.nn.log_softmax(y_pred, axis=axis)
    else:
        # Keras renormalises probabilities before clipping (outputs may not sum to 1)
        y_pred = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
        log_prob = jnp.log(jnp.clip(y_pred, EPSILON, 1.0 - EPSILON))
    return -jnp.sum(y_true * log_prob, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    y_pred = jnp.asarray(y_pred)
    labels = jnp.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    labels = labels.astype(jnp.int32)
    one_hot = jax.nn.one_hot(labels, y_pred.shape[axis], dtype=y_pred.dtype, axis=axis)
    values = categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, axis=axis)
    if ignore_class is not None:
        values = jnp.where(labels == ignore_class, 0.0, values)
    return values


def _hinge_labels(y_true):
    # Keras converts 0/1 labels to -1/+1 (and leaves -1/+1 labels alone)
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _floats(y_true, y_pred)
    return jnp.mean(jnp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _floats(y_true, y_pred)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _floats(y_true, y_pred)
    positive = jnp.sum(y_true * y_pred, axis=-1)
    negative = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(negative - positive + 1.0, 0.0)


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _floats(y_true, y_pred)
    y_true = jnp.clip(y_true, EPSILON, 1.0)
    y_pred = jnp.clip(y_pred, EPSILON, 1.0)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _floats(y_true, y_pred)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + EPSILON), axis=-1)


def _l2_normalize(x, axis):
    return x / jnp.maximum(jnp.sqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True)), EPSILON)


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    return -jnp.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    quadratic = 0.5 * jnp.square(error)
    linear = delta * abs_error - 0.5 * delta ** 2
    return jnp.mean(jnp.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _floats(*squeeze_or_expand_to_same_rank(y_true, y_pred))
    error = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log 2, stable for large |x|
    return jnp.mean(error + jax.nn.softplus(-2.0 * error) - jnp.log(2.0).astype(error.dtype), axis=-1)


# -- classes (Keras's argument order) --------------------------------------------------
_wrapper_class = wrapper_class
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                             "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
                                             "mean_squared_logarithmic_error")
_CE_ORDER = ("from_logits", "label_smoothing", "axis", "reduction", "name", "dtype")
BinaryCrossentropy = _wrapper_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy", _CE_ORDER,
                                    from_logits=False, label_smoothing=0.0, axis=-1)
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         "categorical_crossentropy", _CE_ORDER, from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
                                               "sparse_categorical_crossentropy",
                                               ("from_logits", "ignore_class", "reduction"), from_logits=False,
                                               ignore_class=None)
Hinge = _wrapper_class("Hinge", hinge, "hinge")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _wrapper_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _wrapper_class("Poisson", poisson, "poisson")
CosineSimilarity = _wrapper_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                                  ("axis", "reduction", "name", "dtype"), axis=-1)
Huber = _wrapper_class("Huber", huber, "huber_loss", ("delta", "reduction", "name", "dtype"), delta=1.0)
LogCosh = _wrapper_class("LogCosh", log_cosh, "log_cosh")

# Keras 2 and Keras 3 short names
bce = BCE = binary_crossentropy
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber

FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error, "mape": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "msle": mean_squared_logarithmic_error,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy, "hinge": hinge,
    "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge, "kl_divergence": kl_divergence,
    "kld": kl_divergence, "kullback_leibler_divergence": kl_divergence, "poisson": poisson,
    "cosine_similarity": cosine_similarity, "huber": huber, "huber_loss": huber, "log_cosh": log_cosh,
    "logcosh": log_cosh, "bce": binary_crossentropy, "BCE": binary_crossentropy, "MSE": mean_squared_error,
    "MAE": mean_absolute_error, "MAPE": mean_absolute_percentage_error, "MSLE": mean_squared_logarithmic_error,
    "KLD": kl_divergence, "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": categorical_focal_crossentropy, "dice": dice, "tversky": tversky,
    "circle": circle, "ctc": ctc,
}
CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, CosineSimilarity, Huber, LogCosh, BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, Dice, Tversky, Circle, CTC)}


def get(identifier):
    """A loss from a name ('mse', 'categorical_crossentropy', 'MeanSquaredError', or a registered function's),
    a serialized form, a Loss instance or a function `f(y_true, y_pred)`."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss) or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier in FUNCTIONS:
            return FUNCTIONS[identifier]
        if identifier in CLASSES:
            return CLASSES[identifier]()
        custom = object_registry.lookup_custom(identifier)
        if custom is not None:
            return custom() if isinstance(custom, type) else custom
        raise ValueError(f"Unknown loss {identifier!r}. Known losses: {', '.join(sorted(FUNCTIONS))} "
                         f"(or a Loss class name, or a function f(y_true, y_pred)).")
    raise ValueError(f"Could not interpret loss {identifier!r}: give a name, a Loss instance or a function "
                     "f(y_true, y_pred)")


def serialize(loss):
    """Keras 3's `keras.losses.serialize`: the serialized form of a Loss or a loss function."""
    return serialize_object(loss)


def deserialize(config, custom_objects=None):
    """The loss a serialized form (a name, a class config or Keras 3's form) describes; registered ones too."""
    return deserialize_object(config, {**FUNCTIONS, **CLASSES}, "loss", custom_objects)
