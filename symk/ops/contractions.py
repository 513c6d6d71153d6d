"""Sums along axes between tensors: einsum, correlate, and trapezoid with the finite differences (diff) it uses.

    >>> symk.ops.einsum("bij,bjk->bik", a, b); symk.ops.correlate(u, v, mode="same")
    >>> symk.ops.trapezoid(y, dx=0.1); symk.ops.diff(x, n=2, axis=0)
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_dims
from .api import keras_export
from .elementwise import inexact_dtype, result_dtype
from .index_inputs import calling
from .registry import apply, def_op, spec_of


# -- einsum ------------------------------------------------------------------------------
def _ellipsis_labels(count: int) -> list:
    """Axes an ellipsis stands for, labelled by their distance from the right (ellipses broadcast right-aligned)."""
    return list(range(count - 1, -1, -1))


def _check_letters(term: str) -> tuple:
    head, dots, tail = term.partition("...")
    if "..." in tail:
        raise RuleViolation(f"the subscripts {term!r} hold more than one ellipsis", "use '...' once per term")
    for char in head + tail:
        if not char.isalpha():
            raise RuleViolation(f"einsum subscripts may hold letters, ',', '->' and '...', not {char!r}",
                                "label each axis with a letter")
    return head, bool(dots), tail


def _operand_labels(term: str, rank: int, position: int) -> list:
    head, dots, tail = _check_letters(term)
    named = len(head) + len(tail)
    if named > rank or (not dots and named != rank):
        raise RuleViolation(f"operand {position}'s subscripts {term!r} name {named} axes but it has rank {rank}",
                            "give one letter per axis, or '...' for the axes you do not name")
    return list(head) + (_ellipsis_labels(rank - named) if dots else []) + list(tail)


def parse_einsum(subscripts: str, ranks: list) -> tuple:
    """Each operand's axis labels and the output's (letters, or ints for the axes an ellipsis stands for)."""
    inputs, arrow, output = subscripts.partition("->")
    if "->" in output:
        raise RuleViolation(f"einsum subscripts hold '->' more than once: {subscripts!r}", "write one '->'")
    terms = inputs.split(",")
    if len(terms) != len(ranks):
        raise RuleViolation(f"the subscripts {subscripts!r} describe {len(terms)} operand(s), but {len(ranks)} were "
                            "given", "pass one operand per comma-separated term")
    labels = [_operand_labels(term, rank, i) for i, (term, rank) in enumerate(zip(terms, ranks))]
    ellipsis_rank = max((sum(isinstance(a, int) for a in term) for term in labels), default=0)
    used = [a for term in labels for a in term if isinstance(a, str)]
    if not arrow:  # implicit output: the broadcast ellipsis axes, then the letters used once, in alphabetical order
        return labels, _ellipsis_labels(ellipsis_rank) + sorted(a for a in set(used) if used.count(a) == 1)
    head, dots, tail = _check_letters(output)
    letters = head + tail
    if len(set(letters)) != len(letters):
        raise RuleViolation(f"the output subscripts {output!r} repeat a letter", "name each output axis once")
    missing = set(letters) - set(used)
    if missing:
        raise RuleViolation(f"the output subscripts name {sorted(missing)}, which no operand has",
                            "name only letters that appear left of '->'")
    return labels, list(head) + (_ellipsis_labels(ellipsis_rank) if dots else []) + list(tail)


def einsum_rule(specs, attrs):
    labels, out_labels = parse_einsum(attrs.subscripts, [len(s.shape) for s in specs])
    sizes: dict = {}
    for position, (spec, term) in enumerate(zip(specs, labels)):
        own: dict = {}
        for label, dim in zip(term, spec.shape):
            # a label repeated within one operand takes a diagonal: numpy wants equal sizes (jax would slice)
            if own.get(label) is not None and dim is not None and own[label] != dim:
                raise RuleViolation(f"operand {position} repeats label {label!r} over axes of sizes {own[label]} and "
                                    f"{dim}", "a diagonal needs axes of equal size")
            own[label] = dim if own.get(label) is None else own[label]
            try:
                sizes[label] = broadcast_dims(sizes.get(label, 1), dim)
            except ValueError:
                what = f"label {label!r}" if isinstance(label, str) else "an axis under '...'"
                raise RuleViolation(f"{what} has size {dim} in operand {position} but {sizes[label]} before",
                                    "the axes sharing a label must have equal sizes (or size 1)") from None
    return TensorSpec.of([sizes.get(label, 1) for label in out_labels], _einsum_dtype(specs))


def _einsum_dtype(specs) -> str:
    if specs and all(s.dtype == "int8" for s in specs):  # Keras asks for int32 results on int8 operands
        return "int32"
    return result_dtype(specs)


def _einsum(*operands, subscripts, optimize, precision):
    all_int8 = all(x.dtype == jnp.int8 for x in operands)
    return jnp.einsum(subscripts, *operands, optimize=optimize, precision=precision,
                      preferred_element_type=jnp.int32 if all_int8 else None)


def_op("einsum", einsum_rule, _einsum, attrs=dict(subscripts="", optimize="auto", precision=None), inputs=None,
       doc="Einstein summation over the operands, as the subscripts say (numpy's einsum).")


@keras_export("numpy")
def einsum(subscripts, *operands, **kwargs):
    """Sums products of the operands' entries as the subscripts say: "ij,jk->ik" is a matrix product.

    Keyword arguments: `optimize` and `precision`, as jax.numpy.einsum takes them.
    """
    if not isinstance(subscripts, str):
        raise TypeError("symk.ops.einsum: the first argument must be the subscripts string, e.g. "
                        f"einsum('ij,jk->ik', a, b); got {type(subscripts).__name__} (numpy's interleaved form "
                        "einsum(a, [0, 1], ...) is not supported)")
    # NOTE: Keras replaces a given preferred_element_type with its own choice (int32 for int8), so it is dropped
    kwargs.pop("preferred_element_type", None)
    unknown = sorted(set(kwargs) - {"optimize", "precision"})
    if unknown:
        raise TypeError(f"symk.ops.einsum got unknown keyword argument(s) {unknown}; it takes optimize and precision")
    compact = "".join(subscripts.split())  # Keras's examples write "ij, j" and "ii -> i"
    return apply("einsum", list(operands), subscripts=compact, **kwargs)


# -- correlate ---------------------------------------------------------------------------
def correlate_rule(specs, attrs):
    for name, spec in zip(("x1", "x2"), specs):
        if len(spec.shape) != 1:
            raise RuleViolation(f"correlate takes 1-D tensors, but {name} has rank {len(spec.shape)}",
                                "flatten it, or correlate each row separately")
        if spec.shape[0] == 0:
            raise RuleViolation(f"correlate needs non-empty tensors, but {name} is empty", "pass at least one entry")
    if attrs.mode not in ("valid", "same", "full"):
        raise RuleViolation(f"unknown mode {attrs.mode!r}", "use 'valid', 'same' or 'full'")
    n, m = specs[0].shape[0], specs[1].shape[0]
    length = None
    if n is not None and m is not None:
        length = {"valid": max(n, m) - min(n, m) + 1, "same": max(n, m), "full": n + m - 1}[attrs.mode]
    return TensorSpec.of((length,), inexact_dtype(result_dtype(specs)))


def_op("correlate", correlate_rule, lambda x, y, mode: jnp.correlate(x, y, mode), attrs=dict(mode="valid"), inputs=2,
       doc="The cross-correlation of two vectors (numpy's correlate), in floats.")


@keras_export("numpy")
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two vectors: 'valid' (where they overlap fully), 'same' or 'full'."""
    return apply("correlate", [x1, x2], mode=mode)


# -- finite differences and the trapezoid rule ---------------------------------------------
def _axis_or_error(function: str, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ValueError(f"symk.ops.{function}: axis {axis} is out of range for an input of rank {rank}; use an axis "
                         f"in [{-rank}, {rank - 1}]" + (" (a scalar has no axis: pass at least a 1-D tensor)"
                                                         if rank == 0 else ""))
    return axis % rank


def _along(axis: int, rank: int, piece: slice) -> tuple:
    return tuple(piece if i == axis else slice(None) for i in range(rank))


def _getitem(x, key: tuple):
    from .array import encode_index

    return apply("getitem", [x], key=encode_index(key))


@keras_export("numpy")
def diff(a, n=1, axis=-1):
    """The n-th difference along an axis: a[1:] - a[:-1], n times (for bools, a[1:] != a[:-1])."""
    spec = spec_of(a)
    rank = len(spec.shape)
    axis = _axis_or_error("diff", axis, rank)
    if n < 0:
        raise ValueError(f"symk.ops.diff: the order n must be >= 0, got {n}")
    step = "not_equal" if spec.dtype == "bool" else "subtract"
    with calling("diff"):
        out = apply("identity", [a])
        for _ in range(n):
            out = apply(step, [_getitem(out, _along(axis, rank, slice(1, None))),
                               _getitem(out, _along(axis, rank, slice(None, -1)))])
    return out


def _move_to_end(x, axis: int, rank: int):
    if axis == rank - 1:
        return x
    return apply("transpose", [x], axes=tuple(i for i in range(rank) if i != axis) + (axis,))


@keras_export("numpy")
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integrates y along an axis by the trapezoid rule, at the points x (or spaced dx apart)."""
    spec = spec_of(y)
    rank = len(spec.shape)
    axis = _axis_or_error("trapezoid", axis, rank)
    dtype = inexact_dtype(result_dtype([spec] + ([spec_of(x)] if x is not None else [])))
    with calling("trapezoid"):
        y = _move_to_end(apply("cast", [y], dtype=dtype), axis, rank)
        pair_sums = apply("add", [_getitem(y, (Ellipsis, slice(1, None))), _getitem(y, (Ellipsis, slice(None, -1)))])
        if x is None:
            # NOTE: a Python dx is a strong float32/int32 tensor, as Keras's convert_to_tensor makes it
            widths = np.asarray(dx, dtype=spec_of(dx).dtype) if isinstance(dx, (int, float)) else dx
        else:
            x = apply("cast", [x], dtype=dtype)
            x_rank = len(spec_of(x).shape)
            widths = diff(x) if x_rank == 1 else _move_to_end(diff(x, axis=axis), axis, x_rank)
        total = apply("sum", [apply("multiply", [widths, pair_sums])], axis=-1)
        return apply("multiply", [np.asarray(0.5, dtype), total])
