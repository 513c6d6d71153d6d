"""Hypothesis cases for the ops of the "layers-misc" work: `after` (symk/ops/sequencing.py), the data
dependency SpectralNormalization ties its vector_u update with (any shapes and dtypes: the value passes
through unchanged whatever the anchor is), and `jax_function` / `jax_function_random`
(symk/ops/jax_function.py), the nodes JaxLayer emits."""
import jax
import jax.numpy as jnp
from hypothesis import strategies as st

from symk.testing import OpCase, register_op_cases, spec, specs


@st.composite
def after_case(draw):
    value = draw(specs(min_rank=0, max_rank=3, dtypes=st.sampled_from(["float32", "int32", "bool"])))
    anchor = draw(specs(min_rank=0, max_rank=3, dtypes=st.sampled_from(["float32", "int32"])))
    return OpCase([value, anchor], {})


register_op_cases("after", after_case(), "layers_misc")


# jax_function / jax_function_random: a few fixed JAX functions (module-level, so attributes hash the same
# across draws) over drawn shapes; a matmul whose inner sizes disagree must be refused by the rule.
def _tanh_and_sum(arrays, training, rng):
    return jnp.tanh(arrays[0]), jnp.sum(arrays[0], axis=-1)


def _matmul(arrays, training, rng):
    return (arrays[0] @ arrays[1],)


def _noisy(arrays, training, rng):
    noise = jax.random.normal(rng, arrays[0].shape, arrays[0].dtype) if training else 0.0
    return (arrays[0] + noise,)


@st.composite
def jax_function_case(draw):
    if draw(st.booleans()):
        x = draw(specs(min_rank=1, max_rank=3, dtypes=st.just("float32")))
        return OpCase([x], {"fn": _tanh_and_sum, "label": "tanh_and_sum"})
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    wrong = draw(st.integers(0, 5)) == 0
    return OpCase([spec((n, k)), spec((k + wrong, m))], {"fn": _matmul, "label": "matmul"}, must_refuse=wrong)


@st.composite
def jax_function_random_case(draw):
    x = draw(specs(min_rank=1, max_rank=3, dtypes=st.just("float32")))
    return OpCase([x], {"fn": _noisy, "label": "noisy", "trace_training": draw(st.booleans())})


register_op_cases("jax_function", jax_function_case(), "layers_misc")
register_op_cases("jax_function_random", jax_function_random_case(), "layers_misc")
