"""ONNX import, string operators: StringConcat, StringSplit, StringNormalizer, RegexFullMatch, TfIdfVectorizer.

Strings have no JAX dtype, so these run at import time, with numpy and Python's str, on inputs known then
(symk.onnx.backend fixes string inputs to each run's values); a string computed at run time is refused.
RegexFullMatch reads the pattern with Python's re, which agrees with ONNX's RE2 syntax on the common forms.
"""
from __future__ import annotations

import re

import numpy as np

from .import_registry import def_import


def text_input(node, i: int) -> np.ndarray:
    """Input i as an object array of str; it must be known at import time."""
    value = node.input(i)
    if hasattr(value, "graph"):
        raise node.fail(f"input {i} is a tensor computed at run time, but {node.op_type} works on strings, which "
                        "symk's graph cannot carry; the input must be known at import time")
    array = np.asarray(node.static(i))
    flat = [v.decode() if isinstance(v, bytes) else str(v) for v in array.reshape(-1)]
    return np.asarray(flat, dtype=object).reshape(array.shape)


def texts(values, shape) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


@def_import("StringConcat")
def _string_concat(node):
    a, b = np.broadcast_arrays(text_input(node, 0), text_input(node, 1))
    return texts([x + y for x, y in zip(a.reshape(-1), b.reshape(-1))], a.shape)


@def_import("StringSplit")
def _string_split(node):
    """Each string split (by the delimiter, or by runs of whitespace when none is given), padded with "" to the
    longest count; the counts are the second output."""
    x = text_input(node, 0)
    delimiter = node.attr("delimiter") or None
    maxsplit = node.attr("maxsplit")
    maxsplit = -1 if maxsplit is None else int(maxsplit)
    pieces = [s.split(delimiter, maxsplit) for s in x.reshape(-1)]
    width = max((len(p) for p in pieces), default=0)
    padded = [p + [""] * (width - len(p)) for p in pieces]
    flat = [piece for row in padded for piece in row]
    counts = np.asarray([len(p) for p in pieces], np.int64).reshape(x.shape)
    return [texts(flat, x.shape + (width,)), counts]


@def_import("StringNormalizer")
def _string_normalizer(node):
    """Stop words removed (compared ignoring case unless is_case_sensitive), then LOWER / UPPER case applied; a
    result with nothing left is one empty string."""
    x = text_input(node, 0)
    if x.ndim not in (1, 2) or (x.ndim == 2 and x.shape[0] != 1):
        raise node.fail(f"StringNormalizer takes shape [C] or [1, C], got {x.shape}")
    sensitive = bool(node.attr("is_case_sensitive", 0))
    stop = set(node.attr("stopwords") or [])
    stop = stop if sensitive else {w.lower() for w in stop}
    kept = [s for s in x.reshape(-1) if (s if sensitive else s.lower()) not in stop]
    action = node.attr("case_change_action", "NONE")
    if action not in ("NONE", "LOWER", "UPPER"):
        raise node.fail(f"case_change_action {action!r} is not one of NONE, LOWER, UPPER")
    kept = [s.lower() if action == "LOWER" else s.upper() if action == "UPPER" else s for s in kept] or [""]
    return texts(kept, (len(kept),) if x.ndim == 1 else (1, len(kept)))


@def_import("RegexFullMatch")
def _regex_full_match(node):
    x = text_input(node, 0)
    try:
        pattern = re.compile(node.attr("pattern"))
    except re.error as err:
        raise node.fail(f"pattern {node.attr('pattern')!r} is not a valid regular expression: {err}") from None
    return np.asarray([pattern.fullmatch(s) is not None for s in x.reshape(-1)], bool).reshape(x.shape)


@def_import("TfIdfVectorizer")
def _tf_idf_vectorizer(node):
    """n-gram counts (skip-grams included) of each row against the pool, at import time: the input must be known
    then (numbers or strings). TF counts, IDF marks presence, TFIDF counts; both weighted by `weights`."""
    raw = np.asarray(node.static(0))
    x = text_input(node, 0) if raw.dtype.kind in "OSU" else raw
    pool = node.attr("pool_strings") if node.attr("pool_strings") else node.attr("pool_int64s")
    counts_start = [int(c) for c in node.attr("ngram_counts")]
    indexes = [int(i) for i in node.attr("ngram_indexes")]
    lo, hi, skip_max = int(node.attr("min_gram_length")), int(node.attr("max_gram_length")), int(
        node.attr("max_skip_count"))
    mode = node.attr("mode")
    if mode not in ("TF", "IDF", "TFIDF"):
        raise node.fail(f"mode {mode!r} is not one of TF, IDF, TFIDF")
    # the pool's n-grams, each to its output column
    column, bounds = {}, counts_start + [len(pool)]
    for n in range(1, len(counts_start) + 1):
        grams = pool[bounds[n - 1]:bounds[n]]
        for k in range(0, len(grams), n):
            column[tuple(grams[k:k + n])] = indexes[len(column)]
    width = max(indexes) + 1 if indexes else 0
    rows = x.reshape(1, -1) if x.ndim == 1 else x
    out = np.zeros((rows.shape[0], width), np.float32)
    for r, row in enumerate(rows):
        items = row.tolist()
        for n in range(lo, hi + 1):
            for skip in range(skip_max + 1 if n > 1 else 1):  # a 1-gram has no gaps to skip
                step = skip + 1
                for start in range(len(items) - (n - 1) * step):
                    gram = tuple(items[start + j * step] for j in range(n))
                    if gram in column:
                        out[r, column[gram]] += 1
    weights = node.attr("weights")
    weights = np.ones(width, np.float32) if not weights else np.asarray(weights, np.float32)
    if mode == "IDF":
        out = np.minimum(out, 1) * weights
    elif mode == "TFIDF":
        out = out * weights
    return out.reshape(width) if x.ndim == 1 else out
