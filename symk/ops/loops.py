"""Loops as graph regions: while_loop, fori_loop, scan and associative_scan (one node each, a loop in XLA).

    i, total = ops.while_loop(lambda i, t: i < 10, lambda i, t: (i + 1, t + i), (0, 0))
    final, ys = ops.scan(lambda c, xt: (c + xt, c), ops.zeros((4,)), seq)

Bodies get a fresh random key per iteration (the iteration number folded into the node's key), so
dropout inside a scan draws a new mask at each step. A while_loop with `maximum_iterations` runs as a
scan of that many guarded steps, so reverse-mode gradients flow through it (lax.while_loop has only
forward-mode ones).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .body import trace
from .registry import MULTI_OUTPUT, apply, def_op
from .regions import (REGION_FLAGS, building_graph, check_matching, region, scalar_predicate, split,
                      symbolic_leaves)


def _bool_scalar(x):
    return jnp.reshape(x, ()).astype(bool)


# -- while_loop ----------------------------------------------------------------------------
def while_rule(specs, attrs):
    carried = specs[:attrs.num_vars]
    check_matching(carried, attrs.cond_body.input_specs[:attrs.num_vars], "while_loop: cond's arguments", "")
    if len(attrs.cond_body.output_specs) != 1:
        raise RuleViolation(f"while_loop: cond must return one boolean scalar, got "
                            f"{len(attrs.cond_body.output_specs)} values", "return e.g. i < n")
    scalar_predicate(attrs.cond_body.output_specs[0], "result of while_loop's cond")
    check_matching(carried, attrs.body.output_specs, "while_loop: the body changes the loop variables",
                   "return loop variables of the shapes and dtypes they started with (cast the new values, or "
                   "give the initial values the final dtype)")
    if attrs.maximum_iterations is not None and attrs.maximum_iterations < 0:
        raise RuleViolation(f"maximum_iterations must be >= 0, got {attrs.maximum_iterations}", "pass None or a count")
    return tuple(carried)


def _while(*values, cond_body, body, num_vars, maximum_iterations, rng, training):
    carried, cond_captured, body_captured = split(values, [num_vars, cond_body.num_captures, body.num_captures])

    def keep_going(state):
        return _bool_scalar(cond_body.run(list(state) + cond_captured, rng, training)[0])

    def step(state, i):
        return tuple(body.run(list(state) + body_captured, jax.random.fold_in(rng, i), training))

    if maximum_iterations is None:
        _, final = lax.while_loop(lambda c: keep_going(c[1]), lambda c: (c[0] + 1, step(c[1], c[0])),
                                  (jnp.int32(0), tuple(carried)))
        return final

    def guarded(c, i):
        done, state = c
        go = jnp.logical_and(jnp.logical_not(done), keep_going(state))
        return (jnp.logical_not(go), lax.cond(go, lambda s: step(s, i), lambda s: s, state)), None

    (_, final), _ = lax.scan(guarded, (jnp.bool_(False), tuple(carried)), jnp.arange(maximum_iterations))
    return final


def_op("while_loop", while_rule, _while, attrs=dict(cond_body=None, body=None, num_vars=0, maximum_iterations=None),
       inputs=None, **REGION_FLAGS, doc="lax.while_loop (or a guarded scan when maximum_iterations is given).")
MULTI_OUTPUT.add("while_loop")


@keras_export("core")
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (at most `maximum_iterations` times).

    A tuple or list of loop_vars is unpacked into cond's and body's arguments, as in Keras."""
    is_tuple = isinstance(loop_vars, (tuple, list))
    packed = tuple(loop_vars) if is_tuple else (loop_vars,)
    if not building_graph(packed):
        return _eager_while(cond, body, packed, is_tuple, maximum_iterations)
    flat, tree = symbolic_leaves(packed)
    specs = [t.spec for t in flat]
    cond_body, cond_captured = trace(cond, specs, "while_cond", arg_tree=tree)

    def body_fn(*state):
        out = body(*state)
        return tuple(out) if is_tuple else (out,)

    loop_body, body_captured = trace(body_fn, specs, "while_body", arg_tree=tree)
    if loop_body.out_tree != tree:
        raise ValueError(f"while_loop: the body returns the structure {loop_body.out_tree}, but the loop variables "
                         f"are {tree}; return the loop variables in the same nesting")
    out = region("while_loop", [*flat, *cond_captured, *body_captured], tree, cond_body=cond_body, body=loop_body,
                 num_vars=len(flat), maximum_iterations=maximum_iterations)
    return tuple(out) if is_tuple else out[0]


def _eager_while(cond, body, packed, is_tuple, maximum_iterations):
    def body_fn(state):
        out = body(*state)
        return tuple(out) if is_tuple else (out,)

    if maximum_iterations is None:
        out = lax.while_loop(lambda s: cond(*s), body_fn, packed)
    else:
        out = lax.while_loop(lambda s: jnp.logical_and(cond(*s[0]), s[1] < maximum_iterations),
                             lambda s: (body_fn(s[0]), s[1] + 1), (packed, 0))[0]
    return tuple(out) if is_tuple else out[0]


# -- fori_loop -----------------------------------------------------------------------------
def fori_rule(specs, attrs):
    bounds, carried = specs[:attrs.num_bounds], specs[attrs.num_bounds:attrs.num_bounds + attrs.num_vars]
    for spec in bounds:
        scalar_predicate(spec, "bound of fori_loop")
    check_matching(carried, attrs.body.output_specs, "fori_loop: body_fun changes the loop value",
                   "return a value of the shape and dtype of init_val")
    return tuple(carried)


def _fori(*values, body, num_bounds, num_vars, lower, upper, rng, training):
    bounds, carried, captured = split(values, [num_bounds, num_vars, body.num_captures])
    if num_bounds:
        lower, upper = (jnp.reshape(b, ()).astype(jnp.int32) for b in bounds)

    def step(i, state):
        return tuple(body.run([i, *state, *captured], jax.random.fold_in(rng, i), training))

    return tuple(lax.fori_loop(lower, upper, step, tuple(carried)))


def_op("fori_loop", fori_rule, _fori,
       attrs=dict(body=None, num_bounds=0, num_vars=0, lower=0, upper=0), inputs=None, **REGION_FLAGS,
       doc="lax.fori_loop; static bounds make it a scan (reverse-mode differentiable).")
MULTI_OUTPUT.add("fori_loop")


@keras_export("core")
def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for i in [lower, upper)."""
    if not building_graph(lower, upper, init_val):
        return lax.fori_loop(lower, upper, body_fun, init_val)
    flat, tree = symbolic_leaves(init_val)
    static = isinstance(lower, int) and isinstance(upper, int)
    bounds = [] if static else list(symbolic_leaves([lower, upper])[0])
    index_spec = TensorSpec.of((), "int32")
    loop_body, captured = trace(lambda i, *state: body_fun(i, jax.tree_util.tree_unflatten(tree, list(state))),
                                [index_spec] + [t.spec for t in flat], "fori_body")
    if loop_body.out_tree != tree:
        raise ValueError(f"fori_loop: body_fun returns the structure {loop_body.out_tree}, but init_val is {tree}")
    return region("fori_loop", [*bounds, *flat, *captured], tree, body=loop_body, num_bounds=len(bounds),
                  num_vars=len(flat), lower=lower if static else 0, upper=upper if static else 0)


# -- scan ----------------------------------------------------------------------------------
def scan_rule(specs, attrs):
    carried, xs = specs[:attrs.num_carry], specs[attrs.num_carry:attrs.num_carry + attrs.num_xs]
    lengths = {s.shape[0] for s in xs if s.shape.rank and s.shape[0] is not None}
    if any(s.shape.rank == 0 for s in xs):
        raise RuleViolation("scan: every xs must have a leading axis to scan over", "stack the sequence on axis 0")
    if attrs.length is not None:
        lengths.add(attrs.length)
    if len(lengths) > 1:
        raise RuleViolation(f"scan: xs and length disagree on the number of steps ({sorted(lengths)})",
                            "give every xs the same leading size, equal to length")
    if not xs and attrs.length is None:
        raise RuleViolation("scan: without xs, the number of steps must be given", "pass length=")
    outs = attrs.body.output_specs
    check_matching(carried, outs[:attrs.num_carry], "scan: f changes the carry",
                   "return a carry of the shapes and dtypes of init (cast the new value, or start from that dtype)")
    steps = lengths.pop() if lengths else None
    stacked = tuple(TensorSpec.of((steps, *s.shape), s.dtype) for s in outs[attrs.num_carry:])
    return tuple(carried) + stacked


def _scan(*values, body, num_carry, num_xs, length, reverse, unroll, rng, training):
    carried, xs, captured = split(values, [num_carry, num_xs, body.num_captures])
    steps = length if length is not None else xs[0].shape[0]

    def step(carry, inputs):
        i, x = inputs
        outs = body.run([*carry, *x, *captured], jax.random.fold_in(rng, i), training)
        return tuple(outs[:num_carry]), tuple(outs[num_carry:])

    final, ys = lax.scan(step, tuple(carried), (jnp.arange(steps), tuple(xs)), length=steps, reverse=reverse,
                         unroll=unroll)
    return tuple(final) + tuple(ys)


def_op("scan", scan_rule, _scan, attrs=dict(body=None, num_carry=0, num_xs=0, length=None, reverse=False, unroll=1),
       inputs=None, **REGION_FLAGS, doc="lax.scan: f(carry, x) -> (carry, y) over the leading axis of xs.")
MULTI_OUTPUT.add("scan")


@keras_export("core")
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Keras's scan: returns (final carry, stacked ys)."""
    if not building_graph(init, xs):
        return lax.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)
    carry_flat, carry_tree = symbolic_leaves(init)
    xs_flat, xs_tree = symbolic_leaves(xs)
    slice_specs = [TensorSpec.of(tuple(t.shape)[1:], t.dtype) for t in xs_flat]

    def body_fn(*flat):
        carry = jax.tree_util.tree_unflatten(carry_tree, list(flat[:len(carry_flat)]))
        x = jax.tree_util.tree_unflatten(xs_tree, list(flat[len(carry_flat):]))
        new_carry, y = f(carry, x)
        return (new_carry, y)

    body, captured = trace(body_fn, [t.spec for t in carry_flat] + slice_specs, "scan_body")
    carry_out_tree, y_tree = body.out_tree.children()
    if carry_out_tree != carry_tree:
        raise ValueError(f"scan: f returns a carry with structure {carry_out_tree}, but init is {carry_tree}")
    outs = apply("scan", [*carry_flat, *xs_flat, *captured], body=body, num_carry=len(carry_flat),
                 num_xs=len(xs_flat), length=length, reverse=bool(reverse), unroll=unroll)
    final = jax.tree_util.tree_unflatten(carry_tree, list(outs[:len(carry_flat)]))
    return final, jax.tree_util.tree_unflatten(y_tree, list(outs[len(carry_flat):]))


# -- associative_scan ------------------------------------------------------------------------
def associative_rule(specs, attrs):
    elems = specs[:attrs.num_elems]
    for s in elems:
        if s.shape.rank == 0 or not -s.shape.rank <= attrs.axis < s.shape.rank:
            raise RuleViolation(f"associative_scan: axis {attrs.axis} is not an axis of an input of shape "
                                f"{tuple(s.shape)}", "scan along an existing axis")
    check_matching(elems, attrs.body.output_specs, "associative_scan: f(a, b) does not return the structure of elems",
                   "combine a and b elementwise into values of the same shapes and dtypes")
    return tuple(elems)


def _associative(*values, body, num_elems, reverse, axis, rng, training):
    elems, captured = split(values, [num_elems, body.num_captures])

    def combine(a, b):
        return tuple(body.run([*a, *b, *captured], rng, training))

    return tuple(lax.associative_scan(combine, tuple(elems), reverse=reverse, axis=axis % elems[0].ndim))


def_op("associative_scan", associative_rule, _associative,
       attrs=dict(body=None, num_elems=0, reverse=False, axis=0), inputs=None, **REGION_FLAGS,
       doc="lax.associative_scan with a traced combining function.")
MULTI_OUTPUT.add("associative_scan")


@keras_export("core")
def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of `elems` along `axis` with the associative `f` (prefix sums when f is add)."""
    if not building_graph(elems):
        return lax.associative_scan(f, elems, reverse=reverse, axis=axis)
    flat, tree = symbolic_leaves(elems)
    # the combining function sees slices of any length along `axis`: trace it with that size unknown
    specs = [TensorSpec.of([None if i == axis % t.shape.rank else d for i, d in enumerate(t.shape)], t.dtype)
             for t in flat]

    def body_fn(*both):
        a = jax.tree_util.tree_unflatten(tree, list(both[:len(flat)]))
        b = jax.tree_util.tree_unflatten(tree, list(both[len(flat):]))
        return f(a, b)

    body, captured = trace(body_fn, specs + specs, "associative_scan_fn")
    if body.out_tree != tree:
        raise ValueError(f"associative_scan: f returns the structure {body.out_tree}, but elems is {tree}")
    return region("associative_scan", [*flat, *captured], tree, body=body, num_elems=len(flat), reverse=bool(reverse),
                  axis=axis)
