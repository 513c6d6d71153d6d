"""Write tests/references/mixed_precision/: real Keras 3 (JAX) under the float32, mixed_bfloat16 and
mixed_float16 policies, for tests/test_mixed_precision.py.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_mixed_precision.py

One small model, Input(4) -> Dense(8, relu) -> Dense(3) -> Activation('softmax', dtype='float32'), built under
each global policy with the same weights. facts.json, per policy: each layer's dtype / compute_dtype /
variable_dtype / dtype_policy name / output dtype / weight dtypes / get_config()['dtype'], the model's
optimizer class after compile, the optimizer's config and variables after 3 SGD steps, and the
three losses of fit(epochs=3). arrays.npz: the weights `w<i>`, the batch `x`, `y`, and per policy
`<policy>/predict` (float32), `<policy>/trained_w<i>` and `<policy>/trained_predict`. model_<policy>.keras / .h5:
the Keras-written files of the trained models.
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "mixed_precision"
RNG = np.random.RandomState(20261202)
POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


def build():
    inputs = keras.Input((4,), name="x")
    h = L.Dense(8, activation="relu", name="hidden")(inputs)
    logits = L.Dense(3, name="logits")(h)
    outputs = L.Activation("softmax", dtype="float32", name="probs")(logits)
    return keras.Model(inputs, outputs, name="mp_model")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    x = RNG.normal(size=(8, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[RNG.randint(0, 3, size=8)]
    arrays, facts = {"x": x, "y": y}, {}
    weights = None
    for policy in POLICIES:
        keras.mixed_precision.set_global_policy(policy)
        model = build()
        if weights is None:
            weights = [RNG.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()]
            arrays.update({f"w{i}": w for i, w in enumerate(weights)})
        model.set_weights(weights)
        layers = {}
        symbolic = {"x": model.inputs[0]}
        for layer in model.layers[1:]:
            out = layer.output
            layers[layer.name] = {
                "dtype": layer.dtype, "compute_dtype": layer.compute_dtype, "variable_dtype": layer.variable_dtype,
                "policy": layer.dtype_policy.name, "output_dtype": keras.backend.standardize_dtype(out.dtype),
                "weight_dtypes": [w.dtype for w in layer.weights], "config_dtype": layer.get_config()["dtype"]}
        del symbolic
        arrays[f"{policy}/predict"] = np.asarray(model.predict(x, verbose=0), "float32")
        model.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy")
        history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
        for i, w in enumerate(model.get_weights()):
            arrays[f"{policy}/trained_w{i}"] = w
        arrays[f"{policy}/trained_predict"] = np.asarray(model.predict(x, verbose=0), "float32")
        optimizer = model.optimizer
        facts[policy] = {
            "layers": layers, "model_policy": model.dtype_policy.name,
            "optimizer_class": type(optimizer).__name__,
            "optimizer_config": json.loads(json.dumps(optimizer.get_config(), default=str)),
            "optimizer_variables": {v.path: np.asarray(v).tolist() for v in optimizer.variables},
            "losses": [float(v) for v in history.history["loss"]],
        }
        if policy != "float32":
            model.save(OUT / f"model_{policy}.keras")
            model.save(OUT / f"model_{policy}.h5")
    keras.mixed_precision.set_global_policy("float32")
    facts["serialized"] = keras.dtype_policies.serialize(keras.DTypePolicy("mixed_float16"))
    policy_facts = {}
    for name in ("float32", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16", "int32"):
        p = keras.DTypePolicy(name)
        policy_facts[name] = [p.name, p.compute_dtype, p.variable_dtype]
    facts["policies"] = policy_facts
    (OUT / "facts.json").write_text(json.dumps(facts, indent=1, sort_keys=True))
    np.savez(OUT / "arrays.npz", **arrays)
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
