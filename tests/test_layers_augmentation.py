"""Image preprocessing and augmentation layers: the layer harness; Keras 3's numbers (deterministic layers,
every random layer at inference, random layers in training with one-valued ranges) and configs; the
properties of the training draws (flips, ranges, seeds, new draws per compiled step); an augmenting CNN
that trains, saves and loads; and the errors for bad arguments."""
import pathlib

import numpy as np
import pytest

import symk
from keras_layer_cases import KerasLayerCases
from layer_harness import check_layer, layer_example
from symk import layers as L
from symk.models import load_model

REF = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_augmentation"
RNG = np.random.default_rng(5)

EXAMPLES = [
    layer_example("rescaling", lambda: L.Rescaling(1 / 255, offset=0.5), (2, 4, 5, 3)),
    layer_example("rescaling_per_channel", lambda: L.Rescaling([0.5, 1.0, 2.0]), (2, 4, 5, 3)),
    layer_example("resizing_bicubic", lambda: L.Resizing(3, 7, interpolation="bicubic"), (2, 5, 6, 3)),
    layer_example("resizing_pad_first", lambda: L.Resizing(4, 8, pad_to_aspect_ratio=True,
                                                           data_format="channels_first"), (2, 3, 5, 6)),
    layer_example("center_crop", lambda: L.CenterCrop(3, 4), (2, 5, 6, 3)),
    layer_example("center_crop_smart_resize", lambda: L.CenterCrop(7, 4), (2, 5, 6, 3)),
    layer_example("random_flip", lambda: L.RandomFlip("horizontal", seed=1), (2, 5, 6, 3)),
    layer_example("random_crop", lambda: L.RandomCrop(3, 4, seed=1), (2, 5, 6, 3)),
    layer_example("random_rotation", lambda: L.RandomRotation(0.2, seed=1), (2, 5, 6, 3)),
    layer_example("random_zoom", lambda: L.RandomZoom(0.2, (-0.3, 0.1), fill_mode="constant", seed=1),
                  (2, 5, 6, 3)),
    layer_example("random_translation_first", lambda: L.RandomTranslation(0.2, 0.1, data_format="channels_first",
                                                                         seed=1), (2, 3, 5, 6)),
    layer_example("random_shear", lambda: L.RandomShear(0.2, 0.3, seed=1), (2, 5, 6, 3)),
    layer_example("random_contrast", lambda: L.RandomContrast(0.4, value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
    layer_example("random_brightness", lambda: L.RandomBrightness(0.2, value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
    layer_example("random_grayscale", lambda: L.RandomGrayscale(0.5, seed=1), (2, 5, 6, 3)),
    layer_example("random_hue", lambda: L.RandomHue(0.5, value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
    layer_example("random_saturation", lambda: L.RandomSaturation((0.3, 0.7), seed=1), (2, 5, 6, 3)),
    layer_example("random_color_degeneration", lambda: L.RandomColorDegeneration(0.5, seed=1), (2, 5, 6, 3)),
    layer_example("random_color_jitter", lambda: L.RandomColorJitter(
        value_range=(-3, 3), brightness_factor=0.1, contrast_factor=0.2, saturation_factor=(0.4, 0.6),
        hue_factor=0.1, seed=1), (2, 5, 6, 3)),
    layer_example("random_sharpness", lambda: L.RandomSharpness(0.5, value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
    layer_example("random_posterization", lambda: L.RandomPosterization((2, 6), value_range=(-3, 3), seed=1),
                  (2, 5, 6, 3)),
    layer_example("solarization", lambda: L.Solarization(0.2, (0.3, 0.6), value_range=(-3, 3), seed=1),
                  (2, 5, 6, 3)),
    layer_example("auto_contrast", lambda: L.AutoContrast(value_range=(-3, 3)), (2, 5, 6, 3)),
    layer_example("random_invert", lambda: L.RandomInvert(0.5, value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
    layer_example("random_erasing", lambda: L.RandomErasing(scale=(0.1, 0.4), fill_value=[0.0, 1.0, 2.0],
                                                            value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
    layer_example("random_erasing_noise", lambda: L.RandomErasing(value_range=(-3, 3), seed=2), (2, 5, 6, 3)),
    layer_example("random_gaussian_blur", lambda: L.RandomGaussianBlur(kernel_size=(3, 5), sigma=(0.3, 1.0),
                                                                       value_range=(-3, 3), seed=1), (2, 5, 6, 3)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


# -- Keras 3's numbers --------------------------------------------------------------------
KERAS = KerasLayerCases(REF, atol_per_unit=2e-6)
CASES, ARRAYS = KERAS.cases, KERAS.arrays


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_eager_calls_match_keras(case):
    layer = KERAS.build(case)
    KERAS.assert_output(layer(ARRAYS[case["x"]], training=case["training"]), case)
    config, keras_config = KERAS.configs(layer, case)
    if case["cls"] == "RandomGrayscale":
        config.pop("seed")  # Keras's RandomGrayscale leaves its seed out; symk keeps it
    if case["cls"] == "RandomShear":  # symk writes (-f, f) as f, which Keras's constructor accepts
        for key in ("x_factor", "y_factor"):
            assert L.RandomShear(**{key: config[key]}).get_config()[key] == config[key]
            assert getattr(L.RandomShear(**{key: config[key]}), key) == tuple(keras_config[key])
            config[key] = keras_config[key]
    assert config == keras_config


@pytest.mark.parametrize("case", [c for c in CASES if ARRAYS[c["x"]].ndim == 4], ids=lambda c: c["id"])
def test_compiled_models_match_keras(case):
    """The same layer traced into a model; predict runs in inference, so training cases pass training=True."""
    x = ARRAYS[case["x"]]
    inputs = symk.Input(x.shape[1:], dtype=str(x.dtype))
    outputs = KERAS.build(case)(inputs, training=True) if case["training"] else KERAS.build(case)(inputs)
    KERAS.assert_output(symk.Model(inputs, outputs).predict(x, verbose=0), case)


def test_keras_written_augmenting_cnn_loads_and_predicts_the_same():
    data = np.load(REF / "augmenting_cnn.npz")
    model = load_model(REF / "augmenting_cnn.h5")
    assert [type(layer).__name__ for layer in model.layers[:6]] == [
        "RandomFlip", "RandomRotation", "RandomZoom", "Rescaling", "Resizing", "CenterCrop"]
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(REF / "augmenting_cnn.weights.h5")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)




def test_keras_written_nested_augmentation_stage_loads():
    data = np.load(REF / "augmenting_cnn_nested.npz")
    model = load_model(REF / "augmenting_cnn_nested.h5")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)


# -- training draws: properties -------------------------------------------------------------
def _distinct_images(n, height=6, width=7, channels=1):
    return RNG.uniform(0, 1, (n, height, width, channels)).astype("float32")


@pytest.mark.parametrize("mode, axes", [("horizontal", (2,)), ("vertical", (1,)), ("horizontal_and_vertical", (1, 2))])
def test_random_flip_flips_about_half_the_images_as_configured(mode, axes):
    x = _distinct_images(300)
    y = np.asarray(L.RandomFlip(mode, seed=3)(x, training=True))
    flipped = np.flip(x, axis=axes)
    is_flipped = np.all(y == flipped, axis=(1, 2, 3))
    is_kept = np.all(y == x, axis=(1, 2, 3))
    assert np.all(is_flipped ^ is_kept), "every image is either kept or flipped along exactly the configured axes"
    assert 0.4 < is_flipped.mean() < 0.6


def test_random_flip_channels_first_flips_the_width_axis():
    x = _distinct_images(200).transpose(0, 3, 1, 2)
    y = np.asarray(L.RandomFlip("horizontal", seed=2, data_format="channels_first")(x, training=True))
    assert np.all(np.all(y == x, axis=(1, 2, 3)) | np.all(y == x[..., ::-1], axis=(1, 2, 3)))


@pytest.mark.parametrize("factory", [
    lambda: L.RandomRotation(0.0, seed=1), lambda: L.RandomZoom(0.0, seed=1),
    lambda: L.RandomTranslation(0.0, 0.0, seed=1), lambda: L.RandomShear(0.0, 0.0, seed=1),
    lambda: L.RandomZoom(0.0, 0.0, fill_mode="constant", interpolation="nearest", seed=1),
    lambda: L.RandomBrightness(0.0, seed=1), lambda: L.RandomContrast(0.0, value_range=(0, 1), seed=1),
    lambda: L.RandomGrayscale(0.0, seed=1), lambda: L.RandomErasing(factor=0.0, seed=1),
], ids=["rotation", "zoom", "translation", "shear", "zoom_nearest", "brightness", "contrast", "grayscale", "erasing"])
def test_zero_factors_are_the_identity_in_training(factory):
    x = _distinct_images(4, channels=3)
    np.testing.assert_allclose(np.asarray(factory()(x, training=True)), x, atol=1e-6)


def _dot_image(n, size, row, col):
    x = np.zeros((n, size, size, 1), "float32")
    x[:, row, col, 0] = 1.0
    return x


def _dot_offsets(y, center):
    """(row, col) offsets from `center` of each image's centre of brightness (bilinear sampling spreads the
    dot over neighbouring pixels but keeps its centre, where nearest sampling could drop it)."""
    weights = y[..., 0] / y[..., 0].sum(axis=(1, 2), keepdims=True)
    rows, cols = np.meshgrid(np.arange(y.shape[1]), np.arange(y.shape[2]), indexing="ij")
    return (weights * rows).sum(axis=(1, 2)) - center, (weights * cols).sum(axis=(1, 2)) - center


def test_random_rotation_angles_stay_within_the_factor():
    size, radius = 41, 15
    center = size // 2
    x = _dot_image(200, size, center, center + radius)
    y = np.asarray(L.RandomRotation(0.1, fill_mode="constant", seed=4)(x, training=True))
    rows, cols = _dot_offsets(y, center)
    angles = np.degrees(np.arctan2(rows, cols))
    assert np.all(np.abs(angles) <= 36.0 + 1.0)
    assert np.abs(angles).max() > 25.0 and angles.min() < 0 < angles.max()
    assert np.allclose(np.hypot(rows, cols), radius, atol=0.5)


def test_random_zoom_scales_within_the_factor_and_shares_the_draw_when_width_factor_is_none():
    size, offset = 41, 8
    center = size // 2
    x = _dot_image(200, size, center + offset, center + offset)
    y = np.asarray(L.RandomZoom(0.3, fill_mode="constant", seed=5)(x, training=True))
    rows, cols = _dot_offsets(y, center)
    # the output pixel p samples the input at zoom * (p - c) + c: a dot at offset d lands at d / zoom
    assert np.all((rows >= offset / 1.3 - 0.5) & (rows <= offset / 0.7 + 0.5))
    np.testing.assert_allclose(rows, cols, atol=1e-4)
    assert rows.min() < offset - 1 and rows.max() > offset + 1


def test_random_translation_shifts_within_the_factors():
    size = 41
    center = size // 2
    x = _dot_image(200, size, center, center)
    y = np.asarray(L.RandomTranslation(0.2, (-0.1, 0.05), fill_mode="constant", seed=6)(x, training=True))
    rows, cols = _dot_offsets(y, center)
    assert np.all(np.abs(rows) <= 0.2 * size + 0.5)
    assert np.all((cols >= -0.1 * size - 0.5) & (cols <= 0.05 * size + 0.5))
    assert rows.min() < -4 and rows.max() > 4


def test_random_brightness_adds_one_delta_per_image_within_the_factor():
    x = np.full((300, 4, 5, 3), 0.5, "float32")
    y = np.asarray(L.RandomBrightness((-0.1, 0.3), value_range=(0, 1), seed=7)(x, training=True))
    delta = y - x
    assert np.allclose(delta, delta[:, :1, :1, :1], atol=1e-6)
    assert np.all((delta >= -0.1 - 1e-6) & (delta <= 0.3 + 1e-6))
    assert delta.min() < 0 < delta.max()


def test_random_contrast_scales_deviations_from_the_mean_within_the_factor():
    x = RNG.uniform(100, 150, (300, 5, 6, 3)).astype("float32")
    y = np.asarray(L.RandomContrast((0.2, 0.4), seed=8)(x, training=True))
    deviation = x - x.mean(axis=(1, 2), keepdims=True)
    scaled = y - y.mean(axis=(1, 2), keepdims=True)
    factor = (scaled * deviation).sum(axis=(1, 2, 3)) / (deviation ** 2).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(scaled, factor[:, None, None, None] * deviation, atol=1e-3)
    assert np.all((factor >= 0.8 - 1e-5) & (factor <= 1.4 + 1e-5))
    assert factor.min() < 0.9 and factor.max() > 1.3


def test_random_crop_takes_one_window_per_batch_inside_the_image():
    x = np.arange(2 * 9 * 10, dtype="float32").reshape(2, 9, 10, 1)
    layer = L.RandomCrop(4, 5, seed=9)
    corners = set()
    for _ in range(20):
        y = np.asarray(layer(x, training=True))
        top, left = divmod(int(y[0, 0, 0, 0]), 10)
        np.testing.assert_array_equal(y, x[:, top:top + 4, left:left + 5])
        corners.add((top, left))
    assert len(corners) > 5 and all(0 <= t <= 5 and 0 <= l <= 5 for t, l in corners)


def test_random_crop_at_inference_is_the_central_window_of_the_aspect_ratio_resized():
    """What Keras documents (and Keras 2 did); Keras 3.15 returns the uncropped input instead, against its own
    output shape, so there is no Keras 3 reference for it."""
    x = RNG.uniform(0, 255, (2, 9, 12, 3)).astype("float32")
    want = np.asarray(L.Resizing(4, 4, crop_to_aspect_ratio=True)(x))
    np.testing.assert_allclose(np.asarray(L.RandomCrop(4, 4, seed=1)(x, training=False)), want, rtol=1e-6)
    same_size = np.asarray(L.RandomCrop(9, 12, seed=1)(x, training=False))
    np.testing.assert_array_equal(same_size, x)


def test_same_seed_gives_the_same_augmentation_and_each_call_a_new_one():
    x = _distinct_images(8, channels=3)
    first, again = L.RandomRotation(0.3, seed=11), L.RandomRotation(0.3, seed=11)
    a1, a2 = np.asarray(first(x)), np.asarray(first(x))
    np.testing.assert_array_equal(a1, np.asarray(again(x)))
    np.testing.assert_array_equal(a2, np.asarray(again(x)))
    assert not np.allclose(a1, a2), "the generator advances on every call"
    assert not np.allclose(a1, np.asarray(L.RandomRotation(0.3, seed=12)(x)))


def test_calls_on_arrays_augment_by_default_as_in_keras():
    x = _distinct_images(50)
    layer = L.RandomFlip(seed=1)
    assert not np.array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_single_images_get_the_same_treatment():
    image = _distinct_images(1, channels=3)[0]
    flipped = np.asarray(L.RandomFlip("horizontal", seed=4)(image))
    assert flipped.shape == image.shape
    assert np.array_equal(flipped, image) or np.array_equal(flipped, image[:, ::-1])
    assert np.asarray(L.RandomCrop(3, 4, seed=1)(image, training=False)).shape == (3, 4, 3)


def test_training_flag_at_the_call_decides_in_a_model():
    x = _distinct_images(40)
    inputs = symk.Input((6, 7, 1))
    always = symk.Model(inputs, L.RandomFlip(seed=3)(inputs, training=True))
    default = symk.Model(inputs, L.RandomFlip(seed=3)(inputs))
    assert not np.array_equal(always.predict(x, verbose=0), x)
    np.testing.assert_array_equal(default.predict(x, verbose=0), x)


def test_unknown_image_sizes_resize_but_crops_need_them():
    inputs = symk.Input((None, None, 3))
    model = symk.Model(inputs, L.Resizing(4, 5)(inputs))
    assert model.predict(np.ones((2, 7, 9, 3), "float32"), verbose=0).shape == (2, 4, 5, 3)
    with pytest.raises(ValueError, match="height and width of its input"):
        L.CenterCrop(3, 3)(symk.Input((None, None, 3)))


def _losses_over_epochs(augmentation):
    """Three epochs of one batch with a learning rate of 0: only the augmentation can change the loss."""
    x = RNG.uniform(0, 1, (6, 4, 4, 1)).astype("float32")
    model = symk.Sequential([symk.Input((4, 4, 1)), augmentation, L.Flatten(),
                             L.Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizer=symk.optimizers.SGD(learning_rate=0.0), loss="mse")
    return model.fit(x, np.zeros((6, 1), "float32"), batch_size=6, epochs=3, shuffle=False,
                     verbose=0).history["loss"]


def test_a_compiled_model_draws_new_augmentations_every_step():
    losses = _losses_over_epochs(L.RandomBrightness(0.5, value_range=(0, 1), seed=1))
    assert len(set(np.round(losses, 6))) == 3
    steady = _losses_over_epochs(L.RandomBrightness(0.0, value_range=(0, 1), seed=1))
    assert np.allclose(steady, steady[0])


def _augmenting_cnn(nested: bool):
    stage = [L.RandomFlip("horizontal", seed=1), L.RandomRotation(0.1, seed=2), L.RandomZoom(0.2, seed=3)]
    stage = [symk.Sequential(stage)] if nested else stage
    return symk.Sequential([symk.Input((12, 12, 3)), *stage, L.Rescaling(1 / 255), L.Conv2D(4, 3, activation="relu"),
                            L.MaxPooling2D(), L.Flatten(), L.Dense(3, activation="softmax")])


def _train_save_load(model, tmp_path):
    x = RNG.uniform(0, 255, (16, 12, 12, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[RNG.integers(0, 3, 16)]
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    path = tmp_path / "augmenting_cnn.h5"
    model.save(path)
    loaded = load_model(path)
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    return loaded


def test_an_augmenting_cnn_trains_and_round_trips_through_h5(tmp_path):
    loaded = _train_save_load(_augmenting_cnn(nested=False), tmp_path)
    assert loaded.layers[1].get_config()["factor"] == [-0.1, 0.1] or loaded.layers[1].factor == (-0.1, 0.1)


def test_the_tutorial_augmentation_stage_as_a_nested_sequential(tmp_path):
    loaded = _train_save_load(_augmenting_cnn(nested=True), tmp_path)   # trains, saves, predicts equal
    assert any(type(layer).__name__ == "Sequential" for layer in loaded.layers)


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("factory, message", [
    (lambda: L.RandomRotation(1.5), "factor"),
    (lambda: L.RandomRotation("big"), "factor"),
    (lambda: L.RandomZoom(-1.0), "height_factor"),
    (lambda: L.RandomZoom(0.2, (0.1, 0.2, 0.3)), "width_factor"),
    (lambda: L.RandomTranslation(0.1, 1.2), "width_factor"),
    (lambda: L.RandomShear(-0.2), "x_factor"),
    (lambda: L.RandomShear(0.1, (0.2, 1.5)), "y_factor"),
    (lambda: L.RandomContrast(1.5), "factor"),
    (lambda: L.RandomBrightness(0.2, value_range=(0, 1, 2)), "value_range"),
    (lambda: L.RandomGrayscale(2.0), "factor"),
    (lambda: L.RandomPosterization(9), "factor"),
    (lambda: L.Solarization(addition_factor=-0.1), "addition_factor"),
    (lambda: L.RandomGaussianBlur(kernel_size=4), "kernel_size"),
    (lambda: L.RandomErasing(fill_value="noise"), "fill_value"),
    (lambda: L.RandomFlip("diagonal"), "mode"),
    (lambda: L.RandomRotation(0.1, fill_mode="mirror"), "fill_mode"),
    (lambda: L.RandomZoom(0.1, interpolation="bicubic"), "interpolation"),
    (lambda: L.Resizing(0, 4), "height"),
    (lambda: L.Resizing(4, 4, interpolation="area"), "interpolation"),
    (lambda: L.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "cannot both"),
    (lambda: L.Resizing(4, 4, fill_mode="reflect"), "fill_mode"),
    (lambda: L.CenterCrop(4, 2.5), "width"),
    (lambda: L.RandomCrop(4, 4, data_format="channels_middle"), "data_format"),
    (lambda: L.RandomFlip(bounding_box_format="xyxy"), "bounding_box_format"),
    (lambda: L.Rescaling("half"), "scale"),
])
def test_bad_arguments_are_refused_at_construction(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_bad_inputs_are_refused_at_the_call():
    with pytest.raises(ValueError, match="rank 3 .* or rank 4"):
        L.RandomFlip()(symk.Input((5,)))
    with pytest.raises(ValueError, match="dict"):
        L.RandomFlip()({"images": np.zeros((1, 4, 4, 3), "float32")})
