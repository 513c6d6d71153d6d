"""The fast paths of issue [perf] give the numbers of the plain paths: multi-step executions of
convolution models (unrolled in one jit), predict's host-side cut of padded rows with and without
callbacks, and the first epoch's staging (device_put, one jitted optimizer init)."""
from __future__ import annotations

import logging

import jax
import numpy as np
import pytest

import symk
from symk.codegen.lower import default_key
from symk.layers import Conv2D, Dense, Flatten
from symk.models import Sequential


def _conv_model(seed_weights):
    model = Sequential([Conv2D(2, 3, activation="relu", input_shape=(6, 6, 1)), Flatten(), Dense(3)])
    model.set_weights(seed_weights)
    return model


def _conv_weights():
    rng = np.random.default_rng(0)
    return [rng.normal(scale=0.3, size=s).astype("float32") for s in [(3, 3, 1, 2), (2,), (32, 3), (3,)]]


def test_conv_multi_step_execution_unrolls_and_matches_one_step_per_dispatch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 6, 6, 1)).astype("float32")
    y = rng.normal(size=(20, 3)).astype("float32")
    trained = []
    for per_execution in (1, 3):
        model = _conv_model(_conv_weights())
        model.compile(optimizer=symk.optimizers.SGD(0.05), loss="mse", steps_per_execution=per_execution)
        model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)  # 5 steps: executions of 3 and 2
        trained.append(model.get_weights())
        assert model._steps.unroll_executions  # a conv model: a Python loop in the jit, not lax.scan
    for one, many in zip(*trained):
        np.testing.assert_allclose(many, one, rtol=1e-5, atol=1e-6)


def test_dense_model_keeps_the_scanned_multi_step_body():
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=2)
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), batch_size=2, verbose=0)
    assert not model._steps.unroll_executions


def _dense_model():
    model = Sequential([Dense(3, activation="tanh", input_shape=(4,))])
    kernel = np.arange(12, dtype="float32").reshape(4, 3) / 10
    model.set_weights([kernel, np.array([0.1, -0.2, 0.3], "float32")])
    return model, kernel


@pytest.mark.parametrize("with_callback", [False, True])
def test_predict_cuts_padded_rows_on_the_host(with_callback):
    model, kernel = _dense_model()
    x = np.random.default_rng(2).normal(size=(10, 4)).astype("float32")
    seen = []

    class Sizes(symk.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append(len(logs["outputs"][0]))

    out = model.predict(x, batch_size=4, verbose=0, callbacks=[Sizes()] if with_callback else None)
    np.testing.assert_allclose(out, np.tanh(x @ kernel + [0.1, -0.2, 0.3]), rtol=1e-5, atol=1e-6)
    assert isinstance(out, np.ndarray) and out.shape == (10, 3)
    assert seen == ([4, 4, 2] if with_callback else [])


def test_default_key_is_made_once_and_is_key_zero():
    assert default_key() is default_key()
    np.testing.assert_array_equal(np.asarray(default_key()), np.asarray(jax.random.PRNGKey(0)))


class _Compiles(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.names = []

    def emit(self, record):
        if record.msg.startswith("Compiling "):
            self.names.append(str(record.args[0]))


def test_first_epoch_stages_data_weights_and_slots_without_per_shape_compiles():
    model = Sequential([Dense(7, activation="relu", input_shape=(5,)), Dense(2)])
    model.compile(optimizer=symk.optimizers.Adam(1e-3), loss="mse")
    jax.random.split(jax.random.PRNGKey(3))  # NOTE: the model's seed key (training/api.py) is not staged here
    logger = logging.getLogger("jax._src.interpreters.pxla")
    handler, level = _Compiles(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        model.fit(np.ones((6, 5), np.float64), np.zeros((6, 2), "float32"), batch_size=3, shuffle=False, verbose=0)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    staging = [n for n in handler.names if "stage" in n or "broadcast_in_dim" in n]
    assert staging == [], handler.names
    assert sum("init_optax" in n for n in handler.names) == 1
    velocities = [v for v in model.optimizer.variables if v.short_name.endswith("velocity")]
    assert [v.shape for v in velocities] == [tuple(w.shape) for w in model.trainable_weights]
