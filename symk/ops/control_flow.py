"""Branching as graph regions: cond and switch (loops: symk/ops/loops.py; maps: symk/ops/mapping.py).

On symbolic tensors each call adds ONE region node that owns its traced bodies (symk/ops/body.py) and
lowers to the matching `lax` primitive, so the loop is a loop inside the single XLA program. On arrays
(including jax tracers in a user's own jit/grad) the functions call `lax` directly, as Keras on JAX does.

    out = ops.cond(ops.sum(x) > 0, lambda: x * 2, lambda: x)
    branch = ops.switch(index, [lambda x: x + 1, lambda x: x * 2], x)
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ..errors import RuleViolation
from .api import keras_export
from .body import trace
from .registry import MULTI_OUTPUT, def_op
from .regions import (REGION_FLAGS, building_graph, check_matching, check_structure, merged, region, scalar_predicate,
                      split, symbolic_leaves)


# -- cond ------------------------------------------------------------------------------
def cond_rule(specs, attrs):
    scalar_predicate(specs[0], "predicate of cond")
    check_matching(attrs.true_body.output_specs, attrs.false_body.output_specs,
                   "cond: the false branch does not return what the true branch returns",
                   "make both branches return tensors of the same shapes and dtypes (cast or reshape one)")
    return merged(attrs.true_body.output_specs, attrs.false_body.output_specs)


def _cond(pred, *captured, true_body, false_body, rng, training):
    true_values, false_values = split(captured, [true_body.num_captures, false_body.num_captures])
    return tuple(lax.cond(jnp.reshape(pred, ()).astype(bool),
                          lambda: tuple(true_body.run(true_values, rng, training)),
                          lambda: tuple(false_body.run(false_values, rng, training))))


def_op("cond", cond_rule, _cond, attrs=dict(true_body=None, false_body=None), inputs=None, **REGION_FLAGS,
       doc="lax.cond over two traced branches (no operands: branches read outer values by capture).")
MULTI_OUTPUT.add("cond")


@keras_export("core")
def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`; both branches must return the same structure, shapes and dtypes."""
    if isinstance(pred, (bool, np.bool_)):
        return true_fn() if pred else false_fn()  # a Python choice: only the chosen branch exists
    if not building_graph(pred):
        return lax.cond(pred, true_fn, false_fn)
    true_body, true_captured = trace(true_fn, [], "cond_true")
    false_body, false_captured = trace(false_fn, [], "cond_false")
    check_structure(true_body.out_tree, false_body.out_tree, "cond: true_fn and false_fn")
    return region("cond", [pred, *true_captured, *false_captured], true_body.out_tree,
                  true_body=true_body, false_body=false_body)


# -- switch ------------------------------------------------------------------------------
def switch_rule(specs, attrs):
    scalar_predicate(specs[0], "index of switch")
    if "int" not in specs[0].dtype:
        raise RuleViolation(f"the index of switch must be an integer, got {specs[0].dtype}", "cast it to int32")
    operands = specs[1:1 + attrs.num_operands]
    first = attrs.branches[0].output_specs
    for i, branch in enumerate(attrs.branches):
        check_matching(branch.input_specs[:branch.num_args], operands, f"switch: branch {i}'s arguments",
                       "pass operands matching what every branch takes")
        check_matching(first, branch.output_specs, f"switch: branch {i} does not return what branch 0 returns",
                       "make every branch return tensors of the same shapes and dtypes")
    return first


def _switch(index, *values, branches, num_operands, rng, training):
    operands, *captured = split(values, [num_operands] + [b.num_captures for b in branches])
    fns = [(lambda b, c: lambda *ops: tuple(b.run(list(ops) + c, rng, training)))(b, c)
           for b, c in zip(branches, captured)]
    return tuple(lax.switch(jnp.reshape(index, ()).astype(jnp.int32), fns, *operands))


def_op("switch", switch_rule, _switch, attrs=dict(branches=(), num_operands=0), inputs=None, **REGION_FLAGS,
       doc="lax.switch: the branch at `index` (clamped into range) applied to the operands.")
MULTI_OUTPUT.add("switch")


@keras_export("core")
def switch(index, branches, *operands):
    """`branches[index](*operands)`; every branch must return the same structure, shapes and dtypes."""
    if not building_graph(index, operands):
        return lax.switch(index, branches, *operands)
    flat, tree = symbolic_leaves(list(operands))
    traced = [trace(lambda *xs, b=b: b(*xs), [t.spec for t in flat], f"switch_branch{i}", arg_tree=tree)
              for i, b in enumerate(branches)]
    bodies = tuple(body for body, _ in traced)
    for body in bodies[1:]:
        check_structure(bodies[0].out_tree, body.out_tree, "switch: the branches")
    captured = [t for _, caps in traced for t in caps]
    index = symbolic_leaves(index)[0][0]  # a Python int stays int32 (not the operands' dtype)
    return region("switch", [index, *flat, *captured], bodies[0].out_tree, branches=bodies,
                  num_operands=len(flat))
