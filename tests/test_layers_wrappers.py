"""Bidirectional and TimeDistributed: merges against numpy of the two directions, per-step
application of layers and whole models, masks, weights and configs."""
import numpy as np
import pytest

from symk import Input, Model, Sequential
from symk.layers import GRU, LSTM, Bidirectional, Dense, Masking, SimpleRNN, TimeDistributed
from layer_harness import check_layer, layer_example
from test_ops_recurrent import np_rnn

EXAMPLES = [
    layer_example("bidirectional_concat", lambda: Bidirectional(LSTM(2, return_sequences=True)), (2, 3, 4)),
    layer_example("bidirectional_ave", lambda: Bidirectional(GRU(2), merge_mode="ave"), (2, 3, 4)),
    layer_example("time_distributed_dense", lambda: TimeDistributed(Dense(3)), (2, 3, 4)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)

X = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")


def directions(layer: Bidirectional, x, cell="simple", units=2, mask=None):
    """Forward and backward runs in numpy, from the wrapped layers' weights (backward reads time reversed)."""
    forward_weights = layer.forward_layer.get_weights()
    backward_weights = layer.backward_layer.get_weights()
    zeros = [np.zeros((x.shape[0], units))] * (2 if cell == "lstm" else 1)
    forward, _ = np_rnn(cell, x, *forward_weights, zeros, units, mask=mask)
    backward, _ = np_rnn(cell, x, *backward_weights, zeros, units, mask=mask, go_backwards=True)
    return forward, backward


@pytest.mark.parametrize("merge_mode,merge", [
    ("concat", lambda f, b: np.concatenate([f, b], -1)), ("sum", np.add), ("mul", np.multiply),
    ("ave", lambda f, b: (f + b) / 2)])
def test_merge_modes_on_sequences(merge_mode, merge):
    layer = Bidirectional(SimpleRNN(2, return_sequences=True), merge_mode=merge_mode)
    out = layer(X)
    forward, backward = directions(layer, X)
    # the backward run's outputs are put back into forward time order
    np.testing.assert_allclose(out, merge(forward, backward[:, ::-1]), rtol=1e-5, atol=1e-6)


def test_merge_none_and_return_state():
    layer = Bidirectional(LSTM(2, return_state=True), merge_mode=None)
    outs = layer(X)
    forward, backward = directions(layer, X, cell="lstm")
    assert len(outs) == 6  # forward output, backward output, then h, c of each direction
    np.testing.assert_allclose(outs[0], forward[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[1], backward[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[2], forward[:, -1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[4], backward[:, -1], rtol=1e-5, atol=1e-6)


def test_bidirectional_respects_masks():
    x = X.copy()
    x[0, 3] = 0.0
    seq = Input(shape=(4, 3))
    layer = Bidirectional(SimpleRNN(2))
    out = Model(seq, layer(Masking()(seq))).predict(x)
    mask = np.any(x != 0, axis=-1)
    forward, backward = directions(layer, x, mask=mask)
    np.testing.assert_allclose(out, np.concatenate([forward[:, -1], backward[:, -1]], -1), rtol=1e-5, atol=1e-6)


def test_bidirectional_weights_config_and_errors():
    layer = Bidirectional(GRU(3), input_shape=(4, 3))
    model = Sequential([layer])
    assert tuple(model.output_shape) == (None, 6)
    paths = [w.path for w in layer.weights]
    assert paths[0].startswith("bidirectional/forward_gru/gru_cell/kernel")
    assert paths[3].startswith("bidirectional/backward_gru/gru_cell/kernel")
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    config = layer.get_config()
    clone = Bidirectional.from_config(config)
    assert clone.get_config()["merge_mode"] == "concat"
    assert clone.forward_layer.name == "forward_gru" and clone.backward_layer.go_backwards
    with pytest.raises(ValueError, match="invalid merge_mode"):
        Bidirectional(GRU(2), merge_mode="max")
    with pytest.raises(TypeError, match="wraps a recurrent layer"):
        Bidirectional(Dense(2))


def test_time_distributed_dense_applies_per_step():
    layer = TimeDistributed(Dense(5))
    out = layer(X)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(out, X @ kernel + bias, rtol=1e-5, atol=1e-6)
    assert tuple(layer(Input(shape=(None, 3))).shape) == (None, None, 5)


def test_time_distributed_wraps_a_whole_model():
    image = Input(shape=(784,))
    encoder = Model(image, Dense(4, activation="relu")(image))
    frames = Input(shape=(20, 784))
    per_frame = TimeDistributed(encoder)(frames)
    assert tuple(per_frame.shape) == (None, 20, 4)
    video = Model(frames, LSTM(2)(per_frame))
    x = np.random.default_rng(1).normal(size=(2, 20, 784)).astype("float32")
    kernel, bias = encoder.get_weights()
    encoded = np.maximum(x @ kernel + bias, 0)
    np.testing.assert_allclose(Model(frames, per_frame).predict(x), encoded, rtol=1e-4, atol=1e-5)
    assert len(video.weights) == 5  # the encoder's 2 and the LSTM's 3
    assert video.predict(x).shape == (2, 2)


def test_time_distributed_config_and_mask():
    layer = TimeDistributed(Dense(2, activation="relu"))
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert TimeDistributed.from_config(config).layer.get_config()["activation"] == "relu"
    seq = Input(shape=(4, 3))
    masked = Masking()(seq)
    assert layer(masked)._keras_mask is masked._keras_mask
    with pytest.raises(Exception, match="ndim|rank"):
        TimeDistributed(Dense(2))(Input(shape=(3,)))
