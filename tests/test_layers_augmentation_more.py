"""Equalization, CLAHE, RandomPerspective, RandomElasticTransform, CutMix, MixUp, AugMix, RandAugment, Pipeline and
MaxNumBoundingBoxes: the layer harness; Keras 3's numbers (the deterministic layers, every layer at inference, and
the seeded training draws symk makes as Keras makes them) and configs; the properties of the training draws
(ranges, seeds, new draws per call and per compiled step); the histogram op against numpy; bad arguments."""
import json
import pathlib

import numpy as np
import pytest

import symk
from keras_layer_cases import KerasLayerCases
from layer_harness import check_layer, layer_example
from symk import layers as L
from symk.ops.image_histogram import histogram_counts

REF = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_augmentation_more"
RNG = np.random.default_rng(12)

EXAMPLES = [
    layer_example("equalization", lambda: L.Equalization(value_range=(-3, 3), bins=32), (2, 5, 6, 3)),
    layer_example("clahe", lambda: L.ContrastLimitedAdaptiveHistogramEqualization(
        value_range=(-3, 3), tile_grid_size=(2, 4), data_format="channels_first"), (2, 3, 5, 6)),
    layer_example("random_perspective", lambda: L.RandomPerspective(scale=0.5, seed=1), (2, 5, 6, 3)),
    layer_example("random_elastic_transform", lambda: L.RandomElasticTransform(value_range=(-3, 3), seed=1),
                  (2, 5, 6, 3)),
    layer_example("cut_mix", lambda: L.CutMix(seed=1), (3, 5, 6, 3)),
    layer_example("mix_up", lambda: L.MixUp(alpha=0.5, seed=1), (3, 5, 6, 3)),
    layer_example("aug_mix", lambda: L.AugMix(value_range=(-3, 3), num_chains=2, chain_depth=1, all_ops=False,
                                              seed=1), (2, 5, 6, 3)),
    layer_example("rand_augment", lambda: L.RandAugment(value_range=(-3, 3), num_ops=1, seed=1), (2, 5, 6, 3)),
    layer_example("pipeline", lambda: L.Pipeline([L.RandomFlip(seed=1), L.Dense(2)]), (2, 5, 6, 3)),
    layer_example("max_num_bounding_boxes", lambda: L.MaxNumBoundingBoxes(5), (2, 5, 6, 3)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


# -- Keras 3's numbers --------------------------------------------------------------------
KERAS = KerasLayerCases(REF, atol_per_unit=5e-6)
CASES, ARRAYS = KERAS.cases, KERAS.arrays


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_eager_calls_match_keras(case):
    layer = KERAS.build(case)
    KERAS.assert_output(layer(ARRAYS[case["x"]], training=case["training"]), case)
    config, keras_config = KERAS.configs(layer, case)
    assert config == keras_config


COMPILED = ["equalization_first", "clahe_padded_grid", "perspective", "elastic_one_scale", "cut_mix", "mix_up",
            "inference_AugMix_4", "inference_RandAugment_6"]


@pytest.mark.parametrize("case", [c for c in CASES if c["id"] in COMPILED], ids=lambda c: c["id"])
def test_compiled_models_match_keras(case):
    """The same layer traced into a model; predict runs in inference, so training cases pass training=True.

    NOTE: one batch of exactly the data: predict pads a partial batch, and CutMix and MixUp would mix the
    padding rows in."""
    x = ARRAYS[case["x"]]
    inputs = symk.Input(x.shape[1:], dtype=str(x.dtype))
    outputs = KERAS.build(case)(inputs, training=True) if case["training"] else KERAS.build(case)(inputs)
    KERAS.assert_output(symk.Model(inputs, outputs).predict(x, batch_size=len(x), verbose=0), case)


def test_a_keras_written_pipeline_config_loads_and_computes_the_same():
    config = json.loads((REF / "pipeline.json").read_text())
    pipeline = L.Pipeline.from_config(config)
    assert pipeline.name == "preprocess"
    assert [type(layer).__name__ for layer in pipeline.layers] == ["Rescaling", "Equalization", "MaxNumBoundingBoxes"]
    x = ARRAYS["pipeline/x"]
    np.testing.assert_allclose(np.asarray(pipeline(x)), ARRAYS["pipeline/y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(pipeline(x, training=False)), ARRAYS["pipeline/y_inference"], rtol=1e-6)
    again = pipeline.get_config()
    assert set(again) == {"layers", "name"}
    assert [entry["class_name"] for entry in again["layers"]] == [entry["class_name"] for entry in config["layers"]]


def test_a_pipeline_in_a_model_augments_only_in_training():
    inputs = symk.Input((6, 7, 3))
    pipeline = L.Pipeline([L.RandomFlip(seed=1), L.Equalization()])
    model = symk.Model(inputs, pipeline(inputs))
    x = RNG.uniform(0, 255, (4, 6, 7, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not np.allclose(np.asarray(pipeline(x)), x)


# -- the histogram op ---------------------------------------------------------------------
def test_histogram_counts_match_numpy_and_skip_out_of_range_indices():
    indices = RNG.integers(-2, 9, (3, 2, 50)).astype("int32")
    got = np.asarray(histogram_counts(indices, bins=7))
    want = np.stack([np.bincount(row[(row >= 0) & (row < 7)], minlength=7)
                     for row in indices.reshape(-1, 50)]).reshape(3, 2, 7)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int32


# -- training draws: properties -------------------------------------------------------------
def _images(n, height=8, width=9, channels=3, high=255.0):
    return RNG.uniform(0, high, (n, height, width, channels)).astype("float32")


@pytest.mark.parametrize("factory", [
    lambda: L.RandomPerspective(scale=0.5, seed=7), lambda: L.RandomElasticTransform(seed=7),
    lambda: L.CutMix(seed=7), lambda: L.MixUp(alpha=0.7, seed=7),
    lambda: L.AugMix(num_chains=1, chain_depth=2, all_ops=False, seed=7), lambda: L.RandAugment(num_ops=1, seed=7),
], ids=["perspective", "elastic", "cut_mix", "mix_up", "aug_mix", "rand_augment"])
def test_same_seed_same_draws_and_each_call_new_ones(factory):
    x = _images(6)
    first, again = factory(), factory()
    a1, a2 = np.asarray(first(x)), np.asarray(first(x))
    np.testing.assert_array_equal(a1, np.asarray(again(x)))
    np.testing.assert_array_equal(a2, np.asarray(again(x)))
    assert not np.allclose(a1, a2), "the generator advances on every call"
    assert np.all((a1 >= -1e-3) & (a1 <= 255 + 1e-3)), "stays in the value range"
    np.testing.assert_array_equal(np.asarray(first(x, training=False)), x)


def test_random_perspective_moves_corners_within_the_scale():
    """A dot at a corner's neighbour lands within scale/2 of its coordinates from where it was."""
    size, scale = 33, 0.4
    x = np.zeros((100, size, size, 1), "float32")
    x[:, size - 2, size - 2, 0] = 1.0
    y = np.asarray(L.RandomPerspective(factor=(1.0, 1.0), scale=scale, interpolation="bilinear", seed=3)(x))
    moved = np.any(np.abs(y - x) > 1e-4, axis=(1, 2, 3))
    assert moved.mean() > 0.9
    kept = y[..., 0].sum(axis=(1, 2)) > 0.2
    weights = y[kept, ..., 0] / y[kept, ..., 0].sum(axis=(1, 2), keepdims=True)
    rows = (weights * np.arange(size)[None, :, None]).sum(axis=(1, 2))
    # the output pixel p samples the input at H^-1(p): the corner (31, 31) moves by at most 31 * scale / 2
    assert np.all(np.abs(rows - (size - 2)) <= (size - 1) * scale / 2 + 1.5)


def test_random_perspective_factor_is_the_probability_of_a_warp():
    x = _images(400, 6, 6, 1)
    y = np.asarray(L.RandomPerspective(factor=(0.5, 0.5), scale=1.0, seed=5)(x))
    warped = np.any(np.abs(y - x) > 1e-4, axis=(1, 2, 3))
    assert 0.4 < warped.mean() < 0.6


def test_random_elastic_transform_keeps_the_value_range_and_moves_pixels_smoothly():
    x = _images(8, 12, 12, 1, high=1.0)
    y = np.asarray(L.RandomElasticTransform(factor=(1.0, 1.0), value_range=(0, 1), seed=2)(x))
    assert np.all((y >= 0) & (y <= 1))
    assert np.all(np.any(np.abs(y - x) > 1e-4, axis=(1, 2, 3)))
    steady = np.asarray(L.RandomElasticTransform(factor=0.0, seed=2)(x * 255))
    np.testing.assert_array_equal(steady, x * 255)


def test_cut_mix_pastes_one_box_from_another_image():
    n = 40
    x = np.stack([np.full((10, 12, 1), i, "float32") for i in range(n)])   # image i holds the value i
    y = np.asarray(L.CutMix(seed=11)(x))
    sources = set()
    for i in range(n):
        pasted = y[i, ..., 0] != i
        values = np.unique(y[i][pasted])
        assert len(values) <= 1, "the box comes from one other image"
        if pasted.any():
            sources.add(int(values[0]))
            rows, cols = np.nonzero(pasted)
            box = np.zeros_like(pasted)
            box[rows.min():rows.max() + 1, cols.min():cols.max() + 1] = True
            np.testing.assert_array_equal(pasted, box)   # a rectangle
    assert len(sources) > n // 2, "the donors follow a permutation of the batch"


def test_mix_up_blends_each_image_with_one_other_image_of_the_batch():
    x = _images(16)
    y = np.asarray(L.MixUp(alpha=1.0, seed=5)(x))
    weights = []
    for i in range(len(x)):
        # y = w x_i + (1 - w) x_j for some j: the least-squares w is exact for the right j
        residuals = []
        for j in range(len(x)):
            d = (x[i] - x[j]).ravel()
            w = 1.0 if not d.any() else float(np.dot((y[i] - x[j]).ravel(), d) / np.dot(d, d))
            residuals.append((np.abs(w * x[i] + (1 - w) * x[j] - y[i]).max(), w))
        error, w = min(residuals)
        assert error < 1e-3
        weights.append(w)
    weights = np.asarray(weights)
    assert np.all((weights >= -1e-4) & (weights <= 1 + 1e-4)) and weights.std() > 0.1   # Beta(1, 1): spread


def test_rand_augment_picks_a_layer_of_the_pool():
    """With num_ops=1 every output is what one pool layer makes of the batch (Equalization and AutoContrast are
    deterministic, so over many calls one of them must be seen exactly)."""
    x = _images(2)
    layer = L.RandAugment(num_ops=1, seed=3)
    equalized = np.asarray(L.Equalization()(x))
    contrasted = np.asarray(L.AutoContrast()(x))
    seen = [np.asarray(layer(x)) for _ in range(12)]
    assert any(np.allclose(y, equalized, atol=1e-4) or np.allclose(y, contrasted, atol=1e-4) for y in seen)
    assert len({y.tobytes() for y in seen}) > 6
    np.testing.assert_array_equal(np.asarray(L.RandAugment(num_ops=0, seed=3)(x)), x)


def test_aug_mix_stays_in_range_and_keeps_the_image_when_chains_are_empty():
    x = _images(3, high=1.0)
    y = np.asarray(L.AugMix(value_range=(0, 1), num_chains=2, chain_depth=1, all_ops=False, seed=4)(x))
    assert np.all((y >= 0) & (y <= 1)) and not np.allclose(y, x)
    # chain_depth=0: every chain is the image itself, and so is the blend
    np.testing.assert_allclose(np.asarray(L.AugMix(value_range=(0, 1), chain_depth=0, seed=4)(x)), x, atol=1e-6)


def _losses_over_epochs(augmentation):
    """Three epochs of one batch with a learning rate of 0: only the augmentation can change the loss."""
    x = RNG.uniform(0, 1, (6, 4, 4, 3)).astype("float32")
    model = symk.Sequential([symk.Input((4, 4, 3)), augmentation, L.Flatten(),
                             L.Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizer=symk.optimizers.SGD(learning_rate=0.0), loss="mse")
    return model.fit(x, np.zeros((6, 1), "float32"), batch_size=6, epochs=3, shuffle=False,
                     verbose=0).history["loss"]


@pytest.mark.parametrize("factory", [lambda: L.MixUp(alpha=1.0, seed=1),
                                     lambda: L.RandomPerspective(scale=0.8, seed=1)], ids=["mix_up", "perspective"])
def test_a_compiled_model_draws_new_augmentations_every_step(factory):
    losses = _losses_over_epochs(factory())
    assert len(set(np.round(losses, 6))) == 3


def test_single_images_are_handled():
    image = _images(1)[0]
    np.testing.assert_array_equal(np.asarray(L.CutMix(seed=1)(image)), image)   # nothing to mix with
    assert np.asarray(L.RandomPerspective(seed=1)(image)).shape == image.shape
    assert np.asarray(L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))(image)).shape == \
        image.shape


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("factory, message", [
    (lambda: L.Equalization(bins=0), "bins"),
    (lambda: L.Equalization(value_range=(0, 1, 2)), "value_range"),
    (lambda: L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2,)), "tile_grid_size"),
    (lambda: L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(0, 2)), "tile_grid_size"),
    (lambda: L.ContrastLimitedAdaptiveHistogramEqualization(clip_limit="high"), "clip_limit"),
    (lambda: L.RandomPerspective(scale=1.5), "scale"),
    (lambda: L.RandomPerspective(factor=2.0), "factor"),
    (lambda: L.RandomPerspective(interpolation="bicubic"), "interpolation"),
    (lambda: L.RandomElasticTransform(fill_mode="mirrored"), "fill_mode"),
    (lambda: L.RandomElasticTransform(scale=(0.2, 0.3, 0.4)), "scale"),
    (lambda: L.CutMix(factor=-0.5), "factor"),
    (lambda: L.MixUp(alpha=0.0), "alpha"),
    (lambda: L.AugMix(num_chains=-1), "num_chains"),
    (lambda: L.AugMix(factor=1.5), "factor"),
    (lambda: L.RandAugment(num_ops=1.5), "num_ops"),
    (lambda: L.Pipeline(L.RandomFlip()), "list of layers"),
    (lambda: L.MaxNumBoundingBoxes(0), "max_number"),
])
def test_bad_arguments_are_refused_at_construction(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


def test_unknown_image_sizes_are_refused_where_the_layer_needs_them():
    with pytest.raises(ValueError, match="height, width and channels"):
        L.ContrastLimitedAdaptiveHistogramEqualization()(symk.Input((None, None, 3)))
    with pytest.raises(ValueError, match="height and width of its input"):
        L.RandomPerspective()(symk.Input((None, None, 3)))
