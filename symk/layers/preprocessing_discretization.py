"""Discretization: buckets numbers by bin boundaries, given or learned by `adapt()` as approximate
quantiles (Keras's weighted summaries, so adapted boundaries equal Keras's).

    >>> Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-1.0, 0.5, 2.0]]))   # [[0, 1, 2]]
    >>> layer = Discretization(num_bins=4, epsilon=0.01); layer.adapt(data)      # quartiles of data
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer
from .preprocessing_encoding import check_output_mode, encode_categorical, encoded_shape, refuse_sparse

__all__ = ["Discretization"]


class Discretization(Layer):
    """Maps each value x to the index i of its bin: boundaries[i-1] <= x < boundaries[i]."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        refuse_sparse("Discretization", sparse)
        self.output_mode = check_output_mode("Discretization", output_mode)
        if num_bins is not None and (not isinstance(num_bins, int) or num_bins < 0):
            raise ValueError(f"Discretization: num_bins must be an integer >= 0; received num_bins={num_bins!r}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Discretization: give either num_bins (and call adapt()) or bin_boundaries, not both; "
                             f"received num_bins={num_bins} and bin_boundaries={bin_boundaries}")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: give bin_boundaries, or num_bins and then call adapt(data)")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in bin_boundaries]
            if any(b > a for a, b in zip(bin_boundaries[1:], bin_boundaries[:-1])):
                raise ValueError(f"Discretization: bin_boundaries must be sorted ascending; received {bin_boundaries}")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.sparse = False
        self._reset_summary()

    # -- adapt: Keras's mergeable quantile summaries ------------------------------------
    def _reset_summary(self) -> None:
        self.summary = np.array([[], []], dtype="float32")

    def adapt(self, data, steps=None) -> None:
        """Learn num_bins - 1 boundaries at the quantiles of `data` (an array, or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(f"Layer {self.name!r} was given bin_boundaries; adapt() needs a layer built with "
                             "num_bins instead")
        self._reset_summary()
        if isinstance(data, np.ndarray) or (hasattr(data, "shape") and hasattr(data, "__array__")):
            batches = [data]
        elif hasattr(data, "__iter__"):
            batches = data
        else:
            raise TypeError(f"Layer {self.name!r}: adapt() takes an array or an iterable of batches; received "
                            f"{type(data).__name__}")
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            batch = batch[0] if isinstance(batch, tuple) else batch
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        summary = _summarize(np.asarray(data).astype("float32"), self.epsilon)
        self.summary = _merge_summaries(summary, self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = [float(b) for b in _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1]]
            self._eager_cache.clear()  # traced calls captured the old boundaries

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self._reset_summary()

    # -- calling ------------------------------------------------------------------------
    @property
    def _output_dtype(self) -> str:
        return "int32" if self.output_mode == "int" else self.dtype

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Layer {self.name!r} has no bin boundaries yet: pass bin_boundaries at construction or "
                             "call adapt(data) before calling it")
        if "float" not in inputs.dtype:
            inputs = ops.cast(inputs, self.dtype)
        indices = ops.digitize(inputs, np.asarray(self.bin_boundaries, dtype=inputs.dtype))
        return encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1, self._output_dtype)

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        return encoded_shape(input_shape, self.output_mode, depth)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("trainable", None)
        # an adapted layer's config has both: rebuild with num_bins, then restore the learned boundaries
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """(values, weights) at about 1/epsilon evenly spaced ranks of the sorted values."""
    values = np.sort(values.reshape(-1))
    step = max(values.size / (1.0 / epsilon), 1)
    kept = values[int(step - 1)::int(step)]
    return np.stack([kept, np.ones_like(kept) * step])


def _merge_summaries(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((first, second), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, epsilon)


def _compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-sample the summary at cumulative-weight fractions epsilon, 2 epsilon, ..., 1 (linear interpolation)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    cumulative_fraction = cumulative / cumulative[-1]
    values = np.interp(fractions, cumulative_fraction, summary[0])
    cumulative = np.interp(fractions, cumulative_fraction, cumulative)
    weights = cumulative - np.concatenate((np.array([0]), cumulative[:-1]))
    return np.stack((values, weights)).astype("float32")
