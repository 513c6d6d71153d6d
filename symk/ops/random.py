"""Random and training-dependent ops.

Layers' noise ops (dropout, random_normal, ...) are `random`: codegen folds the node id into the step's key,
so the same seed gives the same masks. symk.random's ops (seeded_*) instead take their key as the first
input, a SeedGenerator's state, whose advance (seed_advance) is recorded as a state update."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .elementwise import result_dtype, unary_rule
from .registry import def_op


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return x.shape
    return tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))


def dropout_rule(specs, attrs):
    if not 0 <= attrs.rate < 1:
        raise RuleViolation(f"dropout rate must be in [0, 1), got {attrs.rate}", "pass a fraction such as 0.5")
    if attrs.noise_shape is not None and len(attrs.noise_shape) != len(specs[0].shape):
        raise RuleViolation(f"noise_shape {attrs.noise_shape} must have the input's rank {len(specs[0].shape)}",
                            "give one entry per axis (None keeps the input's size)")
    return specs[0]


def _dropout(x, rate, noise_shape, rng, training):
    if not training or rate == 0:
        return x
    keep = jax.random.bernoulli(rng, 1.0 - rate, _noise_shape(x, noise_shape))
    return jnp.where(keep, x / (1.0 - rate), jnp.zeros_like(x))


def_op("dropout", dropout_rule, _dropout, attrs=dict(rate=0.5, noise_shape=None), random=True,
       training_dependent=True, foldable=False, doc="Inverted dropout; identity when not training.")


def training_select_rule(specs, attrs):
    a, b = specs
    if len(a.shape) != len(b.shape) or any(x is not None and y is not None and x != y for x, y in zip(a.shape, b.shape)):
        raise RuleViolation("both branches must have the same shape", "make the training and inference results agree")
    merged = tuple(x if x is not None else y for x, y in zip(a.shape, b.shape))
    return TensorSpec.of(merged, result_dtype(specs))


def _training_select(a, b, training):
    # both branches share the promoted dtype, whichever runs (the rule promises one dtype)
    return (a if training else b).astype(jnp.result_type(a, b))


def_op("training_select", training_select_rule, _training_select, inputs=2,
       training_dependent=True, foldable=False,
       doc="The first input in training, the second in inference (noise layers, batch-norm).")


def sized_rule(specs, attrs):
    if any(d is None or d < 0 for d in attrs.shape):
        raise RuleViolation(f"random ops need a fully known shape, got {attrs.shape}", "use the *_like ops for batch-sized noise")
    return TensorSpec.of(attrs.shape, attrs.dtype)


def_op("random_uniform", sized_rule,
       lambda shape, minval, maxval, dtype, seed, rng: jax.random.uniform(
           jax.random.PRNGKey(seed) if seed is not None else rng, shape, dtype, minval, maxval),
       attrs=dict(shape=(), minval=0.0, maxval=1.0, dtype="float32", seed=None), inputs=0, random=True, foldable=False)
def_op("random_normal", sized_rule,
       lambda shape, mean, stddev, dtype, seed, rng: mean + stddev * jax.random.normal(
           jax.random.PRNGKey(seed) if seed is not None else rng, shape, dtype),
       attrs=dict(shape=(), mean=0.0, stddev=1.0, dtype="float32", seed=None), inputs=0, random=True, foldable=False)
def_op("random_normal_like", unary_rule,
       lambda x, mean, stddev, rng: mean + stddev * jax.random.normal(rng, x.shape, x.dtype),
       attrs=dict(mean=0.0, stddev=1.0), random=True, foldable=False)
def_op("random_uniform_like", unary_rule,
       lambda x, minval, maxval, rng: jax.random.uniform(rng, x.shape, x.dtype, minval, maxval),
       attrs=dict(minval=0.0, maxval=1.0), random=True, foldable=False)


# -- draws from an explicit seed (symk.random, Keras's keras.random) ---------------------
# The seed is the first input: a uint32 tensor of shape (2,), the state of a symk.random.SeedGenerator
# ([seed, counter], as Keras keeps it on JAX), used as the draw's jax key. A draw is a pure function of its
# seed, so these ops take no `rng`; they are never folded (a large random array is no constant to store).
SEED_HINT = "pass an int seed, a symk.random.SeedGenerator, or jax.random.key_data(key)"


def check_seed(spec) -> None:
    if tuple(spec.shape) != (2,) or spec.dtype != "uint32":
        raise RuleViolation(f"the seed must be a uint32 tensor of shape (2,); got {spec.dtype} {tuple(spec.shape)}",
                            SEED_HINT)


def resolve_shape(shape, inputs) -> tuple:
    """A draw's shape: its entries are ints, or (input position, axis) pairs for a dimension of an input that
    is known only at run time (`ops.shape(x)` of a batch). Works on specs (rule) and arrays (lowering)."""
    return tuple(d if isinstance(d, int) else inputs[d[0]].shape[d[1]] for d in shape)


def _checked_shape(specs, shape) -> tuple:
    for d in shape:
        if isinstance(d, int):
            if d < 0:
                raise RuleViolation(f"a random shape needs sizes >= 0, got {tuple(shape)}", "use non-negative sizes")
        elif not (isinstance(d, tuple) and len(d) == 2 and 0 < d[0] < len(specs)
                  and -len(specs[d[0]].shape) <= d[1] < len(specs[d[0]].shape)):
            raise RuleViolation(f"shape entry {d!r} must be an int or an (input, axis) pair naming an input's axis",
                                "give the shape as ints, or as dimensions of ops.shape(x)")
    return resolve_shape(shape, specs)


def _dtype_kind(dtype: str, kind: str, distribution: str) -> None:
    is_float = jnp.issubdtype(jnp.dtype(dtype), jnp.floating)
    is_int = jnp.issubdtype(jnp.dtype(dtype), jnp.integer)
    if (kind == "float" and not is_float) or (kind == "int" and not is_int):
        wanted = "a floating point" if kind == "float" else "an integer"
        raise RuleViolation(f"{distribution} draws need {wanted} dtype, got {dtype}",
                            "pass dtype='float32'" if kind == "float" else "pass dtype='int32'")


def _fits_shape(param, shape) -> bool:
    """`param` broadcasts to `shape` without enlarging it (jax.random's rule for alpha, counts, ...)."""
    if len(param.shape) > len(shape):
        return False
    return all(p in (1, s) or s is None or p is None for p, s in zip(param.shape[::-1], shape[::-1]))


def sized_draw_rule(distribution: str, kind: str, n_params: int):
    """Rule of a draw of `attrs.shape`: seed, then `n_params` distribution parameters (broadcast to the shape),
    then the inputs that run-time dimensions of the shape come from."""
    def rule(specs, attrs):
        if len(specs) < 1 + n_params:
            raise RuleViolation(f"{distribution} takes a seed and {n_params} parameter input(s), got "
                                f"{len(specs)} input(s)", "pass the seed first, then the parameters")
        check_seed(specs[0])
        shape = _checked_shape(specs, attrs.shape)
        _dtype_kind(attrs.dtype, kind, distribution)
        for param in specs[1:1 + n_params]:
            if not _fits_shape(param, shape):
                raise RuleViolation(f"a distribution parameter of shape {tuple(param.shape)} does not broadcast "
                                    f"to the draw's shape {shape}", "give scalars, or arrays that broadcast to shape")
        return TensorSpec.of(shape, attrs.dtype)
    return rule


def _draw(sample, n_params: int):
    """A lowering over (seed, *params, *dimension sources): `sample(seed, params, shape, dtype, **attrs)`."""
    def lower(seed, *rest, shape, dtype, **attrs):
        # parameters in the draw's dtype: jax refuses float32 parameters for a float16 draw
        params = [p.astype(dtype) for p in rest[:n_params]]
        return sample(seed, params, resolve_shape(shape, (seed,) + rest), jnp.dtype(dtype), **attrs)
    return lower


SIZED_DRAWS = {  # name: (dtype kind, parameter inputs, extra attrs, sample)
    "seeded_uniform": ("float", 0, dict(minval=0.0, maxval=1.0), lambda seed, _, shape, dtype, minval, maxval:
                       jax.random.uniform(seed, shape, dtype, minval, maxval)),
    "seeded_normal": ("float", 0, dict(mean=0.0, stddev=1.0), lambda seed, _, shape, dtype, mean, stddev:
                      jax.random.normal(seed, shape, dtype) * stddev + mean),
    # Keras redraws values beyond two standard deviations
    "seeded_truncated_normal": ("float", 0, dict(mean=0.0, stddev=1.0), lambda seed, _, shape, dtype, mean, stddev:
                                jax.random.truncated_normal(seed, -2.0, 2.0, shape, dtype) * stddev + mean),
    "seeded_randint": ("int", 0, dict(minval=0, maxval=1), lambda seed, _, shape, dtype, minval, maxval:
                       jax.random.randint(seed, shape, minval, maxval, dtype)),
    "seeded_gamma": ("float", 1, {}, lambda seed, p, shape, dtype: jax.random.gamma(seed, p[0], shape, dtype)),
    "seeded_beta": ("float", 2, {}, lambda seed, p, shape, dtype: jax.random.beta(seed, p[0], p[1], shape, dtype)),
    "seeded_binomial": ("float", 2, {}, lambda seed, p, shape, dtype:
                        jax.random.binomial(seed, p[0], p[1], shape, dtype)),
}
for _name, (_kind, _n_params, _extra, _sample) in SIZED_DRAWS.items():
    _distribution = _name[len("seeded_"):]
    def_op(_name, sized_draw_rule(_distribution, _kind, _n_params), _draw(_sample, _n_params), inputs=None,
           foldable=False, attrs=dict(shape=(), dtype="float32" if _kind == "float" else "int32", **_extra),
           doc=f"{_distribution} samples of `shape` drawn with the key in the seed input; inputs: the seed, "
               f"{_n_params} parameter(s), then the inputs that run-time sizes of `shape` come from.")


def seed_advance_rule(specs, attrs):
    if not specs:
        raise RuleViolation("seed_advance takes the state to advance", "pass a SeedGenerator's state")
    check_seed(specs[0])
    return specs[0]


def advance_seed_state(state, ordered=True):
    """A SeedGenerator's next state, for numpy arrays (eager draws: no jax op, so none is traced inside a
    user's jax.jit) and jax arrays (the op's lowering) alike."""
    if ordered:
        return state + np.array([0, 1], np.uint32)
    # Keras's unordered sequence (its global generator's): near-unique values below 933199
    return (state + np.uint32(1)) * np.uint32(5387) % np.uint32(933199)


# NOTE: not foldable: weight folding would compute the advance once on the host and freeze the state.
# Inputs after the state are not read: they tie a recorded update to the tensors of its draw
# (symk/random/seed_generator.py says why).
def_op("seed_advance", seed_advance_rule, lambda state, *ties, ordered: advance_seed_state(state, ordered),
       attrs=dict(ordered=True), inputs=None, foldable=False,
       doc="A SeedGenerator's next state: [seed, counter + 1] (ordered) or Keras's unordered step.")


def seeded_categorical_rule(specs, attrs):
    check_seed(specs[0])
    logits = specs[1]
    if len(logits.shape) != 2:
        raise RuleViolation(f"logits must be 2-D (batch_size, num_classes), got shape {tuple(logits.shape)}",
                            "reshape the logits to (batch_size, num_classes)")
    if not isinstance(attrs.num_samples, int) or attrs.num_samples < 0:
        raise RuleViolation(f"num_samples must be an int >= 0, got {attrs.num_samples!r}", "pass e.g. num_samples=1")
    return TensorSpec.of((logits.shape[0], attrs.num_samples), attrs.dtype)


def _seeded_categorical(seed, logits, num_samples, dtype):
    # a trailing unit axis makes every one of the num_samples columns an independent draw from its row
    samples = jax.random.categorical(seed, logits[..., None], axis=1, shape=(logits.shape[0], num_samples))
    return samples.astype(dtype)


def_op("seeded_categorical", seeded_categorical_rule, _seeded_categorical, inputs=2, foldable=False,
       attrs=dict(num_samples=1, dtype="int32"), doc="Class indices drawn from each row of 2-D logits.")


def seeded_dropout_rule(specs, attrs):
    check_seed(specs[0])
    x = specs[1]
    if not jnp.issubdtype(jnp.dtype(x.dtype), jnp.floating):
        raise RuleViolation(f"dropout needs floating point inputs, got {x.dtype}", "cast the inputs to float32")
    if not 0 <= attrs.rate <= 1:
        raise RuleViolation(f"dropout rate must be in [0, 1], got {attrs.rate}", "pass a fraction such as 0.5")
    noise = attrs.noise_shape
    if noise is not None:
        if len(noise) != len(x.shape) or not all(
                n is None or d is None or n in (1, d) for n, d in zip(noise, x.shape)):
            raise RuleViolation(f"noise_shape {tuple(noise)} must have one entry per input axis, each None, 1 or "
                                f"the input's size (input shape {tuple(x.shape)})",
                                "use None to keep an axis, 1 to share the mask along it")
    return x


def _seeded_dropout(seed, x, rate, noise_shape):
    if rate == 1:
        return jnp.zeros_like(x)
    if rate == 0:
        return x
    keep = jax.random.bernoulli(seed, 1.0 - rate, _noise_shape(x, noise_shape))
    return jax.lax.select(jnp.broadcast_to(keep, x.shape), x / (1.0 - rate), jnp.zeros_like(x))


def_op("seeded_dropout", seeded_dropout_rule, _seeded_dropout, inputs=2, foldable=False,
       attrs=dict(rate=0.5, noise_shape=None),
       doc="Zeroes a `rate` fraction of the entries and scales the rest by 1 / (1 - rate), whatever the phase.")


def seeded_shuffle_rule(specs, attrs):
    check_seed(specs[0])
    x = specs[1]
    if not -len(x.shape) <= attrs.axis < len(x.shape):
        raise RuleViolation(f"axis {attrs.axis} is out of range for an input of rank {len(x.shape)}",
                            "shuffle a tensor of rank >= 1 along one of its axes")
    return x


# Keras on JAX permutes every line along `axis` on its own (jax's independent=True)
def_op("seeded_shuffle", seeded_shuffle_rule,
       lambda seed, x, axis: jax.random.permutation(seed, x, axis, independent=True), inputs=2, foldable=False,
       attrs=dict(axis=0), doc="Each line of x along `axis` permuted at random.")
