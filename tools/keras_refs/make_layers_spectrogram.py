"""Write tests/references/keras3/layers_spectrogram/: real Keras 3 (JAX) numbers for MelSpectrogram and
STFTSpectrogram in several configurations, and a Keras-written audio model (.h5 and .weights.h5).

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_spectrogram.py

cases.json: {"cases": {id: {"class", "kwargs", "config" (Keras's get_config()), "weight_paths"}}}.
cases.npz: `<id>/x` (the input), `<id>/w<i>` (layer.get_weights() order) and `<id>/y` (the output).
model.h5 / model.weights.h5 / model.npz (`x`, `y`): MelSpectrogram and STFTSpectrogram branches feeding
Conv1D/Flatten/Dense, so symk's loader sees both layers' configs and STFTSpectrogram's kernels.
fit.npz: `<mel|stft>/{x, y, init_w<i>, hist_loss, w<i>}`: one SGD epoch of a tiny audio classifier.
tests/test_layers_spectrogram.py rebuilds each layer in symk, sets the same weights and compares.
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_spectrogram"
RNG = np.random.RandomState(20250601)


def audio(*shape):
    """A few tones plus noise: spectra with clear peaks, so the mel and dB steps see a real dynamic range."""
    t = np.arange(shape[-1 if len(shape) < 3 else 1]) / 8000.0
    tone = np.sin(2 * np.pi * 440.0 * t) + 0.5 * np.sin(2 * np.pi * 1250.0 * t)
    if len(shape) == 3:
        tone = tone[None, :, None]
    return (tone + 0.3 * RNG.normal(size=shape)).astype("float32")


MEL = [
    ("mel_batched", dict(fft_length=64, sequence_stride=16, sampling_rate=8000, num_mel_bins=10), audio(2, 200)),
    ("mel_unbatched_hamming", dict(fft_length=64, sequence_length=48, sequence_stride=20, window="hamming",
                                   sampling_rate=8000, num_mel_bins=12, power_to_db=False, mag_exp=1.0),
     audio(300)),
    ("mel_no_window_db", dict(fft_length=128, sequence_stride=32, window=None, sampling_rate=16000, num_mel_bins=16,
                              min_freq=100.0, max_freq=3000.0, top_db=20.0, ref_power=2.0, min_power=1e-6),
     audio(3, 255)),
    ("mel_defaults", dict(), audio(1, 4000)),
    ("mel_odd_fft", dict(fft_length=63, sequence_stride=17, sampling_rate=8000, num_mel_bins=8, mag_exp=3.0),
     audio(2, 150)),
]

STFT = [
    ("stft_log_default", dict(frame_length=32), audio(2, 100, 1)),
    ("stft_magnitude_same", dict(mode="magnitude", frame_length=24, frame_step=8, fft_length=32, window="hamming",
                                 periodic=True, scaling="spectrum", padding="same"), audio(2, 90, 2)),
    ("stft_psd", dict(mode="psd", frame_length=16, frame_step=4, scaling=None), audio(2, 60, 1)),
    ("stft_real_first", dict(mode="real", frame_length=16, frame_step=8, data_format="channels_first"),
     audio(2, 64, 2).transpose(0, 2, 1)),
    ("stft_imag_expand", dict(mode="imag", frame_length=16, frame_step=5, expand_dims=True), audio(2, 70, 3)),
    ("stft_angle", dict(mode="angle", frame_length=20, frame_step=10, fft_length=25, window=None), audio(1, 80, 1)),
    ("stft_stft_first_expand", dict(mode="stft", frame_length=16, frame_step=6, padding="same", expand_dims=True,
                                    data_format="channels_first", window="blackman"),
     audio(2, 50, 2).transpose(0, 2, 1)),
    ("stft_log_same_expand", dict(frame_length=16, frame_step=16, padding="same", expand_dims=True,
                                  window="hann", periodic=True), audio(2, 75, 2)),
]


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def layer_cases(arrays):
    cases = {}
    for cls, table in (("MelSpectrogram", MEL), ("STFTSpectrogram", STFT)):
        for cid, kwargs, x in table:
            layer = getattr(L, cls)(**kwargs)
            y = np.asarray(layer(x))
            arrays[f"{cid}/x"] = x
            arrays[f"{cid}/y"] = y
            for i, w in enumerate(layer.get_weights()):
                arrays[f"{cid}/w{i}"] = w
            cases[cid] = dict(cls=cls, kwargs=kwargs, config=jsonable(layer.get_config()),
                              weight_paths=[w.path for w in layer.weights])
    return cases


def audio_model():
    """MelSpectrogram -> Conv1D -> Flatten and STFTSpectrogram -> Conv1D -> Flatten, concatenated -> Dense."""
    x = keras.Input(shape=(128,), name="audio")
    mel = L.MelSpectrogram(fft_length=32, sequence_stride=16, sampling_rate=8000, num_mel_bins=8, name="mel")(x)
    a = L.Flatten()(L.Conv1D(4, 3, activation="relu", name="mel_conv")(mel))
    channel = L.Reshape((128, 1))(x)
    stft = L.STFTSpectrogram(mode="log", frame_length=16, frame_step=8, name="stft")(channel)
    b = L.Flatten()(L.Conv1D(3, 3, name="stft_conv")(stft))
    y = L.Dense(3, activation="softmax", name="head")(L.Concatenate()([a, b]))
    model = keras.Model(x, y)
    rng = np.random.RandomState(7)
    # fixed, non-default weights: the STFT kernels perturbed so a loader that re-initialises them is caught
    model.set_weights([(w + 0.05 * rng.normal(size=w.shape)).astype("float32") for w in model.get_weights()])
    return model


def fit_case(name, first_layer, input_shape, arrays):
    """One SGD epoch of a tiny audio classifier (spectrogram -> Conv1D -> Flatten -> Dense softmax)."""
    model = keras.Sequential([keras.Input(input_shape), first_layer, L.Conv1D(3, 3, activation="relu"),
                              L.Flatten(), L.Dense(2, activation="softmax")])
    rng = np.random.RandomState(11)
    model.set_weights([(w + 0.05 * rng.normal(size=w.shape)).astype("float32") for w in model.get_weights()])
    x = audio(8, *input_shape)
    y = np.eye(2, dtype="float32")[rng.randint(0, 2, 8)]
    for i, w in enumerate(model.get_weights()):
        arrays[f"{name}/init_w{i}"] = w
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="categorical_crossentropy")
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    arrays[f"{name}/x"], arrays[f"{name}/y"] = x, y
    arrays[f"{name}/hist_loss"] = np.asarray(history.history["loss"], "float32")
    for i, w in enumerate(model.get_weights()):
        arrays[f"{name}/w{i}"] = w


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays = {}
    cases = layer_cases(arrays)
    (OUT / "cases.json").write_text(json.dumps({"keras": keras.__version__, "cases": cases}, indent=1))
    np.savez(OUT / "cases.npz", **arrays)
    model = audio_model()
    x = audio(4, 128)
    model.save(OUT / "model.h5")
    model.save_weights(OUT / "model.weights.h5")
    np.savez(OUT / "model.npz", x=x, y=np.asarray(model.predict(x, verbose=0)))
    fits = {}
    fit_case("mel", L.MelSpectrogram(fft_length=32, sequence_stride=16, sampling_rate=8000, num_mel_bins=8,
                                     top_db=40.0), (128,), fits)
    fit_case("stft", L.STFTSpectrogram(mode="magnitude", frame_length=16, frame_step=8), (128, 1), fits)
    np.savez(OUT / "fit.npz", **fits)
    print(f"wrote {len(cases)} cases and the audio model to {OUT}")


if __name__ == "__main__":
    main()
