"""Data helpers users pass to fit: PyDataset (and Keras 2's Sequence), pack/unpack of (x, y,
sample_weight) batches, split_dataset.

    class Batches(symk.utils.PyDataset):
        def __len__(self): return 10
        def __getitem__(self, i): return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]
    model.fit(Batches(workers=2), epochs=3)
"""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..training.keras_steps import unpack_x_y_sample_weight  # noqa: F401  (published here, as in Keras)


class PyDataset:
    """Batches by index: implement `__getitem__(index)` and `__len__` (or `num_batches`).

    fit/evaluate/predict iterate it once per epoch, calling `on_epoch_begin` / `on_epoch_end`
    around each pass. With `workers` > 1 batches are fetched ahead by a thread pool (NOTE:
    `use_multiprocessing` is accepted and runs threads too: batches stay in this process)."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = int(workers)
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = int(max_queue_size)
        if self._workers < 1 and self._workers != 0:
            raise ValueError(f"PyDataset: `workers` must be a non-negative integer; got {workers}")

    @property
    def workers(self):
        return self._workers

    @property
    def use_multiprocessing(self):
        return self._use_multiprocessing

    @property
    def max_queue_size(self):
        return self._max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), returning one batch")

    @property
    def num_batches(self):
        """The number of batches per epoch (None: until __getitem__ raises IndexError/StopIteration)."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        return None

    def __len__(self):
        raise TypeError(f"{type(self).__name__} has no __len__: implement it or the num_batches property")

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass

    def __iter__(self):
        self.on_epoch_begin()
        total = self.num_batches
        if total is None:
            yield from self._unbounded()
        elif self._workers > 1:
            with ThreadPoolExecutor(max_workers=self._workers) as pool:
                window = max(self._max_queue_size, self._workers)
                for start in range(0, total, window):
                    yield from pool.map(self.__getitem__, range(start, min(start + window, total)))
        else:
            for index in range(total):
                yield self[index]
        self.on_epoch_end()

    def _unbounded(self):
        index = 0
        while True:
            try:
                batch = self[index]
            except (IndexError, StopIteration):
                return
            yield batch
            index += 1


Sequence = PyDataset  # Keras 2's keras.utils.Sequence


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Keras's batch layout: x alone (a tuple x as (x,)), (x, y), or (x, y, sample_weight)."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _rows(dataset):
    """(number of samples, function index -> sample, rebuild from row indices) of arrays or lists."""
    if isinstance(dataset, (list, tuple)) and dataset and all(hasattr(a, "shape") for a in dataset):
        lengths = {len(a) for a in dataset}
        if len(lengths) != 1:
            raise ValueError(f"split_dataset: the arrays of `dataset` must have the same length; got "
                             f"{[len(a) for a in dataset]}")
        arrays = [np.asarray(a) for a in dataset]
        return lengths.pop(), lambda rows: type(dataset)(a[rows] for a in arrays)
    if hasattr(dataset, "shape"):
        array = np.asarray(dataset)
        return len(array), lambda rows: array[rows]
    if isinstance(dataset, (list, tuple)):
        items = list(dataset)
        return len(items), lambda rows: np.asarray([items[i] for i in rows])
    raise TypeError("The `dataset` argument must be an array or a list/tuple of arrays (symk has no tf.data or "
                    f"torch datasets). Received: dataset={dataset!r} of type {type(dataset)}")


def _split_sizes(left_size, right_size, total: int):
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: "
                            f"type({name})={type(size)}.")
        if type(size) is int and not 0 < size < total or type(size) is float and not 0 < size < 1:
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, or a float within "
                             f"the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or "
                         "equal to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total}. Received: "
                         f"left_size + right_size = {left + right} and total_length = {total}")
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and `right_size`={right}. "
                             f"Resulting {side} side dataset split will be empty. Adjust any of the aforementioned "
                             "parameters")
    return int(left), int(right)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None):
    """(left, right) splits of an array or a tuple of arrays (Keras returns tf.data datasets; symk
    returns the same kind of arrays it was given)."""
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. Received: "
                         "left_size=None and right_size=None")
    total, take = _rows(dataset)
    left, right = _split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        random.Random(random.randint(0, 10 ** 6) if seed is None else seed).shuffle(order)
    return take(np.asarray(order[:left], dtype=np.int64)), take(np.asarray(order[total - right:], dtype=np.int64))
