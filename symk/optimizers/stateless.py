"""Optimizer.stateless_apply: one update on lists of values (Keras 3's JAX-style API), with no
Variable written, so it runs inside a user's jax.jit / jax.grad code.

    trainable_values, optimizer_values = optimizer.stateless_apply(optimizer_values, grads, trainable_values)

`optimizer_values` follow `optimizer.variables` (Keras's order), `trainable_values` and `grads`
the list the optimizer was built with. The values become the trainer's state dict (the same
one fit's jitted step carries: symk.optimizers.slots), the rule runs (`_apply`), and the new
state goes back to lists in the same orders.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp


def _positions(optimizer, params: dict) -> tuple:
    """(state template, [index into optimizer.variables or None per state leaf], treedef).

    The state the trainer builds from the Variables holds each Variable's own array, so a leaf is
    matched to its Variable by identity; the learning rate under a schedule has no place in
    `variables` (None: its current value is used)."""
    state = optimizer._state_from_variables(params)
    index = {id(v.device_value()): i for i, v in enumerate(optimizer.variables)}
    leaves, treedef = jax.tree_util.tree_flatten(state)
    where = [index.get(id(leaf)) for leaf in leaves]
    return leaves, where, treedef


def stateless_apply(optimizer, optimizer_variables, grads, trainable_variables):
    name = type(optimizer).__name__
    if not optimizer.built:
        raise ValueError(f"{name}.stateless_apply: the optimizer is not built. Call optimizer.build(trainable_variables) "
                         "first (with the model's trainable Variables), so its slot variables exist.")
    paths = list(optimizer._var_paths)
    trainable_variables, grads = list(trainable_variables), list(grads)
    optimizer_variables = list(optimizer_variables)
    if len(trainable_variables) != len(paths) or len(grads) != len(paths):
        raise ValueError(f"{name}.stateless_apply: `trainable_variables` and `grads` must correspond 1:1 to the "
                         f"{len(paths)} variables the optimizer was built with; received {len(trainable_variables)} "
                         f"values and {len(grads)} gradients.")
    n_vars = len(optimizer.variables)
    if len(optimizer_variables) != n_vars:
        raise ValueError(f"{name}.stateless_apply: `optimizer_variables` must correspond 1:1 to optimizer.variables "
                         f"({n_vars} values); received {len(optimizer_variables)}.")
    values = [_array(v) for v in optimizer_variables]
    params = {p: _array(v) for p, v in zip(paths, trainable_variables)}
    grads = {p: jnp.asarray(_array(g), params[p].dtype) for p, g in zip(paths, grads)}
    template, where, treedef = _positions(optimizer, {p: jax.ShapeDtypeStruct(jnp.shape(v), v.dtype)
                                                      for p, v in params.items()})
    state = jax.tree_util.tree_unflatten(treedef, [leaf if i is None else values[i]
                                                   for leaf, i in zip(template, where)])
    new_params, new_state = optimizer._apply(grads, params, state)
    new_values = list(values)
    for leaf, i in zip(jax.tree_util.tree_leaves(new_state), where):
        if i is not None:
            new_values[i] = leaf
    return [new_params[p] for p in paths], new_values


def _array(value):
    """A value given as a Variable, an array or a tracer."""
    if hasattr(value, "device_value") and hasattr(value, "path"):
        return value.device_value()
    return jnp.asarray(value)
