"""Crossentropy from logits in training (symk.passes.logits_loss): a saturated softmax/sigmoid output
still gets the exact gradient (numpy's softmax - onehot), where Keras's clipped formula gives zero."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symk
from symk import losses, optimizers
from symk.layers import Dense
from symk.models import Sequential
from symk.passes import subject_of
from symk.passes.logits_loss import find_logits, logit_loss
from symk.ops.registry import apply

X = np.array([[1.0, 2.0], [2.0, -1.0], [0.5, 1.5], [-1.0, 3.0]], "float32")  # every row saturates


def numpy_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def saturated_softmax_model(optimize="default"):
    model = Sequential([Dense(3, activation="softmax", input_shape=(2,))])
    # logits of ~±40: the softmax puts probability ~1e-35 on the true class (class 0)
    kernel = np.array([[-10.0, 10.0, 0.0], [-10.0, 10.0, 0.0]], "float32")
    model.set_weights([kernel, np.zeros(3, "float32")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy", optimize=optimize)
    return model


def test_saturated_softmax_gets_the_exact_gradient():
    model = saturated_softmax_model()
    kernel, bias = model.get_weights()
    y = np.eye(3, dtype="float32")[[0, 0, 0, 0]]
    history = model.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    # numpy reference: d(mean CE)/d logits = (softmax - onehot) / batch
    logits = X @ kernel + bias
    d_logits = (numpy_softmax(logits) - y) / len(X)
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - 0.1 * X.T @ d_logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(new_bias, bias - 0.1 * d_logits.sum(axis=0), rtol=1e-5, atol=1e-5)
    # the loss is the true -log softmax (logsumexp - z_true), not the clipped -log(1e-7) = 16.1
    true_loss = np.mean(np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1)) + logits.max(1) - logits[:, 0])
    np.testing.assert_allclose(history.history["loss"][0], true_loss, rtol=1e-5)
    assert true_loss > 30


def test_clipped_probability_formula_has_zero_gradient_there():
    logits = jnp.asarray(X @ np.array([[-10.0, 10.0, 0.0], [-10.0, 10.0, 0.0]], "float32"))
    y = jnp.asarray(np.eye(3, dtype="float32")[[0, 0, 0, 0]])
    clipped = jax.grad(lambda z: jnp.mean(losses.categorical_crossentropy(y, jax.nn.softmax(z))))(logits)
    assert np.all(np.asarray(clipped) == 0.0)


def test_without_the_stabilize_pass_the_loss_is_keras_clipped_one():
    model = saturated_softmax_model(optimize={"disable": ["stabilize"]})
    kernel, _ = model.get_weights()
    y = np.eye(3, dtype="float32")[[0, 0, 0, 0]]
    history = model.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], -np.log(1e-7), rtol=1e-5)  # Keras's clip at 1e-7
    np.testing.assert_array_equal(model.get_weights()[0], kernel)  # zero gradient: nothing learned


def test_saturated_sigmoid_binary_crossentropy_gets_the_exact_gradient():
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(2,))])
    kernel = np.array([[20.0], [20.0]], "float32")
    model.set_weights([kernel, np.zeros(1, "float32")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    y = np.zeros((4, 1), "float32")
    model.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    logits = X @ kernel
    d_logits = (1 / (1 + np.exp(-logits)) - y) / len(X)
    np.testing.assert_allclose(model.get_weights()[0], kernel - 0.1 * X.T @ d_logits, rtol=1e-5, atol=1e-5)


def test_evaluate_reports_the_same_stable_loss():
    model = saturated_softmax_model()
    y = np.eye(3, dtype="float32")[[0, 0, 0, 0]]
    kernel, bias = model.get_weights()
    logits = X @ kernel + bias
    true_loss = np.mean(np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1)) + logits.max(1) - logits[:, 0])
    np.testing.assert_allclose(model.evaluate(X, y, verbose=0), true_loss, rtol=1e-5)


@pytest.mark.parametrize("loss, kind", [
    ("categorical_crossentropy", "softmax"), ("sparse_categorical_crossentropy", "softmax"),
    ("binary_crossentropy", "sigmoid"), (losses.CategoricalCrossentropy(label_smoothing=0.1), "softmax"),
    (losses.BinaryCrossentropy(), "sigmoid"), ("mse", None), (losses.CategoricalCrossentropy(from_logits=True), None),
    (losses.CategoricalCrossentropy(axis=1), None),
])
def test_which_losses_read_logits(loss, kind):
    found = logit_loss(losses.get(loss))
    assert (found[0] if found else None) == kind


def test_label_smoothing_carries_over_to_the_logits_formula():
    _, fn = logit_loss(losses.CategoricalCrossentropy(label_smoothing=0.2))
    z = np.array([[1.0, 2.0, -1.0]], "float32")
    y = np.array([[0.0, 1.0, 0.0]], "float32")
    smoothed = y * 0.8 + 0.2 / 3
    reference = -(smoothed * np.log(numpy_softmax(z))).sum(axis=1)  # Keras's documented smoothing
    np.testing.assert_allclose(np.asarray(fn(y, z)), reference, rtol=1e-5)


def test_softmax_over_another_axis_is_not_taken_for_logits():
    x = symk.backend.placeholder(shape=(None, 3, 4))
    y = apply("softmax", [x], axis=1)
    subject = subject_of(x.graph, [(y.node, 0)], [x.node])
    assert find_logits(subject, (y.node, 0), "softmax") is None
    y_last = apply("softmax", [x], axis=-1)
    assert find_logits(subject_of(x.graph, [(y_last.node, 0)], [x.node]), (y_last.node, 0), "softmax") == (x.node, 0)
