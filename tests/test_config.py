"""symk.config: Keras's global settings, and the layers, ops and loops that read them."""
import logging

import numpy as np
import pytest

import symk
from symk import config, ops


@pytest.fixture(autouse=True)
def restore_settings():
    saved = dict(config._settings)
    yield
    config._settings.clear()
    config._settings.update(saved)


def test_defaults_are_keras_defaults():
    assert (config.floatx(), config.epsilon(), config.image_data_format(), config.backend()) == \
        ("float32", 1e-7, "channels_last", "jax")
    assert config.max_epochs() is None and config.max_steps_per_epoch() is None
    assert config.is_interactive_logging_enabled() and config.is_traceback_filtering_enabled()
    assert config.is_flash_attention_enabled() is None and config.is_nnx_enabled() is False


def test_setters_validate_and_name_the_fix():
    with pytest.raises(ValueError, match="channels_last"):
        config.set_image_data_format("nhwc")
    with pytest.raises(ValueError, match="float64 needs jax x64"):
        config.set_floatx("float64")
    with pytest.raises(ValueError, match="JAX only"):
        config.set_backend("torch")
    config.set_backend("jax")
    with pytest.raises(ValueError, match="Cannot convert 'mixed_float61'"):
        config.set_dtype_policy("mixed_float61")
    assert config.dtype_policy().name == "float32"
    config.set_dtype_policy("mixed_float16")
    try:
        assert (config.dtype_policy().compute_dtype, config.dtype_policy().variable_dtype) == ("float16", "float32")
    finally:
        from symk.dtype_policies import policy

        policy._global["policy"] = None  # unset (floatx() again), as Keras's clear_session leaves it
    config.set_epsilon(1e-5)
    assert config.epsilon() == 1e-5 and symk.backend.epsilon() == 1e-5


def test_image_data_format_is_every_layer_default():
    config.set_image_data_format("channels_first")
    conv = symk.layers.Conv2D(2, 3)
    pool = symk.layers.MaxPooling2D()
    assert conv.data_format == pool.data_format == "channels_first"
    out = conv(symk.Input((1, 8, 8)))
    assert tuple(out.shape) == (None, 2, 6, 6)
    assert symk.layers.Conv2D(2, 3, data_format="channels_last").data_format == "channels_last"


def test_floatx_is_the_layer_and_creation_dtype():
    config.set_floatx("bfloat16")
    assert symk.layers.Dense(2).dtype == "bfloat16"


def test_caps_on_epochs_and_steps_shorten_fit():
    model = symk.Sequential([symk.layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    seen = []
    callback = symk.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    history = model.fit(np.ones((80, 3)), np.ones((80, 1)), epochs=5, batch_size=8, verbose=0, callbacks=[callback])
    assert len(history.history["loss"]) == 2 and seen == [0, 1, 2, 0, 1, 2]


def test_without_interactive_logging_progress_goes_to_the_logger(caplog, capsys):
    config.disable_interactive_logging()
    model = symk.Sequential([symk.layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    with caplog.at_level(logging.INFO, logger="symk"):
        model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=1, verbose=1)
    assert "Epoch 1/1" not in capsys.readouterr().out
    messages = [record.getMessage() for record in caplog.records]
    assert "Epoch 1/1" in messages and any("1/1" in m and "loss" in m for m in messages)


def test_unsafe_deserialization_switch_lets_lambda_bytecode_load(tmp_path):
    inputs = symk.Input((2,))
    model = symk.Model(inputs, symk.layers.Lambda(lambda t: t * 2.0)(inputs))
    path = str(tmp_path / "lambda.h5")
    model.save(path)
    with pytest.raises(Exception, match="enable_unsafe_deserialization"):
        symk.models.load_model(path)
    config.enable_unsafe_deserialization()
    loaded = symk.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 2), "float32"), verbose=0), [[2.0, 2.0]])


def test_ops_creation_follows_floatx():
    config.set_floatx("float16")
    assert str(ops.ones((2,)).dtype) == "float16"
