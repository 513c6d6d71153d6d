"""Embedding and Masking: lookups against numpy indexing, masks, configs, Keras 2 arguments, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layer_harness import check_layer, layer_example
from symk import Input, Model, Sequential
from symk.layers import Dense, Embedding, Masking

EXAMPLES = [
    layer_example("embedding", lambda: Embedding(6, 3), (2, 4), "int32"),
    layer_example("embedding_mask_zero", lambda: Embedding(6, 3, mask_zero=True), (2, 4), "int32"),
    layer_example("masking", lambda: Masking(mask_value=0.5), (2, 4, 3)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


def test_embedding_is_a_row_lookup():
    layer = Embedding(7, 3)
    tokens = np.array([[0, 6, 2], [1, 1, 5]])
    out = layer(tokens)
    table = layer.get_weights()[0]
    np.testing.assert_array_equal(out, table[tokens])
    assert table.shape == (7, 3) and np.abs(table).max() <= 0.05  # Keras's uniform(-0.05, 0.05)
    assert layer.weights[0].path.startswith("embedding/embeddings")


def test_embedding_casts_float_indices_and_accepts_input_length():
    model = Sequential([Embedding(5, 2, input_length=4)])
    assert tuple(model.output_shape) == (None, 4, 2)
    tokens = np.array([[1.0, 2.0, 3.0, 4.0]], "float32")
    table = model.layers[0].get_weights()[0]
    np.testing.assert_array_equal(model.predict(tokens), table[tokens.astype(int)])


def test_mask_zero_sets_the_mask_and_dense_passes_it_on():
    tokens = Input(shape=(4,), dtype="int32")
    embedded = Embedding(5, 2, mask_zero=True)(tokens)
    assert tuple(embedded._keras_mask.shape) == (None, 4)
    mask_model = Model(tokens, embedded._keras_mask)
    np.testing.assert_array_equal(mask_model.predict(np.array([[3, 0, 1, 0]])), [[True, False, True, False]])
    assert Dense(3)(embedded)._keras_mask is embedded._keras_mask
    assert Embedding(5, 2)(tokens)._keras_mask is None


def test_masking_zeroes_masked_steps_and_sets_mask():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]], "float32")
    seq = Input(shape=(3, 2))
    masked = Masking(mask_value=0.0)(seq)
    out, mask = Model(seq, [masked, masked._keras_mask]).predict(x)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(mask, [[True, False, True]])
    x[0, 0] = 7.0
    np.testing.assert_array_equal(Masking(mask_value=7.0)(x)[0, 0], [0.0, 0.0])


def test_configs_round_trip():
    for layer in (Embedding(10, 4, mask_zero=True, input_length=3), Masking(mask_value=-1.0)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


def test_embedding_errors():
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim must be a positive integer"):
        Embedding(3, None)


@settings(max_examples=15)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(1, 5))
def test_embedding_shapes_agree(shape, output_dim):
    layer = Embedding(6, output_dim)
    symbolic = layer(Input(shape=tuple(shape), dtype="int32"))
    computed = layer(np.zeros((2,) + tuple(shape), "int32"))
    assert tuple(symbolic.shape) == tuple(layer.compute_output_shape((None,) + tuple(shape)))
    assert computed.shape == (2,) + tuple(shape) + (output_dim,)
