"""Under mixed_bfloat16, these layers compute and output bfloat16, as Keras 3.15 does (output dtypes recorded
by running each layer in Keras under the same policy: every one gave bfloat16), both eagerly and in a model.
ConvLSTM1D/2D/3D and the normalizations are checked against Keras's numbers in tests/test_mixed_precision_more.py."""
import numpy as np
import pytest

import symk as keras

RNG = np.random.RandomState(0)
SEQUENCE = RNG.rand(2, 5, 3).astype("float32")
IMAGES = RNG.rand(2, 8, 8, 3).astype("float32")
CASES = [
    ("LSTM", lambda: keras.layers.LSTM(4), SEQUENCE),
    ("GRU", lambda: keras.layers.GRU(4, return_sequences=True), SEQUENCE),
    ("SimpleRNN", lambda: keras.layers.SimpleRNN(4), SEQUENCE),
    ("Rescaling", lambda: keras.layers.Rescaling(1 / 255.0), IMAGES),
    ("Normalization", lambda: keras.layers.Normalization(mean=0.5, variance=0.1), IMAGES),
    ("RandomFlip", lambda: keras.layers.RandomFlip(), IMAGES),
    ("ReversibleEmbedding", lambda: keras.layers.ReversibleEmbedding(10, 4), np.array([[1, 2]])),
]


@pytest.fixture
def mixed_bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name,factory,data", CASES, ids=[c[0] for c in CASES])
def test_layer_outputs_bfloat16_under_mixed_bfloat16(mixed_bfloat16, name, factory, data):
    layer = factory()
    assert str(np.asarray(layer(data)).dtype) == "bfloat16"
    assert all(w.dtype == "float32" for w in layer.weights if "float" in w.dtype)
    inputs = keras.Input(data.shape[1:], dtype=str(data.dtype))
    assert factory()(inputs).dtype == "bfloat16"


def test_clear_session_restores_the_default_policy():
    """Keras's clear_session resets its global settings, the dtype policy among them."""
    keras.mixed_precision.set_global_policy("mixed_float16")
    keras.backend.clear_session()
    assert keras.mixed_precision.global_policy().name == "float32"
    assert keras.layers.Dense(2).compute_dtype == "float32"
