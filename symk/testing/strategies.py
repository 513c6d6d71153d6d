"""Hypothesis strategies for property tests: shapes (concrete, or with unknown dims), dtypes, specs,
layer configurations and op cases.

    from symk.testing import strategies as sst
    sst.symbolic_shapes(min_rank=2, max_rank=3, last=st.just(8))   # (None, 3, 8), (None, None, 8), ...
    sst.layer_configs(units=st.integers(1, 4), activation=st.sampled_from([None, "relu"]))
"""
from __future__ import annotations

from typing import Optional

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..shapes import TensorSpec
from .op_harness import OpCase

# -- concrete shapes and specs (the op harness draws these) ------------------------
FLOAT_OR_INT = st.sampled_from(["float32", "float32", "int32"])


def shapes(min_rank: int = 0, max_rank: int = 4, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    """Concrete shapes (tuples of ints)."""
    return hnp.array_shapes(min_dims=min_rank, max_dims=max_rank, min_side=min_side, max_side=max_side)


def spec(shape, dtype: str = "float32") -> TensorSpec:
    return TensorSpec.of(shape, dtype)


def specs(min_rank: int = 0, max_rank: int = 4, dtypes=FLOAT_OR_INT) -> st.SearchStrategy:
    """TensorSpecs with concrete shapes."""
    return st.builds(spec, shapes(min_rank, max_rank), dtypes)


@st.composite
def broadcast_pair(draw, count: int = 2, max_rank: int = 4):
    """Shapes that broadcast (mostly), or unrelated shapes (sometimes, to check both refuse)."""
    if draw(st.integers(0, 4)) == 0:
        return [draw(shapes(0, max_rank)) for _ in range(count)]
    drawn = draw(hnp.mutually_broadcastable_shapes(num_shapes=count, max_dims=max_rank, max_side=4))
    return list(drawn.input_shapes)


def axis_for(rank: int, extra: int = 0) -> st.SearchStrategy:
    """An axis for a tensor of `rank` (plus `extra` out-of-range values on each side, to check refusals)."""
    return st.integers(-rank - extra, rank - 1 + extra) if rank + extra > 0 else st.just(0)


@st.composite
def axes_for(draw, rank: int, allow_none: bool = True):
    """None, an int, or a tuple of distinct axes (occasionally out of range or repeated)."""
    kind = draw(st.sampled_from(["none", "int", "tuple"] if allow_none else ["int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(axis_for(rank, extra=1))
    return tuple(draw(st.lists(axis_for(rank, extra=1), min_size=1, max_size=max(1, rank))))



# -- for users' layers and ops --------------------------------------------------------
FLOAT_DTYPES = ("float32", "float16", "bfloat16", "float64")
INT_DTYPES = ("int8", "int16", "int32", "uint8")


def dtypes(kinds: tuple = ("float",), names: Optional[tuple] = None) -> st.SearchStrategy:
    """Dtype names: float32/float16/bfloat16 for kinds=('float',), int ones for 'int', 'bool'; or exactly `names`.

    float64 is drawn only when jax runs with x64 enabled (otherwise jax silently computes in float32)."""
    if names is not None:
        return st.sampled_from(tuple(names))
    import jax

    table = {"float": tuple(d for d in FLOAT_DTYPES if d != "float64" or jax.config.jax_enable_x64),
             "int": INT_DTYPES, "bool": ("bool",)}
    unknown = set(kinds) - set(table)
    if unknown:
        raise ValueError(f"dtypes(kinds=...) got unknown kind(s) {sorted(unknown)}; use 'float', 'int', 'bool'")
    return st.sampled_from(tuple(d for k in kinds for d in table[k]))


def _dim(unknown_probability: float, min_side: int, max_side: int) -> st.SearchStrategy:
    known = st.integers(min_side, max_side)
    if unknown_probability <= 0:
        return known
    if unknown_probability >= 1:
        return st.none()
    # hypothesis has no weighted choice: a sampled flag makes the ratio roughly right (and shrinks to known)
    return st.tuples(st.floats(0, 1), known).map(lambda p: None if p[0] > 1 - unknown_probability else p[1])


def symbolic_shapes(min_rank: int = 1, max_rank: int = 4, min_side: int = 1, max_side: int = 4,
                    unknown_batch: bool = True, unknown_probability: float = 0.25,
                    last: Optional[st.SearchStrategy] = None) -> st.SearchStrategy:
    """Shapes as an Input sees them: axis 0 is the batch (None when `unknown_batch`), other axes are known
    sizes or, with `unknown_probability`, None. `last`: a strategy fixing the last axis (a layer's features).

    >>> symbolic_shapes(min_rank=2, max_rank=2, last=st.just(3)).example()   # e.g. (None, 3)
    """
    if min_rank < 1 or max_rank < min_rank:
        raise ValueError(f"symbolic_shapes needs 1 <= min_rank <= max_rank (axis 0 is the batch); "
                         f"got min_rank={min_rank}, max_rank={max_rank}")

    @st.composite
    def draw_shape(draw):
        rank = draw(st.integers(min_rank, max_rank))
        batch = None if unknown_batch else draw(st.integers(min_side, max_side))
        inner = [draw(_dim(unknown_probability, min_side, max_side)) for _ in range(rank - 1)]
        if last is not None and rank > 1:
            inner[-1] = draw(last)
        return (batch,) + tuple(inner)

    return draw_shape()


@st.composite
def concrete_shapes(draw, symbolic: tuple, min_side: int = 1, max_side: int = 4):
    """A concrete shape for a symbolic one: every None becomes a drawn size."""
    return tuple(draw(st.integers(min_side, max_side)) if d is None else int(d) for d in symbolic)


def layer_configs(**space) -> st.SearchStrategy:
    """Keyword-argument dicts for a layer's constructor: each keyword maps to a strategy or a fixed value.

    >>> layer_configs(units=st.integers(1, 8), use_bias=st.booleans(), activation="relu")
    """
    return st.fixed_dictionaries({k: v if isinstance(v, st.SearchStrategy) else st.just(v)
                                  for k, v in space.items()})


def op_cases(inputs: st.SearchStrategy, attrs: Optional[st.SearchStrategy] = None) -> st.SearchStrategy:
    """OpCases from a strategy of input lists (TensorSpecs, or (shape, dtype) pairs) and one of attr dicts.

    >>> op_cases(st.lists(specs(1, 3, dtypes=st.just("float32")), min_size=1, max_size=1))
    """
    def as_spec(item):
        return item if isinstance(item, TensorSpec) else TensorSpec.of(*item)

    return st.builds(lambda xs, a: OpCase([as_spec(x) for x in xs], a), inputs,
                     attrs if attrs is not None else st.just({}))
