"""Ops `jax_function` and `jax_function_random`: a user's JAX function as one graph node (what JaxLayer emits).

symk lowers graphs to JAX, so a JAX function needs no translation: the node's lowering calls it. `fn` takes
the node's input arrays as one flat tuple plus the run's training flag and key, and returns a flat tuple of
arrays. The shape rule asks JAX (`jax.eval_shape`) what the function returns; an unknown size (the batch) is
tried as 2 and as 3, and an output size that follows it is unknown too.

    apply("jax_function", [x, w], fn=lambda arrays, training, rng: (arrays[0] @ arrays[1],))
"""
from __future__ import annotations

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .registry import def_op

__all__ = []  # not Keras functions: JaxLayer calls them through apply()

_TRIAL_SIZES = (2, 3)  # stand-ins for unknown sizes; sizes that differ between the two trials are unknown


def _trial_structs(specs, size: int):
    import jax
    import jax.numpy as jnp

    return [jax.ShapeDtypeStruct(tuple(size if d is None else d for d in tuple(spec.shape)), jnp.dtype(spec.dtype))
            for spec in specs]


def _evaluate(specs, attrs, size: int):
    import jax

    structs = _trial_structs(specs, size)
    try:
        key = jax.random.PRNGKey(0)  # a stand-in: only shapes are computed
        outputs = jax.eval_shape(lambda *arrays: attrs.fn(arrays, attrs.trace_training, key), *structs)
    except Exception as err:  # the user's function refused these shapes: say so while the graph is built
        raise RuleViolation(f"the JAX function {attrs.label!r} fails on inputs of shapes "
                            f"{[tuple(s.shape) for s in structs]}: {type(err).__name__}: {err}",
                            "check the input shapes the function expects") from None
    if not isinstance(outputs, tuple):
        raise RuleViolation(f"the JAX function {attrs.label!r} must return a tuple of arrays",
                            "this is symk's internal calling convention; report it") from None
    return outputs


def jax_function_rule(specs, attrs):
    if attrs.fn is None or not callable(attrs.fn):
        raise RuleViolation("needs `fn`, the JAX function to call", "pass fn=<callable>")
    first, second = (_evaluate(specs, attrs, size) for size in _TRIAL_SIZES)
    out = []
    for a, b in zip(first, second):
        if len(a.shape) != len(b.shape):
            raise RuleViolation(f"the JAX function {attrs.label!r} gives outputs whose rank depends on the unknown "
                                "input sizes", "give the inputs known sizes")
        dims = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
        out.append(TensorSpec.of(dims, str(a.dtype)))
    return tuple(out)


def _lower(*arrays, fn, label, trace_training, training=False, rng=None):
    return tuple(fn(arrays, training, rng))


_ATTRS = dict(fn=None, label="jax_function", trace_training=False)
def_op("jax_function", jax_function_rule, _lower, attrs=_ATTRS, inputs=None, training_dependent=True,
       foldable=False, doc="fn(arrays, training, None): a JAX function over the node's inputs (JaxLayer)")
def_op("jax_function_random", jax_function_rule, _lower, attrs=_ATTRS, inputs=None, training_dependent=True,
       random=True, foldable=False, doc="fn(arrays, training, key): a JAX function that draws random numbers")
