"""Keras 3 JAX-style custom steps, as the guide "Customizing what happens in fit() with JAX" writes
them: an overridden train_step / test_step / predict_step / compute_loss runs inside fit, evaluate
and predict (with callbacks and History), and the default step rewritten by hand trains exactly as
fit's own step does."""
import jax
import numpy as np
import pytest

import symk as keras
from symk import ops

RNG = np.random.RandomState(0)
X = RNG.random_sample((64, 8)).astype("float32")
Y = RNG.random_sample((64, 1)).astype("float32")


class GuideModel(keras.Model):
    """The guide's first example: the default train step, written out."""

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, metrics_variables, x, y,
                                 sample_weight, training=False):
        y_pred, non_trainable_variables = self.stateless_call(trainable_variables, non_trainable_variables, x,
                                                              training=training)
        loss, (trainable_variables, non_trainable_variables, metrics_variables) = self.stateless_compute_loss(
            trainable_variables, non_trainable_variables, metrics_variables, x=x, y=y, y_pred=y_pred,
            sample_weight=sample_weight, training=training)
        return loss, (y_pred, non_trainable_variables, metrics_variables)

    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables, metrics_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, metrics_variables, x, y, sample_weight, training=True)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(optimizer_variables, grads,
                                                                                  trainable_variables)
        new_metrics_vars, logs = [], {}
        for metric in self.metrics:
            this = metrics_variables[len(new_metrics_vars):len(new_metrics_vars) + len(metric.variables)]
            if metric.name == "loss":
                this = metric.stateless_update_state(this, loss, sample_weight=sample_weight)
            else:
                this = metric.stateless_update_state(this, y, y_pred, sample_weight=sample_weight)
            logs[metric.name] = metric.stateless_result(this)
            new_metrics_vars += this
        return logs, (trainable_variables, non_trainable_variables, optimizer_variables, new_metrics_vars)


class TrainStepOnly(GuideModel):
    """The same step with its loss helper under another name, so evaluate keeps Keras's default test_step
    (whose compute_loss_and_updates returns four auxiliary values, not the guide's three)."""

    _guide_loss_and_updates = GuideModel.compute_loss_and_updates
    compute_loss_and_updates = keras.Model.compute_loss_and_updates

    def train_step(self, state, data):
        self.compute_loss_and_updates = self._guide_loss_and_updates
        try:
            return super().train_step(state, data)
        finally:
            del self.compute_loss_and_updates


def _dense_model(cls=keras.Model, seed=3, **compile_args):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(8,))
    outputs = keras.layers.Dense(1)(keras.layers.Dense(4, activation="relu")(inputs))
    model = cls(inputs, outputs)
    model.compile(**({"optimizer": "adam", "loss": "mse", "metrics": ["mae"]} | compile_args))
    return model


def test_default_step_written_out_trains_bit_for_bit_like_fit():
    custom, default = _dense_model(GuideModel), _dense_model()
    h_custom = custom.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    h_default = default.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(custom.get_weights(), default.get_weights()):
        np.testing.assert_array_equal(a, b)
    # the weights are bit for bit; the logged means may differ in the last bit: the guide's loss tracker averages
    # batch losses, fit's weights each batch's loss by its row count (equal sums, other rounding)
    assert list(h_custom.history) == list(h_default.history) == ["loss", "mae"]
    for key in h_default.history:
        np.testing.assert_allclose(h_custom.history[key], h_default.history[key], rtol=1e-6)
    for a, b in zip(custom.optimizer.get_weights(), default.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_overridden_train_step_is_the_one_fit_runs():
    class Boom(keras.Model):
        def train_step(self, state, data):
            raise RuntimeError("boom from the user's train_step")

    model = _dense_model(Boom)
    with pytest.raises(RuntimeError, match="boom from the user's train_step"):
        model.fit(X, Y, verbose=0)
    with pytest.raises(RuntimeError, match="boom"):
        model.train_on_batch(X[:4], Y[:4])


class LowLevelModel(keras.Model):
    """The guide's second example: compile() with only an optimizer, metrics as attributes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y, sample_weight,
                                 training=False):
        y_pred, non_trainable_variables = self.stateless_call(trainable_variables, non_trainable_variables, x,
                                                              training=training)
        return self.loss_fn(y, y_pred, sample_weight=sample_weight), (y_pred, non_trainable_variables)

    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables)), grads = grad_fn(trainable_variables, non_trainable_variables,
                                                                   x, y, sample_weight, training=True)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(optimizer_variables, grads,
                                                                                  trainable_variables)
        loss_vars = metrics_variables[:len(self.loss_tracker.variables)]
        mae_vars = metrics_variables[len(self.loss_tracker.variables):]
        loss_vars = self.loss_tracker.stateless_update_state(loss_vars, loss, sample_weight=sample_weight)
        mae_vars = self.mae_metric.stateless_update_state(mae_vars, y, y_pred, sample_weight=sample_weight)
        logs = {"loss": self.loss_tracker.stateless_result(loss_vars), "mae": self.mae_metric.stateless_result(mae_vars)}
        return logs, (trainable_variables, non_trainable_variables, optimizer_variables, loss_vars + mae_vars)

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_compile_without_loss_and_metrics_held_by_the_model():
    model = _dense_model(LowLevelModel, optimizer="adam", loss=None, metrics=None)
    reference = _dense_model(optimizer="adam", loss="mse", metrics=["mae"])
    events = []
    history = model.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0,
                        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: events.append(logs))])
    ref_history = reference.fit(X, Y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], ref_history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(history.history["mae"], ref_history.history["mae"], rtol=1e-6)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    # the metric objects hold the last epoch's state once fit returns
    assert float(model.loss_tracker.result()) == pytest.approx(history.history["loss"][-1], rel=1e-6)
    assert sorted(events[-1]) == ["loss", "mae"]


def test_overridden_test_step_matches_the_default_evaluate():
    class OverriddenEvaluateStep(keras.Model):
        def test_step(self, state, data):
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
            trainable_variables, non_trainable_variables, metrics_variables = state
            y_pred, non_trainable_variables = self.stateless_call(trainable_variables, non_trainable_variables, x,
                                                                  training=False)
            loss, (trainable_variables, non_trainable_variables, metrics_variables) = self.stateless_compute_loss(
                trainable_variables, non_trainable_variables, metrics_variables, x=x, y=y, y_pred=y_pred,
                sample_weight=sample_weight, training=False)
            new_vars, logs = [], {}
            for metric in self.metrics:
                this = metrics_variables[len(new_vars):len(new_vars) + len(metric.variables)]
                if metric.name == "loss":
                    this = metric.stateless_update_state(this, loss, sample_weight=sample_weight)
                else:
                    this = metric.stateless_update_state(this, y, y_pred, sample_weight=sample_weight)
                logs[metric.name] = metric.stateless_result(this)
                new_vars += this
            return logs, (trainable_variables, non_trainable_variables, new_vars)

    model = _dense_model(OverriddenEvaluateStep, loss="mse", metrics=["mae"])
    reference = _dense_model(loss="mse", metrics=["mae"])
    got = model.evaluate(X, Y, batch_size=16, return_dict=True, verbose=0)
    want = reference.evaluate(X, Y, batch_size=16, return_dict=True, verbose=0)
    assert sorted(got) == ["loss", "mae"]
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-6)
    loss, mae = model.evaluate(X, Y, batch_size=16, verbose=0)
    assert (loss, mae) == pytest.approx((want["loss"], want["mae"]), rel=1e-6)


def test_overridden_compute_loss_with_a_tracker_and_add_loss():
    class ComputeLossModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")

        def compute_loss(self, x, y, y_pred, sample_weight, training=True):
            loss = ops.mean((y_pred - y) ** 2)
            loss += ops.sum(self.losses)
            self.loss_tracker.update_state(loss)
            return loss

        def reset_metrics(self):
            self.loss_tracker.reset_state()

        @property
        def metrics(self):
            return [self.loss_tracker]

    keras.utils.set_random_seed(5)
    inputs = keras.Input(shape=(8,))
    outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.01))(inputs)
    model = ComputeLossModel(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.1), loss="mse")
    kernel = model.get_weights()[0]
    history = model.fit(X[:16], Y[:16], batch_size=16, epochs=1, shuffle=False, verbose=0)
    # one step: the logged loss is the mean squared error plus the L2 term, on the first weights
    pred = X[:16] @ kernel
    expected = np.mean((pred - Y[:16]) ** 2) + 0.01 * np.sum(kernel ** 2)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert float(model.loss_tracker.result()) == pytest.approx(expected, rel=1e-5)


def test_add_loss_in_call_trains_a_model_compiled_without_loss():
    class Endpoint(keras.layers.Layer):
        def call(self, inputs):
            targets, logits = inputs
            self.add_loss(ops.mean(ops.square(targets - logits)))
            return ops.softmax(logits)

    keras.utils.set_random_seed(2)
    inputs, targets = keras.Input(shape=(3,), name="inputs"), keras.Input(shape=(4,), name="targets")
    logits = keras.layers.Dense(4)(inputs)
    model = keras.Model([inputs, targets], Endpoint(name="predictions")([targets, logits]))
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    data = {"inputs": RNG.random_sample((8, 3)), "targets": RNG.random_sample((8, 4))}
    kernel, bias = (w.copy() for w in model.get_weights())
    history = model.fit(data, batch_size=8, epochs=2, verbose=0)
    first = np.mean((data["targets"] - (data["inputs"] @ kernel + bias)) ** 2)
    assert history.history["loss"][0] == pytest.approx(first, rel=1e-5)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_compile_without_loss_says_what_to_do_when_nothing_computes_one():
    model = _dense_model(optimizer="adam", loss=None, metrics=None)
    with pytest.raises(ValueError, match="compiled without a loss.*add_loss.*train_step"):
        model.fit(X, Y, verbose=0)


def test_overridden_predict_step_runs_in_predict():
    class Doubling(keras.Model):
        def predict_step(self, state, data):
            outputs, non_trainable = super().predict_step(state, data)
            return outputs * 2.0, non_trainable

    model = _dense_model(Doubling)
    reference = keras.Model(model.input, model.output)
    np.testing.assert_allclose(model.predict(X, batch_size=16, verbose=0),
                               2.0 * reference.predict(X, batch_size=16, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X[:5]), 2.0 * reference.predict_on_batch(X[:5]), rtol=1e-6)


def test_metrics_in_keras_order_and_reset():
    model = _dense_model(loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss"]   # compile metrics join once data shows their shapes
    history = model.fit(X, Y, epochs=1, verbose=0)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    results = model.get_metrics_result()
    assert float(results["loss"]) == pytest.approx(history.history["loss"][0], rel=1e-6)
    assert float(results["mae"]) == pytest.approx(history.history["mae"][0], rel=1e-6)
    custom = _dense_model(GuideModel)
    custom.fit(X, Y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    assert [m.name for m in custom.metrics] == ["loss", "compile_metrics"]
    assert [v.path.split("/")[-1] for v in custom.metrics_variables] == ["total", "count", "total", "count"]
    results = custom.get_metrics_result()
    assert sorted(results) == ["loss", "mae"]
    custom.reset_metrics()
    assert float(custom.get_metrics_result()["loss"]) == 0.0


def test_train_on_batch_and_test_on_batch_with_a_custom_step():
    custom, default = _dense_model(TrainStepOnly), _dense_model()
    got = custom.train_on_batch(X[:16], Y[:16], return_dict=True)
    want = default.train_on_batch(X[:16], Y[:16], return_dict=True)
    assert got == pytest.approx(want, rel=1e-6)
    for a, b in zip(custom.get_weights(), default.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert custom.test_on_batch(X[:16], Y[:16]) == pytest.approx(default.test_on_batch(X[:16], Y[:16]), rel=1e-6)


def test_custom_step_with_validation_and_callback_hooks():
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(("batch", sorted(logs)))

        def on_test_end(self, logs=None):
            seen.append(("test_end", sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            seen.append(("epoch", sorted(logs)))

    model = _dense_model(TrainStepOnly)
    history = model.fit(X, Y, batch_size=32, epochs=1, validation_split=0.25, verbose=0, callbacks=[Recorder()])
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert seen[0] == ("batch", ["loss", "mae"])
    assert ("test_end", ["loss", "mae"]) in seen
    assert seen[-1] == ("epoch", ["loss", "mae", "val_loss", "val_mae"])
