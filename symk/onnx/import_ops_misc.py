"""ONNX import, sequences and optionals: SequenceConstruct/Empty/At/Insert/Erase/Length, SplitToSequence,
ConcatFromSequence, SequenceMap, Optional, OptionalHasElement, OptionalGetElement.

symk's graph carries tensors only, so a sequence lives at import time: it is a Python list of values
(symbolic tensors or arrays) in the importer's environment, and its length is known then. A model input that
is a sequence becomes one graph input per element (symk.onnx.backend builds a Model per sequence length); an
output that is a sequence is flattened into tensors and regrouped by the backend. An optional is its value,
or None when empty; positions (SequenceAt's, SequenceInsert's) must be known at import time.

An If whose branches return sequences needs its condition known at import time (the backend fixes it per run);
a Loop that carries sequences is unrolled by import_ops_control.py.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import norm_axis, shape_of
from .import_registry import def_import


def sequence_input(node, i: int) -> list:
    value = node.input(i)
    if not isinstance(value, list):
        raise node.fail(f"input {i} ({node.proto.input[i]!r}) must be a sequence, got "
                        f"{'nothing (an empty optional)' if value is None else 'a tensor'}")
    return value


def position(node, i: int, length: int, insert: bool = False) -> int:
    """A sequence position (negative counts from the end), checked as ONNX does: [-n, n-1], or [-n, n] to insert."""
    at = int(np.asarray(node.static(i)).reshape(-1)[0])
    top = length if insert else length - 1
    if not -length <= at <= top:
        raise node.fail(f"position {at} is out of range for a sequence of {length} (allowed: {-length} to {top})")
    return at + length if at < 0 else at


@def_import("SequenceConstruct")
def _sequence_construct(node):
    return [[v for v in node.inputs]]


@def_import("SequenceEmpty")
def _sequence_empty(node):
    return [[]]


@def_import("SequenceLength")
def _sequence_length(node):
    return np.asarray(len(sequence_input(node, 0)), dtype=np.int64)


@def_import("SequenceAt")
def _sequence_at(node):
    seq = sequence_input(node, 0)
    return seq[position(node, 1, len(seq))]


@def_import("SequenceInsert")
def _sequence_insert(node):
    seq = list(sequence_input(node, 0))
    at = position(node, 2, len(seq), insert=True) if node.has_input(2) else len(seq)
    seq.insert(at, node.input(1))
    return [seq]


@def_import("SequenceErase")
def _sequence_erase(node):
    seq = list(sequence_input(node, 0))
    at = position(node, 1, len(seq)) if node.has_input(1) else len(seq) - 1
    del seq[at]
    return [seq]


@def_import("ConcatFromSequence")
def _concat_from_sequence(node):
    seq = sequence_input(node, 0)
    if not seq:
        raise node.fail("ConcatFromSequence of an empty sequence has no element type or shape")
    axis = node.attr("axis")
    if node.attr("new_axis", 0):
        return ops.stack(seq, axis=norm_axis(axis, len(shape_of(seq[0])) + 1))
    return ops.concatenate(seq, axis=norm_axis(axis, len(shape_of(seq[0]))))


@def_import("SplitToSequence")
def _split_to_sequence(node):
    x = node.input(0)
    shape = shape_of(x)
    axis = norm_axis(node.attr("axis", 0), len(shape))
    length = shape[axis]
    split = node.static(1) if node.has_input(1) else None
    if split is None:  # pieces of one, the axis dropped unless keepdims
        pieces = [x[(slice(None),) * axis + (slice(i, i + 1),)] for i in range(length)]
        if not node.attr("keepdims", 1):
            pieces = [ops.squeeze(p, axis=axis) for p in pieces]
        return [pieces]
    split = np.asarray(split).reshape(-1)
    sizes = [int(split[0])] * -(-length // int(split[0])) if np.asarray(node.static(1)).ndim == 0 else list(split)
    sizes = [min(s, length - sum(sizes[:i])) for i, s in enumerate(sizes)]
    cuts = np.cumsum(sizes)[:-1]
    return [list(ops.split(x, [int(c) for c in cuts], axis=axis)) if len(sizes) > 1 else [x]]


@def_import("SequenceMap")
def _sequence_map(node):
    """The body imported once per element (unrolled): the sequence's length is known at import time."""
    from .import_ops_control import body_importer

    first = sequence_input(node, 0)
    extra = node.inputs[1:]
    outputs = [[] for _ in range(node.num_outputs)]
    for k in range(len(first)):
        args = [first[k]] + [v[k] if isinstance(v, list) else v for v in extra]
        outs = body_importer(node, "body").run_body(args, unrolled=True)
        for seq, out in zip(outputs, outs):
            seq.append(out)
    return outputs


@def_import("Optional")
def _optional(node):
    return [node.input(0)]  # None (left out) is the empty optional


@def_import("OptionalHasElement")
def _optional_has_element(node):
    return np.asarray(node.has_input(0))


@def_import("OptionalGetElement")
def _optional_get_element(node):
    if not node.has_input(0):
        raise node.fail("the optional is empty: it has no element to get")
    return [node.input(0)]


# -- If: branches that return sequences ------------------------------------------------------------------
def require_static_condition_for_sequences(node) -> None:
    """An If whose branches return sequences or optionals (lists and None at import time, no tensors a traced
    cond can return) needs its condition known at import time: NeedsStaticValue says so (the backend then fixes
    the condition to the run's value and imports only the branch taken)."""
    branch_outputs = list(node.attrs["then_branch"].g.output) + list(node.attrs["else_branch"].g.output)
    if any(o.type.WhichOneof("value") in ("sequence_type", "optional_type") for o in branch_outputs):
        node.static(0)


# the other operators of this work live in their own files; importing them here registers their mappings
from . import import_ops_data, import_ops_ml, import_ops_strings, import_ops_training  # noqa: E402,F401
