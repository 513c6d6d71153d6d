"""MelSpectrogram and STFTSpectrogram: the layer harness; numbers, weights and configs against real Keras 3
in several configurations; a Keras-written audio model loaded from .h5 and .weights.h5; one SGD epoch of a
tiny audio classifier equal to Keras's; symbolic shapes with an unknown length; the errors."""
import json
import pathlib
import warnings

import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L
from symk.models import load_model

REFS = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_spectrogram"
CASES = json.loads((REFS / "cases.json").read_text())["cases"]
ARRAYS = np.load(REFS / "cases.npz")
BASE_KEYS = ("name", "trainable", "dtype")

EXAMPLES = [
    layer_example("mel_spectrogram", lambda: L.MelSpectrogram(fft_length=64, sequence_stride=16, sampling_rate=8000,
                                                              num_mel_bins=10), (2, 200)),
    layer_example("mel_spectrogram_linear", lambda: L.MelSpectrogram(fft_length=32, sequence_length=24,
                                                                     sequence_stride=8, window="hamming",
                                                                     num_mel_bins=6, power_to_db=False), (2, 90)),
    layer_example("stft_spectrogram_log", lambda: L.STFTSpectrogram(frame_length=16, frame_step=8), (2, 64, 2)),
    layer_example("stft_spectrogram_psd_first", lambda: L.STFTSpectrogram(
        mode="psd", frame_length=12, frame_step=4, padding="same", expand_dims=True, data_format="channels_first"),
        (2, 1, 40)),
    layer_example("stft_spectrogram_stft", lambda: L.STFTSpectrogram(mode="stft", frame_length=8, window="hamming",
                                                                     periodic=True), (2, 30, 1)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_keras(case_id):
    case = CASES[case_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the odd fft_length's recommendation
        layer = getattr(L, case["cls"])(**case["kwargs"])
    x = ARRAYS[f"{case_id}/x"]
    layer(x)
    keras_weights = [ARRAYS[f"{case_id}/w{i}"] for i in range(len(case["weight_paths"]))]
    assert [w.path.split("/")[-1] for w in layer.weights] == [p.split("/")[-1] for p in case["weight_paths"]]
    # the initial kernels are Keras's (computed here in float64, there in float32)
    for got, want in zip(layer.get_weights(), keras_weights):
        np.testing.assert_allclose(got, want, atol=1e-5)
    layer.set_weights(keras_weights)
    expected = ARRAYS[f"{case_id}/y"]
    got = np.asarray(layer(x))
    assert got.shape == expected.shape and got.dtype == expected.dtype
    # NOTE: dB values of float32 FFTs over up to 2048 samples: agreement to ~1e-5 relative
    np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-4)
    config = {k: v for k, v in layer.get_config().items() if k not in BASE_KEYS}
    assert config == {k: v for k, v in case["config"].items() if k not in BASE_KEYS}


# -- Keras-written files -----------------------------------------------------------------------------
def test_keras_written_audio_model_loads_and_predicts_equally(tmp_path):
    reference = np.load(REFS / "model.npz")
    model = load_model(REFS / "model.h5")
    np.testing.assert_allclose(model.predict(reference["x"], verbose=0), reference["y"], rtol=1e-5, atol=1e-6)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert {"MelSpectrogram", "STFTSpectrogram"} <= kinds
    # the same architecture built in symk takes the Keras 3 .weights.h5
    symk.backend.clear_session()
    x = symk.Input((128,))
    mel = L.MelSpectrogram(fft_length=32, sequence_stride=16, sampling_rate=8000, num_mel_bins=8)(x)
    a = L.Flatten()(L.Conv1D(4, 3, activation="relu")(mel))
    stft = L.STFTSpectrogram(mode="log", frame_length=16, frame_step=8)(L.Reshape((128, 1))(x))
    b = L.Flatten()(L.Conv1D(3, 3)(stft))
    rebuilt = symk.Model(x, L.Dense(3, activation="softmax")(L.Concatenate()([a, b])))
    rebuilt.load_weights(REFS / "model.weights.h5")
    np.testing.assert_allclose(rebuilt.predict(reference["x"], verbose=0), reference["y"], rtol=1e-5, atol=1e-6)
    rebuilt.save(tmp_path / "again.h5")
    again = load_model(tmp_path / "again.h5")
    np.testing.assert_allclose(again.predict(reference["x"], verbose=0), reference["y"], rtol=1e-5, atol=1e-6)


# -- training: a tiny audio classifier ---------------------------------------------------------------
FIT_LAYERS = {
    "mel": (lambda: L.MelSpectrogram(fft_length=32, sequence_stride=16, sampling_rate=8000, num_mel_bins=8,
                                     top_db=40.0), (128,)),
    "stft": (lambda: L.STFTSpectrogram(mode="magnitude", frame_length=16, frame_step=8), (128, 1)),
}


@pytest.mark.parametrize("name", sorted(FIT_LAYERS))
def test_one_sgd_epoch_of_an_audio_classifier_equals_keras(name):
    reference = np.load(REFS / "fit.npz")
    make_layer, input_shape = FIT_LAYERS[name]
    model = symk.Sequential([symk.Input(input_shape), make_layer(), L.Conv1D(3, 3, activation="relu"),
                             L.Flatten(), L.Dense(2, activation="softmax")])
    count = len(model.get_weights())
    model.set_weights([reference[f"{name}/init_w{i}"] for i in range(count)])
    model.compile(optimizer=symk.optimizers.SGD(learning_rate=0.05), loss="categorical_crossentropy")
    history = model.fit(reference[f"{name}/x"], reference[f"{name}/y"], batch_size=4, epochs=1, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], reference[f"{name}/hist_loss"], rtol=1e-5)
    for i, got in enumerate(model.get_weights()):  # STFT's kernels train too
        np.testing.assert_allclose(got, reference[f"{name}/w{i}"], rtol=1e-4, atol=1e-6, err_msg=f"weight {i}")


# -- shapes ------------------------------------------------------------------------------------------
def test_unknown_length_gives_unknown_frames_and_runs():
    x = symk.Input((None,))
    mel = L.MelSpectrogram(fft_length=32, sequence_stride=8, num_mel_bins=5)(x)
    assert tuple(mel.shape) == (None, 5, None)
    signal = symk.Input((None, 1))
    stft = L.STFTSpectrogram(frame_length=16, frame_step=8)(signal)
    assert tuple(stft.shape) == (None, None, 9)
    audio = np.random.default_rng(0).normal(size=(2, 100)).astype("float32")
    assert np.asarray(symk.Model(x, mel).predict(audio, verbose=0)).shape == (2, 5, 13)
    assert np.asarray(symk.Model(signal, stft).predict(audio[..., None], verbose=0)).shape == (2, 11, 9)


def test_defaults_and_derived_arguments_follow_keras():
    mel = L.MelSpectrogram(sampling_rate=22050)
    assert (mel.sequence_length, mel.max_freq) == (2048, 11025)
    stft = L.STFTSpectrogram(frame_length=200)
    assert (stft._frame_step, stft._fft_length) == (100, 256)
    assert stft.get_config()["frame_step"] is None and stft.get_config()["fft_length"] is None


# -- errors ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, words", [
    (dict(fft_length=256, sequence_length=512), "fft_length must be >= sequence_length"),
    (dict(window="blackman"), "window must be 'hann', 'hamming'"),
    (dict(window=np.ones(10)), "sequence_length"),
    (dict(sequence_stride=0), "sequence_stride must be a positive integer"),
])
def test_mel_spectrogram_refuses_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        L.MelSpectrogram(**kwargs)


@pytest.mark.parametrize("kwargs, words", [
    (dict(mode="power"), "mode must be one of"),
    (dict(frame_length=16, frame_step=32), "frame_step must be a positive integer not greater"),
    (dict(frame_length=16, fft_length=8), "fft_length must be >= frame_length"),
    (dict(scaling="unit"), "scaling must be None"),
    (dict(padding="causal"), "padding must be 'valid' or 'same'"),
    (dict(window="no_such_window"), "not a scipy.signal.get_window name"),
    (dict(frame_length=8, window=[1.0, 2.0]), "frame_length"),
])
def test_stft_spectrogram_refuses_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        L.STFTSpectrogram(**kwargs)


def test_stft_spectrogram_refuses_a_wrong_rank_and_integer_signals():
    with pytest.raises(Exception, match="ndim"):
        L.STFTSpectrogram(frame_length=8)(symk.Input((64,)))
    with pytest.raises(TypeError, match="float32"):
        L.STFTSpectrogram(frame_length=8)(symk.Input((64, 1), dtype="int32"))


def test_fft_length_not_a_power_of_two_warns():
    with pytest.warns(UserWarning, match="power of two"):
        L.STFTSpectrogram(frame_length=20, fft_length=25)


def test_symbolic_frames_are_the_computed_ones():
    # NOTE: Keras's MelSpectrogram.compute_output_shape says (samples + stride + 1) // stride frames, 9 here,
    # while its call makes 1 + 255 // 32 = 8 (tests/references: mel_no_window_db); symk gives what runs
    x = symk.Input((255,))
    layer = L.MelSpectrogram(fft_length=128, sequence_stride=32)
    assert tuple(layer(x).shape) == (None, 128, 8)
    assert tuple(layer.compute_output_shape((None, 255))) == (None, 128, 8)
