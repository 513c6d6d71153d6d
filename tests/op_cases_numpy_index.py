"""Hypothesis cases for the indexing, sorting, contraction and scatter ops (symk/ops/indexing.py, index_getitem.py,
sorting.py, contractions.py, products.py, scatter.py).

Mostly valid calls, plus calls both the rule and jax refuse (sizes that do not line up, bad axes);
out-of-range static indices are must_refuse (numpy refuses them, jax does not check).
"""
import string

import numpy as np
from hypothesis import strategies as st

from symk.ops.array import encode_index
from symk.testing import FLOAT_OR_INT, OpCase, axis_for, broadcast_pair, register_op_cases, shapes, spec, specs

FAMILY = "numpy_index"
INDEX_DTYPES = st.sampled_from(["int32", "int32", "int32", "float32"])
sometimes = st.integers(0, 5).map(lambda n: n == 0)  # True about one time in six


# -- products ------------------------------------------------------------------------------
@st.composite
def kron_case(draw):
    a, b = draw(shapes(0, 3)), draw(shapes(0, 3))
    return OpCase([spec(a, draw(FLOAT_OR_INT)), spec(b, draw(FLOAT_OR_INT))])


@st.composite
def cross_case(draw):
    a, b = draw(broadcast_pair(2, max_rank=2))
    axis_a, axis_b = draw(st.integers(0, len(a))), draw(st.integers(0, len(b)))
    a = list(a[:axis_a]) + [draw(st.sampled_from([2, 3, 3, 4]))] + list(a[axis_a:])
    b = list(b[:axis_b]) + [draw(st.sampled_from([2, 3, 3]))] + list(b[axis_b:])
    axis_c = draw(axis_for(max(len(a), len(b)), extra=1))
    return OpCase([spec(a, draw(FLOAT_OR_INT)), spec(b, draw(FLOAT_OR_INT))],
                  {"axisa": axis_a - len(a) if draw(st.booleans()) else axis_a, "axisb": axis_b, "axisc": axis_c})


# -- contractions --------------------------------------------------------------------------
@st.composite
def einsum_case(draw):
    letters = string.ascii_letters[:6] + "XY"
    sizes = {c: draw(st.integers(1, 4)) for c in letters}
    operands, terms = [], []
    ellipsis_dims = draw(shapes(0, 2))
    for _ in range(draw(st.integers(1, 3))):
        term = "".join(draw(st.lists(st.sampled_from(letters), min_size=0, max_size=3)))
        shape = [sizes[c] if draw(st.integers(0, 6)) else 1 for c in term]  # a label may broadcast from 1
        if draw(st.booleans()):
            cut = draw(st.integers(0, len(term)))
            dims = list(ellipsis_dims[draw(st.integers(0, len(ellipsis_dims))):])
            term, shape = term[:cut] + "..." + term[cut:], shape[:cut] + dims + shape[cut:]
        if draw(sometimes):
            shape = list(draw(shapes(0, 3)))  # most likely the wrong rank or sizes: both must refuse
        terms.append(term)
        operands.append(spec(shape, draw(FLOAT_OR_INT)))
    subscripts = ",".join(terms)
    if draw(st.booleans()):
        used = sorted({c for t in terms for c in t if c.isalpha()})
        out = "".join(draw(st.permutations(used))[:draw(st.integers(0, len(used)))])
        if any("..." in t for t in terms) and draw(st.booleans()):
            out = "..." + out
        subscripts += "->" + out
    # numpy refuses a diagonal ('ii') over axes of different sizes; jax slices one of them
    uneven_diagonal = any(len({d for c, d in _labelled_dims(t, s.shape) if c == label}) > 1
                          for t, s in zip(terms, operands) for label in set(t) - {"."})
    return OpCase(operands, {"subscripts": subscripts}, must_refuse=uneven_diagonal)


def _labelled_dims(term, shape):
    """(letter, size) pairs of one einsum operand (none when the term does not fit the rank)."""
    head, dots, tail = term.partition("...")
    if len(head) + len(tail) > len(shape) or (not dots and len(head) != len(shape)):
        return []
    return list(zip(head, shape)) + list(zip(tail, shape[len(shape) - len(tail):]))


@st.composite
def correlate_case(draw):
    a = draw(shapes(1, 1) if draw(st.integers(0, 6)) else shapes(0, 2))
    b = draw(shapes(1, 1))
    return OpCase([spec(a, draw(FLOAT_OR_INT)), spec(b, draw(FLOAT_OR_INT))],
                  {"mode": draw(st.sampled_from(["valid", "same", "full"]))})


# -- sorting and searching -----------------------------------------------------------------
@st.composite
def sort_case(draw):
    s = draw(specs(min_rank=0, max_rank=3))
    return OpCase([s], {"axis": draw(st.none() | axis_for(len(s.shape), extra=1))})


@st.composite
def argpartition_case(draw):
    s = draw(specs(min_rank=1, max_rank=3))
    axis = draw(st.none() | axis_for(len(s.shape)))
    size = int(np.prod(s.shape)) if axis is None else s.shape[axis]
    return OpCase([s], {"kth": draw(st.integers(-size, size - 1)), "axis": axis})


@st.composite
def searchsorted_case(draw):
    sequence = spec(draw(shapes(1, 1) if draw(st.integers(0, 6)) else shapes(0, 2)), draw(FLOAT_OR_INT))
    return OpCase([sequence, draw(specs(max_rank=3))], {"side": draw(st.sampled_from(["left", "right"]))})


@st.composite
def digitize_case(draw):
    bins = spec(draw(shapes(1, 1) if draw(st.integers(0, 6)) else shapes(0, 2)), draw(FLOAT_OR_INT))
    return OpCase([draw(specs(max_rank=3)), bins])


@st.composite
def isin_case(draw):
    return OpCase([draw(specs(max_rank=3)), draw(specs(max_rank=2))],
                  {"assume_unique": draw(st.booleans()), "invert": draw(st.booleans())})


@st.composite
def unique_case(draw):
    s = draw(specs(min_rank=0, max_rank=3))
    axis = draw(st.none() | axis_for(len(s.shape))) if s.shape else None
    return OpCase([s], {"sorted": True, "return_index": draw(st.booleans()), "return_inverse": draw(st.booleans()),
                        "return_counts": draw(st.booleans()), "axis": axis, "size": draw(st.integers(1, 5)),
                        "fill_value": draw(st.none() | st.just(0))})


@st.composite
def histogram_case(draw):
    x = spec(draw(shapes(0, 1) if draw(st.integers(0, 6)) else shapes(2, 2)), draw(FLOAT_OR_INT))
    bins = draw(st.integers(0, 5))
    return OpCase([x], {"bins": bins, "range": draw(st.none() | st.just((0.0, 2.0)))},
                  must_refuse=len(x.shape) > 1)  # Keras takes vectors only (jax flattens)


@st.composite
def bincount_case(draw):
    x = spec(draw(shapes(1, 2)), draw(st.sampled_from(["int32", "int32", "float32"])))
    inputs = [x]
    if draw(st.booleans()):
        inputs.append(spec(x.shape if draw(st.integers(0, 5)) else draw(shapes(1, 2)),
                           draw(st.sampled_from(["float32", "int32"]))))
    return OpCase(inputs, {"minlength": draw(st.integers(0, 3)), "length": draw(st.integers(1, 5))})


# -- indexing ------------------------------------------------------------------------------
@st.composite
def advanced_getitem_case(draw):
    x = draw(specs(min_rank=1, max_rank=3))
    items, index_specs, python_key = [], [], []
    for dim in x.shape[:draw(st.integers(1, len(x.shape)))]:
        kind = draw(st.sampled_from(["array", "array", "slice", "int", "newaxis"]))
        if kind == "array":
            shape = draw(shapes(0, 2, max_side=3))
            items.append(("array", len(index_specs)))
            index_specs.append(spec(shape, draw(INDEX_DTYPES)))
            python_key.append(np.zeros(shape, "int64"))
        elif kind == "slice":
            item = slice(draw(st.none() | st.integers(-3, 3)), draw(st.none() | st.integers(-3, 3)))
            items += encode_index((item,))
            python_key.append(item)
        elif kind == "int":
            item = draw(st.integers(-dim - 1, dim))
            items += encode_index((item,))
            python_key.append(item)
        else:
            items.append(("newaxis",))
            python_key.append(None)
    if not index_specs:
        items.append(("array", 0))
        index_specs.append(spec((2,), "int32"))
        python_key.append(np.zeros(2, "int64"))
    if draw(st.integers(0, 3)) == 0:
        position = draw(st.integers(0, len(items)))
        items.insert(position, ("ellipsis",))
        python_key.insert(position, Ellipsis)
    try:  # numpy's verdict on the static parts (jax does not bounds-check ints next to index arrays)
        np.empty(x.shape)[tuple(python_key)]
        forbidden = False
    except IndexError:
        forbidden = True
    forbidden = forbidden and all("int" in s.dtype for s in index_specs)
    return OpCase([x, *index_specs], {"key": tuple(items)}, must_refuse=forbidden)


@st.composite
def numpy_take_case(draw):
    x = draw(specs(min_rank=1, max_rank=3))
    indices = spec(draw(shapes(0, 2)), draw(INDEX_DTYPES))
    return OpCase([x, indices], {"axis": draw(st.none() | axis_for(len(x.shape), extra=1))})


@st.composite
def take_along_axis_case(draw):
    x = draw(specs(min_rank=1, max_rank=3))
    rank = len(x.shape)
    axis = draw(st.none() | axis_for(rank, extra=1))
    if axis is None:
        shape = draw(shapes(1, 1) if draw(st.integers(0, 6)) else shapes(0, 2))
    else:
        shape = [d if draw(st.integers(0, 3)) else 1 for d in x.shape]
        if -rank <= axis < rank:
            shape[axis] = draw(st.integers(1, 4))
        if draw(sometimes):
            shape = draw(shapes(0, 3))
    return OpCase([x, spec(shape, draw(INDEX_DTYPES))], {"axis": axis})


@st.composite
def nonzero_case(draw):
    return OpCase([draw(specs(min_rank=0, max_rank=3))], {"size": draw(st.integers(0, 5))})


@st.composite
def unravel_index_case(draw):
    indices = spec(draw(shapes(0, 2)), draw(st.sampled_from(["int32", "int32", "float32"])))
    return OpCase([indices], {"shape": tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))})


# -- scatter -------------------------------------------------------------------------------
@st.composite
def scatter_geometry(draw):
    target = draw(shapes(1, 3))
    k = draw(st.integers(1, len(target)))
    rows = draw(shapes(1, 2, max_side=3))
    indices = spec(tuple(rows) + (k,), draw(INDEX_DTYPES))
    return target, k, rows, indices


@st.composite
def scatter_case(draw):
    target, k, rows, indices = draw(scatter_geometry())
    selected = tuple(rows) + tuple(target[k:])
    values = selected[draw(st.integers(0, len(selected))):] if draw(st.integers(0, 5)) else draw(shapes(0, 3))
    return OpCase([indices, spec(values, draw(FLOAT_OR_INT))], {"shape": tuple(target)})


@st.composite
def scatter_update_case(draw):
    target, k, rows, indices = draw(scatter_geometry())
    selected = tuple(reversed(rows)) + tuple(target[k:])
    updates = selected[draw(st.integers(0, len(selected))):] if draw(st.integers(0, 5)) else draw(shapes(0, 3))
    dtype = draw(FLOAT_OR_INT)
    return OpCase([spec(target, dtype), indices, spec(updates, dtype)],
                  {"reduction": draw(st.sampled_from([None, "add", "max", "min", "mul"]))})


for _name, _strategy in {
    "kron": kron_case(), "cross": cross_case(), "einsum": einsum_case(), "correlate": correlate_case(),
    "sort": sort_case(), "argsort": sort_case(), "argpartition": argpartition_case(),
    "searchsorted": searchsorted_case(), "digitize": digitize_case(), "isin": isin_case(), "unique": unique_case(),
    "histogram": histogram_case(), "bincount": bincount_case(), "advanced_getitem": advanced_getitem_case(),
    "numpy_take": numpy_take_case(), "take_along_axis": take_along_axis_case(), "nonzero": nonzero_case(),
    "unravel_index": unravel_index_case(), "scatter": scatter_case(), "scatter_update": scatter_update_case(),
}.items():
    register_op_cases(_name, _strategy, FAMILY)
