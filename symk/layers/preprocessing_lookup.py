"""Vocabulary lookup shared by IntegerLookup (in the graph) and StringLookup (on the host): Keras's index
layout [mask] + [oov] * num_oov_indices + tokens, adapt() by frequency, invert, and the output modes.

    >>> IntegerLookup(vocabulary=[12, 36])(np.array([[12, 7, 36]]))   # [[1, 0, 2]]: 0 is the OOV index
"""
from __future__ import annotations

import collections

import numpy as np

from .. import ops
from .base import Layer
from .preprocessing_encoding import check_output_mode, encode_categorical, refuse_sparse

__all__ = ["IntegerLookup"]

LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class VocabularyMixin:
    """Vocabulary bookkeeping; the host class sets `_layer_kind` ("IntegerLookup"/"StringLookup")."""

    def _init_vocabulary(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights,
                         invert, output_mode, sparse, pad_to_max_tokens):
        kind = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{kind}: max_tokens must be > 1 when set; received max_tokens={max_tokens}")
        if not isinstance(num_oov_indices, int) or num_oov_indices < 0:
            raise ValueError(f"{kind}: num_oov_indices must be an integer >= 0; received {num_oov_indices!r}")
        self.output_mode = check_output_mode(kind, output_mode, LOOKUP_MODES)
        if invert and self.output_mode != "int":
            raise ValueError(f"{kind}: invert=True needs output_mode='int'; received output_mode={output_mode!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{kind}: pad_to_max_tokens=True needs max_tokens")
        refuse_sparse(kind, sparse)
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.sparse, self.pad_to_max_tokens = bool(invert), False, bool(pad_to_max_tokens)
        self.input_vocabulary, self.input_idf_weights = vocabulary, idf_weights
        self._tokens: list = []
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- the index layout ---------------------------------------------------------------
    def _oov_start_index(self) -> int:
        # the mask takes index 0 only in int mode; elsewhere masked tokens are dropped from the encoding
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        return self._token_start_index() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens=True) -> list:
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        return (special if include_special_tokens else []) + list(self._tokens)

    def _convert_tokens(self, tokens) -> list:
        return [t for t in tokens]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        kind = type(self).__name__
        vocabulary = self._convert_tokens(list(np.asarray(vocabulary).reshape(-1).tolist()))
        if not vocabulary:
            raise ValueError(f"{kind}: the vocabulary is empty; give at least one token")
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        tokens = vocabulary[len(special):] if vocabulary[:len(special)] == special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{kind}: the vocabulary repeats the tokens {repeated}; give each token once")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{kind}: the mask token {self.mask_token!r} is inside the vocabulary; leave the mask "
                             f"and OOV tokens out, or put them first in this order: {special}")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError(f"{kind}: the OOV token {self.oov_token!r} is inside the vocabulary; leave it out, or "
                             f"put the special tokens first in this order: {special}")
        if self.max_tokens is not None and len(special) + len(tokens) > self.max_tokens:
            raise ValueError(f"{kind}: the vocabulary has {len(special) + len(tokens)} entries, more than "
                             f"max_tokens={self.max_tokens}")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{kind}: output_mode='tf_idf' with a fixed vocabulary needs idf_weights")
            idf_weights = np.asarray(idf_weights, dtype="float32").reshape(-1)
            if idf_weights.size == len(tokens):
                idf_weights = np.concatenate([np.full(self._token_start_index(), idf_weights.mean(), "float32"),
                                              idf_weights])
            if idf_weights.size != len(special) + len(tokens):
                raise ValueError(f"{kind}: idf_weights must have one value per vocabulary token; received "
                                 f"{idf_weights.size} for {len(tokens)} tokens")
            self._idf = idf_weights
        elif idf_weights is not None:
            raise ValueError(f"{kind}: idf_weights are only used with output_mode='tf_idf'")
        self._tokens = tokens
        self._vocabulary_changed()

    def _vocabulary_changed(self) -> None:
        self._eager_cache.clear()  # traced calls captured the old tables

    # -- adapt --------------------------------------------------------------------------
    def adapt(self, data, steps=None) -> None:
        """Learn the vocabulary from `data`: tokens by falling frequency (ties: larger token first), at most
        max_tokens entries with the special ones."""
        if self.input_vocabulary is not None:
            raise ValueError(f"Layer {self.name!r} was given a vocabulary; adapt() needs a layer without one")
        counts, documents, n_documents = collections.Counter(), collections.Counter(), 0
        batches = [data] if isinstance(data, (np.ndarray, str)) or hasattr(data, "shape") else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            batch = batch[0] if isinstance(batch, tuple) else batch
            rows = self._adapt_rows(batch)
            for row in rows:
                counts.update(row)
                documents.update(set(row))
            n_documents += len(rows)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        self._tokens = ordered
        if self.output_mode == "tf_idf":
            idf = np.log(1 + n_documents / (1 + np.array([documents[t] for t in ordered], "float64")))
            idf = idf.astype("float32")
            self._idf = np.concatenate([np.full(self._token_start_index(), idf.mean() if idf.size else 0.0), idf])
        self._vocabulary_changed()

    def _adapt_rows(self, batch) -> list:
        """The tokens of `batch`, one list per example (rank 0 or 1: one example)."""
        array = np.asarray(batch)
        if array.ndim <= 1:
            return [self._convert_tokens(array.reshape(-1).tolist())]
        return [self._convert_tokens(row.reshape(-1).tolist()) for row in array]

    # -- assets: Keras 3 keeps an adapted vocabulary as a file, vocabulary.txt, in a .keras archive ---
    def save_assets(self, dir_path: str) -> None:
        import os

        if self.input_vocabulary is not None:
            return  # a given vocabulary is in the config already (as Keras)
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(t) for t in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        import os

        path = os.path.join(dir_path, "vocabulary.txt")
        if self.input_vocabulary is not None or not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if self.output_mode == "tf_idf":
            import warnings

            warnings.warn(f"Layer {self.name!r}: an adapted tf_idf vocabulary is not restored from a .keras archive "
                          "(its idf weights are not kept); pass vocabulary= and idf_weights= to keep them")
            return
        special = len(self.get_vocabulary()) - len(self._tokens)
        if len(lines) > special:  # an empty adapted vocabulary holds the special tokens only
            self.set_vocabulary(lines)

    # -- output -------------------------------------------------------------------------
    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def _encode(self, indices):
        if self.output_mode == "int":
            return indices
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        dtype = "float32" if self.output_mode == "tf_idf" else "int32"
        encoded = encode_categorical(indices, mode, self._depth(), dtype)
        if self.output_mode == "tf_idf":
            idf = np.zeros(self._depth(), "float32")
            idf[:self._idf.size] = self._idf
            encoded = encoded * idf
        return encoded

    def _vocabulary_config(self) -> dict:
        def listed(v):
            return None if v is None else np.asarray(v).tolist()
        return {"invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype, "idf_weights": listed(self.input_idf_weights),
                "vocabulary": listed(self.input_vocabulary), "vocabulary_size": self.vocabulary_size()}


class IntegerLookup(VocabularyMixin, Layer):
    """Maps integer tokens to contiguous indices (or back, with invert=True), in the graph."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, name=None, **kwargs):
        for key in ("trainable", "dtype", "vocabulary_size"):
            kwargs.pop(key, None)
        super().__init__(name=name, **kwargs)
        if oov_method != "floormod":
            raise ValueError(f"IntegerLookup: oov_method={oov_method!r} (FarmHash) is not available in symk; use "
                             "oov_method='floormod' (the default)")
        if salt is not None:
            raise ValueError("IntegerLookup: salt only applies to oov_method='farmhash', which symk does not have")
        self.vocabulary_dtype, self.oov_method, self.salt = vocabulary_dtype, oov_method, salt
        self._init_vocabulary(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                              output_mode, sparse, pad_to_max_tokens)

    def _convert_tokens(self, tokens) -> list:
        return [int(t) for t in tokens]

    def call(self, inputs):
        if not self._tokens and self.output_mode != "int" and not self.pad_to_max_tokens:
            raise ValueError(f"Layer {self.name!r} has no vocabulary: pass vocabulary= or call adapt(data) first")
        if "int" not in inputs.dtype:
            inputs = ops.cast(inputs, "int32")
        return self._invert_lookup(inputs) if self.invert else self._encode(self._lookup(inputs))

    def _lookup(self, inputs):
        tokens = np.asarray(self._tokens if self._tokens else [0], dtype="int32")
        order = np.argsort(tokens, kind="stable")
        sorted_tokens = tokens[order]
        sorted_indices = (order + self._token_start_index()).astype("int32")
        position = ops.minimum(ops.searchsorted(sorted_tokens, inputs), len(tokens) - 1)
        found = ops.equal(ops.take(sorted_tokens, position), inputs)
        if not self._tokens:
            found = ops.logical_and(found, False)
        if self.num_oov_indices == 1:
            missing = ops.full_like(inputs, self._oov_start_index())
        elif self.num_oov_indices > 1:
            missing = ops.mod(inputs, self.num_oov_indices) + self._oov_start_index()
        else:
            missing = ops.full_like(inputs, -1)  # NOTE: Keras raises at run time here; a graph cannot
        lookups = ops.where(found, ops.take(sorted_indices, position), missing)
        if self.mask_token is not None:
            # int mode: index 0; other modes: an index outside the encoding, so the token is dropped
            mask_index = 0 if self.output_mode == "int" else -1
            lookups = ops.where(ops.equal(inputs, int(self.mask_token)), mask_index, lookups)
        return ops.cast(lookups, "int32")

    def _invert_lookup(self, inputs):
        oov = -1 if self.oov_token is None else int(self.oov_token)
        table = np.array([oov] * self._token_start_index() + list(self._tokens), dtype="int32")
        if self.mask_token is not None:
            table[0] = int(self.mask_token)
        inside = ops.logical_and(ops.greater_equal(inputs, 0), ops.less(inputs, table.size))
        return ops.where(inside, ops.take(table, ops.clip(inputs, 0, table.size - 1)), oov)

    def compute_output_shape(self, input_shape):
        from .preprocessing_encoding import encoded_shape
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return encoded_shape(input_shape, mode, self._depth())

    def get_config(self):
        return {**super().get_config(), **self._vocabulary_config(), "oov_method": self.oov_method, "salt": self.salt}
