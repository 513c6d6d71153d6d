"""Core layers (Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda) and the Layer base, against numpy."""
import numpy as np
import pytest

from symk import backend as K
from symk.layers import Activation, Dense, Dropout, Flatten, Input, Lambda, Layer, Permute, RepeatVector, Reshape
from symk.models import Model, Sequential

RNG = np.random.default_rng(1)


def test_dense_chain_matches_numpy():
    model = Sequential([Dense(5, activation="relu", input_shape=(4,)), Dense(3, activation="tanh"), Dense(2)])
    (k1, b1, k2, b2, k3, b3) = [RNG.normal(size=w.shape).astype("float32") for w in model.weights]
    model.set_weights([k1, b1, k2, b2, k3, b3])
    x = RNG.normal(size=(7, 4)).astype("float32")
    expected = np.tanh(np.maximum(x @ k1 + b1, 0) @ k2 + b2) @ k3 + b3
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model(x), expected, rtol=1e-5, atol=1e-5)


def test_dense_on_rank_3_inputs_applies_to_the_last_axis():
    layer = Dense(2, use_bias=False)
    y = layer(Input(shape=(3, 4)))
    assert tuple(y.shape) == (None, 3, 2)
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(layer(x), x @ layer.kernel.numpy(), rtol=1e-5)


def test_weights_names_shapes_and_trainable_flags():
    d1, d2 = Dense(3), Dense(2)
    d2(d1(Input(shape=(4,))))
    assert [w.path for w in d1.weights] == ["dense/kernel", "dense/bias"]
    assert [w.path for w in d2.weights] == ["dense_1/kernel", "dense_1/bias"]
    assert [w.shape for w in d1.weights] == [(4, 3), (3,)]
    d1.trainable = False
    assert d1.trainable_weights == [] and len(d1.non_trainable_weights) == 2
    assert d1.count_params() == 15


def test_custom_layer_add_weight_in_init_and_build():
    class Scale(Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.alpha = self.add_weight("alpha", (), initializer="ones")   # tf.keras allowed it in __init__

        def build(self, input_shape):
            self.offset = self.add_weight(name="offset", shape=(input_shape[-1],), initializer="zeros",
                                          trainable=False)

        def call(self, x):
            return x * self.alpha + self.offset

    layer = Scale(name="scale")
    y = layer(Input(shape=(3,)))
    assert tuple(y.shape) == (None, 3)
    assert [w.path for w in layer.weights] == ["scale/alpha", "scale/offset"]
    assert [w.path for w in layer.trainable_weights] == ["scale/alpha"]
    layer.set_weights([np.float32(2.0), np.array([1, 2, 3], "float32")])
    np.testing.assert_allclose(layer(np.ones((2, 3), "float32")), [[3, 4, 5]] * 2)


def test_get_config_from_config_round_trip():
    layer = Dense(4, activation="relu", use_bias=False, name="d")
    clone = Dense.from_config(layer.get_config())
    assert clone.units == 4 and clone.use_bias is False and clone.name == "d"
    assert clone.get_config()["activation"] == "relu"
    for layer in [Activation("tanh"), Dropout(0.3), Flatten(), Reshape((2, 3)), Permute((2, 1)), RepeatVector(3)]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config


def test_dropout_is_identity_in_inference_and_drops_in_training():
    layer = Dropout(0.5)
    x = np.ones((4, 200), "float32")
    np.testing.assert_array_equal(layer(x), x)
    dropped = np.asarray(layer(x, training=True))
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0.35 < (dropped == 0).mean() < 0.65


def test_flatten_reshape_permute_repeat_vector_match_numpy():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    cases = [
        (Flatten(), x.reshape(2, 12), (None, 12)),
        (Reshape((4, 3)), x.reshape(2, 4, 3), (None, 4, 3)),
        (Reshape((-1, 2)), x.reshape(2, 6, 2), (None, 6, 2)),
        (Permute((2, 1)), x.transpose(0, 2, 1), (None, 4, 3)),
        (Lambda(lambda t: t ** 2), x ** 2, (None, 3, 4)),
    ]
    for layer, expected, shape in cases:
        assert tuple(layer(Input(shape=(3, 4))).shape) == shape, layer
        np.testing.assert_allclose(layer(x), expected, rtol=1e-6)
    v = x[:, 0]
    assert tuple(RepeatVector(5)(Input(shape=(4,))).shape) == (None, 5, 4)
    np.testing.assert_allclose(RepeatVector(5)(v), np.repeat(v[:, None], 5, axis=1))
    flat_first = Flatten(data_format="channels_first")
    np.testing.assert_allclose(flat_first(x), x.transpose(0, 2, 1).reshape(2, 12))


def test_compute_output_shape_without_building_a_model():
    assert Dense(7).compute_output_shape((None, 3)) == (None, 7)
    assert tuple(Reshape((2, 6)).compute_output_shape((None, 3, 4))) == (None, 2, 6)
    assert tuple(Permute((2, 1)).compute_output_shape((None, 3, 4))) == (None, 4, 3)


def test_call_site_bookkeeping_input_output_shapes():
    layer = Dense(3)
    x = Input(shape=(2,))
    y = layer(x)
    assert layer.input is x and layer.output is y
    assert layer.input_shape == (None, 2) and layer.output_shape == (None, 3)
    assert layer.get_input_at(0) is x and layer.get_output_shape_at(0) == (None, 3)


def test_auto_names_are_unique_and_restart_after_clear_session():
    assert [Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    K.clear_session()
    assert Dense(1).name == "dense"


def test_symbolic_call_inside_model_and_eager_call_agree():
    layer = Dense(3, activation="sigmoid")
    inputs = Input(shape=(5,))
    model = Model(inputs, layer(inputs))
    x = RNG.normal(size=(4, 5)).astype("float32")
    np.testing.assert_allclose(model.predict(x), layer(x), rtol=1e-6)
    k, b = layer.get_weights()
    np.testing.assert_allclose(layer(x), 1 / (1 + np.exp(-(x @ k + b))), rtol=1e-5)


def test_unexpected_keyword_argument_is_named():
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['unitz'\]"):
        Dense(3, unitz=4)


def test_flatten_with_unknown_inner_axes_as_keras():
    """Keras 3.15: Flatten on (None, None, 3) gives (None, None), sized per batch at run time (numbers: numpy)."""
    inputs = Input((None, 3))
    outputs = Flatten()(inputs)
    assert tuple(outputs.shape) == (None, None)
    model = Model(inputs, outputs)
    for steps in (4, 5):
        data = np.arange(2 * steps * 3, dtype="float32").reshape(2, steps, 3)
        np.testing.assert_array_equal(model.predict(data, verbose=0), data.reshape(2, -1))
