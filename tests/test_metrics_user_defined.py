"""A metric written as in the Keras 3 guide (add_variable + update_state / result / reset_state, Variables
assigned in update_state) works in fit / evaluate, inside the jitted step, and in Keras's stateless API.

The reference is a numpy count of correct predictions of the same model (learning rate 0, so every epoch
sees the same predictions).
"""
import jax
import numpy as np

import symk as keras
from symk import ops


class CategoricalTruePositives(keras.metrics.Metric):
    """The Keras guide's example ("Training & evaluation with the built-in methods"), as written there."""

    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


RNG = np.random.RandomState(3)
X = RNG.rand(60, 8).astype("float32")  # 60 rows, batches of 16: the last batch is padded inside symk
Y = RNG.randint(0, 3, (60, 1))


def test_guide_metric_in_fit_and_evaluate_counts_like_numpy():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy",
                  metrics=[CategoricalTruePositives()])
    history = model.fit(X, Y, batch_size=16, epochs=2, verbose=0)
    expected = float(np.sum(np.argmax(model.predict(X, verbose=0), axis=1) == Y[:, 0]))
    assert history.history["categorical_true_positives"] == [expected, expected]  # reset between epochs
    result = model.evaluate(X, Y, batch_size=16, verbose=0, return_dict=True)
    assert result["categorical_true_positives"] == expected


def test_guide_metric_eagerly_and_statelessly_inside_jit():
    metric = CategoricalTruePositives()
    y_true = np.array([[0], [1], [2], [0]])
    y_pred = np.eye(3, dtype="float32")[[0, 1, 1, 1]]
    metric.update_state(y_true, y_pred)
    assert float(metric.result()) == 2.0
    metric.reset_state()
    assert float(metric.result()) == 0.0

    @jax.jit
    def step(values, y_true, y_pred):
        values = metric.stateless_update_state(values, y_true, y_pred)
        return values, metric.stateless_result(values)

    values, result = step([v.value for v in metric.variables], y_true, y_pred)
    values, result = step(values, y_true, y_pred)
    assert float(result) == 4.0
    assert float(metric.result()) == 0.0  # the stateless calls wrote nothing
