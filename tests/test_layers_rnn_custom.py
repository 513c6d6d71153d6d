"""RNN(cell) with user-written cells (Keras's custom-cell API), unrolled over known timesteps:
numpy step-by-step references for sequences, states, go_backwards, masks, stacks, stateful
layers and custom initial states, plus the errors for what cannot work."""
import numpy as np
import pytest

from symk import Input, Model, ops
from symk.errors import ShapeError
from symk.layers import RNN, Bidirectional, Layer, SimpleRNNCell
from symk.saving import register_serializable
from layer_harness import check_layer, layer_example

RNG = np.random.default_rng(11)


@register_serializable(package="symk_tests")
class MinimalRNNCell(Layer):
    """The cell from Keras's RNN documentation: h_t = x_t @ kernel + h_{t-1} @ recurrent_kernel."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        output = ops.matmul(inputs, self.kernel) + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@register_serializable(package="symk_tests")
class TwoStateCell(Layer):
    """Two states of different sizes and an output_size of its own: a = tanh(x A + a B), c = c + a C, out = c."""

    def __init__(self, units, memory, **kwargs):
        super().__init__(**kwargs)
        self.units, self.memory = units, memory
        self.state_size = [units, memory]
        self.output_size = memory

    def build(self, input_shape):
        self.a = self.add_weight("a", (input_shape[-1], self.units))
        self.b = self.add_weight("b", (self.units, self.units))
        self.c = self.add_weight("c", (self.units, self.memory))

    def call(self, inputs, states):
        hidden = ops.tanh(inputs @ self.a + states[0] @ self.b)
        memory = states[1] + hidden @ self.c
        return memory, (hidden, memory)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "memory": self.memory}


EXAMPLES = [
    layer_example("rnn_custom_cell", lambda: RNN(MinimalRNNCell(3), return_sequences=True), (2, 4, 2)),
    layer_example("rnn_custom_two_states", lambda: RNN(TwoStateCell(3, 2), go_backwards=True), (2, 3, 2)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


def minimal_reference(x, kernel, recurrent, h0=None, mask=None, go_backwards=False, zero_output=False):
    """Keras's RNN loop in numpy: masked steps keep the state and repeat the previous output."""
    batch, steps, _ = x.shape
    h = np.zeros((batch, kernel.shape[1])) if h0 is None else h0
    previous, outputs = np.zeros_like(h), []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        new = x[:, t] @ kernel + h @ recurrent
        keep = np.ones((batch, 1), bool) if mask is None else mask[:, t:t + 1]
        h = np.where(keep, new, h)
        out = np.where(keep, new, 0.0 if zero_output else previous)
        previous = out
        outputs.append(out)
    return np.stack(outputs, 1), h


def _random_weights(layer):
    layer.set_weights([RNG.normal(size=w.shape).astype("float32") * 0.5 for w in layer.weights])
    return layer.get_weights()


@pytest.mark.parametrize("go_backwards", [False, True])
def test_minimal_cell_sequences_and_state_match_numpy(go_backwards):
    x = RNG.normal(size=(2, 5, 3)).astype("float32")
    layer = RNN(MinimalRNNCell(4), return_sequences=True, return_state=True, go_backwards=go_backwards)
    seq = Input(shape=(5, 3))
    model = Model(seq, layer(seq))
    kernel, recurrent = _random_weights(layer)
    assert [w.shape for w in layer.weights] == [(3, 4), (4, 4)]
    sequences, state = model.predict(x)
    want_sequences, want_state = minimal_reference(x, kernel, recurrent, go_backwards=go_backwards)
    np.testing.assert_allclose(sequences, want_sequences, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state, want_state, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("zero_output", [False, True])
def test_masked_steps_keep_state_and_repeat_or_zero_the_output(zero_output):
    x = RNG.normal(size=(3, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 0]], bool)
    seq, mask_in = Input(shape=(4, 2)), Input(shape=(4,), dtype="bool")
    layer = RNN(MinimalRNNCell(3), return_sequences=True, return_state=True, zero_output_for_mask=zero_output)
    model = Model([seq, mask_in], layer(seq, mask=mask_in))
    kernel, recurrent = _random_weights(layer)
    sequences, state = model.predict([x, mask])
    want_sequences, want_state = minimal_reference(x, kernel, recurrent, mask=mask, zero_output=zero_output)
    np.testing.assert_allclose(sequences, want_sequences, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state, want_state, rtol=1e-5, atol=1e-5)


def test_two_state_cell_with_output_size_and_initial_state():
    x = RNG.normal(size=(2, 3, 2)).astype("float32")
    h0, c0 = RNG.normal(size=(2, 3)).astype("float32"), RNG.normal(size=(2, 2)).astype("float32")
    seq, h_in, c_in = Input(shape=(3, 2)), Input(shape=(3,)), Input(shape=(2,))
    layer = RNN(TwoStateCell(3, 2), return_state=True)
    model = Model([seq, h_in, c_in], layer(seq, initial_state=[h_in, c_in]))
    a, b, c = _random_weights(layer)
    last, hidden, memory = model.predict([x, h0, c0])
    for t in range(3):
        h0 = np.tanh(x[:, t] @ a + h0 @ b)
        c0 = c0 + h0 @ c
    np.testing.assert_allclose(last, c0, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hidden, h0, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(memory, c0, rtol=1e-5, atol=1e-5)


def test_stacked_custom_and_builtin_cells():
    x = RNG.normal(size=(2, 3, 2)).astype("float32")
    layer = RNN([MinimalRNNCell(3), SimpleRNNCell(2)], return_sequences=True)
    seq = Input(shape=(3, 2))
    model = Model(seq, layer(seq))
    kernel, recurrent, simple_kernel, simple_recurrent, simple_bias = _random_weights(layer)
    first, _ = minimal_reference(x, kernel, recurrent)
    h, want = np.zeros((2, 2)), []
    for t in range(3):
        h = np.tanh(first[:, t] @ simple_kernel + h @ simple_recurrent + simple_bias)
        want.append(h)
    np.testing.assert_allclose(model.predict(x), np.stack(want, 1), rtol=1e-5, atol=1e-5)


class CountingStartCell(MinimalRNNCell):
    """Starts from ones instead of zeros (Keras 3's get_initial_state(batch_size))."""

    def get_initial_state(self, batch_size=None):
        return [np.ones((batch_size, self.units), "float32")]


def test_cell_get_initial_state_is_used_when_the_batch_is_known():
    x = RNG.normal(size=(2, 3, 2)).astype("float32")
    layer = RNN(CountingStartCell(3))
    seq = Input(batch_shape=(2, 3, 2))
    model = Model(seq, layer(seq))
    kernel, recurrent = _random_weights(layer)
    _, want = minimal_reference(x, kernel, recurrent, h0=np.ones((2, 3)))
    np.testing.assert_allclose(model.predict(x, batch_size=2), want, rtol=1e-5, atol=1e-5)


def test_stateful_custom_cell_carries_state_across_calls():
    x = RNG.normal(size=(2, 4, 2)).astype("float32")
    layer = RNN(MinimalRNNCell(3), stateful=True, batch_input_shape=(2, 2, 2))
    layer(x[:, :2])
    kernel, recurrent = _random_weights(layer)
    layer.reset_states()
    layer(x[:, :2])
    second = np.asarray(layer(x[:, 2:]))
    _, want = minimal_reference(x, kernel, recurrent)
    np.testing.assert_allclose(second, want, rtol=1e-5, atol=1e-5)
    layer.reset_states()
    np.testing.assert_array_equal(layer.states[0], np.zeros((2, 3)))


def test_bidirectional_custom_cell_concatenates_both_directions():
    x = RNG.normal(size=(2, 3, 2)).astype("float32")
    layer = Bidirectional(RNN(MinimalRNNCell(2)))
    seq = Input(shape=(3, 2))
    model = Model(seq, layer(seq))
    fk, fr, bk, br = _random_weights(layer)
    _, forward = minimal_reference(x, fk, fr)
    _, backward = minimal_reference(x, bk, br, go_backwards=True)
    np.testing.assert_allclose(model.predict(x), np.concatenate([forward, backward], -1), rtol=1e-5, atol=1e-5)


def test_unknown_time_axis_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"known number of timesteps.*\(None, None, 3\).*Input\(shape="):
        RNN(MinimalRNNCell(2))(Input(shape=(None, 3)))


def test_object_without_the_cell_api_is_refused():
    with pytest.raises(TypeError, match="lacks a `state_size` attribute.*call\\(inputs, states\\)"):
        RNN(Layer())


class WrongStateCell(MinimalRNNCell):
    def call(self, inputs, states):
        output, _ = super().call(inputs, states)
        return output, [ops.concatenate([output, output], axis=-1)]


def test_new_state_that_disagrees_with_state_size_names_the_cell():
    with pytest.raises(ShapeError, match=r"WrongStateCell.*new state 0 of shape \(None, 4\).*\(batch, 2\)"):
        RNN(WrongStateCell(2))(Input(shape=(3, 2)))


def test_get_initial_state_that_needs_a_known_batch_says_what_to_do():
    with pytest.raises(TypeError, match=r"CountingStartCell.get_initial_state.*give the Input a batch_size"):
        RNN(CountingStartCell(3))(Input(shape=(3, 2)))
