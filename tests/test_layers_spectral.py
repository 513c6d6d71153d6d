"""SpectralNormalization against numbers real Keras 3 wrote (tools/keras_refs/make_layers_spectral.py):
one training call (new vector_u and normalized kernel, the output), an inference call after it, Keras's
weight order, a Keras-written .keras archive and .weights.h5, one epoch of fit; plus the layer harness."""
import json
import os

import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L

REFS = os.path.join(os.path.dirname(__file__), "references", "keras3", "layers_spectral")
CASES = json.load(open(os.path.join(REFS, "cases.json")))["cases"]

EXAMPLES = [
    layer_example("spectral_dense", lambda: L.SpectralNormalization(L.Dense(3)), (2, 4)),
    layer_example("spectral_dense_rank3_two_iterations",
                  lambda: L.SpectralNormalization(L.Dense(2, activation="tanh"), power_iterations=2), (2, 3, 4)),
]
# NOTE: no Conv2D example: the harness round-trips get_config() as Python objects, and the config checks of
# symk/saving/config_checks.py refuse the tuple kernel_size a wrapped Conv2D's config holds (JSON gives lists);
# the Keras-written archive below holds a wrapped Conv2D


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


def _layer_with_keras_weights(case_id, arrays):
    case = CASES[case_id]
    x = arrays[f"{case_id}/x"]
    layer = L.SpectralNormalization(getattr(L, case["inner"])(**case["inner_kwargs"]),
                                    power_iterations=case["power_iterations"])
    layer.build(x.shape)
    layer.set_weights([arrays[f"{case_id}/w{i}"] for i in range(len(case["weight_paths"]))])
    return layer, x


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_training_call_updates_u_and_kernel_as_keras(case_id):
    arrays = np.load(os.path.join(REFS, "cases.npz"))
    layer, x = _layer_with_keras_weights(case_id, arrays)
    # Keras's order: the kernel (tracked as the wrapper's own), vector_u, then the wrapped layer's others
    assert [w.name for w in layer.weights] == [p.rsplit("/", 1)[-1] for p in CASES[case_id]["weight_paths"]]
    assert [w.trainable for w in layer.weights][:2] == [True, False]
    train_y = np.asarray(layer(x, training=True))
    for i, weight in enumerate(layer.get_weights()):
        np.testing.assert_allclose(weight, arrays[f"{case_id}/train_w{i}"], rtol=1e-5, atol=1e-6)
    infer_y = np.asarray(layer(x, training=False))
    if CASES[case_id]["inner"] == "Embedding":
        # NOTE: Keras casts the output to the ids' dtype (int32); symk keeps the vectors, which are the rows of
        # the kernel Keras wrote after the training call
        expected = arrays[f"{case_id}/train_w0"][x]
        np.testing.assert_allclose(train_y, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(infer_y, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(arrays[f"{case_id}/train_y"], expected.astype("int32"))
        return
    np.testing.assert_allclose(train_y, arrays[f"{case_id}/train_y"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(infer_y, arrays[f"{case_id}/infer_y"], rtol=1e-5, atol=1e-5)


def test_normalized_kernel_has_spectral_norm_one_after_many_iterations():
    rng = np.random.default_rng(3)
    layer = L.SpectralNormalization(L.Dense(4), power_iterations=50)
    layer.build((None, 6))
    kernel = rng.normal(size=(6, 4)).astype("float32")
    layer.set_weights([kernel, rng.normal(size=(1, 4)).astype("float32"), np.zeros(4, "float32")])
    layer(np.ones((1, 6), "float32"), training=True)
    normalized = layer.get_weights()[0]
    np.testing.assert_allclose(normalized, kernel / np.linalg.svd(kernel, compute_uv=False)[0], rtol=1e-4)
    assert np.linalg.svd(normalized, compute_uv=False)[0] == pytest.approx(1.0, rel=1e-4)


def test_inference_leaves_the_weights_alone_and_a_zero_kernel_is_kept():
    layer = L.SpectralNormalization(L.Dense(2, kernel_initializer="zeros"))
    x = np.ones((2, 3), "float32")
    layer(x, training=False)
    before = [w.copy() for w in layer.get_weights()]
    layer(x, training=False)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)
    layer(x, training=True)  # all-zero kernel: Keras keeps u and the kernel (no nan from 0 / 0)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_keras_written_archive_and_weights_file_load():
    data = np.load(os.path.join(REFS, "model.npz"))
    loaded = symk.saving.load_model(os.path.join(REFS, "model.keras"))
    np.testing.assert_allclose(loaded.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)
    x = symk.Input((6, 6, 2), name="image")
    h = L.SpectralNormalization(L.Conv2D(3, 3, activation="relu", name="conv"), name="sn_conv")(x)
    y = L.SpectralNormalization(L.Dense(2, name="head"), power_iterations=2, name="sn_head")(L.Flatten()(h))
    model = symk.Model(x, y)
    model.load_weights(os.path.join(REFS, "model.weights.h5"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)
    assert loaded.get_layer("sn_head").get_config()["power_iterations"] == 2


def test_fit_keeps_the_u_update_but_not_the_kernel_assignment_as_keras_jax():
    data = np.load(os.path.join(REFS, "fit.npz"))
    model = symk.Sequential([symk.Input((4,)), L.SpectralNormalization(L.Dense(3, activation="relu")), L.Dense(1)])
    model.set_weights([data[f"init_w{i}"] for i in range(len(model.weights))])
    model.compile(optimizer=symk.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(data["x"], data["y"], batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], data["hist_loss"], rtol=1e-5)
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, data[f"w{i}"], rtol=1e-5, atol=1e-6)


def test_saved_and_loaded_in_both_formats(tmp_path):
    model = symk.Sequential([symk.Input((4,)), L.SpectralNormalization(L.Dense(3), power_iterations=2)])
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    for name in ("m.keras", "m.h5"):
        model.save(tmp_path / name)
        loaded = symk.saving.load_model(tmp_path / name)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
        np.testing.assert_array_equal(loaded.layers[0].vector_u.numpy(), model.layers[0].vector_u.numpy())


@pytest.mark.parametrize("bad, message", [
    (dict(power_iterations=0), "power_iterations must be a positive integer"),
    (dict(power_iterations=1.5), "power_iterations must be a positive integer"),
])
def test_bad_arguments_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        L.SpectralNormalization(L.Dense(2), **bad)


def test_a_layer_without_kernel_is_refused():
    with pytest.raises(ValueError, match="has neither"):
        L.SpectralNormalization(L.LayerNormalization())(symk.Input((3,)))
