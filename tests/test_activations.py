"""symk.activations: Keras names, `get`/`serialize`, and each function against Keras's formula in numpy."""
import math

import numpy as np
import pytest

from symk import activations
from symk.layers import Activation, Input
from symk.models import Model

X = np.linspace(-7, 7, 29, dtype="float32").reshape(1, -1)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def erf(x):
    return np.vectorize(math.erf)(x)


KERAS_FORMULAS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (np.abs(x) + 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "exponential": np.exp,
    "linear": lambda x: x,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,     # Keras 3: relu6(x + 3) / 6
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "silu": lambda x: x * sigmoid(x),
    "swish": lambda x: x * sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),   # exact (approximate=False) by default
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "softmax": lambda x: np.exp(x - x.max(-1, keepdims=True)) / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - x.max(-1, keepdims=True) - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)),
}


@pytest.mark.parametrize("name", sorted(KERAS_FORMULAS))
def test_activation_by_name_matches_keras_formula(name):
    fn = activations.get(name)
    np.testing.assert_allclose(np.asarray(fn(X)), KERAS_FORMULAS[name](X), rtol=1e-5, atol=1e-6)


def test_activation_layers_in_a_model_match_the_formulas():
    names = ["relu", "selu", "elu", "gelu", "hard_sigmoid", "swish", "softmax"]
    inputs = Input(shape=(X.shape[1],))
    model = Model(inputs, [Activation(n)(inputs) for n in names])
    for name, got in zip(names, model.predict(X)):
        np.testing.assert_allclose(got, KERAS_FORMULAS[name](X), rtol=1e-5, atol=1e-6, err_msg=name)


def test_relu_with_keras_2_arguments():
    got = np.asarray(activations.relu(X, negative_slope=0.1, max_value=4.0, threshold=1.0))
    np.testing.assert_allclose(got, np.minimum(np.where(X >= 1.0, X, 0.1 * (X - 1.0)), 4.0), rtol=1e-6)


def test_get_none_and_callables_and_serialize_round_trip():
    assert activations.get(None) is activations.linear
    fn = lambda x: x  # noqa: E731
    assert activations.get(fn) is fn
    for name in ("relu", "tanh", "softmax", "gelu", "linear"):
        assert activations.get(activations.serialize(activations.get(name))) is activations.get(name)


def test_unknown_activation_name_says_which_names_exist():
    with pytest.raises(ValueError, match=r"unknown activation 'relux'.*relu"):
        activations.get("relux")
    with pytest.raises(ValueError, match="unknown activation 'nope'"):
        Activation("nope")
