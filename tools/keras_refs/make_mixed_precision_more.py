"""Write tests/references/mixed_precision_more/: real Keras 3 (JAX) under mixed_float16 and mixed_bfloat16 for
the layers tests/test_mixed_precision_more.py checks: ConvLSTM1D/2D/3D (their scan bodies compute in the
compute dtype), BatchNormalization / LayerNormalization / GroupNormalization / RMSNormalization (statistics in
float32, outputs in the compute dtype), and the configs Keras writes for models built under a mixed policy.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_mixed_precision_more.py

arrays.npz, per `<policy>/<case>`: `x` (float32 input), `w<i>` (get_weights() before the call), `y` (the output,
as float32), for BatchNormalization in training also `trained_w<i>` (the weights after the call).
facts.json: {policy: {case: {"output_dtype", "symbolic_dtype" (the output of the layer on a keras.Input),
"weight_dtypes"}}, "configs": {policy: {"functional": model.get_config(), "sequential": ...}}}.
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "mixed_precision_more"
POLICIES = ("mixed_float16", "mixed_bfloat16")

# (case id, class name, kwargs, input shape, call kwargs)
CASES = [
    ("conv_lstm1d", "ConvLSTM1D", dict(filters=3, kernel_size=2), (2, 4, 6, 2), {}),
    ("conv_lstm1d_sequences", "ConvLSTM1D", dict(filters=2, kernel_size=3, padding="same", return_sequences=True),
     (2, 3, 5, 2), {}),
    ("conv_lstm2d", "ConvLSTM2D", dict(filters=2, kernel_size=2), (2, 3, 5, 5, 2), {}),
    ("conv_lstm3d", "ConvLSTM3D", dict(filters=2, kernel_size=2), (1, 2, 3, 4, 4, 1), {}),
    ("batch_norm_inference", "BatchNormalization", dict(), (4, 3, 5), dict(training=False)),
    ("batch_norm_training", "BatchNormalization", dict(momentum=0.5), (4, 3, 5), dict(training=True)),
    ("layer_norm", "LayerNormalization", dict(), (3, 4, 6), {}),
    ("layer_norm_axes", "LayerNormalization", dict(axis=[1, 2], epsilon=1e-5), (3, 4, 6), {}),
    ("group_norm", "GroupNormalization", dict(groups=2), (3, 5, 4), {}),
    ("rms_norm", "RMSNormalization", dict(), (3, 4, 6), {}),
]


def case_input(cid, shape, rng):
    x = rng.normal(size=shape)
    if "norm" in cid:  # an offset and a spread that half precision rounds visibly: statistics must be float32
        x = 3.0 + 2.0 * x
    return x.astype("float32")


def run_cases(policy, arrays, facts, rng):
    keras.mixed_precision.set_global_policy(policy)
    for cid, cls, kwargs, shape, call_kwargs in CASES:
        x = case_input(cid, shape, rng)
        layer = getattr(L, cls)(**kwargs)
        layer.build(x.shape)
        weights = [(w + 0.3 * rng.normal(size=w.shape)).astype(w.dtype) for w in layer.get_weights()]
        if cls == "BatchNormalization":  # moving statistics near the data's, so inference output is moderate
            weights[2] = (3.0 + 0.2 * rng.normal(size=weights[2].shape)).astype("float32")
            weights[3] = (4.0 + np.abs(rng.normal(size=weights[3].shape))).astype("float32")
        layer.set_weights(weights)
        y = layer(x, **call_kwargs)
        key = f"{policy}/{cid}"
        arrays[f"{key}/x"] = x
        for i, w in enumerate(weights):
            arrays[f"{key}/w{i}"] = w
        arrays[f"{key}/y"] = np.asarray(y).astype("float32")
        if call_kwargs.get("training"):
            for i, w in enumerate(layer.get_weights()):
                arrays[f"{key}/trained_w{i}"] = w
        symbolic = getattr(L, cls)(**kwargs)(keras.Input(shape[1:]))
        facts[policy][cid] = {"output_dtype": keras.backend.standardize_dtype(y.dtype),
                              "symbolic_dtype": keras.backend.standardize_dtype(symbolic.dtype),
                              "weight_dtypes": [w.dtype for w in layer.weights]}


def model_configs(policy):
    keras.mixed_precision.set_global_policy(policy)
    inputs = keras.Input((4,), name="x")
    h = L.Dense(3, name="hidden")(inputs)
    outputs = L.Activation("softmax", dtype="float32", name="probs")(h)
    functional = keras.Model(inputs, outputs, name="functional_mp")
    sequential = keras.Sequential([keras.Input((4,)), L.Dense(3, name="dense_mp")], name="sequential_mp")
    return {"functional": functional.get_config(), "sequential": sequential.get_config(),
            "functional_policy": functional.dtype_policy.name, "sequential_policy": sequential.dtype_policy.name}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(20261203)
    arrays, facts = {}, {"keras": keras.__version__, "configs": {}}
    for policy in POLICIES:
        facts[policy] = {}
        run_cases(policy, arrays, facts, rng)
        facts["configs"][policy] = json.loads(json.dumps(model_configs(policy), default=list))
    keras.mixed_precision.set_global_policy("float32")
    (OUT / "facts.json").write_text(json.dumps(facts, indent=1, sort_keys=True))
    np.savez(OUT / "arrays.npz", **arrays)
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
