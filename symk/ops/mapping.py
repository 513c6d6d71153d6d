"""Mapping a function over a leading axis, as graph regions: map (lax.map), vectorized_map (jax.vmap), vectorize.

    squares = ops.map(lambda x: x * x, xs)              # one x at a time, sequentially
    norms = ops.vectorized_map(lambda r: ops.sum(r * r), rows)   # all at once (vmap)
    f = ops.vectorize(lambda a, b: a + b, signature="(n),(n)->(n)")
"""
from __future__ import annotations

import re

import jax
import jax.numpy as jnp
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes
from .api import keras_export
from .body import trace
from .registry import MULTI_OUTPUT, def_op
from .regions import REGION_FLAGS, building_graph, check_matching, region, split, symbolic_leaves


def _leading_size(specs, what: str):
    if not specs:
        raise RuleViolation(f"{what} needs at least one input to map over", "pass a tensor with a leading axis")
    if any(s.shape.rank == 0 for s in specs):
        raise RuleViolation(f"{what}: every input must have a leading axis to map over", "stack the inputs on axis 0")
    sizes = {s.shape[0] for s in specs if s.shape[0] is not None}
    if len(sizes) > 1:
        raise RuleViolation(f"{what}: the inputs' leading axes differ ({sorted(sizes)})", "give them one size")
    return sizes.pop() if sizes else None


def mapped_rule(specs, attrs):
    elems = specs[:attrs.num_elems]
    size = _leading_size(elems, attrs.kind)
    check_matching([TensorSpec.of(tuple(s.shape)[1:], s.dtype) for s in elems],
                   attrs.body.input_specs[:attrs.body.num_args], f"{attrs.kind}: the function's arguments", "")
    return tuple(TensorSpec.of((size, *s.shape), s.dtype) for s in attrs.body.output_specs)


def _mapped(*values, body, num_elems, kind, rng, training):
    elems, captured = split(values, [num_elems, body.num_captures])
    if kind == "vectorized_map":
        return tuple(jax.vmap(lambda *e: tuple(body.run([*e, *captured], rng, training)))(*elems))
    size = elems[0].shape[0]

    def one(inputs):
        i, e = inputs
        return tuple(body.run([*e, *captured], jax.random.fold_in(rng, i), training))

    return tuple(lax.map(one, (jnp.arange(size), tuple(elems))))


def_op("map_region", mapped_rule, _mapped, attrs=dict(body=None, num_elems=0, kind="map"), inputs=None,
       **REGION_FLAGS, doc="f over the leading axis: lax.map (kind 'map') or jax.vmap (kind 'vectorized_map').")
MULTI_OUTPUT.add("map_region")


def _map_region(kind: str, fn, elements):
    flat, tree = symbolic_leaves(elements)
    slices = [TensorSpec.of(tuple(t.shape)[1:], t.dtype) for t in flat]
    body, captured = trace(lambda *e: fn(jax.tree_util.tree_unflatten(tree, list(e))), slices, f"{kind}_fn")
    return region("map_region", [*flat, *captured], body.out_tree, body=body, num_elems=len(flat), kind=kind)


@keras_export("core")
def map(f, xs):
    """`f` applied to each slice of `xs` along axis 0, one after the other; results stacked."""
    if not building_graph(xs):
        return lax.map(f, xs)
    return _map_region("map", f, xs)


@keras_export("core")
def vectorized_map(function, elements):
    """`function` over the leading axis of `elements`, vectorized (jax.vmap); results stacked."""
    if not building_graph(elements):
        return jax.vmap(function)(elements)
    return _map_region("vectorized_map", function, elements)


# -- vectorize -------------------------------------------------------------------------------
_CORE = re.compile(r"\(([^()]*)\)")


def parse_signature(signature):
    """'(m,n),(n)->(m)' -> ([('m','n'), ('n',)], [('m',)])."""
    if signature is None:
        return None
    try:
        ins, outs = signature.replace(" ", "").split("->")
    except ValueError:
        raise ValueError(f"vectorize: signature {signature!r} is not of the form '(n),(n)->()'") from None
    dims = lambda side: [tuple(d for d in group.split(",") if d) for group in _CORE.findall(side)]  # noqa: E731
    return dims(ins), dims(outs)


def vectorize_rule(specs, attrs):
    args = specs[:attrs.body.num_args]
    core = parse_signature(attrs.signature)
    core_in = core[0] if core else [()] * len(args)
    if len(core_in) != len(args):
        raise RuleViolation(f"vectorize: the signature {attrs.signature!r} names {len(core_in)} inputs, got {len(args)}",
                            "call the function with as many tensors as the signature lists")
    loops = []
    for spec, dims in zip(args, core_in):
        if spec.shape.rank < len(dims):
            raise RuleViolation(f"vectorize: an input of shape {tuple(spec.shape)} has fewer axes than its core "
                                f"dimensions {dims}", "check the signature")
        loops.append(tuple(spec.shape)[:spec.shape.rank - len(dims)])
    loop_shape = tuple(broadcast_shapes(*loops)) if loops else ()
    return tuple(TensorSpec.of(loop_shape + tuple(s.shape), s.dtype) for s in attrs.body.output_specs)


def _vectorize(*values, body, signature, rng, training):
    args, captured = split(values, [body.num_args, body.num_captures])

    def core(*xs):
        outs = body.run([*xs, *captured], rng, training)
        return outs[0] if len(outs) == 1 else tuple(outs)

    # explicit broadcasting of the loop axes (symk never promotes ranks implicitly)
    parsed = parse_signature(signature)
    cores = [len(d) for d in parsed[0]] if parsed else [0] * len(args)
    loop_rank = max(a.ndim - c for a, c in zip(args, cores))
    args = [jnp.reshape(a, (1,) * (loop_rank - a.ndim + c) + a.shape) for a, c in zip(args, cores)]
    out = jnp.vectorize(core, signature=signature)(*args)
    return out if isinstance(out, tuple) else (out,)


def_op("vectorize", vectorize_rule, _vectorize, attrs=dict(body=None, signature=None), inputs=None, **REGION_FLAGS,
       doc="jnp.vectorize of a traced function over broadcast loop dimensions.")
MULTI_OUTPUT.add("vectorize")


@keras_export("numpy")
def vectorize(pyfunc, *, excluded=None, signature=None):
    """A function that maps `pyfunc` over the leading (loop) axes of its tensor arguments, as numpy.vectorize."""
    excluded = set(excluded or ())

    def vectorized(*args, **kwargs):
        if excluded or kwargs:
            fixed = {i: a for i, a in enumerate(args) if i in excluded}
            tensors = [a for i, a in enumerate(args) if i not in excluded]

            def fn(*ts):
                it = iter(ts)
                return pyfunc(*[fixed[i] if i in fixed else next(it) for i in range(len(args))], **kwargs)
        else:
            tensors, fn = list(args), pyfunc
        if not building_graph(tensors):
            return jnp.vectorize(fn, signature=signature)(*tensors)
        flat = [symbolic_leaves(t)[0][0] for t in tensors]
        core = parse_signature(signature)
        core_in = core[0] if core else [()] * len(flat)
        if len(core_in) != len(flat):
            raise ValueError(f"vectorize: the signature {signature!r} names {len(core_in)} inputs, got {len(flat)}")
        specs = [TensorSpec.of(tuple(t.shape)[t.shape.rank - len(d):] if d else (), t.dtype)
                 for t, d in zip(flat, core_in)]
        body, captured = trace(fn, specs, "vectorize_fn")
        return region("vectorize", [*flat, *captured], body.out_tree, body=body, signature=signature)

    vectorized.__name__ = getattr(pyfunc, "__name__", "vectorized")
    vectorized.__doc__ = pyfunc.__doc__
    return vectorized
