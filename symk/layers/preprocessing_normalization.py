"""Normalization (the preprocessing layer): (x - mean) / sqrt(variance), with the statistics given or
learned by `adapt()` from an array or from an iterable of batches.

    >>> norm = Normalization(axis=-1)
    >>> norm.adapt(train_features)              # one mean and variance per feature
    >>> model = Sequential([Input((3,)), norm, Dense(1)])
    >>> Normalization(mean=3.0, variance=2.0)   # fixed statistics: no weights
    >>> Normalization(invert=True)              # maps normalized values back

Adapted statistics are the non-trainable weights `mean`, `variance` and `count` (which Keras keeps
at 0, for old files), so Keras-written files load into the layer and symk's load in Keras.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..config import epsilon
from ..graph import no_call_site_recording
from ..ops.registry import apply
from .base import Layer

__all__ = ["Normalization"]


def _first_of(batch):
    """An (x, y) or (x, y, sample_weight) batch contributes its x."""
    return batch[0] if isinstance(batch, tuple) else batch


def _is_array(data) -> bool:
    # numpy arrays and array-likes with a shape (jax arrays); lists and tuples are iterables of batches
    return isinstance(data, np.ndarray) or (hasattr(data, "__array__") and hasattr(data, "shape")
                                            and not isinstance(data, (list, tuple)))


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per index of `axis` (None: one scalar mean)."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
            axis = tuple(axis)
        else:
            raise ValueError(f"Normalization: axis must be an integer, a tuple of integers or None; received "
                             f"axis={axis!r}")
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: when setting the statistics directly, give both mean and variance "
                             f"(or neither, and call adapt()); received mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization: mean and variance must have the same shape; received mean shape "
                                 f"{np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"Normalization: the rank of mean ({len(np.shape(mean))}) must be at most the number "
                                 f"of kept axes ({len(self.axis)}, axis={self.axis}); received mean shape "
                                 f"{np.shape(mean)}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True

    # -- building -------------------------------------------------------------------
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        if any(not -rank <= a < rank for a in self.axis):
            raise ValueError(f"Layer {self.name!r}: every axis must be in [-{rank}, {rank}) for inputs of rank {rank}; "
                             f"received axis={self.axis} and input shape {input_shape}")
        self._keep_axis = tuple(sorted(a % rank for a in self.axis))
        unknown = [a for a in self._keep_axis if input_shape[a] is None]
        if unknown:
            raise ValueError(f"Layer {self.name!r}: the kept axes {self._keep_axis} must have known sizes; axis "
                             f"{unknown[0]} of input shape {input_shape} is unknown. Give the Input that size, or "
                             "choose other axes")
        self._reduce_axis = tuple(a for a in range(rank) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1 for a in range(rank))
        self._mean_and_var_shape = tuple(input_shape[a] for a in self._keep_axis)
        self._statistics_shape = input_shape
        if self.input_mean is None:
            self.adapt_mean = self.add_weight("mean", self._mean_and_var_shape, initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight("variance", self._mean_and_var_shape, initializer="ones",
                                                  trainable=False)
            # NOTE: Keras keeps this for old files and never updates it; it stays 0 here too
            self.count = self.add_weight("count", (), dtype="int32", initializer="zeros", trainable=False)
        else:
            self._fixed_mean = self._broadcast_given(self.input_mean, "mean")
            self._fixed_variance = self._broadcast_given(self.input_variance, "variance")
        super().build(input_shape)

    def _broadcast_given(self, value, what: str) -> np.ndarray:
        """A given mean or variance, its axes aligned right to left with the kept axes, broadcast to them."""
        value = np.asarray(value, dtype=self.dtype)
        expanded = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            expanded[self._keep_axis[-i]] = value.shape[-i]
        try:
            return np.broadcast_to(value.reshape(expanded), self._broadcast_shape).copy()
        except ValueError:
            raise ValueError(f"Layer {self.name!r}: the given {what} of shape {value.shape} does not broadcast to "
                             f"the kept axes {self._keep_axis} of sizes {self._mean_and_var_shape}; give a scalar or "
                             "values of those sizes") from None

    def _build_for(self, shape) -> None:
        with no_call_site_recording():
            self.build(shape)
        self._build_input_shape, self.built = tuple(shape), True

    # -- adapt ----------------------------------------------------------------------
    def adapt(self, data) -> None:
        """Compute the mean and variance of `data`: an array, or an iterable of batches (a list of arrays, a
        generator, or batches of (x, y)), each of which counts as a batch."""
        if self.input_mean is not None:
            raise ValueError(f"Layer {self.name!r} was given mean and variance; adapt() would have nothing to set. "
                             "Construct Normalization() without them to learn the statistics")
        batches = None
        if _is_array(data):
            data = np.asarray(data)
            shape = data.shape
        elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(f"Layer {self.name!r}: adapt() received an empty iterable; give at least one batch, "
                                 "e.g. layer.adapt([x]) or layer.adapt(list_of_batches)")
            first = _first_of(first)
            if not hasattr(first, "shape"):
                raise TypeError(f"Layer {self.name!r}: adapt() expects an iterable of arrays (with a .shape); the "
                                f"first batch is a {type(first).__name__}. Pass a numpy array, or batches of them")
            shape = tuple(first.shape)
            batches = itertools.chain([first], iterator)
        else:
            raise TypeError(f"Layer {self.name!r}: adapt() supports numpy arrays and iterables of batches (lists, "
                            f"generators); received {type(data).__name__}")
        if not self.built:
            self._build_for(shape)
        else:
            self._check_kept_sizes(shape, "adapt() data")
        if batches is None:
            mean, variance = np.mean(data, axis=self._reduce_axis), np.var(data, axis=self._reduce_axis)
        else:
            mean, variance = self._combine_batches(batches)
        self.adapt_mean.set_value(np.asarray(mean, dtype=self.adapt_mean.dtype).reshape(self._mean_and_var_shape))
        self.adapt_variance.set_value(
            np.asarray(variance, dtype=self.adapt_variance.dtype).reshape(self._mean_and_var_shape))

    def _combine_batches(self, batches):
        """The running mean and variance over the batches, each weighted by its element count (the
        lack-of-fit sum of squares keeps the pooled variance exact)."""
        total_mean = np.zeros(self._mean_and_var_shape)
        total_var = np.zeros(self._mean_and_var_shape)
        total_count = 0
        for batch in batches:
            batch = np.asarray(_first_of(batch), dtype=self.dtype)
            self._check_kept_sizes(batch.shape, "a batch adapt() received")
            batch_mean = np.mean(batch, axis=self._reduce_axis, dtype="float64")
            batch_var = np.var(batch, axis=self._reduce_axis, dtype="float64")
            count = math.prod(batch.shape[a] for a in self._reduce_axis) if self._reduce_axis else 1
            total_count += count
            weight = count / total_count
            new_mean = total_mean * (1.0 - weight) + batch_mean * weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1.0 - weight)
                         + (batch_var + (batch_mean - new_mean) ** 2) * weight)
            total_mean = new_mean
        return total_mean, total_var

    def _check_kept_sizes(self, shape, what: str) -> None:
        if len(shape) != len(self._statistics_shape) or any(
                shape[a] != self._statistics_shape[a] for a in self._keep_axis):
            raise ValueError(f"Layer {self.name!r} was built for inputs of shape {self._statistics_shape} (kept axes "
                             f"{self._keep_axis}), but {what} has the incompatible shape {tuple(shape)}")

    # -- calling --------------------------------------------------------------------
    def call(self, inputs):
        shape = tuple(inputs.shape)
        if len(shape) != len(self._broadcast_shape) or any(
                shape[a] not in (None, self._broadcast_shape[a]) for a in self._keep_axis):
            raise ValueError(f"Layer {self.name!r} was built for inputs of shape {self._statistics_shape} (its "
                             f"statistics have the sizes of axes {self._keep_axis}); received input shape {shape}")
        if inputs.dtype != self.compute_dtype:
            inputs = apply("cast", [inputs], dtype=self.compute_dtype)
        floor = np.asarray(epsilon(), dtype=self.compute_dtype)
        # Keras floors the standard deviation at epsilon, so constant features do not divide by zero
        if self.input_mean is None:
            mean = apply("reshape", [self.adapt_mean], shape=self._broadcast_shape)
            variance = apply("reshape", [self.adapt_variance], shape=self._broadcast_shape)
            deviation = apply("maximum", [apply("sqrt", [variance]), floor])
        else:
            deviation = np.maximum(np.sqrt(self._fixed_variance), np.asarray(epsilon(), self._fixed_variance.dtype))
            mean, deviation = (np.asarray(v, dtype=self.compute_dtype) for v in (self._fixed_mean, deviation))
        if self.invert:
            return inputs * deviation + mean
        return (inputs - mean) / deviation

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(), "variance": np.array(self.input_variance).tolist()}
