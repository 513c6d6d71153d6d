"""timeseries_dataset_from_array (keras.utils): windows over a time series, batched. Keras returns a
tf.data.Dataset; symk returns a re-iterable object of numpy batches (fit/evaluate/predict take it).

    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=32)
    for inputs, targets in ds: ...    # inputs[0] == data[:10], targets[0] == data[10]
"""
from __future__ import annotations

import numpy as np


class TimeseriesBatches:
    """The batches of (windows, targets) or windows; `len()` is the number of batches."""

    def __init__(self, data, targets, positions, sequence_length, sampling_rate, batch_size):
        self.data, self.targets, self.positions = data, targets, positions
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.batch_size = batch_size

    def __len__(self):
        if self.batch_size is None:
            return len(self.positions)
        return -(-len(self.positions) // self.batch_size)

    def _item(self, starts):
        windows = self.data[starts[..., None] + self.offsets]
        return windows if self.targets is None else (windows, self.targets[starts])

    def __iter__(self):
        if self.batch_size is None:
            for start in self.positions:
                yield self._item(np.asarray(start))
            return
        for i in range(0, len(self.positions), self.batch_size):
            yield self._item(self.positions[i:i + self.batch_size])


def _check_positive(name, value, limit=None, what="the length of the data"):
    if value <= 0:
        raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
    if limit is not None and value >= limit:
        raise ValueError(f"`{name}` must be lower than {what}. Received: {name}={value}, for data of length {limit}")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1, batch_size=128,
                                  shuffle=False, seed=None, start_index=None, end_index=None):
    data = np.asarray(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index}")
        if end_index >= len(data):
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    _check_positive("sampling_rate", sampling_rate, len(data))
    _check_positive("sequence_stride", sequence_stride, len(data))
    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    # positions count from start_index, as Keras slices data (and targets) to [start_index:end_index] first
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        rng = np.random.RandomState(np.random.randint(10 ** 6) if seed is None else seed)
        rng.shuffle(positions)
    window_data = data[start_index:end_index]
    window_targets = None if targets is None else np.asarray(targets)[start_index:end_index]
    return TimeseriesBatches(window_data, window_targets, positions, sequence_length, sampling_rate, batch_size)
