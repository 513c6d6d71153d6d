"""Data each process loads itself: in a run of several processes with `auto_shard_dataset=False`
(Keras 3's switch for "the data is already sharded across workers"), every process passes its
own slice of the data, `batch_size` counts that process's rows per step, and each global batch
is the processes' local batches side by side, built with `jax.make_array_from_process_local_data`
(what Keras 3's JAX backend does in distribute_data_input).

    distribution = DataParallel(auto_shard_dataset=False)      # 2 processes
    set_distribution(distribution)
    model.fit(x[my_half], y[my_half], batch_size=8)            # global batches of 16

With the default `auto_shard_dataset=True` every process passes the same, whole data and the
global batch_size instead (placement.py copies each process's shard of every global batch).
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import jax
import numpy as np

from .. import random_state
from .current import distribution


def feeds_local_data(dist=None) -> bool:
    """True when each process passes its own slice of the data (several processes, auto_shard_dataset=False)."""
    dist = distribution() if dist is None else dist
    return dist is not None and jax.process_count() > 1 and not dist.auto_shard_dataset


def data_shards(dist) -> int:
    """How many processes feed different rows: all of them, unless fewer model replicas than
    processes split the batch (then the processes of one replica feed the same rows)."""
    return max(1, min(dist.num_processes, dist.num_model_replicas))


def global_batch(dist, local, sharding) -> jax.Array:
    """One process's rows of a batch, joined with the other processes' rows into one global array."""
    local = np.asarray(local)
    shape = (local.shape[0] * data_shards(dist),) + local.shape[1:]
    return jax.make_array_from_process_local_data(sharding, local, shape)


def gathered_whole(local) -> np.ndarray:
    """Every process's rows of a batch, joined on the host of each process (a collective: all take part)."""
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(np.asarray(local), tiled=True))


def local_rows(value, batch_sharding, rows: Optional[int] = None) -> np.ndarray:
    """This process's rows of a global output (the rows its own input batch filled); `rows`
    (its row count) for an output every device computed whole (gathered_whole's batches)."""
    if not isinstance(value, jax.Array) or value.is_fully_addressable:
        return np.asarray(value)
    if rows is not None and value.is_fully_replicated:  # every process's rows, in process order
        start = distribution().data_shard_id * rows
        return np.asarray(value)[start:start + rows]
    if value.sharding != batch_sharding:
        value = jax.jit(lambda a: a, out_shardings=batch_sharding)(value)
    pieces = {}
    for shard in value.addressable_shards:  # shards replicated along other mesh axes repeat their rows
        pieces.setdefault(shard.index[0].start or 0, shard.data)
    return np.concatenate([np.asarray(pieces[start]) for start in sorted(pieces)])


def agree_on_steps(n_local: int, batch_size: int, function: str, same_count: bool = False) -> int:
    """The number of steps, which every process must reach with batches of the same size (a
    custom step, which sees no padding, needs the same sample count too); a mismatch is an
    error in every process at once (they all see the gathered counts)."""
    counts = gathered_whole(np.asarray([n_local], np.int64)).reshape(-1)
    steps = -(-counts // batch_size)
    first = np.minimum(counts, batch_size)
    if same_count and len(set(counts.tolist())) > 1:
        raise ValueError(
            f"{function}: with auto_shard_dataset=False each process passes its own slice of the data; a model with "
            "its own train_step/test_step/predict_step sees real (unpadded) batches, so every process must hold the "
            f"same number of samples. The processes hold {counts.tolist()}. Give each the same count, or pass the "
            "whole data to every process with the default auto_shard_dataset=True.")
    if len(set(steps.tolist())) > 1 or len(set(first.tolist())) > 1:
        raise ValueError(
            f"{function}: with auto_shard_dataset=False each process passes its own slice of the data, and every "
            f"process must run the same number of steps of batch_size={batch_size}; the processes hold "
            f"{counts.tolist()} samples, i.e. {steps.tolist()} steps. Give each process the same number of samples "
            "(or counts that differ only within the last batch), or pass the whole data to every process with the "
            "default auto_shard_dataset=True.")
    return int(steps[0])


def local_order(n: int, batch_size: int, shuffle) -> np.ndarray:
    """This process's sample order for one epoch. The shuffle draws one seed from the shared
    generator (the same draw in every process, whatever its sample count), so later draws agree."""
    if not shuffle:
        return np.arange(n)
    rng = np.random.default_rng(int(random_state.numpy_rng().integers(0, 2**31 - 1)))
    if shuffle == "batch":
        starts = rng.permutation(np.arange(0, n, batch_size))
        return np.concatenate([np.arange(s, min(s + batch_size, n)) for s in starts])
    return rng.permutation(n)


class LocalBatch(NamedTuple):
    """One batch of this process's rows, already in the model's input/output order."""

    xs: list
    ys: Optional[list]
    sws: Optional[list]


class LocalBatches:
    """This process's arrays as an iterable of batches (re-iterable: each epoch reshuffles)."""

    def __init__(self, xs, ys, sws, batch_size: int, shuffle, function: str, max_steps: Optional[int] = None):
        self.xs, self.ys, self.sws = xs, ys, sws
        self.n, self.batch_size, self.shuffle = len(xs[0]), int(batch_size), shuffle
        steps = agree_on_steps(self.n, self.batch_size, function)
        self.steps = steps if max_steps is None else min(steps, max_steps)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self):
        order = local_order(self.n, self.batch_size, self.shuffle)
        take = lambda group, rows: None if group is None else [None if a is None else a[rows] for a in group]  # noqa
        for step in range(self.steps):
            rows = order[step * self.batch_size:(step + 1) * self.batch_size]
            yield LocalBatch(take(self.xs, rows), take(self.ys, rows), take(self.sws, rows))
