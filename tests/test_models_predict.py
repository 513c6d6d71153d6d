"""predict batching (a partial last batch compiles nothing new), model(x) on arrays, predict_on_batch, to_source."""
import numpy as np

from symk.layers import Dense, Dropout, Input
from symk.models import Model, Sequential

RNG = np.random.default_rng(6)


def small_model():
    model = Sequential([Dense(8, activation="relu", input_dim=20), Dropout(0.5), Dense(3, activation="softmax")])
    (k1, b1, k2, b2) = model.get_weights()
    return model, lambda x: _softmax(np.maximum(x @ k1 + b1, 0) @ k2 + b2)


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_predict_batches_and_partial_last_batch_do_not_recompile():
    model, reference = small_model()
    x = RNG.random((100, 20)).astype("float32")
    out = model.predict(x, batch_size=32)        # 32, 32, 32 and a partial 4
    np.testing.assert_allclose(out, reference(x), rtol=1e-5, atol=1e-6)
    program = model._program(training=False)
    assert program.jitted._cache_size() == 1, "the partial last batch must reuse the compiled batch size"
    model.predict(RNG.random((70, 20)).astype("float32"), batch_size=32)
    assert program.jitted._cache_size() == 1


def test_inputs_smaller_than_a_batch_compile_a_few_bucketed_sizes_only():
    model, reference = small_model()
    for length in range(1, 33):
        x = RNG.random((length, 20)).astype("float32")
        out = model.predict(x, batch_size=32, verbose=0)
        assert out.shape == (length, 3)
        np.testing.assert_allclose(out, reference(x), rtol=1e-5, atol=1e-6)
    # lengths 1..32 run as 1, 2, 4, 8, 16 and 32 rows
    assert model._program(training=False).jitted._cache_size() == 6


def test_predict_on_batch_and_model_call_on_arrays_agree_with_numpy():
    model, reference = small_model()
    x = RNG.random((5, 20)).astype("float32")
    np.testing.assert_allclose(model.predict_on_batch(x), reference(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(model(x)), reference(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x.astype("float64")), reference(x), rtol=1e-5, atol=1e-6)


def test_dropout_is_inactive_in_predict_and_active_with_training_true():
    model, reference = small_model()
    x = RNG.random((16, 20)).astype("float32")
    np.testing.assert_allclose(model.predict(x), model.predict(x))
    trained = np.asarray(model(x, training=True))
    assert not np.allclose(trained, reference(x), atol=1e-4)


def test_to_source_shows_the_lowered_function():
    model, _ = small_model()
    source = model.to_source()
    assert source.startswith("def f(params, state, inputs, rng, training):")
    # graph passes may fuse matmul/bias_add/relu; the weights, dropout and softmax stay visible
    for fragment in ("params['dense/kernel']", "params['dense_1/bias']", "inputs[0]", "softmax(", "return ["):
        assert fragment in source, fragment
    assert "dropout(" in model.to_source(training=True)  # inference graphs may drop it


def test_empty_and_single_sample_inputs():
    x = Input(shape=(2,))
    model = Model(x, Dense(1, kernel_initializer="ones")(x))
    assert model.predict(np.ones((1, 2))).tolist() == [[2.0]]
    assert model.predict(np.ones((33, 2)), batch_size=32).shape == (33, 1)
