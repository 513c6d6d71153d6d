"""From what users pass to fit/evaluate/predict (arrays, lists, dicts by name, or an iterable
of batches) to lists of arrays in the model's input/output order, and batches of them.

Array data goes to the device once; each epoch's batch order is one small index array
(padded to whole batches, with a mask for the padded rows), so the jitted step gathers
its own batch and the host does almost nothing per step.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import jax
import jax.numpy as jnp
import numpy as np

from .. import random_state


def is_array_like(x) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype")


def is_batch_iterable(x) -> bool:
    """A generator / iterator / Sequence of batches rather than array data."""
    if isinstance(x, list) and x and all(isinstance(b, tuple) for b in x):
        return True  # a list of (x, y) batches; a list of arrays is multi-input data
    if x is None or is_array_like(x) or isinstance(x, (dict, list, tuple, str)):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__") or hasattr(x, "__getitem__") and hasattr(x, "__len__")


# -- argument checks (before anything is built or compiled) ---------------------------------
def check_count(value, argument: str, function: str, minimum: int = 1, allow_none: bool = True):
    """`value` as an int >= minimum (None passes when allowed); anything else is an error naming the argument."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        kind = type(value).__name__
        raise ValueError(f"{function}({argument}=...) must be an integer"
                         f"{' >= ' + str(minimum) if minimum else ' >= 0'}; got {value!r} (a {kind}).")
    if value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{function}({argument}=...) must be {what}; got {value!r}.")
    return int(value)


def _leaves(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, (list, tuple)) and any(is_array_like(v) or isinstance(v, (list, tuple, dict)) for v in data):
        for value in data:
            yield from _leaves(value)
    elif data is not None:
        yield data


def check_numeric(data, argument: str, function: str) -> None:
    """Refuse text, object or empty arrays in `argument` (x, y, sample_weight, validation_data)."""
    for leaf in _leaves(data):
        dtype = getattr(leaf, "dtype", None)
        if dtype is None:
            try:
                dtype = np.asarray(leaf).dtype
            except (ValueError, TypeError):
                dtype = np.dtype(object)
        if np.dtype(dtype).kind not in "biuf":
            found = "text" if np.dtype(dtype).kind in "SU" else f"{dtype} values"
            raise ValueError(f"{function}: `{argument}` holds {found}; symk trains on numbers (bool, integer or "
                             "float arrays). Encode text as numbers first (e.g. a StringLookup or a vocabulary).")
        shape = getattr(leaf, "shape", None)
        if shape is not None and len(shape) and shape[0] == 0:
            raise ValueError(f"{function}: `{argument}` has no samples (shape {tuple(shape)}); pass at least one.")


def check_fit_arguments(batch_size, epochs, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
                        validation_freq, validation_split) -> tuple:
    """fit's counts checked (in this order, as ints), and validation_split; errors name the argument."""
    if not isinstance(validation_freq, (list, tuple, range)) or not all(
            isinstance(v, int) and v > 0 for v in validation_freq):
        validation_freq = check_count(validation_freq, "validation_freq", "fit", allow_none=False)
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
            or not 0 <= validation_split < 1:
        raise ValueError(f"fit(validation_split=...) must be a number in [0, 1); got {validation_split!r}")
    return (check_count(batch_size, "batch_size", "fit"), check_count(epochs, "epochs", "fit", 0, False),
            check_count(initial_epoch, "initial_epoch", "fit", 0, False),
            check_count(steps_per_epoch, "steps_per_epoch", "fit"),
            check_count(validation_steps, "validation_steps", "fit"),
            check_count(validation_batch_size, "validation_batch_size", "fit"), validation_freq)


def as_float_array(a, what: str) -> np.ndarray:
    if hasattr(a, "block_until_ready"):
        return a
    arr = np.asarray(a)
    if arr.dtype == object:
        raise ValueError(f"{what}: could not turn the data into a numeric array (ragged lists?); got {type(a).__name__}")
    return arr.astype(np.float32) if arr.dtype == np.float64 else arr


def standardize_targets(model, y, what="y") -> Optional[list]:
    """Targets in the order of `model.output_names` (arrays, list or dict by output name)."""
    if y is None:
        return None
    names = model.output_names
    if isinstance(y, dict):
        unknown = [k for k in y if k not in names]
        if unknown:
            raise ValueError(f"`{what}` has key(s) {unknown} that are not output names of model {model.name!r}; "
                             f"its outputs are named {names}.")
        missing = [n for n in names if n not in y]
        if missing:
            raise ValueError(f"`{what}` is missing target(s) for output(s) {missing} of model {model.name!r}")
        y = [y[n] for n in names]
    elif not isinstance(y, (list, tuple)) or len(names) == 1 and len(y) != 1 and not _is_list_of_arrays(y):
        y = [y]
    y = [as_float_array(a, what) for a in y]
    if len(y) != len(names):
        raise ValueError(f"Model {model.name!r} has {len(names)} output(s) {names}, but `{what}` gives "
                         f"{len(y)} target array(s). Pass one target per output (a list, or a dict by output name).")
    return y


def _is_list_of_arrays(y) -> bool:
    return all(is_array_like(a) for a in y)


def standardize_sample_weights(model, sample_weight, n_outputs) -> Optional[list]:
    if sample_weight is None:
        return None
    if isinstance(sample_weight, dict):
        names = model.output_names
        unknown = [k for k in sample_weight if k not in names]
        if unknown:
            raise ValueError(f"`sample_weight` has key(s) {unknown} that are not output names {names}")
        return [None if n not in sample_weight else np.asarray(sample_weight[n], np.float32) for n in names]
    if isinstance(sample_weight, (list, tuple)) and n_outputs > 1:
        return [None if w is None else np.asarray(w, np.float32) for w in sample_weight]
    return [np.asarray(sample_weight, np.float32)] * n_outputs


def class_weights_to_sample_weights(class_weight: dict, y: np.ndarray) -> np.ndarray:
    """Keras: each sample weighs class_weight[its class] (class = argmax of one-hot rows)."""
    y = np.asarray(y)
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = np.round(labels).astype(np.int64)
    missing = sorted(set(np.unique(labels).tolist()) - set(int(k) for k in class_weight))
    if missing:
        raise ValueError(f"`class_weight` has no weight for class(es) {missing} present in y; give every class a "
                         f"weight (got keys {sorted(class_weight)})")
    table = np.zeros(max(int(k) for k in class_weight) + 1, np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def check_lengths(xs, ys, sws) -> int:
    lengths = {"x": [len(a) for a in xs], "y": [len(a) for a in ys or []],
               "sample_weight": [len(a) for a in sws or [] if a is not None]}
    all_lengths = set(sum(lengths.values(), []))
    if len(all_lengths) > 1:
        raise ValueError("Data cardinality is ambiguous: x, y and sample_weight must have the same number of "
                         "samples. Received sizes: " + ", ".join(f"{k}: {v}" for k, v in lengths.items() if v))
    return all_lengths.pop() if all_lengths else 0


def split_validation(arrays: list, split: float):
    """Keras takes the LAST `split` fraction as validation data, before any shuffling."""
    if not 0.0 < split < 1.0:
        raise ValueError(f"validation_split must be between 0 and 1 (exclusive); got {split}")
    n = len(next(a for a in arrays[0] if a is not None))
    at = int(n * (1.0 - split))
    if at == 0 or at == n:
        raise ValueError(f"validation_split={split} leaves no training or no validation samples out of {n}")
    head = [[None if a is None else a[:at] for a in group] if group is not None else None for group in arrays]
    tail = [[None if a is None else a[at:] for a in group] if group is not None else None for group in arrays]
    return head, tail


@dataclass
class EpochPlan:
    """One epoch over device-resident arrays: `order` is (steps, batch_size) sample indices,
    `mask` marks real rows (1) against padding (0)."""

    order: jax.Array
    mask: jax.Array
    steps: int
    sizes: np.ndarray   # real rows per step (host copy for progress/logs)


def plan_epoch(n: int, batch_size: int, shuffle, exact_last_batch: bool = False) -> EpochPlan:
    if shuffle == "batch":
        starts = np.arange(0, n, batch_size)
        random_state.numpy_rng().shuffle(starts)
        index = np.concatenate([np.arange(s, min(s + batch_size, n)) for s in starts])
    elif shuffle:
        index = random_state.numpy_rng().permutation(n)
    else:
        index = np.arange(n)
    steps = -(-n // batch_size)
    padded = steps * batch_size
    mask = np.zeros(padded, np.float32)
    mask[:n] = 1.0
    order = np.zeros(padded, np.int32)
    order[:n] = index
    sizes = np.full(steps, batch_size)
    sizes[-1] = n - (steps - 1) * batch_size
    # jax.device_put: jnp.asarray would compile a staging program per shape (first epoch time)
    order, mask = jax.device_put((order.reshape(steps, batch_size), mask.reshape(steps, batch_size)))
    return EpochPlan(order, mask, steps, sizes)


def unpack_batch(batch):
    """(x, y), (x, y, sample_weight) or x alone, from one item of a batch iterable."""
    if isinstance(batch, tuple) and 1 <= len(batch) <= 3:
        return tuple(batch) + (None,) * (3 - len(batch))
    if isinstance(batch, list) and len(batch) in (2, 3) and not all(is_array_like(b) for b in batch):
        return tuple(batch) + (None,) * (3 - len(batch))
    return batch, None, None


def iterate_batches(data, steps: Optional[int]) -> Iterable:
    """Items of a generator / iterable; stops after `steps` items when given (a Keras-2
    style infinite generator needs steps_per_epoch)."""
    if steps is None and hasattr(data, "__next__") and not hasattr(data, "__len__"):
        # a plain generator: one pass until it is exhausted
        yield from data
        return
    iterator = iter(data) if not hasattr(data, "__next__") else data
    count = 0
    while steps is None or count < steps:
        try:
            yield next(iterator)
        except StopIteration:
            if steps is not None and count == 0:
                raise ValueError("the data iterable yielded no batches") from None
            return
        count += 1


def pad_rows(arrays: list, size: int) -> list:
    """Pad each array's first axis with zeros up to `size` (the usual batch size)."""
    out = []
    for a in arrays:
        if a is None or len(a) == size:
            out.append(a)
            continue
        pad = np.zeros((size - len(a),) + tuple(a.shape[1:]), dtype=a.dtype)
        out.append(np.concatenate([np.asarray(a), pad]))
    return out
