"""The functions of Keras's keras.random: draws from the distributions, dropout and shuffle.

`seed` is an int (the same numbers every call), a SeedGenerator (new numbers every call, reproducible from
its seed), None (symk's global generator, which symk.utils.set_random_seed restarts) or a jax key. Called on
arrays outside a layer a function computes at once; inside a layer's call, or on symbolic tensors, it adds
a graph node whose seed input is the generator's state. An int seed gives Keras's own numbers: symk keeps
Keras's seed layout ([seed, counter], the draw's jax key).

    symk.random.normal((2, 3), seed=7)
    symk.random.dropout(x, 0.5, seed=symk.random.SeedGenerator(1))
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..graph import SymbolicTensor, current_frame
from ..ops.dynamic_shape import dim_source
from ..ops.registry import apply, constant, is_symbolic
from .seed_generator import seed_input

__all__ = ["beta", "binomial", "categorical", "dropout", "gamma", "normal", "randint", "shuffle",
           "truncated_normal", "uniform"]


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _shape_attr(fn: str, shape, first_position: int):
    """Keras's `shape` as the op's attribute, and the tensors its run-time sizes come from.

    Ints stay ints; a size known only at run time (an entry of `symk.backend.shape(x)` / `ops.shape(x)` for
    an unknown axis) becomes (input position, axis) and `x` joins the op's inputs, from `first_position` on.
    """
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if isinstance(shape, SymbolicTensor) or not hasattr(shape, "__iter__"):
        raise TypeError(f"symk.random.{fn}: `shape` must be a tuple of ints (sizes of ops.shape(x) work too); "
                        f"got {shape!r}")
    entries, positions = [], {}   # positions: (node, output) of a source tensor -> its input position
    sources = []
    for size in shape:
        found = dim_source(size)
        if found is not None:
            source, axis = found
            key = (source.node, source.index)
            if key not in positions:
                positions[key] = first_position + len(sources)
                sources.append(source)
            entries.append((positions[key], axis))
        elif isinstance(size, SymbolicTensor):
            raise TypeError(f"symk.random.{fn}: a size computed at run time ({size.name}) cannot shape a draw; "
                            "use an int, or a size taken straight from ops.shape(x)")
        elif size is None:
            raise TypeError(f"symk.random.{fn}: `shape` {tuple(shape)} has an unknown (None) size; pass "
                            "ops.shape(x) of the tensor whose size it is, or an int")
        else:
            try:
                entries.append(int(size))
            except (TypeError, ValueError):
                raise TypeError(f"symk.random.{fn}: `shape` entries must be ints; got {size!r}") from None
    return tuple(entries), sources


def _seed_for(seed, tensors):
    """The draw's seed input; a graph node when the draw is one (inside a layer's call, or on symbolic
    tensors), so that even an int seed makes the draw a node rather than a constant made while tracing."""
    symbolic = current_frame().layer is not None or any(is_symbolic(t) for t in (seed, *tensors))
    value = seed_input(seed, symbolic, tensors)
    return constant(np.asarray(value)) if symbolic and not is_symbolic(value) else value


def _sized(fn: str, op: str, shape, params: tuple, seed, **attrs):
    shape_attr, sources = _shape_attr(fn, shape, 1 + len(params))
    return apply(op, [_seed_for(seed, (*params, *sources)), *params, *sources], shape=shape_attr, **attrs)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution: `normal((2, 3), mean=1.0, stddev=0.5, seed=7)`."""
    dtype = dtype or config.floatx()
    if _is_number(mean) and _is_number(stddev):
        return _sized("normal", "seeded_normal", shape, (), seed, mean=float(mean), stddev=float(stddev), dtype=dtype)
    # tensor parameters broadcast as in Keras's `sample * stddev + mean`
    sample = _sized("normal", "seeded_normal", shape, (), seed, dtype=dtype)
    return apply("add", [apply("multiply", [sample, stddev]), mean])


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples, redrawn where more than two standard deviations from the mean."""
    dtype = dtype or config.floatx()
    op = "seeded_truncated_normal"
    if _is_number(mean) and _is_number(stddev):
        return _sized("truncated_normal", op, shape, (), seed, mean=float(mean), stddev=float(stddev), dtype=dtype)
    sample = _sized("truncated_normal", op, shape, (), seed, dtype=dtype)
    return apply("add", [apply("multiply", [sample, stddev]), mean])


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of a uniform distribution on [minval, maxval); `dtype` must be a float type."""
    dtype = dtype or config.floatx()
    if _is_number(minval) and _is_number(maxval):
        return _sized("uniform", "seeded_uniform", shape, (), seed, minval=float(minval), maxval=float(maxval),
                      dtype=dtype)
    # tensor bounds: jax.random.uniform's own formula, on a [0, 1) draw (the same numbers it would give)
    unit = _sized("uniform", "seeded_uniform", shape, (), seed, dtype=dtype)
    scaled = apply("add", [apply("multiply", [unit, apply("subtract", [maxval, minval])]), minval])
    return apply("maximum", [minval, scaled])


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval); `dtype` must be an integer type."""
    for name, value in (("minval", minval), ("maxval", maxval)):
        if not _is_number(value):
            raise TypeError(f"symk.random.randint: `{name}` must be a Python int; got {type(value).__name__}")
    return _sized("randint", "seeded_randint", shape, (), seed, minval=int(minval), maxval=int(maxval), dtype=dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of a Gamma(alpha) distribution; `alpha` is a number or broadcasts to `shape`."""
    return _sized("gamma", "seeded_gamma", shape, (alpha,), seed, dtype=dtype or config.floatx())


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of a Beta(alpha, beta) distribution; the parameters broadcast to `shape`."""
    return _sized("beta", "seeded_beta", shape, (alpha, beta), seed, dtype=dtype or config.floatx())


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Numbers of successes in `counts` trials of probability `probabilities` (as floats, like Keras)."""
    return _sized("binomial", "seeded_binomial", shape, (counts, probabilities), seed,
                  dtype=dtype or config.floatx())


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class indices per row of 2-D `logits` (batch_size, num_classes): (batch_size, num_samples)."""
    return apply("seeded_categorical", [_seed_for(seed, (logits,)), logits], num_samples=num_samples, dtype=dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero a `rate` fraction of `inputs` and scale the rest by 1 / (1 - rate) (always: there is no phase here).

    `noise_shape` shapes the mask (None keeps an axis, 1 shares the mask along it).
    """
    if not _is_number(rate):
        raise TypeError(f"symk.random.dropout: `rate` must be a Python number; got {type(rate).__name__}")
    if rate == 0:
        return inputs  # as Keras: the inputs themselves, and the seed is not drawn
    # at rate 1 the result is zeros: Keras draws no seed then, so a generator does not advance
    seed_value = _seed_for(np.zeros(2, np.uint32) if rate == 1 else seed, (inputs,))
    return apply("seeded_dropout", [seed_value, inputs], rate=float(rate), noise_shape=noise_shape)


def shuffle(x, axis=0, seed=None):
    """`x` shuffled along `axis`; as Keras on JAX does, each line along the axis gets its own permutation."""
    return apply("seeded_shuffle", [_seed_for(seed, (x,)), x], axis=int(axis))
