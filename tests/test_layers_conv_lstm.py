"""ConvLSTM1D/2D/3D: the layer harness; numbers, weights and configs against real Keras 3 (same weights:
padding, strides, dilation, channels_first, go_backwards, states, masks, stateful); a Keras-written model
with Normalization and ConvLSTM2D loaded from .h5 and .weights.h5; one SGD epoch equal to Keras's; dropout;
errors."""
import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L
from symk.models import load_model
from test_layers_new_core import CASES, REFS, check_reference_case

EXAMPLES = [
    layer_example("conv_lstm1d", lambda: L.ConvLSTM1D(2, 3, padding="same", return_sequences=True), (2, 3, 5, 2)),
    layer_example("conv_lstm2d", lambda: L.ConvLSTM2D(2, 3), (2, 3, 5, 5, 2)),
    layer_example("conv_lstm2d_dropout_backwards",
                  lambda: L.ConvLSTM2D(2, 2, strides=2, dropout=0.3, recurrent_dropout=0.2, go_backwards=True),
                  (2, 3, 4, 4, 1)),
    layer_example("conv_lstm2d_first", lambda: L.ConvLSTM2D(3, 2, data_format="channels_first", use_bias=False),
                  (2, 2, 2, 4, 3)),
    layer_example("conv_lstm3d", lambda: L.ConvLSTM3D(2, 2, padding="same"), (1, 2, 3, 3, 2, 1)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


CONV_LSTM_CASES = [cid for cid, c in CASES.items() if c["cls"].startswith("ConvLSTM")]


@pytest.mark.parametrize("case_id", CONV_LSTM_CASES)
def test_matches_keras(case_id):
    symk.backend.clear_session()
    check_reference_case(case_id, rtol=1e-5, atol=1e-5)


# -- Keras-written files -----------------------------------------------------------------------------
def test_keras_written_model_with_normalization_and_conv_lstm_loads_and_predicts_equally(tmp_path):
    reference = np.load(REFS / "model.npz")
    model = load_model(REFS / "model.h5")
    np.testing.assert_allclose(model.predict(reference["x"], verbose=0), reference["y"], rtol=1e-5, atol=1e-5)
    assert [type(layer).__name__ for layer in model.layers[1:3]] == ["Normalization", "ConvLSTM2D"]
    # the same architecture built in symk takes the Keras 3 .weights.h5
    symk.backend.clear_session()
    inputs = symk.Input((3, 5, 5, 2))
    h = L.Normalization()(inputs)
    h = L.ConvLSTM2D(3, 3, padding="same", return_sequences=True)(h)
    h = L.ConvLSTM2D(2, 2)(h)
    rebuilt = symk.Model(inputs, L.Dense(2)(L.Flatten()(h)))
    rebuilt.load_weights(REFS / "model.weights.h5")
    np.testing.assert_allclose(rebuilt.predict(reference["x"], verbose=0), reference["y"], rtol=1e-5, atol=1e-5)
    # and symk's own files round-trip
    rebuilt.save(tmp_path / "again.h5")
    again = load_model(tmp_path / "again.h5")
    np.testing.assert_allclose(again.predict(reference["x"], verbose=0), reference["y"], rtol=1e-5, atol=1e-5)


def test_one_sgd_epoch_of_a_conv_lstm_model_equals_keras():
    reference = np.load(REFS / "fit.npz")
    model = symk.Sequential([symk.Input((3, 4, 4, 1)), L.ConvLSTM2D(2, 3, padding="same"), L.Flatten(),
                             L.Dense(2)])
    model.set_weights([reference[f"init_w{i}"] for i in range(5)])
    model.compile(optimizer=symk.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(reference["x"], reference["y"], batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], reference["hist_loss"], rtol=1e-5)
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, reference[f"w{i}"], rtol=1e-4, atol=1e-6, err_msg=f"weight {i}")


# -- behaviour Keras documents ---------------------------------------------------------------------
def test_dropout_acts_only_in_training_and_masks_whole_gates():
    x = np.random.default_rng(0).normal(size=(4, 3, 5, 5, 2)).astype("float32")
    plain = L.ConvLSTM2D(2, 3, padding="same")
    dropped = L.ConvLSTM2D(2, 3, padding="same", dropout=0.5, recurrent_dropout=0.5)
    plain(x)
    dropped(x)
    dropped.set_weights(plain.get_weights())
    np.testing.assert_allclose(np.asarray(dropped(x)), np.asarray(plain(x)), rtol=1e-6)
    trained = np.asarray(dropped(x, training=True))
    assert np.all(np.isfinite(trained)) and not np.allclose(trained, np.asarray(plain(x)))


def test_stateful_layer_carries_and_resets_its_states():
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 4, 1)).astype("float32")
    layer = L.ConvLSTM2D(2, 3, padding="same", stateful=True, batch_input_shape=(2, 3, 4, 4, 1))
    first = np.asarray(layer(x))
    assert not np.allclose(np.asarray(layer(x)), first)
    layer.reset_states()
    np.testing.assert_allclose(np.asarray(layer(x)), first, rtol=1e-6)
    with pytest.raises(ValueError, match="fixed batch size"):
        L.ConvLSTM2D(2, 3, stateful=True)(symk.Input((3, 4, 4, 1)))


def test_a_masking_layer_masks_steps_whose_every_position_is_masked():
    x = np.random.default_rng(2).normal(size=(2, 4, 3, 3, 1)).astype("float32")
    x[0, 2] = 0.0
    x[1, 1:] = 0.0
    inputs = symk.Input((4, 3, 3, 1))
    layer = L.ConvLSTM2D(2, 2, return_sequences=True)
    model = symk.Model(inputs, layer(L.Masking(0.0)(inputs)))
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out[0, 2], out[0, 1])          # a masked step repeats the previous output
    np.testing.assert_allclose(out[1, 3], out[1, 0])
    unmasked = np.asarray(layer(x))
    np.testing.assert_allclose(out[0, :2], unmasked[0, :2], rtol=1e-6)


def test_errors_name_the_layer_and_the_fix():
    with pytest.raises(ValueError, match="filters"):
        L.ConvLSTM2D(0, 3)
    with pytest.raises(ValueError, match="dilation_rate"):
        L.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        L.ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="dropout"):
        L.ConvLSTM3D(2, 2, dropout=1.5)
    with pytest.raises(Exception, match="rank 5"):
        L.ConvLSTM2D(2, 3)(symk.Input((4, 5, 5)))
    with pytest.raises(ValueError, match="static spatial"):
        L.ConvLSTM2D(2, 3)(symk.Input((4, None, 5, 1)))
    with pytest.raises(ValueError, match="2 states"):
        L.ConvLSTM2D(2, 3)(symk.Input((4, 5, 5, 1)), initial_state=[symk.Input((3, 3, 2))])
    with pytest.raises(Exception, match=r"\(batch,\) \+ \(3, 3, 2\)"):
        L.ConvLSTM2D(2, 3)(symk.Input((4, 5, 5, 1)), initial_state=[symk.Input((5, 5, 2))] * 2)
