"""Numerics of the core ops against numpy (and Keras's documented formulas), eagerly and through the graph."""
import math

import numpy as np
import pytest

import symk
from symk import backend as K
from symk.ops import primitives as ops

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4)).astype("float32")
POSITIVE = np.abs(X) + 0.1
Y = RNG.normal(size=(4,)).astype("float32")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu6(x):
    return np.clip(x, 0, 6)


def erf(x):
    return np.vectorize(math.erf)(x).astype("float32")


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805

UNARY_CASES = {
    "negative": (X, -X), "abs": (X, np.abs(X)), "sign": (X, np.sign(X)), "square": (X, X ** 2),
    "floor": (X, np.floor(X)), "ceil": (X, np.ceil(X)), "round": (X * 3, np.round(X * 3)),
    "exp": (X, np.exp(X)), "log": (POSITIVE, np.log(POSITIVE)), "sqrt": (POSITIVE, np.sqrt(POSITIVE)),
    "rsqrt": (POSITIVE, 1 / np.sqrt(POSITIVE)), "log1p": (POSITIVE, np.log1p(POSITIVE)), "expm1": (X, np.expm1(X)),
    "sin": (X, np.sin(X)), "cos": (X, np.cos(X)), "tan": (X, np.tan(X)), "tanh": (X, np.tanh(X)), "erf": (X, erf(X)),
    "reciprocal": (POSITIVE, 1 / POSITIVE), "relu": (X, np.maximum(X, 0)), "linear": (X, X), "identity": (X, X),
    "sigmoid": (X, sigmoid(X)), "softplus": (X, np.log1p(np.exp(X))), "softsign": (X, X / (1 + np.abs(X))),
    "selu": (X, SELU_SCALE * np.where(X > 0, X, SELU_ALPHA * (np.exp(X) - 1))), "exponential": (X, np.exp(X)),
    "relu6": (X * 5, relu6(X * 5)), "silu": (X, X * sigmoid(X)), "swish": (X, X * sigmoid(X)),
    "log_sigmoid": (X, np.log(sigmoid(X))), "mish": (X, X * np.tanh(np.log1p(np.exp(X)))),
    # Keras 3: hard_sigmoid(x) = relu6(x + 3) / 6; hard_swish(x) = x * relu6(x + 3) / 6
    "hard_sigmoid": (X * 4, relu6(X * 4 + 3) / 6), "hard_swish": (X * 4, X * 4 * relu6(X * 4 + 3) / 6),
    "elu": (X, np.where(X > 0, X, np.exp(X) - 1)), "leaky_relu": (X, np.where(X > 0, X, 0.2 * X)),
    "gelu": (X, 0.5 * X * (1 + erf(X / np.sqrt(2)))),  # exact by default, as in Keras
    "logical_not": (X > 0, ~(X > 0)),
}

BINARY_CASES = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide, "maximum": np.maximum,
    "minimum": np.minimum, "equal": np.equal, "not_equal": np.not_equal, "less": np.less,
    "less_equal": np.less_equal, "greater": np.greater, "greater_equal": np.greater_equal,
    "floor_divide": np.floor_divide, "mod": np.mod,
}


def through_graph(fn, *arrays):
    """Build fn on placeholders of the arrays' shapes, lower it with K.function and run it."""
    placeholders = [K.placeholder(shape=a.shape, dtype=str(a.dtype)) for a in arrays]
    return K.function(placeholders, fn(*placeholders))(list(arrays))


def check_close(fn, arrays, expected, atol=1e-5):
    check_all([(fn, arrays, expected)], atol)


def check_all(cases, atol=1e-5):
    """Each case eagerly, then all of them through one lowered graph (one compilation keeps this fast)."""
    placeholders, outputs = [], []
    for fn, arrays, expected in cases:
        np.testing.assert_allclose(np.asarray(fn(*arrays)), expected, rtol=1e-5, atol=atol, err_msg=fn.__name__)
        mine = [K.placeholder(shape=a.shape, dtype=str(a.dtype)) for a in arrays]
        placeholders += mine
        outputs.append(fn(*mine))
    results = K.function(placeholders, outputs)([a for _, arrays, _ in cases for a in arrays])
    for got, (fn, _, expected) in zip(results, cases):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=atol, err_msg=f"{fn.__name__} in a graph")
        assert got.shape == np.shape(expected)


def test_unary_ops_match_numpy():
    check_all([(getattr(ops, name), [x], expected) for name, (x, expected) in sorted(UNARY_CASES.items())])


def test_binary_ops_broadcast_like_numpy():
    cases = []
    for name, reference in sorted(BINARY_CASES.items()):
        b = Y if name not in ("floor_divide", "mod") else np.abs(Y) + 0.5
        cases.append((getattr(ops, name), [X, b], reference(X, b)))
    check_all(cases)


def test_power_logical_and_where():
    cases = []
    cases.append((ops.power, [POSITIVE, Y], POSITIVE ** Y))
    cases.append((ops.logical_and, [X > 0, Y > 0], (X > 0) & (Y > 0)))
    cases.append((ops.logical_xor, [X > 0, Y > 0], (X > 0) ^ (Y > 0)))
    cases.append((ops.where, [X > 0, X, Y], np.where(X > 0, X, Y)))
    check_all(cases)


def test_parametrised_activations_follow_keras_formulas():
    cases = []
    cases.append((lambda x: ops.elu(x, alpha=0.5), [X], np.where(X > 0, X, 0.5 * (np.exp(X) - 1))))
    cases.append((lambda x: ops.leaky_relu(x, negative_slope=0.3), [X], np.where(X > 0, X, 0.3 * X)))
    approx = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    cases.append((lambda x: ops.gelu(x, approximate=True), [X], approx))
    cases.append((lambda x: ops.clip(x, -0.5, 0.5), [X], np.clip(X, -0.5, 0.5)))
    # Keras ReLU(max_value, negative_slope, threshold)
    relu = lambda x: ops.relu_general(x, negative_slope=0.1, max_value=1.0, threshold=0.2)  # noqa: E731
    cases.append((relu, [X], np.minimum(np.where(X >= 0.2, X, 0.1 * (X - 0.2)), 1.0)))
    check_all(cases)


@pytest.mark.parametrize("axis", [-1, 0, (0, 1)])
def test_softmax_and_log_softmax(axis):
    e = np.exp(X - X.max(axis=axis, keepdims=True))
    soft = e / e.sum(axis=axis, keepdims=True)
    check_close(lambda x: ops.softmax(x, axis=axis), [X], soft)
    check_close(lambda x: ops.log_softmax(x, axis=axis), [X], np.log(soft))


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, True), (1, False), ((0, 1), True), (-1, True)])
def test_reductions_match_numpy(axis, keepdims):
    cases = []
    for name, reference in [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
                            ("prod", np.prod), ("var", np.var), ("std", np.std)]:
        cases.append((lambda x, name=name: getattr(ops, name)(x, axis=axis, keepdims=keepdims), [X],
                      reference(X, axis=axis, keepdims=keepdims)))
    lse = np.log(np.sum(np.exp(X), axis=axis, keepdims=keepdims))
    cases.append((lambda x: ops.logsumexp(x, axis=axis, keepdims=keepdims), [X], lse))
    cases.append((lambda x: ops.any(x > 1, axis=axis, keepdims=keepdims), [X],
                  np.any(X > 1, axis=axis, keepdims=keepdims)))
    check_all(cases)


def test_arg_reductions_and_cumulative_ops():
    cases = []
    cases.append((lambda x: ops.argmax(x, axis=1), [X], np.argmax(X, axis=1)))
    cases.append((lambda x: ops.argmin(x, axis=0), [X], np.argmin(X, axis=0)))
    cases.append((lambda x: ops.argmax(x, axis=None), [X], np.argmax(X)))
    cases.append((lambda x: ops.cumsum(x, axis=1), [X], np.cumsum(X, axis=1)))
    cases.append((lambda x: ops.cumprod(x, axis=None), [X], np.cumprod(X)))
    check_all(cases)


def test_shape_manipulation_ops():
    cases = []
    cube = RNG.normal(size=(2, 3, 4)).astype("float32")
    cases.append((lambda x: ops.reshape(x, (4, -1)), [cube], cube.reshape(4, -1)))
    cases.append((lambda x: ops.transpose(x, (2, 0, 1)), [cube], cube.transpose(2, 0, 1)))
    cases.append((lambda x: ops.transpose(x), [cube], cube.T))
    cases.append((lambda a, b: ops.concatenate([a, b], axis=0), [X, X * 2], np.concatenate([X, X * 2], 0)))
    cases.append((lambda a, b: ops.stack([a, b], axis=1), [X, X * 2], np.stack([X, X * 2], 1)))
    cases.append((lambda x: ops.expand_dims(x, 1), [X], X[:, None]))
    cases.append((lambda x: ops.squeeze(x, 1), [X[:, :1]], X[:, 0]))
    cases.append((lambda x: ops.tile(x, (2, 1)), [X], np.tile(X, (2, 1))))
    cases.append((lambda x: ops.repeat(x, 2, axis=1), [X], np.repeat(X, 2, axis=1)))
    cases.append((lambda x: ops.pad(x, ((1, 0), (0, 2))), [X], np.pad(X, ((1, 0), (0, 2)))))
    cases.append((lambda x: ops.pad(x, ((1, 1), (2, 2)), mode="reflect"), [X],
                  np.pad(X, ((1, 1), (2, 2)), mode="reflect")))
    cases.append((lambda x: ops.broadcast_to(x, (2, 3, 4)), [X], np.broadcast_to(X, (2, 3, 4))))
    cases.append((lambda x: ops.cast(x, "int32"), [X * 3], (X * 3).astype("int32")))
    check_all(cases)


def test_split_indexing_gather_and_one_hot():
    parts = ops.split(X, [1, 3], axis=1)
    for got, expected in zip(parts, np.split(X, [1, 3], axis=1)):
        np.testing.assert_allclose(got, expected)
    a, b = through_graph(lambda x: list(ops.split(x, 2, axis=1)), X)
    np.testing.assert_allclose(a, X[:, :2])
    np.testing.assert_allclose(b, X[:, 2:])
    check_close(lambda x: x[1:, ::2], [X], X[1:, ::2])
    check_close(lambda x: x[..., -1], [X], X[..., -1])
    check_close(lambda x: x[:, None, 0], [X], X[:, None, 0])
    idx = np.array([2, 0, 2], dtype="int32")
    check_close(lambda x, i: ops.take(x, i, axis=0), [X, idx], X[idx])
    check_close(lambda i: ops.one_hot(i, 3), [idx], np.eye(3, dtype="float32")[idx])


def test_matmul_tensordot_and_bias_add():
    w = RNG.normal(size=(4, 5)).astype("float32")
    batch = RNG.normal(size=(2, 3, 4)).astype("float32")
    bias = np.arange(4, dtype="float32")
    channels_first = X.reshape(1, 3, 4)
    check_all([
        (ops.matmul, [X, w], X @ w),
        (ops.matmul, [batch, w], batch @ w),
        (ops.matmul, [X, Y], X @ Y),
        (lambda a, b: ops.tensordot(a, b, axes=((2,), (0,))), [batch, w], np.tensordot(batch, w, axes=([2], [0]))),
        (ops.bias_add, [X, bias], X + bias),
        (lambda x, b: ops.bias_add(x, b, data_format="channels_first"), [channels_first, Y[:3]],
         channels_first + Y[:3].reshape(1, 3, 1)),
    ], atol=1e-4)


def test_python_operators_on_symbolic_tensors():
    check_close(lambda a, b: (a + b) * 2 - a / (b * b + 1) + (-a) ** 2, [X, Y], (X + Y) * 2 - X / (Y * Y + 1) + X ** 2,
          atol=1e-4)
    check_close(lambda a, b: 1 - a @ b.T, [X, X], 1 - X @ X.T, atol=1e-4)
    check_close(lambda a: (a > 0) | (a < -1), [X], (X > 0) | (X < -1))


def test_dropout_scales_kept_units_in_training_and_is_identity_in_inference():
    x = K.placeholder(shape=(None, 1000))
    y = ops.dropout(x, rate=0.25)
    program = symk.codegen.Program(x.graph, [x.node], [(y.node, y.index)])
    ones = np.ones((4, 1000), "float32")
    (inference,), _ = program.run({}, {}, [ones], training=False)
    np.testing.assert_array_equal(inference, ones)
    (train,), _ = program.run({}, {}, [ones], training=True)
    train = np.asarray(train)
    assert set(np.unique(train)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < (train == 0).mean() < 0.3


def test_random_ops_honour_seed_and_bounds():
    a = np.asarray(ops.random_uniform(shape=(200,), minval=2.0, maxval=3.0, seed=7))
    b = np.asarray(ops.random_uniform(shape=(200,), minval=2.0, maxval=3.0, seed=7))
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 2 and a.max() < 3
    n = np.asarray(ops.random_normal(shape=(4000,), mean=1.0, stddev=2.0, seed=1))
    assert abs(n.mean() - 1) < 0.15 and abs(n.std() - 2) < 0.15
