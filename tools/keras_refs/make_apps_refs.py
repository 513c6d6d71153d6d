"""Writes tests/references/applications/: Keras 3.15's structure of every application architecture
(structure.json), and the numerics cases (deterministic weights, Keras's predictions, one real
Keras-written legacy-h5 weights file) for tests/test_applications.py.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_apps_refs.py [structure|numerics|all]
"""
import json
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "references", "applications")

# name -> (constructor, small valid input side); both include_top variants are recorded
ARCHITECTURES = {
    "VGG16": 32, "VGG19": 32,
    "ResNet50": 32, "ResNet101": 32, "ResNet152": 32,
    "ResNet50V2": 32, "ResNet101V2": 32, "ResNet152V2": 32,
    "MobileNet": 32, "MobileNetV2": 32, "MobileNetV3Small": 32, "MobileNetV3Large": 32,
    "DenseNet121": 32, "DenseNet169": 32, "DenseNet201": 32,
    "InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71,
    "EfficientNetB0": 32, "EfficientNetB1": 32, "EfficientNetB2": 32, "EfficientNetB3": 32,
    "EfficientNetB4": 32, "EfficientNetB5": 32, "EfficientNetB6": 32, "EfficientNetB7": 32,
    "EfficientNetV2B0": 32, "EfficientNetV2B1": 32, "EfficientNetV2B2": 32, "EfficientNetV2B3": 32,
    "EfficientNetV2S": 32, "EfficientNetV2M": 32, "EfficientNetV2L": 32,
    "ConvNeXtTiny": 32, "ConvNeXtSmall": 32, "ConvNeXtBase": 32, "ConvNeXtLarge": 32, "ConvNeXtXLarge": 32,
    "NASNetMobile": 32, "NASNetLarge": 32,
}

# extra argument variants: key -> (architecture, side, kwargs); recorded with include_top=False only
VARIANTS = {
    "MobileNet[alpha=0.25]": ("MobileNet", 32, {"alpha": 0.25}),
    "MobileNet[alpha=0.5,depth_multiplier=2]": ("MobileNet", 32, {"alpha": 0.5, "depth_multiplier": 2}),
    "MobileNetV2[alpha=0.35]": ("MobileNetV2", 32, {"alpha": 0.35}),
    "MobileNetV2[alpha=1.4]": ("MobileNetV2", 32, {"alpha": 1.4}),
    "MobileNetV3Small[alpha=0.75]": ("MobileNetV3Small", 32, {"alpha": 0.75}),
    "MobileNetV3Small[minimalistic]": ("MobileNetV3Small", 32, {"minimalistic": True}),
    "MobileNetV3Large[minimalistic,no_preprocessing]": (
        "MobileNetV3Large", 32, {"minimalistic": True, "include_preprocessing": False}),
    "EfficientNetV2B0[no_preprocessing]": ("EfficientNetV2B0", 32, {"include_preprocessing": False}),
    "ResNet50[pooling=avg]": ("ResNet50", 32, {"pooling": "avg"}),
    "VGG16[pooling=max]": ("VGG16", 32, {"pooling": "max"}),
}


def describe(model):
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {
        "name": model.name,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
        "layer_count": len(model.layers),
        "output_shape": list(model.output.shape),
        "layers": [[layer.name, layer.__class__.__name__] for layer in model.layers],
    }


def structure():
    import keras
    result = {}
    for name, side in ARCHITECTURES.items():
        ctor = getattr(keras.applications, name)
        for top in (False, True):
            keras.backend.clear_session()
            key = f"{name}[top]" if top else name
            try:
                model = ctor(weights=None, include_top=top, input_shape=(side, side, 3))
                entry = describe(model)
            except Exception as error:  # recorded so the test can check symk refuses the same way
                entry = {"error": f"{type(error).__name__}: {error}"}
            entry.update(input_shape=[side, side, 3], include_top=top, kwargs={})
            result[key] = entry
            print(key, entry.get("trainable_params", entry.get("error")), flush=True)
            _write_structure(result)  # after every model, so a slow run is usable while it goes on
    for key, (name, side, kwargs) in VARIANTS.items():
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=None, include_top=False, input_shape=(side, side, 3),
                                                  **kwargs)
        entry = describe(model)
        entry.update(input_shape=[side, side, 3], include_top=False, kwargs=kwargs)
        result[key] = entry
        print(key, entry["trainable_params"], flush=True)
    _write_structure(result)


def _write_structure(result):
    tmp = os.path.join(OUT, "structure.json.tmp")
    with open(tmp, "w") as f:
        json.dump(result, f, indent=0)
    os.replace(tmp, os.path.join(OUT, "structure.json"))


# ---------------------------------------------------------------------------------------------------------
# numerics: every weight set by a rule the test regenerates without Keras; Keras's outputs recorded
NUMERIC_CASES = {
    "VGG16": ("VGG16", 32, {"include_top": False, "pooling": "avg"}),
    "ResNet50": ("ResNet50", 32, {"include_top": True, "classes": 10, "classifier_activation": None}),
    "MobileNetV2": ("MobileNetV2", 32, {"include_top": True, "alpha": 0.35, "classes": 10,
                                        "classifier_activation": None}),
    "DenseNet121": ("DenseNet121", 32, {"include_top": False, "pooling": "avg"}),
    "InceptionV3": ("InceptionV3", 75, {"include_top": True, "classes": 10, "classifier_activation": None}),
}
INPUT_SEED = 1234


def deterministic_weight(layer_name, weight_name, shape):
    """The value every numerics case gives weight `layer_name/weight_name` (tests/test_applications.py has
    the same rule): seeded by crc32 of that path; BN variances in [0.5, 1.5], kernels ~ N(0, 1/fan_in)."""
    rng = np.random.RandomState(zlib.crc32(f"{layer_name}/{weight_name}".encode()))
    shape = tuple(shape)
    if weight_name == "moving_variance":
        return rng.uniform(0.5, 1.5, shape).astype("float32")
    if weight_name == "gamma":
        return (1.0 + 0.1 * rng.standard_normal(shape)).astype("float32")
    if len(shape) <= 1:  # bias, beta, moving_mean
        return (0.1 * rng.standard_normal(shape)).astype("float32")
    fan_in = int(np.prod(shape[:2])) if weight_name == "depthwise_kernel" else int(np.prod(shape[:-1]))
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype("float32")


def case_input(side, n=2):
    return np.random.RandomState(INPUT_SEED + side).uniform(-1, 1, (n, side, side, 3)).astype("float32")


def h5_layout(path):
    """[(layer name, [weight names], [shapes])] in the file's layer_names order, plus top-level attrs."""
    import h5py
    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["layer_names"]]
        layout = []
        for name in names:
            group = f[name]
            weight_names = [w.decode() if isinstance(w, bytes) else w for w in group.attrs["weight_names"]]
            layout.append([name, weight_names, [list(group[w].shape) for w in weight_names]])
        return layout


def numerics():
    import keras
    from keras.src.legacy.saving import legacy_h5_format
    import h5py
    cases = {}
    arrays = {}
    for key, (name, side, kwargs) in NUMERIC_CASES.items():
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3), **kwargs)
        for layer in model.layers:
            values = [deterministic_weight(layer.name, w.path.split("/")[-1], w.shape) for w in layer.weights]
            if values:
                layer.set_weights(values)
        x = case_input(side)
        y = np.asarray(model(x, training=False))
        tmp = f"/tmp/apps_ref_{key}.h5"
        with h5py.File(tmp, "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
        cases[key] = {"architecture": name, "input_side": side, "kwargs": kwargs, "layout": h5_layout(tmp),
                      "model_name": model.name}
        arrays[f"{key}_x"], arrays[f"{key}_y"] = x, y
        print(key, y.shape, float(np.abs(y).max()), flush=True)
    # one real Keras-written legacy-h5 weights file: Keras's own random init, BN statistics randomized
    keras.backend.clear_session()
    model = keras.applications.MobileNet(weights=None, include_top=False, alpha=0.25, input_shape=(32, 32, 3))
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(deterministic_weight(layer.name, "moving_mean", layer.moving_mean.shape))
            layer.moving_variance.assign(deterministic_weight(layer.name, "moving_variance",
                                                              layer.moving_variance.shape))
    path = os.path.join(OUT, "mobilenet_0.25_32_keras_legacy.h5")
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    x = case_input(32)
    arrays["MobileNetFile_x"], arrays["MobileNetFile_y"] = x, np.asarray(model(x, training=False))
    cases["MobileNetFile"] = {"architecture": "MobileNet", "input_side": 32, "model_name": model.name,
                              "kwargs": {"include_top": False, "alpha": 0.25}, "file": os.path.basename(path)}
    np.savez_compressed(os.path.join(OUT, "numerics.npz"), **arrays)
    with open(os.path.join(OUT, "numerics.json"), "w") as f:
        json.dump(cases, f, indent=0)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("structure", "all"):
        structure()
    if what in ("numerics", "all"):
        numerics()
