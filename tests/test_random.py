"""symk.random: Keras's numbers for int seeds and SeedGenerators, distribution properties, dtypes, seeds that
advance eagerly and in compiled models, the global seed, jax.jit, and the errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symk
from symk import backend as K
from symk import random as R
from symk.errors import ShapeError

N = 20000  # samples for moment checks: the standard error of a mean is below 1%


# -- Keras's own numbers (keras 3.15.1, JAX backend; an int seed s is the key [s, 0], as in Keras) ------------
KERAS_SEED_3 = [
    (lambda: R.uniform((2, 2), seed=3), [[0.8560285568237305, 0.48402655124664307],
                                         [0.617693305015564, 0.8454524278640747]], "float32"),
    (lambda: R.normal((3,), mean=1.0, stddev=2.0, seed=3), [3.125290632247925, 0.9198997616767883,
                                                           1.5988564491271973], "float32"),
    (lambda: R.truncated_normal((3,), seed=3), [0.9937558174133301, -0.03822699189186096, 0.2854185104370117],
     "float32"),
    (lambda: R.randint((4,), 0, 10, seed=3), [6, 9, 8, 0], "int32"),
    (lambda: R.dropout(np.ones((2, 4), "float32"), 0.5, seed=3), [[0.0, 2.0, 0.0, 0.0], [2.0, 2.0, 0.0, 2.0]],
     "float32"),
    (lambda: R.shuffle(np.arange(6, dtype="int32"), seed=3), [1, 3, 5, 2, 0, 4], "int32"),
    (lambda: R.categorical(np.array([[0.0, 1.0, 2.0]], "float32"), 4, seed=3), [[2, 2, 1, 2]], "int32"),
    (lambda: R.gamma((3,), 2.0, seed=3), [0.9125392436981201, 3.0332515239715576, 0.4954378604888916], "float32"),
    (lambda: R.beta((3,), 2.0, 3.0, seed=3), [0.3131633400917053, 0.44518089294433594, 0.5341750979423523],
     "float32"),
    (lambda: R.binomial((3,), 10, 0.5, seed=3), [3.0, 5.0, 2.0], "float32"),
    (lambda: R.normal((2,), dtype="float16", seed=3), [0.50341796875, -0.95703125], "float16"),
]


@pytest.mark.parametrize("draw,expected,dtype", KERAS_SEED_3)
def test_int_seeds_give_keras_numbers(draw, expected, dtype):
    out = draw()
    assert str(out.dtype) == dtype
    np.testing.assert_allclose(np.asarray(out, "float64"), expected, rtol=1e-6)


def test_seed_generator_gives_keras_numbers_and_advances():
    gen = R.SeedGenerator(42)
    first, second = R.uniform((2,), seed=gen), R.uniform((2,), seed=gen)
    np.testing.assert_allclose(first, [0.5667296648025513, 0.06554865837097168], rtol=1e-6)
    np.testing.assert_allclose(second, [0.7233974933624268, 0.9611223936080933], rtol=1e-6)
    assert gen.state.numpy().tolist() == [42, 2] and gen.state.dtype == "uint32"
    again = R.SeedGenerator(42)
    np.testing.assert_array_equal(R.uniform((2,), seed=again), first)


def test_same_int_seed_same_numbers_and_generator_config():
    np.testing.assert_array_equal(R.normal((5,), seed=11), R.normal((5,), seed=11))
    assert not np.allclose(R.normal((5,), seed=11), R.normal((5,), seed=12))
    gen = R.SeedGenerator(7, name="noise_seed")
    assert gen.name == "noise_seed" and gen.state.path == "noise_seed/seed_generator_state"
    assert gen.state.trainable is False
    assert gen.get_config() == {"seed": 7, "name": "noise_seed"}
    clone = R.SeedGenerator.from_config(gen.get_config())
    np.testing.assert_array_equal(R.normal((3,), seed=clone), R.normal((3,), seed=7))
    assert R.SeedGenerator().name.startswith("seed_generator")


# -- distributions ---------------------------------------------------------------------------------------
def test_uniform_and_normal_moments():
    u = np.asarray(R.uniform((N,), minval=-1.0, maxval=3.0, seed=1))
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05
    n = np.asarray(R.normal((N,), mean=2.0, stddev=0.5, seed=2))
    assert abs(n.mean() - 2.0) < 0.02 and abs(n.std() - 0.5) < 0.02


def test_truncated_normal_stays_within_two_stddev():
    t = np.asarray(R.truncated_normal((N,), mean=1.0, stddev=3.0, seed=4))
    assert t.min() >= 1.0 - 6.0 and t.max() <= 1.0 + 6.0 and abs(t.mean() - 1.0) < 0.1
    assert t.std() < 3.0 * 0.9  # truncation narrows the spread (to about 0.88 stddev)


def test_randint_range_and_dtype():
    r = np.asarray(R.randint((N,), -2, 3, seed=5))
    assert r.dtype == np.int32 and set(np.unique(r)) == {-2, -1, 0, 1, 2}
    assert R.randint((2,), 0, 4, dtype="uint8", seed=5).dtype == jnp.uint8


def test_categorical_frequencies_follow_the_logits():
    probs = np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]], "float32")
    samples = np.asarray(R.categorical(np.log(probs), N, seed=6))
    assert samples.shape == (2, N) and samples.dtype == np.int32
    for row, p in zip(samples, probs):
        np.testing.assert_allclose(np.bincount(row, minlength=3) / N, p, atol=0.015)
    assert R.categorical(np.zeros((1, 2), "float32"), 3, dtype="float32", seed=1).dtype == jnp.float32


def test_shuffle_permutes_each_line_along_the_axis():
    x = np.arange(40, dtype="float32").reshape(10, 4)
    rows = np.asarray(R.shuffle(x, seed=7))
    for column in range(4):  # Keras on JAX permutes every column on its own
        assert sorted(rows[:, column]) == sorted(x[:, column])
    assert not np.array_equal(rows, x)
    columns = np.asarray(R.shuffle(x, axis=1, seed=7))
    for row in range(10):
        assert sorted(columns[row]) == sorted(x[row])


def test_dropout_rate_scale_and_noise_shape():
    x = np.ones((200, 100), "float32")
    out = np.asarray(R.dropout(x, 0.3, seed=8))
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.7)}
    assert abs((out == 0).mean() - 0.3) < 0.01
    shared = np.asarray(R.dropout(x, 0.5, noise_shape=(None, 1), seed=8))
    assert all(len(set(row)) == 1 for row in shared)  # one mask value per row
    assert R.dropout(x, 0.0, seed=8) is x  # as Keras: the inputs themselves
    np.testing.assert_array_equal(R.dropout(x, 1.0, seed=8), np.zeros_like(x))
    assert R.dropout(x.astype("float16"), 0.5, seed=8).dtype == jnp.float16


def test_gamma_beta_binomial_means():
    # (jax compiles these samplers slowly: one call each)
    per_column = np.asarray(R.gamma((N, 2), np.array([3.0, 10.0], "float32"), seed=9)).mean(axis=0)
    np.testing.assert_allclose(per_column, [3.0, 10.0], rtol=0.05)
    assert abs(np.mean(R.beta((N,), 2.0, 6.0, seed=9)) - 0.25) < 0.01
    b = np.asarray(R.binomial((N,), 20, 0.3, seed=9))
    assert b.dtype == np.float32 and abs(b.mean() - 6.0) < 0.1 and b.min() >= 0 and b.max() <= 20


def test_dtype_none_is_floatx():
    seed = K.placeholder(shape=(2,), dtype="uint32")  # a symbolic seed: the draws are graph nodes (no compiling)
    symk.config.set_floatx("float16")
    try:
        draws = [R.normal((2,), seed=seed), R.uniform((2,), seed=seed), R.truncated_normal((2,), seed=seed),
                 R.gamma((2,), 1.0, seed=seed), R.beta((2,), 1.0, 1.0, seed=seed), R.binomial((2,), 3, 0.5, seed=seed)]
        assert [d.dtype for d in draws] == ["float16"] * 6
        assert R.randint((2,), 0, 3, seed=seed).dtype == "int32"
        assert R.categorical(K.placeholder(shape=(2, 3)), 4, seed=seed).dtype == "int32"
    finally:
        symk.config.set_floatx("float32")
    assert R.normal((2,), seed=1).dtype == jnp.float32


def test_tensor_parameters_broadcast_as_in_keras():
    mean = np.array([0.0, 100.0], "float32")
    out = np.asarray(R.normal((N, 2), mean=mean, seed=10))
    np.testing.assert_allclose(out.mean(axis=0), mean, atol=0.05)
    low = np.array([0.0, 10.0], "float32")
    bounded = np.asarray(R.uniform((N, 2), minval=low, maxval=low + 1, seed=10))
    assert (bounded >= low).all() and (bounded < low + 1).all()


# -- the global seed -----------------------------------------------------------------------------------------
class GlobalNoise(symk.layers.Layer):
    def call(self, x):
        return x + R.normal(K.shape(x))


def test_set_random_seed_fixes_the_global_stream_eagerly_and_compiled():
    symk.utils.set_random_seed(123)
    first, second = np.asarray(R.uniform((3,))), np.asarray(R.uniform((3,)))
    assert not np.allclose(first, second)
    symk.utils.set_random_seed(123)
    np.testing.assert_array_equal(R.uniform((3,)), first)
    zeros = np.zeros((2, 3), "float32")
    symk.utils.set_random_seed(5)
    eager = np.asarray(R.normal((2, 3)))
    symk.utils.set_random_seed(5)
    inputs = symk.Input((3,))
    model = symk.Model(inputs, GlobalNoise()(inputs))
    compiled = model.predict(zeros, verbose=0)
    np.testing.assert_allclose(compiled, eager, rtol=1e-6)  # the same global seed, the same numbers
    assert not np.allclose(model.predict(zeros, verbose=0), compiled)


# -- seed generators in layers and compiled models ----------------------------------------------------------------
class Noisy(symk.layers.Layer):
    def __init__(self, draws=1, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = R.SeedGenerator(1337)
        self.draws = draws

    def call(self, x):
        for _ in range(self.draws):
            x = x + R.normal(K.shape(x), seed=self.seed_generator)
        return x


def test_layer_tracks_its_generator_state_as_a_variable_not_a_weight():
    layer = Noisy()
    layer(np.zeros((2, 3), "float32"))
    state = layer.seed_generator.state
    assert layer.variables == [state] and layer.non_trainable_variables == [state]
    assert layer.weights == [] and layer.non_trainable_weights == [] and layer.get_weights() == []
    inputs = symk.Input((3,))
    model = symk.Model(inputs, symk.layers.Dense(2)(Noisy()(inputs)))
    assert len(model.weights) == 2 and len(model.variables) == 3
    assert model.non_trainable_variables[-1].path.endswith("seed_generator_state")


def test_eager_layer_calls_give_keras_numbers_and_advance():
    layer = Noisy()
    zeros = np.zeros((2, 3), "float32")
    first, second = np.asarray(layer(zeros)), np.asarray(layer(zeros))
    # keras.Model(inputs, layer(inputs)).predict(zeros) twice, with keras.random.SeedGenerator(1337)
    np.testing.assert_allclose(first, [[0.6725026, 0.24866055, -0.4988533], [0.70343643, -0.06193211, 0.18141896]],
                               rtol=1e-5)
    np.testing.assert_allclose(second, [[-1.4993038, 0.6792463, -0.55990446],
                                        [-1.2135693, -0.14447613, -1.6051644]], rtol=1e-5)
    assert layer.seed_generator.state.numpy().tolist() == [1337, 2]


def test_compiled_model_draws_new_numbers_every_call_and_batch():
    layer = Noisy(draws=2)
    inputs = symk.Input((3,))
    model = symk.Model(inputs, layer(inputs))
    zeros = np.zeros((8, 3), "float32")
    a, b = model.predict(zeros, verbose=0), model.predict(zeros, verbose=0)
    assert not np.allclose(a, b)
    assert layer.seed_generator.state.numpy().tolist() == [1337, 4]  # two draws per call
    batches = model.predict(np.zeros((8, 3), "float32"), batch_size=4, verbose=0)
    assert not np.allclose(batches[:4], batches[4:])


def test_fit_advances_the_state_every_step():
    layer = Noisy()
    inputs = symk.Input((3,))
    model = symk.Model(inputs, symk.layers.Dense(1)(layer(inputs)))
    model.compile("sgd", "mse")
    model.fit(np.zeros((64, 3), "float32"), np.zeros((64, 1), "float32"), batch_size=16, verbose=0)
    assert layer.seed_generator.state.numpy().tolist() == [1337, 4]


def test_a_layer_shared_by_two_models_serves_both():
    layer = Noisy()
    a, b = symk.Input(batch_shape=(2, 3)), symk.Input(batch_shape=(2, 3))
    model_a, model_b = symk.Model(a, layer(a)), symk.Model(b, layer(b))
    zeros = np.zeros((2, 3), "float32")
    outs = [model_a.predict(zeros, verbose=0), model_b.predict(zeros, verbose=0), model_a.predict(zeros, verbose=0)]
    assert len({o.tobytes() for o in outs}) == 3


def test_draws_on_symbolic_tensors_are_graph_nodes():
    x = K.placeholder(shape=(None, 4))
    gen = R.SeedGenerator(3)
    y = R.dropout(x, 0.5, seed=gen)
    assert isinstance(y, symk.SymbolicTensor) and tuple(y.shape) == (None, 4)
    ones = np.ones((5, 4), "float32")
    np.testing.assert_array_equal(K.function([x], [y])([ones])[0], R.dropout(ones, 0.5, seed=R.SeedGenerator(3)))
    noise = R.uniform(K.shape(x), seed=1)
    assert tuple(noise.shape) == (None, 4)
    assert K.function([x], [noise])([ones])[0].shape == (5, 4)


# -- jax.jit and jax keys ------------------------------------------------------------------------------------
def test_functions_work_inside_jax_jit():
    ones = np.ones((2, 4), "float32")
    jitted = jax.jit(lambda x: R.dropout(x, 0.5, seed=3))
    np.testing.assert_array_equal(jitted(ones), R.dropout(ones, 0.5, seed=3))
    keyed = jax.jit(lambda key: R.normal((3,), seed=key))
    np.testing.assert_array_equal(keyed(jnp.array([3, 0], jnp.uint32)), R.normal((3,), seed=3))
    np.testing.assert_array_equal(R.normal((3,), seed=jax.random.key(3)), R.normal((3,), seed=jax.random.PRNGKey(3)))
    gen = R.SeedGenerator(1)
    jax.jit(lambda x: x + R.normal((2, 4), seed=gen))(ones)
    assert isinstance(gen.state.numpy(), np.ndarray) and gen.state.numpy().tolist() == [1, 1]  # no tracer kept


# -- errors ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,error,words", [
    (lambda: R.normal((2,), seed="a"), ValueError, "must be either an integer"),
    (lambda: R.normal((2,), seed=1.5), ValueError, "must be either an integer"),
    (lambda: R.normal((2,), seed=-1), ValueError, "[0, 2**32)"),
    (lambda: R.SeedGenerator(2 ** 32), ValueError, "[0, 2**32)"),
    (lambda: R.SeedGenerator("x"), ValueError, "must be an integer"),
    (lambda: R.SeedGenerator(1, colour="red"), ValueError, "unrecognized keyword"),
    (lambda: R.uniform((2,), dtype="int32", seed=1), ShapeError, "floating point dtype"),
    (lambda: R.normal((2,), dtype="int32", seed=1), ShapeError, "floating point dtype"),
    (lambda: R.randint((2,), 0, 5, dtype="float32", seed=1), ShapeError, "integer dtype"),
    (lambda: R.categorical(np.zeros(3, "float32"), 2, seed=1), ShapeError, "2-D"),
    (lambda: R.dropout(np.ones(3, "float32"), 1.5, seed=1), ShapeError, "rate must be in [0, 1]"),
    (lambda: R.dropout(np.ones(3, "int32"), 0.5, seed=1), ShapeError, "floating point inputs"),
    (lambda: R.dropout(np.ones((2, 3), "float32"), 0.5, noise_shape=(2, 2), seed=1), ShapeError, "noise_shape"),
    (lambda: R.shuffle(np.float32(1.0), seed=1), ShapeError, "out of range"),
    (lambda: R.gamma((2,), np.ones(3, "float32"), seed=1), ShapeError, "does not broadcast"),
    (lambda: R.normal((2, None), seed=1), TypeError, "unknown (None) size"),
    (lambda: R.randint((2,), np.zeros(2), 3, seed=1), TypeError, "Python int"),
    (lambda: R.normal((2,), seed=np.zeros(3, np.uint32)), ShapeError, "uint32 tensor of shape (2,)"),
])
def test_bad_arguments_are_refused_with_a_clear_message(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
