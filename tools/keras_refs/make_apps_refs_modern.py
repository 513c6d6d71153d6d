"""Writes tests/references/applications_modern/: Keras 3.15's structure of the EfficientNet, EfficientNetV2,
ConvNeXt and NASNet architectures at small inputs (structure.json), and Keras's predictions for EfficientNetB0,
ConvNeXtTiny, EfficientNetV2B0 and NASNetMobile (numerics.json/.npz), every weight set by a numpy rule that
tests/test_applications_modern.py regenerates without Keras (the weight files themselves would be 20-110 MB),
plus the legacy-h5 layout Keras writes for each model (layer names, weight names, shapes) so the test can
write the same file and load it through symk's `load_weights`.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_apps_refs_modern.py [structure|numerics|all]
"""
import json
import os
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "references", "applications_modern")

# key -> (constructor, input side, kwargs); logits of 10 classes, so the comparison is sharp
CASES = {
    "EfficientNetB0": ("EfficientNetB0", 32, {"include_top": True, "classes": 10, "classifier_activation": None}),
    "ConvNeXtTiny": ("ConvNeXtTiny", 32, {"include_top": True, "classes": 10, "classifier_activation": None}),
    "EfficientNetV2B0": ("EfficientNetV2B0", 32, {"include_top": False, "pooling": "avg"}),
    "NASNetMobile": ("NASNetMobile", 32, {"include_top": True, "classes": 10, "classifier_activation": None}),
}
INPUT_SEED = 4321

ARCHITECTURES = ([f"EfficientNetB{i}" for i in range(8)]
                 + [f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")]
                 + [f"ConvNeXt{v}" for v in ("Tiny", "Small", "Base", "Large", "XLarge")]
                 + ["NASNetMobile", "NASNetLarge"])
# the classifier head is one piece of code per family: checked on each family's smallest member
WITH_TOP = ["EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny", "NASNetMobile"]
# argument variants (include_top=False): key -> (constructor, kwargs)
VARIANTS = {
    "EfficientNetV2B0[no_preprocessing]": ("EfficientNetV2B0", {"include_preprocessing": False}),
    "EfficientNetV2S[no_preprocessing]": ("EfficientNetV2S", {"include_preprocessing": False}),
    "ConvNeXtTiny[no_preprocessing,pooling=max]": ("ConvNeXtTiny", {"include_preprocessing": False,
                                                                    "pooling": "max"}),
    "EfficientNetB0[pooling=avg]": ("EfficientNetB0", {"pooling": "avg"}),
    "NASNetMobile[pooling=max]": ("NASNetMobile", {"pooling": "max"}),
}
STRUCTURE_SIDE = 32


def describe(model):
    count = lambda weights: int(sum(np.prod(w.shape) for w in weights))  # noqa: E731
    return {"name": model.name, "trainable_params": count(model.trainable_weights),
            "non_trainable_params": count(model.non_trainable_weights), "layer_count": len(model.layers),
            "output_shape": list(model.output.shape),
            "layers": [[layer.name, layer.__class__.__name__] for layer in model.layers]}


def _zero_initializers(keras):
    """Structure needs shapes, not values: every initializer returns zeros (drawing ~100M random values per
    model through JAX made this script take over an hour on a busy 2-core machine)."""
    import inspect
    for _, cls in inspect.getmembers(keras.src.initializers, inspect.isclass):
        if issubclass(cls, keras.initializers.Initializer) and "__call__" in vars(cls):
            cls.__call__ = lambda self, shape, dtype=None: keras.ops.zeros(shape, dtype=dtype)


def structure():
    import keras
    _zero_initializers(keras)
    side = STRUCTURE_SIDE
    path = os.path.join(OUT, "structure.json")
    runs = [(name, name, {"include_top": False}) for name in ARCHITECTURES]
    runs += [(f"{name}[top]", name, {"include_top": True}) for name in WITH_TOP]
    runs += [(key, name, {"include_top": False, **kwargs}) for key, (name, kwargs) in VARIANTS.items()]
    result = {}
    for key, name, kwargs in runs:
        keras.backend.clear_session()  # fresh automatic names (activation, activation_1, ...) per model
        model = getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3), **kwargs)
        result[key] = {**describe(model), "architecture": name, "input_shape": [side, side, 3], "kwargs": kwargs}
        print(key, result[key]["trainable_params"], result[key]["layer_count"], flush=True)
        with open(path, "w") as f:  # after every model, so a long run leaves what it finished
            json.dump(result, f, indent=0)


def rule_weight(layer_name, weight_name, shape, dtype):
    """The value of weight `layer_name/weight_name` (the test has the same rule): seeded by crc32 of that path;
    variances in [0.5, 1.5], scales near 1, shifts and means small, kernels ~ N(0, 1/fan_in)."""
    rng = np.random.RandomState(zlib.crc32(f"{layer_name}/{weight_name}".encode()))
    shape = tuple(shape)
    if weight_name == "count":  # Normalization's never-used sample count
        return np.zeros(shape, dtype)
    if weight_name in ("moving_variance", "variance"):
        return rng.uniform(0.5, 1.5, shape).astype(dtype)
    if weight_name in ("gamma", "variable"):  # BN/LN scales and ConvNeXt's LayerScale
        return (1.0 + 0.1 * rng.standard_normal(shape)).astype(dtype)
    if len(shape) <= 1:  # bias, beta, moving_mean, mean
        return (0.1 * rng.standard_normal(shape)).astype(dtype)
    fan_in = int(np.prod(shape[:2])) if weight_name == "depthwise_kernel" else int(np.prod(shape[:-1]))
    return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(dtype)


def case_input(side, n=2):
    """Pixels in [0, 255], what these models take (they normalize inside)."""
    return np.random.RandomState(INPUT_SEED + side).uniform(0, 255, (n, side, side, 3)).astype("float32")


def leaf_layers(model):
    """Layers with nested models (ConvNeXt's Sequential blocks) opened up, in order."""
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from leaf_layers(layer)
        else:
            yield layer


def h5_layout(path):
    """[[layer name, [weight names], [shapes]]] in the file's layer_names order."""
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
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format
    os.makedirs(OUT, exist_ok=True)
    cases, arrays = {}, {}
    for key, (name, side, kwargs) in CASES.items():
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3), **kwargs)
        weights = []
        for layer in leaf_layers(model):
            values = [rule_weight(layer.name, w.name, w.shape, w.dtype) for w in layer.weights]
            if values:
                layer.set_weights(values)
                weights += [[layer.name, w.name, list(w.shape)] for w in layer.weights]
            if hasattr(layer, "finalize_state"):  # Normalization reads its statistics into constants
                layer.finalize_state()
        x = case_input(side)
        y = np.asarray(model.predict(x, verbose=0))
        tmp = f"/tmp/apps_modern_{key}.h5"
        with h5py.File(tmp, "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
        with h5py.File(tmp, "r") as f:  # the file holds exactly the rule's values, so the test can rewrite it
            for layer_name, weight_names, _ in h5_layout(tmp):
                for weight_name in weight_names:
                    owner = weight_name.split("/")[-2]
                    expected = rule_weight(owner, weight_name.split("/")[-1], f[layer_name][weight_name].shape,
                                           f[layer_name][weight_name].dtype)
                    assert np.array_equal(f[layer_name][weight_name][()], expected), weight_name
        cases[key] = {"architecture": name, "input_side": side, "kwargs": kwargs, "model_name": model.name,
                      "weights": weights, "layout": h5_layout(tmp)}
        arrays[f"{key}_x"], arrays[f"{key}_y"] = x, y
        print(key, y.shape, float(np.abs(y).max()), len(weights), flush=True)
        os.remove(tmp)
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
