"""StringLookup and TextVectorization: host-side layers that turn strings (numpy arrays of str/object,
lists of str, one str) into integer (or encoded) numpy arrays before the graph, without TensorFlow.

    >>> vectorize = TextVectorization(max_tokens=20, output_sequence_length=4)
    >>> vectorize.adapt(["the cat sat", "the dog ran"]); ids = vectorize(["The cat ran!"])   # (1, 4) ints
    >>> model.fit(vectorize(sentences), labels)

A compiled graph carries numbers only, so these layers never add ops: apply them to the data, or put
them first in a model after `Input(shape=(1,), dtype="string")`, where the model runs them on the host
on each batch (symk/layers/host_call.py, symk/models/host_prefix.py).
"""
from __future__ import annotations

import re

import numpy as np

from .base import Layer
from .preprocessing_lookup import VocabularyMixin

__all__ = ["StringLookup", "TextVectorization"]

# Keras's punctuation class for lower_and_strip_punctuation
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')


def _string_array(inputs, layer: str) -> np.ndarray:
    """Strings as a numpy array of Python str (bytes decoded as UTF-8)."""
    if hasattr(inputs, "graph") or type(inputs).__name__ in ("SymbolicTensor", "KerasTensor"):
        raise TypeError(f"Layer {layer!r} runs on the host and takes strings, not symbolic tensors: call it on the "
                        "data (ids = layer(strings)) and give the model the integer result")
    array = np.asarray(inputs, dtype=object)
    flat = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.reshape(-1)]
    if not all(isinstance(v, str) for v in flat):
        bad = next(v for v in flat if not isinstance(v, str))
        raise TypeError(f"Layer {layer!r} takes strings; received an element {bad!r} of type {type(bad).__name__}")
    return np.array(flat, dtype=object).reshape(array.shape)


class _HostLayer(Layer):
    """A layer computed in numpy on the host: __call__ never traces a graph. On symbolic tensors (a model's
    string Input) it returns a placeholder for its result, which the model computes on the host."""

    def __call__(self, inputs, *args, **kwargs):
        from .base import _is_symbolic_structure
        from .host_call import symbolic_host_call

        if _is_symbolic_structure(inputs):
            return symbolic_host_call(self, inputs)
        return self.call(inputs, *args, **kwargs)

    def _host_output_dtype(self) -> str:
        """The dtype of call()'s result (the graph's input dtype after this layer)."""
        raise NotImplementedError

    def _check_host_input_shape(self, input_shape) -> None:
        """Refuse, by name, a symbolic input of a rank this layer cannot take (default: any)."""

    def _host_input_kinds(self) -> frozenset:
        """What its symbolic inputs may hold: 'string', 'int'."""
        return frozenset({"string"})


class StringLookup(VocabularyMixin, _HostLayer):
    """Maps strings to contiguous indices (or indices back to strings, with invert=True)."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, **kwargs):
        for key in ("trainable", "dtype", "vocabulary_size", "vocabulary_dtype"):
            kwargs.pop(key, None)
        super().__init__(name=name, **kwargs)
        if num_oov_indices > 1:
            raise ValueError("StringLookup: num_oov_indices > 1 hashes OOV strings with TensorFlow's FarmHash, which "
                             "symk does not reproduce; use num_oov_indices=0 or 1")
        self.encoding, self.vocabulary_dtype = encoding, "string"
        self._index: dict = {}  # token -> index; no vocabulary yet: every string is OOV
        self._init_vocabulary(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                              output_mode, sparse, pad_to_max_tokens)

    def _convert_tokens(self, tokens) -> list:
        return [t.decode(self.encoding) if isinstance(t, bytes) else str(t) for t in tokens]

    def _adapt_rows(self, batch) -> list:
        array = _string_array(batch, self.name)
        if array.ndim <= 1:
            return [array.reshape(-1).tolist()]
        return [row.reshape(-1).tolist() for row in array]

    def _vocabulary_changed(self) -> None:
        self._index = {t: i + self._token_start_index() for i, t in enumerate(self._tokens)}

    def call(self, inputs):
        if self.invert:
            return self._invert(np.asarray(inputs))
        strings = _string_array(inputs, self.name)
        missing = self._oov_start_index() if self.num_oov_indices else -1
        masked = 0 if self.output_mode == "int" else -1
        flat = [masked if (self.mask_token is not None and s == self.mask_token) else self._index.get(s, missing)
                for s in strings.reshape(-1)]
        if self.num_oov_indices == 0 and -1 in flat and self.output_mode == "int":
            unknown = sorted({s for s, i in zip(strings.reshape(-1), flat) if i == -1})
            raise ValueError(f"Layer {self.name!r}: with num_oov_indices=0 every input must be in the vocabulary; "
                             f"found {unknown[:5]}. Set num_oov_indices=1")
        indices = np.array(flat, dtype="int64").reshape(strings.shape)
        return self._encode_host(indices)

    def _encode_host(self, indices: np.ndarray) -> np.ndarray:
        if self.output_mode == "int":
            return indices
        # the shared graph encoding, evaluated eagerly on the host array
        return np.asarray(self._encode(indices.astype("int32")))

    def _invert(self, indices: np.ndarray) -> np.ndarray:
        table = self.get_vocabulary()
        if self.mask_token is not None:
            table[0] = self.mask_token
        oov = self.oov_token
        flat = [table[i] if 0 <= i < len(table) else oov for i in indices.reshape(-1).tolist()]
        return np.array(flat, dtype=object).reshape(indices.shape)

    def compute_output_shape(self, input_shape):
        from .preprocessing_encoding import encoded_shape
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return encoded_shape(input_shape, mode, self._depth())

    def _host_input_kinds(self) -> frozenset:
        return frozenset({"int"} if self.invert else {"string"})

    def _host_output_dtype(self) -> str:
        if self.invert:
            return "string"
        return {"int": "int64", "tf_idf": "float32"}.get(self.output_mode, "int32")

    def get_config(self):
        return {**Layer.get_config(self), **self._vocabulary_config(), "encoding": self.encoding}


class TextVectorization(_HostLayer):
    """Standardizes, splits and n-grams sentences, then looks the tokens up (int ids, multi_hot, count, tf_idf)."""

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        for key in ("trainable", "dtype", "vocabulary_size"):
            kwargs.pop(key, None)
        super().__init__(name=name, **kwargs)
        if standardize not in (None, "lower_and_strip_punctuation", "lower", "strip_punctuation") \
                and not callable(standardize):
            raise ValueError(f"TextVectorization: standardize must be None, 'lower_and_strip_punctuation', 'lower', "
                             f"'strip_punctuation' or a callable; received {standardize!r}")
        if split not in (None, "whitespace", "character") and not callable(split):
            raise ValueError(f"TextVectorization: split must be None, 'whitespace', 'character' or a callable; "
                             f"received {split!r}")
        if ngrams is not None and not (isinstance(ngrams, int) and ngrams > 0) and not (
                isinstance(ngrams, (list, tuple)) and all(isinstance(n, int) and n > 0 for n in ngrams)):
            raise ValueError(f"TextVectorization: ngrams must be None, a positive integer or a tuple of them; "
                             f"received {ngrams!r}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("TextVectorization: output_sequence_length only applies to output_mode='int'; received "
                             f"output_mode={output_mode!r}")
        if ragged:
            raise ValueError("TextVectorization: ragged=True is not supported (numpy arrays are rectangular); use "
                             "output_sequence_length or the default padding to the longest sequence")
        self.standardize, self.split, self.encoding = standardize, split, encoding
        self.ngrams = tuple(ngrams) if isinstance(ngrams, (list, tuple)) else ngrams
        self.output_sequence_length, self.ragged = output_sequence_length, False
        # Keras: the mask "" holds index 0 in int mode; every mode has one OOV token "[UNK]"
        self._lookup = StringLookup(max_tokens=max_tokens, num_oov_indices=1,
                                    mask_token="" if output_mode == "int" else None, vocabulary=vocabulary,
                                    idf_weights=idf_weights, output_mode=output_mode, sparse=sparse,
                                    pad_to_max_tokens=pad_to_max_tokens, encoding=encoding, name=f"{self.name}_lookup")

    # -- text processing ------------------------------------------------------------------
    def _standardized(self, text: str) -> str:
        if callable(self.standardize):
            return self.standardize(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        return text

    def _tokens(self, text: str) -> list:
        text = self._standardized(text)
        if self.split is None:
            tokens = [text]
        elif self.split == "whitespace":
            tokens = text.split()
        elif self.split == "character":
            tokens = list(text)
        else:
            tokens = list(self.split(text))
        if self.ngrams is None:
            return tokens
        sizes = range(1, self.ngrams + 1) if isinstance(self.ngrams, int) else self.ngrams
        # Keras orders all n-grams of one size before the next size
        return [" ".join(tokens[i:i + n]) for n in sizes for i in range(len(tokens) - n + 1)]

    def _rows(self, inputs) -> list:
        strings = _string_array(inputs, self.name)
        if strings.ndim == 2 and strings.shape[1] == 1:
            strings = strings[:, 0]
        if strings.ndim > 1:
            raise ValueError(f"Layer {self.name!r} takes a batch of sentences (shape (batch,) or (batch, 1)); "
                             f"received shape {strings.shape}")
        return [self._tokens(s) for s in strings.reshape(-1)], strings.ndim == 0

    # -- adapt, vocabulary ------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and idf weights for tf_idf) from sentences."""
        if self._lookup.input_vocabulary is not None:
            raise ValueError(f"Layer {self.name!r} was given a vocabulary; adapt() needs a layer without one")
        batches = [data] if isinstance(data, (str, np.ndarray, list)) else data
        rows = []
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            rows.extend(self._rows(batch[0] if isinstance(batch, tuple) else batch)[0])
        width = max((len(r) for r in rows), default=0)
        self._lookup.adapt(np.array([r + [""] * (width - len(r)) for r in rows], dtype=object).reshape(len(rows), -1))

    def get_vocabulary(self, include_special_tokens=True) -> list:
        return self._lookup.get_vocabulary(include_special_tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    def vocabulary_size(self) -> int:
        return self._lookup.vocabulary_size()

    def save_assets(self, dir_path: str) -> None:
        self._lookup.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup.load_assets(dir_path)

    # -- calling ----------------------------------------------------------------------------
    def call(self, inputs):
        rows, scalar = self._rows(inputs)
        mode = self._lookup.output_mode
        if mode != "int":
            # each sentence is one example of its tokens (no padding: "" would count as a token here)
            empty = np.zeros(self._lookup._depth(), "float32" if mode == "tf_idf" else "int32")
            encoded = np.stack([self._lookup(np.array(r, dtype=object)) if r else empty for r in rows] or [empty])
            encoded = encoded[:len(rows)]
            return encoded[0] if scalar else encoded
        ids = [self._lookup(np.array(r, dtype=object)).tolist() if r else [] for r in rows]
        length = self.output_sequence_length or max((len(r) for r in ids), default=0)
        out = np.zeros((len(ids), length), dtype="int64")
        for i, r in enumerate(ids):
            r = r[:length]
            out[i, :len(r)] = r
        return out[0] if scalar else out

    def compute_output_shape(self, input_shape):
        if self._lookup.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._lookup._depth())

    def _host_output_dtype(self) -> str:
        return {"int": "int64", "tf_idf": "float32"}.get(self._lookup.output_mode, "int32")

    def _check_host_input_shape(self, input_shape) -> None:
        shape = tuple(input_shape)
        if not (len(shape) == 1 or len(shape) == 2 and shape[1] in (1, None)):
            raise ValueError(f"Layer {self.name!r} (TextVectorization) takes a batch of sentences: an input of shape "
                             f"(None,) or (None, 1), e.g. Input(shape=(1,), dtype='string'); received an input of "
                             f"shape {shape}")

    def get_config(self):
        lookup = self._lookup
        return {**Layer.get_config(self), "max_tokens": lookup.max_tokens, "standardize": self.standardize,
                "split": self.split, "ngrams": self.ngrams, "output_mode": lookup.output_mode,
                "output_sequence_length": self.output_sequence_length, "pad_to_max_tokens": lookup.pad_to_max_tokens,
                "sparse": False, "ragged": False,
                "vocabulary": None if lookup.input_vocabulary is None else list(lookup.input_vocabulary),
                "idf_weights": None if lookup.input_idf_weights is None else np.asarray(
                    lookup.input_idf_weights).tolist(),
                "encoding": self.encoding, "vocabulary_size": lookup.vocabulary_size()}
