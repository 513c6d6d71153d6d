"""symk.applications against Keras 3.15: structure (params, layers, names, output shapes) from
tests/references/applications/structure.json, predictions of Keras's numbers from weights loaded
through legacy-h5 files, the weights= / argument checks, preprocess_input and decode_predictions.
The references were written by tools/keras_refs/make_apps_refs.py; Keras is never needed here."""
import json
import os
import zlib

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symk
from symk import applications
from symk.backend import clear_session

REFS = os.path.join(os.path.dirname(__file__), "references", "applications")
_LOADED = {}


def reference(name):
    """structure.json / numerics.json / numerics.npz, read once."""
    if name not in _LOADED:
        path = os.path.join(REFS, name)
        _LOADED[name] = np.load(path) if name.endswith(".npz") else json.load(open(path))
    return _LOADED[name]


ARCHITECTURES = ["VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2",
                 "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "DenseNet121", "DenseNet169",
                 "DenseNet201", "InceptionV3", "InceptionResNetV2", "Xception"]
VARIANTS = ["MobileNet[alpha=0.25]", "MobileNet[alpha=0.5,depth_multiplier=2]", "MobileNetV2[alpha=0.35]",
            "MobileNetV2[alpha=1.4]", "MobileNetV3Small[alpha=0.75]", "MobileNetV3Small[minimalistic]",
            "MobileNetV3Large[minimalistic,no_preprocessing]", "ResNet50[pooling=avg]", "VGG16[pooling=max]"]
# cheap enough for the quick suite (graph build only, a few seconds each on 2 cores)
QUICK = {"VGG16", "ResNet50", "ResNet50V2", "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large",
         "MobileNet[alpha=0.25]", "MobileNetV3Small[minimalistic]", "MobileNetV2[alpha=0.35]"}
# the deepest ones are checked without their top (avg_pool + predictions, which ResNet50/DenseNet121 check)
HEADLESS_ONLY = {"ResNet101", "ResNet152", "ResNet101V2", "ResNet152V2", "DenseNet169", "DenseNet201",
                 "InceptionResNetV2"}
STRUCTURE_KEYS = [key for name in ARCHITECTURES
                  for key in ((name,) if name in HEADLESS_ONLY else (name, f"{name}[top]"))] + VARIANTS


def _build(architecture, side, include_top, kwargs):
    clear_session()
    return getattr(applications, architecture)(weights=None, include_top=include_top, input_shape=(side, side, 3),
                                               **kwargs)


def _param(keys):
    return [pytest.param(k, marks=() if k in QUICK else pytest.mark.slow) for k in keys]


@pytest.fixture
def zero_kernels(monkeypatch):
    """Structure needs shapes, not values: skip drawing millions of random kernel values."""
    monkeypatch.setattr(symk.initializers.VarianceScaling, "__call__",
                        lambda self, shape, dtype=None: np.zeros(shape, symk.initializers.canonical_dtype(dtype)))


@pytest.mark.parametrize("key", _param(STRUCTURE_KEYS))
def test_structure_matches_keras(key, zero_kernels):
    ref = reference("structure.json")[key]
    architecture = key.split("[")[0]
    side = ref["input_shape"][0]
    if "error" in ref:  # Keras refused these arguments: symk must refuse too
        with pytest.raises(ValueError):
            _build(architecture, side, ref["include_top"], ref["kwargs"])
        return
    model = _build(architecture, side, ref["include_top"], ref["kwargs"])
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    assert (trainable, non_trainable) == (ref["trainable_params"], ref["non_trainable_params"])
    assert len(model.layers) == ref["layer_count"]
    assert [[layer.name, type(layer).__name__] for layer in model.layers] == ref["layers"]
    assert list(model.output.shape) == ref["output_shape"]
    assert model.name == ref["name"]


# -- numerics: deterministic weights written into Keras's legacy-h5 layout, loaded, predicted ---------------

def deterministic_weight(layer_name, weight_name, shape):
    """The rule of tools/keras_refs/make_apps_refs.py: crc32-seeded, BN variances in [0.5, 1.5]."""
    rng = np.random.RandomState(zlib.crc32(f"{layer_name}/{weight_name}".encode()))
    shape = tuple(shape)
    if weight_name == "moving_variance":
        return rng.uniform(0.5, 1.5, shape).astype("float32")
    if weight_name == "gamma":
        return (1.0 + 0.1 * rng.standard_normal(shape)).astype("float32")
    if len(shape) <= 1:
        return (0.1 * rng.standard_normal(shape)).astype("float32")
    fan_in = int(np.prod(shape[:2])) if weight_name == "depthwise_kernel" else int(np.prod(shape[:-1]))
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype("float32")


def write_legacy_h5(path, layout):
    """A weights file in Keras 3's legacy-h5 layout (what keras.applications' published files hold)."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [name.encode() for name, _, _ in layout]
        f.attrs["backend"] = b"jax"
        f.attrs["keras_version"] = b"3.15.1"
        for name, weight_names, shapes in sorted(layout, key=lambda entry: entry[0]):
            group = f.create_group(name)
            group.attrs["weight_names"] = [w.encode() for w in weight_names]
            for weight_name, shape in zip(weight_names, shapes):
                group.create_dataset(weight_name, data=deterministic_weight(name, weight_name.split("/")[-1], shape))
        f.create_group("top_level_model_weights").attrs["weight_names"] = []


def _numerics_model(key, tmp_path):
    case = reference("numerics.json")[key]
    kwargs = dict(case["kwargs"])
    include_top = kwargs.pop("include_top")
    model = _build(case["architecture"], case["input_side"], include_top, kwargs)
    path = str(tmp_path / f"{key}.h5")
    write_legacy_h5(path, case["layout"])
    model.load_weights(path)
    return model


# ResNet50's case runs in test_inference_pipeline_folds_every_batch_norm_of_resnet50 (optimized and not);
# the quick suite's Keras-numbers check is test_loads_a_real_keras_written_weights_file_by_path
@pytest.mark.slow
@pytest.mark.parametrize("key", ["VGG16", "MobileNetV2", "DenseNet121", "InceptionV3"])
def test_predicts_kerass_numbers_from_a_legacy_h5_file(key, tmp_path):
    model = _numerics_model(key, tmp_path)
    arrays = reference("numerics.npz")
    np.testing.assert_allclose(model.predict(arrays[f"{key}_x"], verbose=0), arrays[f"{key}_y"], rtol=1e-4,
                               atol=1e-5)


@pytest.mark.slow
def test_inference_pipeline_folds_every_batch_norm_of_resnet50(tmp_path):
    model = _numerics_model("ResNet50", tmp_path)
    report = model.optimize(mode="inference")
    batch_norms = [layer.name for layer in model.layers if type(layer).__name__ == "BatchNormalization"]
    folded = {change.layers[0] for change in report.changes("bn_folded")}
    assert len(batch_norms) == 53 and folded == set(batch_norms)
    assert report.nodes_after < report.nodes_before
    x = reference("numerics.npz")["ResNet50_x"]
    optimized = model.predict(x, verbose=0)
    model.compile(optimize="none")
    unoptimized = model.predict(x, verbose=0)
    np.testing.assert_allclose(optimized, unoptimized, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(optimized, reference("numerics.npz")["ResNet50_y"], rtol=1e-4, atol=1e-5)


KERAS_FILE = os.path.join(REFS, "mobilenet_0.25_32_keras_legacy.h5")


def _keras_file_model(weights):
    clear_session()
    return applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25, include_top=False, weights=weights)


def test_loads_a_real_keras_written_weights_file_by_path():
    model = _keras_file_model(KERAS_FILE)  # weights=<path> goes through model.load_weights
    assert model.name == reference("numerics.json")["MobileNetFile"]["model_name"]
    arrays = reference("numerics.npz")
    np.testing.assert_allclose(model.predict(arrays["MobileNetFile_x"], verbose=0), arrays["MobileNetFile_y"],
                               rtol=1e-4, atol=1e-5)


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _h5_structure(path):
    """Every group and dataset (name, shape, dtype) and the layout attributes, in file order."""
    items = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: items.append(
            (name, obj.shape, str(obj.dtype)) if isinstance(obj, h5py.Dataset) else (name,)))
        attrs = {key: [_text(v) for v in np.atleast_1d(f.attrs[key])] for key in ("layer_names", "backend")}
        weight_names = {name: [_text(w) for w in f[name].attrs["weight_names"]]
                        for name in f if isinstance(f[name], h5py.Group)}
    return items, attrs, weight_names


def test_weights_symk_writes_have_kerass_layout(tmp_path):
    model = _keras_file_model(KERAS_FILE)
    path = str(tmp_path / "symk.h5")
    model.save_weights(path)
    assert _h5_structure(path) == _h5_structure(KERAS_FILE)
    with h5py.File(path) as mine, h5py.File(KERAS_FILE) as keras_file:
        np.testing.assert_array_equal(mine["conv1_bn/conv1_bn/moving_variance"][()],
                                      keras_file["conv1_bn/conv1_bn/moving_variance"][()])


# -- weights= resolution and argument checks ---------------------------------------------------------------

def test_missing_imagenet_file_names_the_file_and_the_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.warns(UserWarning), pytest.raises(FileNotFoundError) as error:
        _keras_file_model("imagenet")
    message = str(error.value)
    assert "mobilenet_2_5_224_tf_no_top.h5" in message and os.path.join(str(tmp_path), "models") in message
    assert "never downloads" in message


def test_imagenet_weights_come_from_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    os.makedirs(tmp_path / "models")
    os.symlink(KERAS_FILE, tmp_path / "models" / "mobilenet_2_5_128_tf_no_top.h5")
    clear_session()
    model = applications.MobileNet(input_shape=(128, 128, 3), alpha=0.25, include_top=False, weights="imagenet")
    with h5py.File(KERAS_FILE) as f:
        expected = f["conv_pw_13_bn/conv_pw_13_bn/moving_mean"][()]
    np.testing.assert_array_equal(np.asarray(model.get_layer("conv_pw_13_bn").moving_mean), expected)


@pytest.mark.parametrize("build, match", [
    (lambda: applications.VGG16(weights="no/such/file.h5"), "path to the weights file"),
    (lambda: applications.ResNet50(weights="imagenet", classes=10), "classes` should be 1000"),
    (lambda: applications.ResNet50(weights="imagenet", input_shape=(64, 64, 3)), "should be \\(224, 224, 3\\)"),
    (lambda: applications.VGG16(weights=None, input_shape=(16, 16, 3), include_top=False), "at least 32x32"),
    (lambda: applications.InceptionV3(weights=None, input_shape=(64, 64, 3), include_top=False), "at least 75x75"),
    (lambda: applications.VGG16(weights=None, input_shape=(None, None, 3)), "static `input_shape`"),
    (lambda: applications.MobileNet(weights="imagenet", alpha=0.3), "alpha can be one of"),
    (lambda: applications.MobileNet(weights="imagenet", depth_multiplier=2), "depth multiplier must be 1"),
    (lambda: applications.MobileNetV2(weights="imagenet", alpha=0.2), "alpha must be one of"),
    (lambda: applications.MobileNetV3Small(weights="imagenet", alpha=0.5), "alpha can be one of"),
    (lambda: applications.MobileNetV3Small(weights=None, input_shape=(16, 16, 3)), "at least 32x32"),
    (lambda: applications.MobileNet(weights=None, include_top=False, pooling="mean"), "`pooling`"),
    (lambda: applications.MobileNet(weights=KERAS_FILE, alpha=0.25, input_shape=(32, 32, 3),
                                    classifier_activation="relu"), "Only `None` and `softmax`"),
])
def test_invalid_arguments_are_refused_clearly(build, match):
    clear_session()
    with pytest.raises(ValueError, match=match):
        build()


def test_input_tensor_and_pooling():
    clear_session()
    inputs = symk.Input((32, 32, 3))
    scaled = symk.layers.Rescaling(1.0 / 255)(inputs)
    model = applications.MobileNetV2(input_tensor=scaled, alpha=0.35, include_top=False, pooling="max",
                                     weights=None)
    assert model.inputs[0] is inputs or model.inputs[0].node == inputs.node  # predecessors stay in the model
    assert list(model.output.shape) == [None, 1280] and model.layers[-1].name == "global_max_pooling2d"


@settings(max_examples=30, deadline=None)
@given(side=st.integers(1, 400), min_size=st.sampled_from([32, 71, 75]), top=st.booleans())
def test_obtain_input_shape_accepts_exactly_the_sides_keras_accepts(side, min_size, top):
    shape = (side, side, 3)
    if side < min_size:
        with pytest.raises(ValueError, match=f"at least {min_size}x{min_size}"):
            applications.imagenet_utils.obtain_input_shape(shape, 224, min_size, "channels_last", top)
    else:
        assert applications.imagenet_utils.obtain_input_shape(shape, 224, min_size, "channels_last", top) == shape


# -- preprocess_input / decode_predictions -----------------------------------------------------------------

IMAGES = np.random.RandomState(0).uniform(0, 255, (2, 4, 5, 3)).astype("float32")
MEAN_BGR = np.array([103.939, 116.779, 123.68], "float32")
TORCH_MEAN, TORCH_STD = np.array([0.485, 0.456, 0.406], "float32"), np.array([0.229, 0.224, 0.225], "float32")
EXPECTED = {"caffe": IMAGES[..., ::-1] - MEAN_BGR, "tf": IMAGES / 127.5 - 1.0,
            "torch": (IMAGES / 255.0 - TORCH_MEAN) / TORCH_STD}


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_input_numpy_symbolic_and_channels_first(mode):
    original = IMAGES.copy()
    preprocess = applications.imagenet_utils.preprocess_input
    np.testing.assert_allclose(preprocess(IMAGES, mode=mode), EXPECTED[mode], rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(IMAGES, original)  # never modified in place
    channels_first = preprocess(np.moveaxis(IMAGES, -1, 1), data_format="channels_first", mode=mode)
    np.testing.assert_allclose(np.moveaxis(channels_first, 1, -1), EXPECTED[mode], rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(preprocess(IMAGES[0], mode=mode), EXPECTED[mode][0], rtol=1e-5, atol=1e-4)
    clear_session()
    inputs = symk.Input((4, 5, 3))
    model = symk.Model(inputs, preprocess(inputs, mode=mode))
    np.testing.assert_allclose(model.predict(IMAGES, verbose=0), EXPECTED[mode], rtol=1e-5, atol=1e-4)


def test_family_modules_use_kerass_modes():
    np.testing.assert_allclose(applications.resnet50.preprocess_input(IMAGES), EXPECTED["caffe"], atol=1e-4)
    np.testing.assert_allclose(applications.densenet.preprocess_input(IMAGES), EXPECTED["torch"], atol=1e-4)
    np.testing.assert_allclose(applications.xception.preprocess_input(IMAGES), EXPECTED["tf"], atol=1e-4)
    assert applications.mobilenet_v3.preprocess_input(IMAGES) is IMAGES


def test_decode_predictions_reads_the_class_index_from_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(applications.imagenet_utils, "_CLASS_INDEX", None)
    with pytest.raises(FileNotFoundError, match="imagenet_class_index.json"):
        applications.vgg16.decode_predictions(np.zeros((1, 1000)))
    os.makedirs(tmp_path / "models")
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (tmp_path / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    preds = np.zeros((2, 1000), "float32")
    preds[0, [7, 3, 500]] = [0.5, 0.3, 0.2]
    preds[1, 999] = 1.0
    decoded = applications.vgg16.decode_predictions(preds, top=3)
    assert [entry[:2] for entry in decoded[0]] == [("n00000007", "class_7"), ("n00000003", "class_3"),
                                                   ("n00000500", "class_500")]
    assert decoded[1][0][1] == "class_999" and np.isclose(decoded[1][0][2], 1.0)
    with pytest.raises(ValueError, match="shape \\(samples, 1000\\)"):
        applications.vgg16.decode_predictions(np.zeros((2, 10)))
