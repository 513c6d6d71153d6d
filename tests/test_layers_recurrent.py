"""SimpleRNN, LSTM, GRU and RNN(cell): Keras reference predictions, numpy step-by-step references,
masking, stateful layers, dropout, configs, weight layouts and errors."""
import json

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symk import Input, Model, Sequential
from symk.errors import ShapeError
from symk.layers import (GRU, LSTM, RNN, Bidirectional, Dense, Embedding, GRUCell, LSTMCell, Masking,
                         SimpleRNN, SimpleRNNCell, StackedRNNCells)
from layer_harness import check_layer, layer_example
from test_ops_recurrent import np_rnn

REFERENCES = "tests/references"

EXAMPLES = [
    layer_example("lstm_sequences", lambda: LSTM(3, return_sequences=True), (2, 4, 2)),
    layer_example("simple_rnn", lambda: SimpleRNN(3), (2, 4, 2)),
    layer_example("gru_backwards_dropout", lambda: GRU(2, go_backwards=True, dropout=0.2, recurrent_dropout=0.2),
                  (2, 3, 4)),
    layer_example("gru_v1_unrolled", lambda: GRU(2, reset_after=False, unroll=True), (2, 3, 4)),
    layer_example("rnn_stacked_cells", lambda: RNN([LSTMCell(3), SimpleRNNCell(2)]), (2, 3, 2)),
]


# gradient steps through lax.scan compile slowly: the first examples run always, the rest as slow
FAST = 3
SLOW = [pytest.param(e, marks=pytest.mark.slow) for e in EXAMPLES[FAST:]]


@pytest.mark.parametrize("example", EXAMPLES[:FAST] + SLOW, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


def h5_layer_weights(path, layer_name):
    """A layer's arrays from a Keras legacy .h5 file, in its weight_names order (read with h5py only)."""
    with h5py.File(path, "r") as f:
        group = f["model_weights"][layer_name]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        return [np.asarray(group[n]) for n in names]


@pytest.mark.parametrize("version", ["keras3", "keras2"])
def test_embedding_lstm_gru_match_keras_reference(version):
    data = np.load(f"{REFERENCES}/{version}/rnn.npz")
    model = Sequential([Input(shape=(6,), dtype="int32"), Embedding(20, 5), LSTM(7, return_sequences=True), GRU(4),
                        Dense(2)])
    for layer, name in zip(model.layers, ["embedding", "lstm", "gru", "dense"]):
        layer.set_weights(h5_layer_weights(f"{REFERENCES}/{version}/rnn.h5", name))
    np.testing.assert_allclose(model.predict(data["x"]), data["y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("version", ["keras3", "keras2"])
def test_simple_rnn_bidirectional_match_keras_reference(version):
    data = np.load(f"{REFERENCES}/{version}/rnn2.npz")
    model = Sequential([Input(shape=(5, 4)), SimpleRNN(3, return_sequences=True), Bidirectional(LSTM(3)), Dense(2)])
    for layer, name in zip(model.layers, ["simple_rnn", "bidirectional", "dense"]):
        layer.set_weights(h5_layer_weights(f"{REFERENCES}/{version}/rnn2.h5", name))
    np.testing.assert_allclose(model.predict(data["x"]), data["y"], rtol=1e-5, atol=1e-6)


def test_weight_names_shapes_and_order_follow_keras():
    with h5py.File(f"{REFERENCES}/keras3/rnn.h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
    assert [l["class_name"] for l in config["config"]["layers"]][2:4] == ["LSTM", "GRU"]
    lstm, gru, gru_v1, simple = LSTM(7), GRU(4), GRU(4, reset_after=False), SimpleRNN(3)
    x = Input(shape=(6, 5))
    for layer in (lstm, gru, gru_v1, simple):
        layer(x)
    # NOTE: variable paths stay unique across clear_session(), so an earlier test's may carry a suffix
    assert [w.path.rstrip("_0123456789") for w in lstm.weights] == [
        "lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias"]
    assert [tuple(w.shape) for w in lstm.weights] == [(5, 28), (7, 28), (28,)]
    assert [tuple(w.shape) for w in gru.weights] == [(5, 12), (4, 12), (2, 12)]
    assert [tuple(w.shape) for w in gru_v1.weights] == [(5, 12), (4, 12), (12,)]
    assert simple.weights[0].path.startswith("simple_rnn/simple_rnn_cell/kernel")
    # unit_forget_bias: ones for the forget gate (the second quarter), zeros elsewhere
    np.testing.assert_array_equal(lstm.weights[2].numpy(), np.r_[np.zeros(7), np.ones(7), np.zeros(14)])


@pytest.mark.parametrize("layer_class,cell,extra", [
    (SimpleRNN, "simple", {}), (LSTM, "lstm", {}), (GRU, "gru", {}), (GRU, "gru", {"reset_after": False})])
def test_layer_matches_numpy_steps_with_return_state_and_initial_state(layer_class, cell, extra):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 2)).astype("float32")
    layer = layer_class(5, return_sequences=True, return_state=True, **extra)
    n_states = 2 if cell == "lstm" else 1
    states = [rng.normal(size=(3, 5)).astype("float32") for _ in range(n_states)]
    inputs, state_inputs = Input(shape=(4, 2)), [Input(shape=(5,)) for _ in range(n_states)]
    model = Model([inputs] + state_inputs, layer(inputs, initial_state=state_inputs))
    kernel, recurrent_kernel, bias = layer.get_weights()
    bias = bias + np.random.default_rng(1).normal(size=bias.shape).astype("float32")  # non-zero bias
    layer.set_weights([kernel, recurrent_kernel, bias])
    outs = model.predict([x] + states)
    expected, expected_states = np_rnn(cell, x, kernel, recurrent_kernel, bias, states, 5,
                                       reset_after=extra.get("reset_after", True))
    np.testing.assert_allclose(outs[0], expected, rtol=1e-5, atol=1e-5)
    for got, want in zip(outs[1:], expected_states):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_go_backwards_reads_time_in_reverse():
    x = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")
    backwards = GRU(4, go_backwards=True, return_sequences=True)
    forwards = GRU(4, return_sequences=True)
    backwards(x)
    forwards(x)
    forwards.set_weights(backwards.get_weights())
    np.testing.assert_allclose(backwards(x), forwards(x[:, ::-1]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer_class", [SimpleRNN, LSTM, GRU])
def test_padded_steps_do_not_change_the_result(layer_class):
    tokens = np.array([[3, 5, 7, 0, 0], [2, 9, 4, 6, 1]])
    inputs, short_inputs = Input(shape=(5,), dtype="int32"), Input(shape=(3,), dtype="int32")
    embedding, layer = Embedding(10, 3, mask_zero=True), layer_class(4)
    padded = Model(inputs, layer(embedding(inputs))).predict(tokens)
    short = Model(short_inputs, layer(embedding(short_inputs))).predict(tokens[:1, :3])
    np.testing.assert_allclose(padded[0], short[0], rtol=1e-5, atol=1e-6)
    assert not np.allclose(padded[0], padded[1])  # the unpadded row really is computed


def test_masking_layer_padding_equals_the_unpadded_sequence():
    values = np.random.default_rng(3).normal(size=(1, 5, 3)).astype("float32")
    values[0, 3:] = 0.0
    seq, short_seq = Input(shape=(5, 3)), Input(shape=(3, 3))
    masking, lstm = Masking(), LSTM(2)
    padded = Model(seq, lstm(masking(seq))).predict(values)
    np.testing.assert_allclose(padded, Model(short_seq, lstm(short_seq)).predict(values[:, :3]), rtol=1e-5)


def test_masked_sequence_output_repeats_previous_step_and_zero_output_for_mask():
    x = np.random.default_rng(4).normal(size=(1, 4, 2)).astype("float32")
    x[0, 2] = 0.0
    seq = Input(shape=(4, 2))
    repeated = Model(seq, SimpleRNN(3, return_sequences=True)(Masking()(seq))).predict(x)
    np.testing.assert_allclose(repeated[0, 2], repeated[0, 1])
    zeroed = Model(seq, SimpleRNN(3, return_sequences=True, zero_output_for_mask=True)(Masking()(seq))).predict(x)
    np.testing.assert_array_equal(zeroed[0, 2], np.zeros(3))


def test_mask_propagates_through_return_sequences_only():
    seq = Input(shape=(4, 2))
    masked = Masking()(seq)
    assert LSTM(3, return_sequences=True)(masked)._keras_mask is not None
    assert LSTM(3)(masked)._keras_mask is None


def test_stateful_layer_carries_state_across_batches_and_resets():
    x = np.random.default_rng(5).normal(size=(2, 6, 3)).astype("float32")
    stateful = LSTM(4, stateful=True, batch_input_shape=(2, 3, 3))
    plain = LSTM(4, return_sequences=True)
    first = stateful(x[:, :3])
    second = stateful(x[:, 3:])
    plain(x)
    plain.set_weights(stateful.get_weights())
    whole = plain(x)
    np.testing.assert_allclose(first, whole[:, 2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second, whole[:, 5], rtol=1e-5, atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :3]), first, rtol=1e-6)
    assert len(stateful.weights) == 3  # the states are not weights (Keras saves 3 arrays)


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="fixed batch size"):
        GRU(2, stateful=True)(Input(shape=(3, 2)))
    with pytest.raises(AttributeError, match="not stateful"):
        GRU(2).reset_states()


def test_dropout_only_in_training():
    x = np.random.default_rng(6).normal(size=(4, 5, 3)).astype("float32")
    layer = LSTM(6, dropout=0.5, recurrent_dropout=0.5)
    inference = layer(x)
    np.testing.assert_allclose(layer(x), inference)
    plain = LSTM(6)
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(plain(x), inference, rtol=1e-6)
    assert not np.allclose(layer(x, training=True), inference)


def test_stacked_cells_equal_two_layers():
    x = np.random.default_rng(7).normal(size=(2, 4, 3)).astype("float32")
    stacked = RNN([LSTMCell(5), GRUCell(2)], return_sequences=True)
    stacked(x)
    first, second = LSTM(5, return_sequences=True), GRU(2, return_sequences=True)
    first(x)
    second(np.zeros((2, 4, 5), "float32"))
    weights = stacked.get_weights()
    first.set_weights(weights[:3])
    second.set_weights(weights[3:])
    np.testing.assert_allclose(stacked(x), second(first(x)), rtol=1e-5, atol=1e-6)
    assert isinstance(stacked.cell, StackedRNNCells)


def test_cell_called_directly_is_one_step():
    cell = SimpleRNNCell(3)
    x_t = np.random.default_rng(8).normal(size=(2, 4)).astype("float32")
    h = np.ones((2, 3), "float32")
    output, (state,) = cell(x_t, [h])
    kernel, recurrent_kernel, bias = cell.get_weights()
    np.testing.assert_allclose(output, np.tanh(x_t @ kernel + h @ recurrent_kernel + bias), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state, output)


@pytest.mark.parametrize("layer", [
    lambda: LSTM(3, return_sequences=True, go_backwards=True, unit_forget_bias=False, dropout=0.1),
    lambda: GRU(2, reset_after=False, activation="relu", recurrent_activation="hard_sigmoid"),
    lambda: SimpleRNN(4, stateful=True, batch_input_shape=(2, 3, 1), return_state=True),
    lambda: RNN([LSTMCell(2), SimpleRNNCell(3)], unroll=True)])
def test_config_round_trip(layer):
    original = layer()
    config = original.get_config()
    clone = type(original).from_config(config)
    assert clone.get_config() == config


def test_accepts_keras2_legacy_arguments():
    layer = LSTM.from_config({"units": 2, "time_major": False, "implementation": 2, "name": "lstm_legacy"})
    assert layer.units == 2 and layer.name == "lstm_legacy"


def test_errors_name_the_layer_and_the_fix():
    with pytest.raises(ShapeError, match=r"'lstm' expects sequences of shape \(batch, timesteps, features\)"):
        LSTM(2)(Input(shape=(4,)))
    with pytest.raises(ValueError, match="initial_state has 1"):
        LSTM(2)(Input(shape=(3, 4)), initial_state=[Input(shape=(2,))])
    with pytest.raises(ValueError, match="units must be a positive integer"):
        GRU(0)
    with pytest.raises(ValueError, match="dropout must be in"):
        SimpleRNN(2, dropout=1.5)


@settings(max_examples=8)
@given(st.sampled_from([SimpleRNN, LSTM, GRU]), st.integers(1, 3), st.integers(1, 4), st.integers(1, 3),
       st.booleans(), st.booleans())
def test_output_shapes_agree(layer_class, steps, features, units, return_sequences, return_state):
    layer = layer_class(units, return_sequences=return_sequences, return_state=return_state)
    symbolic = layer(Input(shape=(steps, features)))
    computed = layer(np.zeros((2, steps, features), "float32"))
    declared = layer.compute_output_shape((None, steps, features))
    symbolic = symbolic if return_state else [symbolic]
    computed = computed if return_state else [computed]
    declared = declared if return_state else [declared]
    main = (None, steps, units) if return_sequences else (None, units)
    assert [tuple(t.shape) for t in symbolic] == [tuple(d) for d in declared]
    assert tuple(symbolic[0].shape) == main
    assert [tuple(a.shape) for a in computed] == [(2,) + tuple(t.shape)[1:] for t in symbolic]


def test_stateful_model_predict_carries_state_between_batches():
    x = np.random.default_rng(9).normal(size=(2, 6, 3)).astype("float32")
    stateful = Sequential([GRU(3, stateful=True, batch_input_shape=(2, 3, 3))])
    first = stateful.predict(x[:, :3], batch_size=2)
    second = stateful.predict(x[:, 3:], batch_size=2)
    plain = GRU(3, return_sequences=True)
    plain(x)
    plain.set_weights(stateful.get_weights())
    whole = plain(x)
    np.testing.assert_allclose(first, whole[:, 2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second, whole[:, 5], rtol=1e-5, atol=1e-6)
    stateful.layers[0].reset_states()
    np.testing.assert_allclose(stateful.predict(x[:, :3], batch_size=2), first, rtol=1e-6)
