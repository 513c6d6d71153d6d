"""Initializers: Keras names and defaults, fan arithmetic and distributions checked against Keras's formulas."""
import math

import numpy as np
import pytest

from symk import initializers
from symk.layers import Dense, Input

SHAPE = (300, 200)   # fan_in 300, fan_out 200


def draw(name, shape=SHAPE, **kwargs):
    init = initializers.get(name) if not kwargs else initializers.ALIASES[name](**kwargs)
    out = np.asarray(init(shape, dtype="float32"))
    assert out.shape == tuple(shape) and out.dtype == np.float32
    return out


@pytest.mark.parametrize("name,limit", [
    ("glorot_uniform", math.sqrt(6 / (300 + 200))),
    ("he_uniform", math.sqrt(6 / 300)),
    ("lecun_uniform", math.sqrt(3 / 300)),
])
def test_uniform_variance_scaling_limits(name, limit):
    w = draw(name)
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.95 * limit
    np.testing.assert_allclose(w.std(), limit / math.sqrt(3), rtol=0.05)


@pytest.mark.parametrize("name,stddev", [
    ("glorot_normal", math.sqrt(2 / (300 + 200))),
    ("he_normal", math.sqrt(2 / 300)),
    ("lecun_normal", math.sqrt(1 / 300)),
])
def test_truncated_normal_variance_scaling(name, stddev):
    w = draw(name)
    # Keras draws a normal truncated at 2 sigma of stddev / 0.8796..., whose std is `stddev`
    np.testing.assert_allclose(w.std(), stddev, rtol=0.05)
    assert np.abs(w).max() <= 2 * stddev / 0.87962566103423978 + 1e-7


def test_conv_kernel_fans_include_the_receptive_field():
    assert initializers.compute_fans((3, 3, 4, 8)) == (36.0, 72.0)
    w = draw("he_uniform", (3, 3, 4, 8))
    assert np.abs(w).max() <= math.sqrt(6 / 36)


def test_constant_zeros_ones_identity_orthogonal():
    np.testing.assert_array_equal(draw("zeros", (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(draw("ones", (2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(draw("constant", (2,), value=3.5), [3.5, 3.5])
    np.testing.assert_array_equal(draw("identity", (3, 4)), np.eye(3, 4))
    q = draw("orthogonal", (6, 4))
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    q = draw("orthogonal", (4, 6))
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)


def test_random_defaults_follow_keras():
    w = draw("random_normal", (400, 100))
    np.testing.assert_allclose(w.std(), 0.05, rtol=0.05)
    u = draw("random_uniform", (400, 100))
    assert u.min() >= -0.05 and u.max() <= 0.05
    t = draw("truncated_normal", (400, 100))
    assert np.abs(t).max() <= 0.1


def test_seeded_initializers_repeat_and_configs_round_trip():
    a = initializers.GlorotUniform(seed=3)((4, 5))
    b = initializers.GlorotUniform(seed=3)((4, 5))
    np.testing.assert_array_equal(a, b)
    init = initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=1)
    again = initializers.get(initializers.serialize(init))
    assert type(again) is initializers.VarianceScaling and again.get_config() == init.get_config()
    assert isinstance(initializers.get({"class_name": "RandomNormal", "config": {"stddev": 2.0}}), initializers.RandomNormal)


def test_dense_defaults_are_glorot_uniform_kernel_and_zero_bias():
    layer = Dense(50)
    layer(Input(shape=(100,)))
    assert isinstance(layer.kernel_initializer, initializers.GlorotUniform)
    assert np.abs(layer.kernel.numpy()).max() <= math.sqrt(6 / 150)
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(50))


def test_unknown_initializer_names_say_what_exists():
    with pytest.raises(ValueError, match=r"unknown initializer 'glorot'.*glorot_uniform"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="unknown initializer"):
        Dense(3, kernel_initializer="nope")
