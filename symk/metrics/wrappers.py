"""Keras's metric classes that average a per-sample function over samples (MeanMetricWrapper
subclasses): accuracies, regression errors, crossentropies, hinges, correlations.

    m = PearsonCorrelation(); m.update_state(y_true, y_pred); m.result()
"""
from __future__ import annotations

import jax.numpy as jnp

from .. import losses as _losses
from . import functions as F
from .base import MeanMetricWrapper


def _wrapper(class_name, fn, default_name, hidden=(), **defaults):
    """A Keras metric class over `fn`: constructor (name, dtype, *defaults) in Keras's order;
    its config holds name, dtype and the defaults' keys except `hidden` (Keras leaves those out)."""
    order = ("name", "dtype") + tuple(defaults)

    def __init__(self, *args, **kwargs):
        if len(args) > len(order):
            raise TypeError(f"{class_name} takes at most {len(order)} positional arguments ({', '.join(order)})")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"{class_name} got multiple values for argument {key!r}")
            kwargs[key] = value
        unknown = set(kwargs) - set(order)
        if unknown:
            raise TypeError(f"{class_name} got unexpected argument(s) {sorted(unknown)}; it accepts {list(order)}")
        name = kwargs.pop("name", default_name)
        dtype = kwargs.pop("dtype", None) or "float32"
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **{**defaults, **kwargs})

    def get_config(self):
        config = MeanMetricWrapper.get_config(self)
        return {k: v for k, v in config.items() if k not in hidden}

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "get_config": get_config,
                                                   "__doc__": f"Keras's {class_name} metric."})


Accuracy = _wrapper("Accuracy", F.accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", F.binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", F.categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", F.sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", F.top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy", F.sparse_top_k_categorical_accuracy,
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
                                   "categorical_crossentropy", from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy", _losses.sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False, ignore_class=None,
                                         axis=-1)
Hinge = _wrapper("Hinge", _losses.hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", _losses.squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", _losses.categorical_hinge, "categorical_hinge")
KLDivergence = _wrapper("KLDivergence", _losses.kl_divergence, "kl_divergence")
Poisson = _wrapper("Poisson", _losses.poisson, "poisson")
LogCoshError = _wrapper("LogCoshError", _losses.log_cosh, "logcosh")
# NOTE: Keras's CosineSimilarity metric leaves `axis` out of its config
CosineSimilarity = _wrapper("CosineSimilarity", F.cosine_similarity, "cosine_similarity", hidden=("axis",), axis=-1)
PearsonCorrelation = _wrapper("PearsonCorrelation", F.pearson_correlation, "pearson_correlation", axis=-1)
ConcordanceCorrelation = _wrapper("ConcordanceCorrelation", F.concordance_correlation, "concordance_correlation",
                                  axis=-1)


class RootMeanSquaredError(MeanSquaredError):
    def __init__(self, name="root_mean_squared_error", dtype="float32"):
        super().__init__(name=name, dtype=dtype)

    def compute(self, state):
        return jnp.sqrt(super().compute(state))
