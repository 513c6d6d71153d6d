"""Keras 3's stateless API, as the guide "Writing a training loop from scratch in JAX" uses it:
stateless_call, optimizer.build / stateless_apply, metric stateless_update_state / stateless_result /
stateless_reset_state, StatelessScope; the hand-written jitted loop trains as fit does."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symk as keras
from symk.stateless_scope import StatelessScope

RNG = np.random.RandomState(0)
X = RNG.random_sample((96, 20)).astype("float32")
Y = keras.utils.to_categorical(RNG.randint(0, 10, 96), 10)


def get_model():
    keras.utils.set_random_seed(1)
    inputs = keras.Input(shape=(20,), name="digits")
    x1 = keras.layers.Dense(16, activation="relu")(inputs)
    x2 = keras.layers.Dense(16, activation="relu")(x1)
    outputs = keras.layers.Dense(10, name="predictions")(x2)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_the_guides_hand_written_loop_trains_as_fit_does():
    model = get_model()
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    train_acc_metric = keras.metrics.CategoricalAccuracy()

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, metric_variables, x, y):
        y_pred, non_trainable_variables = model.stateless_call(trainable_variables, non_trainable_variables, x)
        loss = loss_fn(y, y_pred)
        metric_variables = train_acc_metric.stateless_update_state(metric_variables, y, y_pred)
        return loss, (non_trainable_variables, metric_variables)

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metric_variables = state
        x, y = data
        (loss, (non_trainable_variables, metric_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, metric_variables, x, y)
        trainable_variables, optimizer_variables = optimizer.stateless_apply(optimizer_variables, grads,
                                                                             trainable_variables)
        return loss, (trainable_variables, non_trainable_variables, optimizer_variables, metric_variables)

    optimizer.build(model.trainable_variables)
    # the guide passes the Variables themselves into the jitted step
    state = (model.trainable_variables, model.non_trainable_variables, optimizer.variables,
             train_acc_metric.variables)
    for epoch in range(2):
        for start in range(0, 96, 32):
            loss, state = train_step(state, (X[start:start + 32], Y[start:start + 32]))
        if epoch == 0:  # fit resets its metrics each epoch; so does this loop
            state = state[:3] + (train_acc_metric.stateless_reset_state(),)
    trainable_variables, non_trainable_variables, optimizer_variables, metric_variables = state
    for variable, value in zip(model.trainable_variables, trainable_variables):
        variable.assign(value)
    for variable, value in zip(train_acc_metric.variables, metric_variables):
        variable.assign(value)

    reference = get_model()
    reference.compile(keras.optimizers.Adam(1e-3), keras.losses.CategoricalCrossentropy(from_logits=True),
                      metrics=["categorical_accuracy"])
    history = reference.fit(X, Y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert float(train_acc_metric.result()) == pytest.approx(history.history["categorical_accuracy"][-1], abs=1e-6)
    # the loop's optimizer state (the guide never writes it back) is fit's
    assert len(optimizer_variables) == len(reference.optimizer.variables)
    for a, b in zip(optimizer_variables, reference.optimizer.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-8)
    assert int(optimizer_variables[0]) == 6 and int(optimizer.iterations.numpy()) == 0


def test_stateless_call_writes_no_variable_and_returns_the_new_statistics():
    layer = keras.layers.BatchNormalization(momentum=0.5)
    layer.build((None, 3))
    x = RNG.normal(size=(16, 3)).astype("float32") * 2 + 1
    trainable = [v.numpy() for v in layer.trainable_variables]
    non_trainable = [v.numpy() for v in layer.non_trainable_variables]
    outputs, new_non_trainable = jax.jit(lambda t, n, x: layer.stateless_call(t, n, x, training=True))(
        trainable, non_trainable, x)
    np.testing.assert_allclose(outputs, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(new_non_trainable[0], 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(new_non_trainable[1], 0.5 + 0.5 * x.var(0), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))   # nothing written
    # different weights give different outputs: the values given are the ones used
    scaled, _ = layer.stateless_call([t * 2 for t in trainable], non_trainable, x, training=False)
    np.testing.assert_allclose(scaled, 2 * x / np.sqrt(1 + 1e-3), rtol=1e-5)


def test_stateless_call_returns_losses_and_checks_its_lists():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(0.1))(inputs)
    model = keras.Model(inputs, keras.layers.ActivityRegularization(l1=0.5)(hidden))
    x = RNG.random_sample((5, 4)).astype("float32")
    kernel, bias = model.get_weights()
    outputs, _, losses = model.stateless_call([kernel, bias], [], x, return_losses=True)
    np.testing.assert_allclose(outputs, x @ kernel + bias, rtol=1e-5)
    assert len(losses) == 2
    assert float(losses[0]) == pytest.approx(0.5 * np.abs(x @ kernel + bias).sum() / 5, rel=1e-5)
    assert float(losses[1]) == pytest.approx(0.1 * (kernel ** 2).sum(), rel=1e-5)
    with pytest.raises(ValueError, match="trainable_variables.*1:1.*length 1, but expected 2"):
        model.stateless_call([kernel], [], x)


def test_optimizer_stateless_apply_is_the_fit_update():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    optimizer = keras.optimizers.Adam(0.1)
    with pytest.raises(ValueError, match="not built.*build"):
        optimizer.stateless_apply(optimizer.variables, [], [])
    optimizer.build(model.trainable_variables)
    assert [v.path for v in optimizer.variables] == ["adam/iteration", "adam/learning_rate",
                                                     "adam/dense_kernel_momentum", "adam/dense_kernel_velocity",
                                                     "adam/dense_bias_momentum", "adam/dense_bias_velocity"]
    values = [v.numpy() for v in model.trainable_variables]
    grads = [np.full_like(v, 0.5) for v in values]
    new_values, new_optimizer = jax.jit(optimizer.stateless_apply)(optimizer.variables, grads, values)
    # Adam's first step moves every weight by -lr (the bias-corrected update of a constant gradient)
    for before, after in zip(values, new_values):
        np.testing.assert_allclose(after, before - 0.1, rtol=1e-5, atol=1e-6)
    assert int(new_optimizer[0]) == 1
    np.testing.assert_allclose(new_optimizer[2], np.full((4, 2), 0.05), rtol=1e-6)   # m = (1 - beta_1) * g
    assert int(optimizer.iterations.numpy()) == 0                                      # nothing written


def test_metric_stateless_api():
    metric = keras.metrics.Mean()
    assert [v.path for v in metric.variables] == ["mean/total", "mean/count"]
    values = metric.stateless_reset_state()
    values = jax.jit(metric.stateless_update_state)(values, jnp.array([1.0, 2.0, 6.0]))
    assert float(metric.stateless_result(values)) == 3.0
    assert float(metric.result()) == 0.0
    for variable, value in zip(metric.variables, values):
        variable.assign(value)
    assert float(metric.result()) == 3.0
    metric.update_state([7.0])
    assert float(metric.result()) == 4.0
    with pytest.raises(ValueError, match="1:1"):
        metric.stateless_result(values[:1])
    with StatelessScope([(metric.variables[0], jnp.float32(30.0))]) as scope:
        metric.update_state([10.0])
        assert float(metric.result()) == 8.0
    assert float(scope.get_current_value(metric.variables[1])) == 5.0
    assert float(metric.result()) == 4.0   # the scope kept the update
