"""Record what Keras 3's per-family serialize / deserialize / get functions return.

Writes tests/references/keras3/family_serialization.json: for each family (activations, constraints,
initializers, layers, losses, metrics, optimizers, schedules, regularizers), the serialized form of a
few built-in objects and of objects registered with `register_keras_serializable`, and what
`deserialize` / `get` rebuild from those forms (class or function name, and the rebuilt config).
Run with: KERAS_BACKEND=jax python tools/keras_refs/make_family_serialization.py
"""
import json
import os
import types

import keras

from common import out_dir


@keras.saving.register_keras_serializable(package="my")
def custom_fn(x):
    return keras.ops.relu(x) * 2.0


@keras.saving.register_keras_serializable(package="my")
def my_loss(y_true, y_pred):
    return keras.ops.mean((y_true - y_pred) ** 2)


@keras.saving.register_keras_serializable(package="my")
class MyRegularizer(keras.regularizers.Regularizer):
    def __init__(self, strength=0.1):
        self.strength = strength

    def __call__(self, x):
        return self.strength * keras.ops.sum(x)

    def get_config(self):
        return {"strength": self.strength}


@keras.saving.register_keras_serializable(package="my")
class MyLayer(keras.layers.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def describe(obj):
    """What a rebuilt object is, in names a symk test can compare."""
    if isinstance(obj, types.FunctionType):
        return {"kind": "function", "name": obj.__name__}
    entry = {"kind": "object", "class_name": type(obj).__name__}
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        entry["config"] = json.loads(json.dumps(config, default=str))
    return entry


def family_cases():
    return {
        "activations": [keras.activations.relu, keras.activations.softmax, custom_fn],
        "constraints": [keras.constraints.MaxNorm(2.0), keras.constraints.NonNeg()],
        "initializers": [keras.initializers.GlorotUniform(seed=3), keras.initializers.Constant(0.5)],
        "layers": [keras.layers.Dense(3, activation="relu", name="dense_ref"), MyLayer(4, name="my_layer_ref")],
        "losses": [keras.losses.MeanSquaredError(), keras.losses.mean_absolute_error, my_loss],
        "metrics": [keras.metrics.MeanAbsoluteError(), keras.metrics.AUC(num_thresholds=50)],
        "optimizers": [keras.optimizers.Adam(learning_rate=0.01)],
        "schedules": [keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9)],
        "regularizers": [keras.regularizers.L2(0.01), MyRegularizer(0.3)],
    }


def module_of(family):
    return keras.optimizers.schedules if family == "schedules" else getattr(keras, family)


def main():
    records = {}
    for family, objects in family_cases().items():
        module = module_of(family)
        entries = []
        for obj in objects:
            serialized = module.serialize(obj)
            rebuilt = module.deserialize(serialized)
            entry = {"serialized": json.loads(json.dumps(serialized, default=str)),
                     "deserialized": describe(rebuilt)}
            if hasattr(module, "get") and family not in ("layers", "schedules"):
                entry["get"] = describe(module.get(serialized))
            entries.append(entry)
        records[family] = entries
    path = os.path.join(out_dir("keras3"), "family_serialization.json")
    with open(path, "w") as f:
        json.dump({"keras_version": keras.__version__, "families": records}, f, indent=1, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main()
