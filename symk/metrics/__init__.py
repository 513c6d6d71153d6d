"""`symk.metrics`: Keras's metric functions and stateful metric classes, and `get`.

    model.compile(..., metrics=['accuracy', AUC(), 'mae', 'f1_score', my_fn])
"""
from __future__ import annotations

from .. import losses as _losses
from .. import object_registry
from ..keras_objects import deserialize_object, serialize_object
from ..losses_base import keras_snake_case
from .base import Mean, MeanMetricWrapper, Metric, Sum  # noqa: F401
from .confusion import (AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives,  # noqa: F401
                        TruePositives)
from .fbeta import F1Score, FBetaScore  # noqa: F401
from .functions import (accuracy, binary_accuracy, categorical_accuracy, concordance_correlation,  # noqa: F401
                        pearson_correlation, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
                        top_k_categorical_accuracy)
from .iou import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU  # noqa: F401
from .operating_point import (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,  # noqa: F401
                              SpecificityAtSensitivity)
from .r2 import R2Score  # noqa: F401
from .wrappers import (Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,  # noqa: F401
                       CategoricalCrossentropy, CategoricalHinge, ConcordanceCorrelation, CosineSimilarity, Hinge,
                       KLDivergence, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                       MeanSquaredLogarithmicError, PearsonCorrelation, Poisson, RootMeanSquaredError,
                       SparseCategoricalAccuracy, SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy,
                       SquaredHinge, TopKCategoricalAccuracy)

# Keras's metric functions that are its loss functions
mse = MSE = mean_squared_error = _losses.mean_squared_error
mae = MAE = mean_absolute_error = _losses.mean_absolute_error
mape = MAPE = mean_absolute_percentage_error = _losses.mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error = _losses.mean_squared_logarithmic_error
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
binary_focal_crossentropy = _losses.binary_focal_crossentropy
categorical_focal_crossentropy = _losses.categorical_focal_crossentropy
hinge, squared_hinge, categorical_hinge = _losses.hinge, _losses.squared_hinge, _losses.categorical_hinge
kl_divergence, poisson, log_cosh, huber = _losses.kl_divergence, _losses.poisson, _losses.log_cosh, _losses.huber

_FUNCTIONS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "pearson_correlation": pearson_correlation, "concordance_correlation": concordance_correlation,
}
_CLASSES = {cls.__name__: cls for cls in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    RootMeanSquaredError, AUC, Precision, Recall, Mean, Sum, TruePositives, FalsePositives, TrueNegatives,
    FalseNegatives, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    F1Score, FBetaScore, R2Score, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, LogCoshError, CosineSimilarity, PearsonCorrelation,
    ConcordanceCorrelation)}
# Keras 3 also knows every class by its snake_case name ('f1_score', 'mean_io_u', 'kl_divergence')
_SNAKE_CLASSES = {keras_snake_case(name): cls for name, cls in _CLASSES.items()}
_SNAKE_CLASSES.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
                       "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                       "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                       "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})


def get(identifier, name=None) -> Metric:
    """A Metric from a name ('mae', 'auc', 'f1_score', 'TruePositives'), a class, an instance,
    a config dict or a function `f(y_true, y_pred)`. A metric named by a string carries that
    string as its name, as in Keras. 'accuracy' needs the loss or target shapes: the trainer
    resolves it (see training/compile_utils.py)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        found = deserialize(identifier)
        return found if isinstance(found, Metric) else get(found, name=name)
    if isinstance(identifier, str):
        cls = _SNAKE_CLASSES.get(identifier) or _CLASSES.get(identifier)
        if cls is None and identifier in _FUNCTIONS:
            return MeanMetricWrapper(_FUNCTIONS[identifier], name=name or identifier)
        if cls is not None:
            try:
                return cls(name=name or identifier)
            except TypeError as err:
                raise ValueError(f"Metric {identifier!r} needs arguments ({err}); pass an instance instead, "
                                 f"e.g. symk.metrics.{cls.__name__}(...)") from None
        if identifier in _losses.FUNCTIONS:
            return MeanMetricWrapper(_losses.FUNCTIONS[identifier], name=name or identifier)
        custom = object_registry.lookup_custom(identifier)
        if custom is not None:
            return get(custom() if isinstance(custom, type) else custom, name=name)
        known = sorted(set(_FUNCTIONS) | set(_SNAKE_CLASSES) | set(_losses.FUNCTIONS) | {"accuracy", "acc"})
        raise ValueError(f"Unknown metric {identifier!r}. Known metric names: {', '.join(known)} "
                         "(or a Metric instance, or a function f(y_true, y_pred)).")
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=name or getattr(identifier, "__name__", "metric"))
    raise ValueError(f"Could not interpret metric {identifier!r}")


def serialize(metric):
    """Keras 3's `keras.metrics.serialize`: the serialized form of a Metric or a metric function."""
    return serialize_object(metric)


def deserialize(config, custom_objects=None):
    """The metric a serialized form (a name, a class config or Keras 3's form) describes; registered ones too.
    A metric function comes back as the function, as in Keras."""
    return deserialize_object(config, {**_FUNCTIONS, **_CLASSES}, "metric", custom_objects)
