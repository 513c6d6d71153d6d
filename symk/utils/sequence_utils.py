"""pad_sequences (keras.utils.pad_sequences, keras.preprocessing.sequence.pad_sequences): lists of
sequences of different lengths to one padded numpy array.

    pad_sequences([[1, 2, 3], [4, 5]], maxlen=3)   # [[1, 2, 3], [0, 4, 5]]
"""
from __future__ import annotations

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: `sequences` must be iterable (a list of sequences); got {sequences!r}")
    for name, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name}={choice!r} is not understood; use 'pre' or 'post'.")
    lengths, sample_shape, found = [], (), False
    for i, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(f"pad_sequences: `sequences` must be a list of iterables. Found non-iterable: {seq!r} "
                             f"at position {i}")
        lengths.append(len(seq))
        if not found and len(seq):
            sample_shape, found = np.asarray(seq).shape[1:], True
    maxlen = int(np.max(lengths)) if maxlen is None and lengths else int(maxlen or 0)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype), np.object_)
    if isinstance(value, str) and dtype != object and not is_text:
        raise ValueError(f"pad_sequences: `dtype` {dtype} is not compatible with `value`'s type {type(value)}. "
                         "Use dtype=object for variable-length strings.")
    out = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or maxlen == 0:
            continue
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"pad_sequences: shape of sample {kept.shape[1:]} of sequence at position {i} differs "
                             f"from the expected shape {tuple(sample_shape)}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
