"""Hypothesis cases for the seeded random ops of symk.random (symk/ops/random.py), registered into symk.testing.

Each draw's first input is the seed, a uint32 tensor of shape (2,); some cases give a bad seed, a dtype of the
wrong kind or parameters that do not broadcast, which the rules must refuse.
"""
from hypothesis import strategies as st

from symk.ops.random import SIZED_DRAWS
from symk.testing import OpCase, axis_for, register_op_cases, shapes, spec, specs

SEED = spec((2,), "uint32")
BAD_SEEDS = [spec((2,), "int32"), spec((3,), "uint32"), spec((), "uint32")]
FLOATS = ["float32", "float16"]
INTS = ["int32", "uint8"]


@st.composite
def seed_spec(draw):
    """The seed, and whether it is a bad one (symk refuses it whatever jax would do)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(BAD_SEEDS)), True
    return SEED, False


@st.composite
def sized_shape(draw, first_source: int):
    """A draw's shape attribute and the inputs its run-time sizes come from (from input `first_source` on)."""
    shape = draw(shapes(0, 3))
    if not shape or draw(st.booleans()):
        return tuple(shape), []
    source = spec(draw(shapes(1, 3)))
    axis = draw(st.integers(-len(source.shape), len(source.shape) - 1))
    position = draw(st.integers(0, len(shape) - 1))
    entries = list(shape)
    entries[position] = (first_source, axis)
    return tuple(entries), [source]


@st.composite
def param_spec(draw, shape, dtype):
    """A parameter that broadcasts to `shape` (a suffix of it, some axes 1), or sometimes one that does not."""
    if draw(st.integers(0, 7)) == 0:
        return spec(draw(shapes(0, 4)), dtype)
    suffix = shape[len(shape) - draw(st.integers(0, len(shape))):]
    return spec(tuple(d if draw(st.booleans()) else 1 for d in suffix), dtype)


def sized_draw_case(kind: str, n_params: int, extra: dict):
    @st.composite
    def case(draw):
        seed, bad_seed = draw(seed_spec())
        shape_attr, sources = draw(sized_shape(1 + n_params))
        concrete = tuple(d if isinstance(d, int) else sources[0].shape[d[1]] for d in shape_attr)
        right, wrong = (FLOATS, INTS) if kind == "float" else (INTS, FLOATS)
        wrong_dtype = draw(st.integers(0, 9)) == 0
        dtype = draw(st.sampled_from(wrong if wrong_dtype else right))
        params = [draw(param_spec(concrete, draw(st.sampled_from(["float32", "int32"])))) for _ in range(n_params)]
        attrs = {"shape": shape_attr, "dtype": dtype}
        attrs.update({k: draw(st.sampled_from(values)) for k, values in extra.items()})
        return OpCase([seed, *params, *sources], attrs, must_refuse=bad_seed or wrong_dtype)
    return case()


SIZED_EXTRA = {  # attribute values to draw per sized op (randint's bounds must keep minval < maxval)
    "seeded_uniform": {"minval": [0.0, -2.0], "maxval": [1.0, 3.5]},
    "seeded_normal": {"mean": [0.0, 1.5], "stddev": [1.0, 0.25]},
    "seeded_truncated_normal": {"mean": [0.0, -1.0], "stddev": [1.0, 2.0]},
    "seeded_randint": {"minval": [0, -3], "maxval": [5, 100]},
}
for _name, (_kind, _n_params, _defaults, _sample) in SIZED_DRAWS.items():
    register_op_cases(_name, sized_draw_case(_kind, _n_params, SIZED_EXTRA.get(_name, {})), "random")


@st.composite
def seed_advance_case(draw):
    seed, bad_seed = draw(seed_spec())
    ties = draw(st.lists(specs(0, 3), max_size=2))
    return OpCase([seed, *ties], {"ordered": draw(st.booleans())}, must_refuse=bad_seed)


@st.composite
def categorical_case(draw):
    seed, bad_seed = draw(seed_spec())
    rank = draw(st.sampled_from([2, 2, 2, 1, 3]))
    logits = spec(draw(shapes(rank, rank)), draw(st.sampled_from(["float32", "float16"])))
    attrs = {"num_samples": draw(st.integers(0, 4)), "dtype": draw(st.sampled_from(["int32", "float32"]))}
    return OpCase([seed, logits], attrs, must_refuse=bad_seed or rank != 2)


@st.composite
def dropout_case(draw):
    seed, bad_seed = draw(seed_spec())
    x = draw(specs(0, 3, dtypes=st.sampled_from(["float32", "float32", "float16", "int32"])))
    noise_shape = None
    if x.shape and draw(st.booleans()):
        noise_shape = tuple(draw(st.sampled_from([None, 1, d])) for d in x.shape)
    rate = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0, 1.5]))
    refuse = bad_seed or x.dtype == "int32" or rate > 1
    return OpCase([seed, x], {"rate": rate, "noise_shape": noise_shape}, must_refuse=refuse)


@st.composite
def shuffle_case(draw):
    seed, bad_seed = draw(seed_spec())
    x = draw(specs(0, 3))
    axis = draw(axis_for(len(x.shape), extra=1))
    return OpCase([seed, x], {"axis": axis}, must_refuse=bad_seed)


register_op_cases("seed_advance", seed_advance_case(), "random")
register_op_cases("seeded_categorical", categorical_case(), "random")
register_op_cases("seeded_dropout", dropout_case(), "random")
register_op_cases("seeded_shuffle", shuffle_case(), "random")
