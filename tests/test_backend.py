"""symk.backend (Keras's K) against numpy, with Keras 2 semantics where Keras 2 had the name."""
import numpy as np
import pytest

from symk import backend as K

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3, 4)).astype("float32")


def run(fn, *arrays):
    """fn on placeholders, lowered by K.function, run on arrays."""
    placeholders = [K.placeholder(shape=(None,) + a.shape[1:], dtype=str(a.dtype)) for a in arrays]
    return K.function(placeholders, [fn(*placeholders)])(list(arrays))[0]


def test_placeholder_shapes_and_introspection():
    x = K.placeholder(shape=(None, 2))
    assert x.shape == (None, 2) and x.shape.as_list() == [None, 2]
    assert K.int_shape(x) == (None, 2) and K.ndim(x) == 2 and K.dtype(x) == "float32"
    assert K.placeholder(ndim=3).shape == (None, None, None)
    assert K.placeholder(shape=(None, 2), dtype="int32").dtype == "int32"
    assert K.is_keras_tensor(x) and not K.is_keras_tensor(np.zeros(2))


def test_variables_constants_and_values():
    shape = (3, 4, 5)
    assert K.eval(K.zeros(shape)).sum() == 0 and K.eval(K.ones(shape)).sum() == 60
    np.testing.assert_array_equal(K.eval(K.eye(3)), np.eye(3))
    value = RNG.random(shape)
    var = K.variable(value=value)
    np.testing.assert_allclose(K.get_value(var), value.astype("float32"))
    assert K.dtype(var) == "float32" and K.int_shape(var) == shape
    u = K.eval(K.random_uniform_variable(shape=(1000,), low=0, high=1))
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.05
    n = K.eval(K.random_normal_variable(shape=(2000,), mean=0, scale=1))
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    assert float(K.eval(K.constant(value=0))) == 0.0
    np.testing.assert_array_equal(K.eval(K.constant(2, shape=(2, 2))), np.full((2, 2), 2.0))
    K.set_value(var, np.ones(shape))
    assert K.batch_get_value([var])[0].sum() == 60
    np.testing.assert_array_equal(K.eval(K.zeros_like(X)), np.zeros_like(X))
    np.testing.assert_array_equal(K.eval(K.ones_like(X)), np.ones_like(X))
    np.testing.assert_array_equal(run(K.ones_like, X), np.ones_like(X))


def test_config_functions():
    assert K.epsilon() == 1e-7 and K.floatx() == "float32" and K.image_data_format() == "channels_last"
    K.set_floatx("float16")
    try:
        assert K.floatx() == "float16" and K.placeholder(shape=(2,)).dtype == "float16"
    finally:
        K.set_floatx("float32")
    with pytest.raises(ValueError, match="float64"):
        K.set_floatx("float64")


def test_function_with_variables_and_several_outputs():
    w = K.variable(RNG.normal(size=(4, 2)))
    b = K.variable(np.array([1.0, -1.0]))
    x = K.placeholder(shape=(None, 4))
    y = K.bias_add(K.dot(x, w), b)
    f = K.function([x], [y, K.sum(y, axis=1)])
    out, total = f([X])
    expected = X @ K.get_value(w) + K.get_value(b)
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_allclose(total, expected.sum(1), rtol=1e-5)


@pytest.mark.parametrize("name,reference", [
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min), ("prod", np.prod), ("std", np.std),
    ("var", np.var)])
def test_reductions(name, reference):
    fn = getattr(K, name)
    np.testing.assert_allclose(run(lambda t: fn(t, axis=1, keepdims=True), X), reference(X, 1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(np.asarray(fn(X, axis=0)), reference(X, 0), rtol=1e-5)


def test_elementwise_functions():
    p = np.abs(X) + 0.1
    cases = [(K.square, X, X ** 2), (K.sqrt, p, np.sqrt(p)), (K.exp, X, np.exp(X)), (K.log, p, np.log(p)),
             (K.abs, X, np.abs(X)), (lambda t: K.pow(t, 3), X, X ** 3), (lambda t: K.clip(t, -0.5, 0.5), X,
                                                                         np.clip(X, -0.5, 0.5)),
             (lambda t: K.maximum(t, 0.2), X, np.maximum(X, 0.2)), (lambda t: K.minimum(t, 0.2), X, np.minimum(X, 0.2)),
             (K.relu, X, np.maximum(X, 0)), (lambda t: K.relu(t, alpha=0.1), X, np.where(X > 0, X, 0.1 * X)),
             (K.sigmoid, X, 1 / (1 + np.exp(-X))), (K.tanh, X, np.tanh(X)), (K.elu, X, np.where(X > 0, X, np.expm1(X))),
             (K.softplus, X, np.log1p(np.exp(X))),
             (K.softmax, X, np.exp(X) / np.exp(X).sum(-1, keepdims=True))]
    for fn, x, expected in cases:
        np.testing.assert_allclose(run(fn, x), expected, rtol=1e-5, atol=1e-6)


def test_shape_functions():
    cube = RNG.normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(run(lambda t: K.reshape(t, (-1, 12)), cube), cube.reshape(2, 12))
    np.testing.assert_allclose(run(lambda t: K.permute_dimensions(t, (0, 2, 1)), cube), cube.transpose(0, 2, 1))
    np.testing.assert_allclose(np.asarray(K.transpose(X)), X.T)
    np.testing.assert_allclose(run(lambda t: K.expand_dims(t, 1), X), X[:, None])
    np.testing.assert_allclose(run(lambda t: K.squeeze(t, 1), X[:, :1]), X[:, 0])
    np.testing.assert_allclose(run(lambda a, b: K.concatenate([a, b], axis=-1), X, X), np.concatenate([X, X], -1))
    np.testing.assert_allclose(run(lambda a, b: K.stack([a, b], axis=1), X, X), np.stack([X, X], 1))
    np.testing.assert_allclose(run(lambda t: K.tile(t, (1, 2)), X), np.tile(X, (1, 2)))
    # Keras 2's K.repeat: (batch, dim) -> (batch, n, dim)
    np.testing.assert_allclose(run(lambda t: K.repeat(t, 3), X), np.repeat(X[:, None], 3, 1))
    np.testing.assert_allclose(run(lambda t: K.cast(t, "int32"), X * 3), (X * 3).astype("int32"))
    assert K.cast(K.placeholder(shape=(None, 2)), "int32").dtype == "int32"
    x = K.placeholder(shape=(None, 3, 4))
    batch, rows, cols = K.shape(x)
    assert rows == 3 and cols == 4 and K.ndim(batch) == 0


def test_one_hot_gather_and_switch():
    labels = np.array([[0, 2], [1, 1]], dtype="int32")
    np.testing.assert_array_equal(run(lambda t: K.one_hot(t, 3), labels), np.eye(3)[labels])
    ref = K.variable(RNG.normal(size=(5, 2)))
    idx = np.array([4, 0, 4], dtype="int32")
    np.testing.assert_allclose(K.eval(K.gather(ref, idx)), K.get_value(ref)[idx])
    np.testing.assert_allclose(run(lambda i: K.gather(ref, i), idx), K.get_value(ref)[idx])
    np.testing.assert_allclose(run(lambda t: K.switch(K.greater(t, 0), t, -t), X), np.abs(X))
    assert K.switch(True, 1, 2) == 1


def batch_dot_reference(x, y, axes):
    """Keras 2's documented semantics: per-sample tensordot; a vector result gets a trailing axis."""
    out = np.stack([np.tensordot(x[i], y[i], axes=(axes[0] - 1, axes[1] - 1)) for i in range(len(x))])
    return out[:, None] if out.ndim == 1 else out


@pytest.mark.parametrize("x_shape,y_shape,axes,expected_shape", [
    ((32, 20, 1), (32, 30, 20), (1, 2), (32, 1, 30)),   # the example in Keras 2's docstring
    ((4, 20), (4, 20), 1, (4, 1)),
    ((4, 3, 5), (4, 5, 2), None, (4, 3, 2)),
    ((4, 3, 5), (4, 6, 5), (2, 2), (4, 3, 6)),
    ((4, 3), (4, 3, 5), (1, 1), (4, 5)),
    ((4, 3, 5), (4, 5), (2, 1), (4, 3)),
])
def test_batch_dot_follows_keras_2(x_shape, y_shape, axes, expected_shape):
    x = RNG.normal(size=x_shape).astype("float32")
    y = RNG.normal(size=y_shape).astype("float32")
    norm_axes = (axes, axes) if isinstance(axes, int) else axes or (len(x_shape) - 1, len(y_shape) - 2)
    expected = batch_dot_reference(x, y, norm_axes)
    assert expected.shape == expected_shape
    got = run(lambda a, b: K.batch_dot(a, b, axes=axes), x, y)
    assert got.shape == expected_shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    sym = K.batch_dot(K.placeholder(shape=(None,) + x_shape[1:]), K.placeholder(shape=(None,) + y_shape[1:]), axes=axes)
    assert K.int_shape(sym) == (None,) + expected_shape[1:]


def test_dot_of_3d_by_3d_is_keras_2_dot():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    y = RNG.normal(size=(5, 4, 6)).astype("float32")
    np.testing.assert_allclose(np.asarray(K.dot(x, y)), np.dot(x, y), rtol=1e-4, atol=1e-5)


def test_eval_of_a_tensor_computed_from_variables():
    a, b = K.variable(np.eye(2) * 2), K.variable(np.ones((2, 3)))
    np.testing.assert_allclose(K.eval(K.dot(a, b) + 1), np.full((2, 3), 3.0))
