"""Hashing and HashedCrossing: host-side layers that hash strings or integers into bins, as Keras does
(FarmHash Fingerprint64; SipHash-2-4 with a salt; TensorFlow's cross_hashed for crossings), without TensorFlow.

    >>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])          # [[1], [0], [1], [1], [2]]
    >>> HashedCrossing(num_bins=5)((np.array(["A", "B"]), np.array([101, 101])))   # [1, 4]

As in Keras (whose versions need TensorFlow) they cannot be part of a compiled graph: apply them to the
data, or put them first in a model, which runs them on the host (symk/models/host_prefix.py).
"""
from __future__ import annotations

import numpy as np

from .base import Layer
from .hash_functions import CROSS_HASH_KEY, fingerprint64, fingerprint_cat64, siphash24
from .preprocessing_encoding import check_output_mode, encode_categorical, encoded_shape, refuse_sparse
from .preprocessing_text import _HostLayer

__all__ = ["Hashing", "HashedCrossing"]

_MODES = ("int", "one_hot", "multi_hot", "count")


def _host_values(inputs, layer: str) -> np.ndarray:
    """Strings (str / bytes) or integers as a numpy array; symbolic tensors and floats refused by name."""
    if hasattr(inputs, "graph") or type(inputs).__name__ in ("SymbolicTensor", "KerasTensor"):
        raise TypeError(f"Layer {layer!r} runs on the host, as Keras's does: call it on the data "
                        "(bins = layer(values)) and give the model the integer result")
    array = np.asarray(inputs)
    if array.dtype.kind == "f":
        raise TypeError(f"Layer {layer!r} hashes strings or integers; received {array.dtype} values. Cast them to "
                        "integers (or format them as strings) first")
    if array.dtype.kind in ("U", "S", "O"):
        flat = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.reshape(-1).tolist()]
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in flat):
            bad = next(v for v in flat if not isinstance(v, (str, int)))
            raise TypeError(f"Layer {layer!r} takes strings or integers; received {bad!r} ({type(bad).__name__})")
        return np.array(flat, dtype=object).reshape(array.shape)
    return array.astype("int64")


def _check_bins(layer: str, num_bins) -> int:
    if not isinstance(num_bins, int) or num_bins <= 0:
        raise ValueError(f"{layer}: num_bins must be a positive integer; received num_bins={num_bins!r}")
    return num_bins


def _encode(indices: np.ndarray, output_mode: str, depth: int) -> np.ndarray:
    if output_mode == "int":
        return indices
    return np.asarray(encode_categorical(indices.astype("int32"), output_mode, depth, "float32"))


class Hashing(_HostLayer):
    """Hashes each string or integer into one of `num_bins` bins (bin 0 kept for `mask_value` when given)."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        kwargs.pop("dtype", None)  # Keras writes int64 / floatx here; the output dtype follows output_mode
        super().__init__(**kwargs)
        self.num_bins = _check_bins("Hashing", num_bins)
        self.output_mode = check_output_mode("Hashing", output_mode, _MODES)
        refuse_sparse("Hashing", sparse)
        self.sparse = False
        self.mask_value = mask_value
        if salt is None:
            self.salt = None
        elif isinstance(salt, (list, tuple)) and len(salt) == 2 and all(isinstance(s, int) for s in salt):
            self.salt = [int(salt[0]), int(salt[1])]
        elif isinstance(salt, int) and not isinstance(salt, bool):
            self.salt = [salt, salt]  # as Keras: one integer is both halves of the key
        else:
            raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a single "
                             f"integer. Received: salt={salt!r}.")

    def _hash(self, value) -> int:
        data = str(value).encode("utf-8")  # integers hash as their decimal text, as Keras (tf.as_string)
        if self.salt is None:
            return fingerprint64(data)
        return siphash24(self.salt[0] & (2 ** 64 - 1), self.salt[1] & (2 ** 64 - 1), data)

    def call(self, inputs):
        values = _host_values(inputs, self.name)
        masked = self.mask_value is not None
        bins = self.num_bins - 1 if masked else self.num_bins
        flat = []
        for value in values.reshape(-1).tolist():
            if masked and value == self.mask_value:
                flat.append(0)
            else:
                flat.append(self._hash(value) % bins + (1 if masked else 0))
        return _encode(np.array(flat, dtype="int64").reshape(values.shape), self.output_mode, self.num_bins)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def _host_output_dtype(self) -> str:
        return "int64" if self.output_mode == "int" else "float32"

    def _host_input_kinds(self) -> frozenset:
        return frozenset({"string", "int"})

    def get_config(self):
        return {**Layer.get_config(self), "num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": self.sparse}


class HashedCrossing(_HostLayer):
    """Crosses two or more features (strings or integers, same shape) by hashing each combination into bins."""

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(**kwargs)
        self.num_bins = _check_bins("HashedCrossing", num_bins)
        self.output_mode = check_output_mode("HashedCrossing", output_mode, ("int", "one_hot"))
        refuse_sparse("HashedCrossing", sparse)
        self.sparse = False

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"Layer {self.name!r} (HashedCrossing) crosses features: call it on a tuple of two or "
                             f"more arrays of the same shape; received {type(inputs).__name__}")
        features = [_host_values(f, self.name) for f in inputs]
        shapes = {f.shape for f in features}
        if len(shapes) != 1:
            raise ValueError(f"Layer {self.name!r} (HashedCrossing): all features must have the same shape; "
                             f"received shapes {[f.shape for f in features]}")
        columns = [[self._feature_hash(v) for v in f.reshape(-1).tolist()] for f in features]
        flat = []
        for row in zip(*columns):
            crossed = CROSS_HASH_KEY
            for feature_hash in row:
                crossed = fingerprint_cat64(crossed, feature_hash)
            flat.append(crossed % self.num_bins)
        return _encode(np.array(flat, dtype="int64").reshape(features[0].shape), self.output_mode, self.num_bins)

    @staticmethod
    def _feature_hash(value) -> int:
        # as TensorFlow's cross_hashed: a string's Fingerprint64, an integer's own 64 bits
        if isinstance(value, str):
            return fingerprint64(value.encode("utf-8"))
        return int(value) & (2 ** 64 - 1)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        return encoded_shape(shape, self.output_mode, self.num_bins)

    def _host_output_dtype(self) -> str:
        return "int64" if self.output_mode == "int" else "float32"

    def _host_input_kinds(self) -> frozenset:
        return frozenset({"string", "int"})

    def get_config(self):
        return {**Layer.get_config(self), "num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse}
