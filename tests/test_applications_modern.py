"""EfficientNet, EfficientNetV2, ConvNeXt and NASNet against Keras 3.15: structure (params, layers, names,
output shapes), Keras's predictions from weights written in Keras's legacy-h5 layout, and the inference
pipeline folding EfficientNetB0's batch norms. References: tests/references/applications_modern/, written by
tools/keras_refs/make_apps_refs_modern.py; Keras is never needed here."""
import json
import os
import zlib

import h5py
import numpy as np
import pytest

import symk
from symk import applications
from symk.applications import convnext, efficientnet, efficientnet_v2, nasnet
from symk.backend import clear_session
from symk.models import Model

REFS = os.path.join(os.path.dirname(__file__), "references", "applications_modern")
_LOADED = {}


def reference(name):
    if name not in _LOADED:
        path = os.path.join(REFS, name)
        _LOADED[name] = np.load(path) if name.endswith(".npz") else json.load(open(path))
    return _LOADED[name]


# graph build only, cheap enough for the quick suite; the rest (up to EfficientNetV2L's 1,000+ layers) is slow
QUICK = {"EfficientNetB0", "EfficientNetB0[top]", "EfficientNetV2B0[top]", "ConvNeXtTiny", "ConvNeXtTiny[top]",
         "NASNetMobile[top]", "EfficientNetV2B0[no_preprocessing]", "ConvNeXtTiny[no_preprocessing,pooling=max]"}


def _structure_keys():
    path = os.path.join(REFS, "structure.json")
    return list(json.load(open(path))) if os.path.exists(path) else []


@pytest.fixture
def zero_kernels(monkeypatch):
    """Structure needs shapes, not values: skip drawing millions of random kernel values."""
    zeros = lambda self, shape, dtype=None: np.zeros(shape, symk.initializers.canonical_dtype(dtype))  # noqa: E731
    monkeypatch.setattr(symk.initializers.VarianceScaling, "__call__", zeros)


@pytest.mark.parametrize("key", [pytest.param(k, marks=() if k in QUICK else pytest.mark.slow)
                                 for k in _structure_keys()])
def test_structure_matches_keras(key, zero_kernels):
    ref = reference("structure.json")[key]
    clear_session()  # Keras's automatic names (activation_1, ...) were recorded from a fresh session
    model = getattr(applications, ref["architecture"])(weights=None, input_shape=tuple(ref["input_shape"]),
                                                       **ref["kwargs"])
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    assert (trainable, non_trainable) == (ref["trainable_params"], ref["non_trainable_params"])
    assert len(model.layers) == ref["layer_count"]
    assert [[layer.name, type(layer).__name__] for layer in model.layers] == ref["layers"]
    assert list(model.output.shape) == ref["output_shape"]
    assert model.name == ref["name"]


def test_every_architecture_of_the_families_has_a_structure_reference():
    names = {ref["architecture"] for ref in reference("structure.json").values()}
    exported = set(efficientnet.__all__) | set(efficientnet_v2.__all__) | set(convnext.__all__) | set(nasnet.__all__)
    assert names == exported and len(exported) == 22


# -- numerics: every weight from a seeded rule, written in Keras's legacy-h5 layout, loaded, predicted -----

def rule_weight(layer_name, weight_name, shape, dtype="float32"):
    """The rule of tools/keras_refs/make_apps_refs_modern.py (crc32 of 'layer/weight' seeds numpy)."""
    rng = np.random.RandomState(zlib.crc32(f"{layer_name}/{weight_name}".encode()))
    shape = tuple(shape)
    if weight_name == "count":
        return np.zeros(shape, dtype)
    if weight_name in ("moving_variance", "variance"):
        return rng.uniform(0.5, 1.5, shape).astype(dtype)
    if weight_name in ("gamma", "variable"):
        return (1.0 + 0.1 * rng.standard_normal(shape)).astype(dtype)
    if len(shape) <= 1:
        return (0.1 * rng.standard_normal(shape)).astype(dtype)
    fan_in = int(np.prod(shape[:2])) if weight_name == "depthwise_kernel" else int(np.prod(shape[:-1]))
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(dtype)


def leaf_layers(model):
    """Layers with nested models (ConvNeXt's Sequential stem and downsampling blocks) opened up."""
    for layer in model.layers:
        if isinstance(layer, Model):
            yield from leaf_layers(layer)
        else:
            yield layer


def write_legacy_h5(path, layout):
    """The weights file Keras's legacy_h5_format writes for the model (layout recorded by Keras), holding the
    rule's values: the layout of keras.applications' published weight files."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [name.encode() for name, _, _ in layout]
        f.attrs["backend"] = b"jax"
        f.attrs["keras_version"] = b"3.15.1"
        for name, weight_names, shapes in layout:
            group = f.create_group(name)
            group.attrs["weight_names"] = [w.encode() for w in weight_names]
            for weight_name, shape in zip(weight_names, shapes):
                owner, short = weight_name.split("/")[-2:]
                dtype = "int64" if short == "count" else "float32"
                group.create_dataset(weight_name, data=rule_weight(owner, short, shape, dtype))


def numerics_model(key, tmp_path):
    """The case's model with its weights loaded from a Keras-layout file, each checked against the rule."""
    case = reference("numerics.json")[key]
    clear_session()
    model = getattr(applications, case["architecture"])(weights=None, input_shape=(case["input_side"],) * 2 + (3,),
                                                        **case["kwargs"])
    assert model.name == case["model_name"]
    mine = [[layer.name, w.name, list(w.shape)] for layer in leaf_layers(model) for w in layer.weights]
    assert mine == case["weights"]  # Keras's layer and weight names, shapes and order
    path = str(tmp_path / f"{key}.h5")
    write_legacy_h5(path, case["layout"])
    model.load_weights(path)
    for layer in leaf_layers(model):  # by name: each weight holds the value the rule gives its Keras name
        for w in layer.weights:
            np.testing.assert_array_equal(np.asarray(w.numpy()), rule_weight(layer.name, w.name, w.shape, w.dtype))
    return model


def _inputs_and_outputs(key):
    data = reference("numerics.npz")
    return data[f"{key}_x"], data[f"{key}_y"]


# EfficientNetB0's case runs in the pipeline test below, which predicts it both optimized and not
@pytest.mark.parametrize("key", ["ConvNeXtTiny", pytest.param("EfficientNetV2B0", marks=pytest.mark.slow),
                                 pytest.param("NASNetMobile", marks=pytest.mark.slow)])
def test_predicts_kerass_numbers_from_a_legacy_h5_file(key, tmp_path):
    model = numerics_model(key, tmp_path)
    x, expected = _inputs_and_outputs(key)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)


def _batch_norms_and_folded(model):
    report = model.optimize(mode="inference")
    batch_norms = {layer.name for layer in model.layers if type(layer).__name__ == "BatchNormalization"}
    return report, batch_norms, {change.layers[0] for change in report.changes("bn_folded")}


# EfficientNetB0's 49 batch norms: 33 after a Conv2D (stem, top, expand, project), 16 after a DepthwiseConv2D
DEPTHWISE_FED = {f"block{b}_bn" for b in ("1a", "2a", "2b", "3a", "3b", "4a", "4b", "4c", "5a", "5b", "5c", "6a", "6b",
                                          "6c", "6d", "7a")}


def test_efficientnetb0_predicts_kerass_numbers_before_and_after_folding_its_batch_norms(tmp_path):
    model = numerics_model("EfficientNetB0", tmp_path)
    report, batch_norms, folded = _batch_norms_and_folded(model)
    assert len(batch_norms) == 49 and DEPTHWISE_FED <= batch_norms
    assert folded == batch_norms  # the 16 after a depthwise conv included
    assert report.nodes_after < report.nodes_before
    x, expected = _inputs_and_outputs("EfficientNetB0")
    optimized = model.predict(x, verbose=0)
    model.compile(optimize="none")
    unoptimized = model.predict(x, verbose=0)
    np.testing.assert_allclose(optimized, unoptimized, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(optimized, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_inference_pipeline_folds_every_batch_norm_of_efficientnetb0(zero_kernels):
    clear_session()
    _, batch_norms, folded = _batch_norms_and_folded(applications.EfficientNetB0(weights=None,
                                                                                 input_shape=(32, 32, 3)))
    assert folded == batch_norms


# -- weights="imagenet", argument checks, the custom layers, preprocess_input --------------------------------

def test_imagenet_weights_load_from_the_keras_cache_under_kerass_file_name(tmp_path, monkeypatch, zero_kernels):
    clear_session()
    source = applications.EfficientNetB0(weights=None, include_top=False, input_shape=(32, 32, 3))
    for layer in source.layers:
        layer.set_weights([rule_weight(layer.name, w.name, w.shape, w.dtype) for w in layer.weights])
    os.makedirs(tmp_path / "models")
    source.save_weights(str(tmp_path / "models" / "efficientnetb0_notop.h5"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    clear_session()
    model = applications.EfficientNetB0(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    # Keras's workaround for its published weights: one more Rescaling, by 1/sqrt(ImageNet std), after Normalization
    assert [layer.name for layer in model.layers[1:4]] == ["rescaling", "normalization", "rescaling_1"]
    np.testing.assert_allclose(model.layers[3].scale, [1 / np.sqrt(s) for s in (0.229, 0.224, 0.225)], rtol=1e-6)
    assert len(model.layers) == len(source.layers) + 1
    for layer in source.layers:
        for mine, theirs in zip(model.get_layer(layer.name).get_weights(), layer.get_weights()):
            np.testing.assert_array_equal(mine, theirs)


def test_a_missing_imagenet_file_is_named_with_where_to_put_it(tmp_path, monkeypatch, zero_kernels):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    clear_session()
    with pytest.raises(FileNotFoundError, match="convnext_tiny_notop.h5"):
        applications.ConvNeXtTiny(weights="imagenet", include_top=False, input_shape=(32, 32, 3))


@pytest.mark.parametrize("build, message", [
    (lambda: applications.EfficientNetB0(weights="imagenet", classes=10), "classes"),
    (lambda: applications.NASNetMobile(weights="no/such/file.h5"), "weights"),
    (lambda: applications.EfficientNetV2S(weights=None, input_shape=(16, 16, 3), include_top=False), "at least 32"),
    (lambda: applications.ConvNeXtTiny(weights=None, include_top=False, pooling="mean"), "pooling"),
    (lambda: applications.ConvNeXtTiny(weights="imagenet", name="my_convnext"), "convnext_tiny"),
    (lambda: efficientnet_v2.EfficientNetV2(1.0, 1.0, 224, name="my_net"), "blocks_args"),
    (lambda: nasnet.NASNet(penultimate_filters=100, weights=None), "penultimate_filters"),
])
def test_bad_arguments_are_refused_before_building(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_stochastic_depth_drops_whole_samples_in_training_only():
    x = np.ones((200, 2, 2, 3), "float32")
    layer = convnext.StochasticDepth(0.25)
    y = np.asarray(layer(x, training=True))
    per_sample = y.reshape(200, -1)
    # each sample is kept whole and scaled by 1/keep_prob, or dropped whole (Keras's formula)
    assert set(np.unique(per_sample.min(axis=1))) <= {0.0, np.float32(1 / 0.75)}
    assert np.array_equal(per_sample.min(axis=1), per_sample.max(axis=1))
    assert 0.1 < (per_sample[:, 0] == 0).mean() < 0.4
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    assert convnext.StochasticDepth.from_config(layer.get_config()).drop_path_rate == 0.25


def test_layer_scale_multiplies_by_its_per_channel_weight_with_kerass_config_keys():
    layer = convnext.LayerScale(0.5, 3)
    x = np.arange(12, dtype="float32").reshape(2, 2, 3)
    np.testing.assert_allclose(np.asarray(layer(x)), x * 0.5)
    config = layer.get_config()
    assert config["init_values"] == 0.5 and config["projection_dim"] == 3
    assert [w.shape for w in layer.trainable_weights] == [(3,)]


def test_preprocess_input_is_kerass_for_each_family():
    images = np.random.RandomState(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    np.testing.assert_allclose(nasnet.preprocess_input(images), images / 127.5 - 1.0, rtol=1e-6)
    for module in (efficientnet, efficientnet_v2, convnext):  # their models normalize inside
        assert module.preprocess_input(images) is images
