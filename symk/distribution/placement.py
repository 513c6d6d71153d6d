"""Putting arrays where the current distribution wants them: the hooks the training loops and
weight loading call ("place this batch", "place these variables", "shardings for the step").

Every function here is a no-op without a distribution. With one, arrays become jax Arrays
with NamedShardings on the distribution's mesh; jit then compiles the step for those input
shardings and XLA's SPMD partitioner adds the collectives (the gradients' all-reduce, the
gathers of a model-parallel matmul). Nothing here reduces or communicates by hand.

In a multi-process run every process holds the same host data (same arrays, same seed, so the
same shuffles); `make_array_from_callback` has each process copy onto its own devices only the
shards they hold, so each process loads its shard of every global batch. With
auto_shard_dataset=False each process holds only its own slice instead (process_input.py).
"""
from __future__ import annotations

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

from .current import distribution
from .host_files import writes_files  # noqa: F401  (the loops ask placement whether to print)
from .process_input import (LocalBatch, LocalBatches, agree_on_steps, data_shards, feeds_local_data,  # noqa: F401
                            gathered_whole, global_batch, local_rows)


def active():
    return distribution()


# -- shardings -------------------------------------------------------------------------------------
def replicated(dist) -> NamedSharding:
    return NamedSharding(dist.device_mesh.backend_mesh, PartitionSpec())


def data_parallel_degree(dist) -> int:
    return dist.device_mesh.axis_size(dist.batch_dim_name)


def check_batch_size(dist, batch_size: int, where: str = "the batch") -> None:
    """The global batch must split evenly over the devices of the batch axis."""
    degree = data_parallel_degree(dist)
    if batch_size % degree:
        smaller, larger = (batch_size // degree) * degree, -(-batch_size // degree) * degree
        suggestion = f"{larger}" if not smaller else f"{smaller} or {larger}"
        raise ValueError(
            f"{where}: batch size {batch_size} does not divide by the {degree} devices of the distribution's "
            f"{dist.batch_dim_name!r} mesh axis ({type(dist).__name__} over {dist.device_mesh.devices.size} "
            f"device(s), mesh shape {dist.device_mesh.shape}); each device must get the same number of samples. "
            f"Pass a batch_size that is a multiple of {degree} (e.g. {suggestion}), or use a mesh whose "
            f"{dist.batch_dim_name!r} axis divides {batch_size}.")


def batch_sharding(dist, ndim: int) -> NamedSharding:
    return dist.get_data_layout([None] * max(ndim, 1)).backend_layout


def variable_sharding(dist, variable) -> NamedSharding:
    """The variable's layout as a NamedSharding, checked against its shape."""
    layout = dist.get_variable_layout(variable)
    if layout.device_mesh is None:
        layout.device_mesh = dist.device_mesh
    shape = tuple(variable.shape)
    if len(layout.axes) != len(shape):
        raise ValueError(f"variable {variable.path!r} has shape {shape} (rank {len(shape)}) but its layout "
                         f"{layout.axes} names {len(layout.axes)} axes; give one entry (a mesh axis name or None) per "
                         "axis in the LayoutMap.")
    mesh = layout.device_mesh
    for i, (size, axis) in enumerate(zip(shape, layout.axes)):
        names = axis if isinstance(axis, tuple) else (axis,)
        parts = int(np.prod([mesh.axis_size(n) for n in names if n is not None]))
        if size % parts:
            raise ValueError(f"variable {variable.path!r} of shape {shape}: its axis {i} (size {size}) cannot be "
                             f"split over the {parts} devices of mesh axis {axis!r}; choose a layout or mesh shape "
                             "that divides it, or leave that axis None.")
    return layout.backend_layout


# -- moving arrays ---------------------------------------------------------------------------------
_identity_jits: dict = {}


def put(value, sharding: NamedSharding):
    """`value` as a jax Array with `sharding` (unchanged when it already has it)."""
    if isinstance(value, jax.Array):
        if value.sharding == sharding:
            return value
        # NOTE: an equivalent but differently spelled sharding is respelled too: jit keys its
        # compilations on the sharding objects, so a mix of spellings would compile the step twice
        if not value.is_fully_addressable:  # a global array: re-laid out by XLA
            move = _identity_jits.setdefault(sharding, jax.jit(lambda a: a, out_shardings=sharding))
            return move(value)
    if jax.process_count() == 1:
        return jax.device_put(value, sharding)
    host = np.asarray(value)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def _put_tree(tree, sharding):
    return jax.tree_util.tree_map(lambda a: put(a, sharding), tree)


def place_batch(xs, ys, sws, mask):
    """One batch (lists of arrays and its mask) split along the batch axis. With each process
    feeding its own rows (process_input.py) the arrays are its local rows of the global batch."""
    dist = active()
    if dist is None:
        return xs, ys, sws, mask
    if feeds_local_data(dist):
        check_batch_size(dist, int(mask.shape[0]) * data_shards(dist),
                         f"batches of {int(mask.shape[0])} rows per process ({data_shards(dist)} processes)")
        place = lambda a: None if a is None else global_batch(dist, a, batch_sharding(dist, a.ndim))  # noqa: E731
    else:
        check_batch_size(dist, int(mask.shape[0]))
        place = lambda a: None if a is None else put(a, batch_sharding(dist, a.ndim))  # noqa: E731
    return ([place(a) for a in xs], None if ys is None else [place(a) for a in ys],
            None if sws is None else [place(a) for a in sws], place(mask))


def place_dataset(data):
    """Whole arrays (x, y, sample weights) replicated on every device: each step gathers its batch
    from them with an index table split along the batch axis, so the gathered batch is split too."""
    dist = active()
    if dist is None:
        return data
    return tuple(None if group is None else [None if a is None else put(a, replicated(dist)) for a in group]
                 for group in data)


def place_plan(plan):
    """An epoch's (steps, batch_size) index table and mask, split along their batch columns."""
    dist = active()
    if dist is None:
        return plan
    batch_size = int(plan.order.shape[1])
    check_batch_size(dist, batch_size, f"fit/evaluate with batch_size={batch_size}")
    columns = NamedSharding(dist.device_mesh.backend_mesh, PartitionSpec(None, dist.batch_dim_name))
    plan.order, plan.mask = put(plan.order, columns), put(plan.mask, columns)
    return plan


def place_index(index):
    """A custom step's batch index (sample numbers) split along the batch axis."""
    dist = active()
    if dist is None:
        return index
    check_batch_size(dist, int(np.shape(index)[0]))
    return put(np.asarray(index), batch_sharding(dist, 1))


def place_tree_replicated(tree):
    dist = active()
    return tree if dist is None else _put_tree(tree, replicated(dist))


def place_variable_value(variable, value):
    """A variable's new value (from a file, set_weights) laid out as the distribution says."""
    dist = active()
    if dist is None:
        return value
    return put(np.asarray(value, dtype=variable.dtype) if not isinstance(value, jax.Array) else value,
               variable_sharding(dist, variable))


def _slot_shardings(dist, variables: dict, params: dict, opt_state):
    """Optimizer slots laid out like their variables: a leaf keyed by a weight's path with that
    weight's shape takes its sharding; step counts and scalars are replicated."""
    def sharding_for(key_path, leaf):
        for key in reversed(key_path):
            path = getattr(key, "key", None)
            if isinstance(path, str) and path in params and tuple(np.shape(leaf)) == tuple(np.shape(params[path])):
                return variable_sharding(dist, variables[path])
        return replicated(dist)

    return jax.tree_util.tree_map_with_path(lambda kp, leaf: put(leaf, sharding_for(kp, leaf)), opt_state)


def place_carry(steps, carry: dict) -> dict:
    """The train carry (weights, state, optimizer slots, metric sums, key) on the mesh."""
    dist = active()
    if dist is None:
        return carry
    variables = steps.variables
    params = {p: put(v, variable_sharding(dist, variables[p])) for p, v in carry["params"].items()}
    state = {p: put(v, variable_sharding(dist, variables[p])) for p, v in carry["state"].items()}
    return {**carry, "params": params, "state": state, "opt": _slot_shardings(dist, variables, params, carry["opt"]),
            "metrics": _put_tree(carry["metrics"], replicated(dist)), "rng": put(carry["rng"], replicated(dist))}


def place_weights(steps, weights: dict) -> dict:
    """The weights a test step reads, laid out like the train step's."""
    dist = active()
    if dist is None:
        return weights
    return {group: {p: put(v, variable_sharding(dist, steps.variables[p])) for p, v in values.items()}
            for group, values in weights.items()}


def place_state_tuple(model, kind: str, state: tuple) -> tuple:
    """A Keras-style step state, in _jax_state's order (trainable, non-trainable, [optimizer],
    [metrics] values): weights by their layouts, optimizer slots like the weights they shadow,
    everything else (step counts, metric sums) replicated."""
    dist = active()
    if dist is None:
        return state
    groups = [list(model.trainable_variables), list(model.non_trainable_variables)]
    if kind == "train":
        groups.append([v for opt in model._state_optimizers() for v in opt.variables])
    if kind != "predict":
        groups.append(list(model.metrics_variables))
    owners = {}
    by_path = {v.path: v for v in model.trainable_variables}
    for opt in model._state_optimizers() if kind == "train" else []:
        for slots in getattr(opt, "_slot_variables", {}).values():
            for path, slot in slots.items():
                if path in by_path and tuple(slot.shape) == tuple(by_path[path].shape):
                    owners[id(slot)] = by_path[path]

    def sharding(variable, index):
        if index < 2:
            return variable_sharding(dist, variable)
        if kind == "train" and index == 2 and id(variable) in owners:
            return variable_sharding(dist, owners[id(variable)])
        return replicated(dist)

    placed = []
    for index, (variables, values) in enumerate(zip(groups, state)):
        if len(variables) != len(values):
            placed.append(values)  # the step's own error names the mismatch
            continue
        placed.append([put(value, sharding(var, index)) for var, value in zip(variables, values)])
    return tuple(placed) + tuple(state[len(placed):])


def _split_or_whole(dist, a, owner, strict: bool):
    local = feeds_local_data(dist)  # `a` holds this process's rows only (process_input.py)
    size = int(np.shape(a)[0]) * (data_shards(dist) if local else 1)
    full = getattr(owner, "_distribution_batch_size", 0)
    if size % data_parallel_degree(dist) and (strict or size >= full):
        check_batch_size(dist, size)
    owner._distribution_batch_size = max(full, size)
    if size % data_parallel_degree(dist):
        # NOTE: the rule for a custom step's batch the devices cannot split evenly (only a pass's last, shorter
        # one gets here; a custom step sees real rows, so padding would change its loss): it runs whole on every
        # device, with one device's numbers (under per-process data, every process's rows gathered first)
        return put(gathered_whole(a) if local else a, replicated(dist))
    if local:
        return global_batch(dist, a, batch_sharding(dist, np.ndim(a)))
    return put(a, batch_sharding(dist, np.ndim(a)))


def place_custom_batch(owner, data):
    """A custom step's batch (any structure of arrays) split along the batch axis."""
    dist = active()
    if dist is None:
        return data
    leaves, treedef = jax.tree_util.tree_flatten(data)
    sizes = {int(np.shape(a)[0]) for a in leaves if np.ndim(a)}
    strict = not getattr(owner, "_distribution_batch_size", 0)
    placed = [_split_or_whole(dist, a, owner, strict) if np.ndim(a) and len(sizes) == 1 else put(a, replicated(dist))
              for a in leaves]
    return jax.tree_util.tree_unflatten(treedef, placed)


def custom_outputs(outputs, rows: int):
    """A custom predict_step's outputs as host arrays of this process's `rows` rows."""
    dist = active()
    if dist is None or not feeds_local_data(dist):
        return outputs
    return jax.tree_util.tree_map(lambda o: local_rows(o, batch_sharding(dist, np.ndim(o)), rows), outputs)


def place_custom_indexed(owner, source, index):
    """A custom step's arrays replicated (once per source) and its batch index split."""
    dist = active()
    if dist is None:
        return source.leaves, index
    cached = getattr(source, "_placed_leaves", None)
    if cached is None or cached[0] is not dist:
        cached = source._placed_leaves = (dist, [put(a, replicated(dist)) for a in source.leaves])
    strict = not getattr(owner, "_distribution_batch_size", 0)
    return cached[1], _split_or_whole(dist, np.asarray(index), owner, strict)


def place_local_inputs(arrays: list) -> list:
    """predict's inputs when each process passed its own slice: its rows of global batches."""
    dist = active()
    return [global_batch(dist, a, batch_sharding(dist, np.ndim(a))) for a in arrays]


def local_outputs(outputs: list) -> list:
    """predict's outputs cut back to this process's rows (those its own inputs filled)."""
    dist = active()
    return [local_rows(o, batch_sharding(dist, np.ndim(o))) for o in outputs]


def place_slot_value(slot, weight, value):
    """An optimizer variable's value read from a file, laid out like the weight it shadows (its
    slot of the same shape), or replicated (step counts, scalars), as the train step lays them."""
    dist = active()
    if dist is None:
        return value
    value = np.asarray(value, dtype=slot.dtype) if not isinstance(value, jax.Array) else value
    if weight is not None and tuple(slot.shape) == tuple(weight.shape):
        return put(value, variable_sharding(dist, weight))
    return put(value, replicated(dist))
