"""The data utilities users pass to fit (symk.utils), checked against numpy and the examples of
Keras's documentation: PyDataset/Sequence, pad_sequences, timeseries_dataset_from_array,
split_dataset, pack/unpack_x_y_sample_weight, Progbar, get_source_inputs, is_keras_tensor."""
import numpy as np
import pytest

import symk as keras
from symk import utils


def test_pad_sequences_as_keras_documents():
    sequence = [[1], [2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(utils.pad_sequences(sequence), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(utils.pad_sequences(sequence, value=-1), [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(utils.pad_sequences(sequence, padding="post"), [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(utils.pad_sequences(sequence, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(utils.pad_sequences(sequence, maxlen=2, truncating="post"), [[0, 1], [2, 3], [4, 5]])
    assert utils.pad_sequences(sequence).dtype == np.int32
    out = keras.preprocessing.sequence.pad_sequences([np.ones((2, 3)), np.ones((1, 3))], dtype="float32")
    assert out.shape == (2, 2, 3) and out[1, 0].sum() == 0
    with pytest.raises(ValueError, match="padding"):
        utils.pad_sequences(sequence, padding="middle")


def test_timeseries_dataset_windows_and_targets():
    data = np.arange(100)
    # Keras's example 1 (indices 0 ... 98): sequence_length=10, sampling_rate=2, sequence_stride=3
    batches = list(utils.timeseries_dataset_from_array(data[:99], None, sequence_length=10, sampling_rate=2,
                                                       sequence_stride=3, batch_size=128))
    windows = np.concatenate(batches)
    np.testing.assert_array_equal(windows[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(windows[1], np.arange(3, 23, 2))
    np.testing.assert_array_equal(windows[-1], np.arange(78, 98, 2))
    # example 2: the past 10 steps predict the next one
    dataset = utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=32)
    inputs, targets = next(iter(dataset))
    np.testing.assert_array_equal(inputs[0], data[:10])
    assert targets[0] == data[10] and len(dataset) == 3 and inputs.shape == (32, 10)
    with pytest.raises(ValueError, match="sampling_rate"):
        utils.timeseries_dataset_from_array(data, None, sequence_length=3, sampling_rate=0)


def test_split_dataset_sizes_and_shuffle():
    x, y = np.arange(10), np.arange(10) * 2
    left, right = utils.split_dataset((x, y), left_size=0.8)
    np.testing.assert_array_equal(left[0], np.arange(8))
    np.testing.assert_array_equal(right[1], [16, 18])
    left, right = utils.split_dataset(x, right_size=3, shuffle=True, seed=1)
    assert len(left) == 7 and len(right) == 3 and sorted(np.concatenate([left, right])) == list(range(10))
    with pytest.raises(ValueError, match="At least one"):
        utils.split_dataset(x)
    with pytest.raises(ValueError, match="left_size"):
        utils.split_dataset(x, left_size=1.5)


def test_pack_and_unpack_follow_keras():
    assert utils.unpack_x_y_sample_weight((1,)) == (1, None, None)
    assert utils.unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    assert utils.unpack_x_y_sample_weight(5) == (5, None, None)
    assert utils.pack_x_y_sample_weight(1) == 1
    assert utils.pack_x_y_sample_weight(1, 2) == (1, 2)
    assert utils.pack_x_y_sample_weight(1, None, 3) == 1      # no targets: Keras drops the weights too
    assert utils.pack_x_y_sample_weight((1, 2)) == ((1, 2),)
    with pytest.raises(ValueError, match="format"):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))


class Batches(utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


@pytest.mark.parametrize("workers", [1, 3])
def test_py_dataset_trains_as_the_same_arrays_do(workers):
    rng = np.random.RandomState(0)
    x, y = rng.random_sample((40, 3)).astype("float32"), rng.random_sample((40, 1)).astype("float32")

    def model():
        keras.utils.set_random_seed(4)
        inputs = keras.Input((3,))
        m = keras.Model(inputs, keras.layers.Dense(1)(inputs))
        m.compile(keras.optimizers.SGD(0.1), "mse")
        return m

    a, b = model(), model()
    dataset = Batches(x, y, 8, workers=workers, use_multiprocessing=workers > 1)
    a.fit(dataset, epochs=2, verbose=0)
    b.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)
    assert dataset.epochs_ended == 2 and dataset.num_batches == 5
    assert keras.utils.Sequence is utils.PyDataset


def test_progbar_averages_values_over_steps(capsys):
    bar = utils.Progbar(target=4, stateful_metrics=["acc"])
    for step, (loss, acc) in enumerate([(1.0, 0.1), (2.0, 0.2), (3.0, 0.3), (6.0, 0.4)]):
        bar.update(step + 1, values=[("loss", loss), ("acc", acc)])
    out = capsys.readouterr().out
    assert "4/4" in out and "loss: 3.0000" in out and "acc: 0.4000" in out


def test_source_inputs_keras_tensors_session_and_seed():
    a, b = keras.Input((2,)), keras.Input((3,))
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([a, b]))
    assert [t.node for t in utils.get_source_inputs(out)] == [a.node, b.node]
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(np.ones(2))
    keras.utils.set_random_seed(11)
    first = keras.layers.Dense(2)
    first.build((None, 2))
    keras.utils.set_random_seed(11)
    again = keras.layers.Dense(2)
    again.build((None, 2))
    np.testing.assert_array_equal(first.kernel.numpy(), again.kernel.numpy())
    utils.clear_session()
    assert keras.layers.Dense(1).name == "dense"
