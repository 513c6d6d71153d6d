"""Write tests/references/keras3/layers_semantics/: real Keras 3 (JAX) behaviour of the layer
semantics symk follows (masks through merges, Bidirectional and TimeDistributed, normalization
variants, resize methods, activations, weight order and names, configs).
tests/test_layers_keras3_semantics.py replays every case on symk.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_semantics.py

The layers whose configs are checked are listed in semantics_configs.py; the cases are drawn (seeded) in
semantics_cases.py. Both are plain numpy, so the cases are the same on every run.

Files:
  configs.json   per layer entry of semantics_configs.py: Keras's get_config() after a build, and the
                 (name, shape) of its weights in order; symk must rebuild the layer from that config alone.
  cases.json     per drawn case: a small graph of layers (`nodes`, each naming its inputs), the input specs,
                 the training flag and per node the number of outputs; `activation_calls`: keras.activations
                 functions called with kwargs.
  cases.npz      `<case>/x<i>` inputs; `<case>/<node>/w<j>` weights set before the run (layer.get_weights()
                 order); eager run node by node: `<case>/<node>/y<k>` outputs and `<case>/<node>/m<k>` their
                 masks (absent: no mask); `<case>/<node>/after_w<j>` weights after a training run;
                 `<case>/model/y<k>` the same graph as one functional model (model(x, training=...)) and
                 `<case>/<node>/model_after_w<j>`; `<call>/x`, `<call>/y` of each activation call.
  weight_order.json  (name, shape) of model.weights / trainable_weights / non_trainable_weights of a model
                 with wrapped and nested layers, also with the nested model frozen.
  model.h5, model.weights.h5, model.npz  a Keras-written model with masks (Embedding(mask_zero) into a
                 Maximum of two RNNs, Bidirectional, rms LayerNormalization, TimeDistributed(BatchNormalization),
                 bicubic UpSampling2D, GroupNormalization(-1)) and its predictions.
  plain.h5, plain.npz  a mask-free Keras-written model (nested Sequential, Bidirectional, rms
                 LayerNormalization, TimeDistributed(BatchNormalization), lanczos3 UpSampling2D,
                 GroupNormalization(-1), new activations) and its predictions.
  nested_bn.h5, nested_bn.npz  a model holding a nested Sequential with BatchNormalization (legacy .h5 writes a
                 nested model's weights trainable first) and its predictions.
"""
import json
import os
import pathlib
import sys
import warnings

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from semantics_cases import ACTIVATIONS, RNG, SEED, cases, float_input, padded_ids  # noqa: E402
from semantics_configs import CONFIG_ENTRIES, MULTI_CONFIG_ENTRIES  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_semantics"
warnings.filterwarnings("ignore")


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def build_object(spec):
    """Specs of semantics_configs.py / the cases -> Keras objects ({"__object__": ...} anywhere inside)."""
    if isinstance(spec, dict) and "__object__" in spec:
        o = spec["__object__"]
        module = getattr(keras, o["module"])
        return getattr(module, o["cls"])(**build_object(o["kwargs"]))
    if isinstance(spec, dict):
        return {k: build_object(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [build_object(v) for v in spec]
    return spec


# -- configs -----------------------------------------------------------------------------
def config_entries():
    out = []
    for e in CONFIG_ENTRIES + MULTI_CONFIG_ENTRIES:
        keras.backend.clear_session()
        layer = getattr(keras.layers, e["cls"])(**build_object(e["kwargs"]))
        multi = isinstance(e["shape"][0], list)
        shapes = e["shape"] if multi else [e["shape"]]
        inputs = [keras.Input(batch_shape=(None,) + tuple(s[1:]), dtype=e["dtype"]) for s in shapes]
        layer(inputs if multi else inputs[0])
        out.append(dict(e, config=jsonable(layer.get_config()),
                        weights=[[w.name, list(w.shape)] for w in layer.weights]))
    return out


# -- running a case in Keras ----------------------------------------------------------------
def make_layer(layer_spec):
    return build_object({"__object__": {"module": "layers", **layer_spec}})


def resolve(ref, values):
    if isinstance(ref, list):
        return [resolve(r, values) for r in ref]
    name, _, index = ref.partition(":")
    return values[name][int(index or 0)]


def flat(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def fixed_weights(layer):
    """Values drawn for each weight (positive where a variance or a scale is expected)."""
    out = []
    for w in layer.weights:
        if "variance" in w.name or "gamma" in w.name:
            out.append(RNG.uniform(0.5, 1.5, size=w.shape).astype("float32"))
        else:
            out.append((RNG.normal(size=w.shape) * 0.5).astype("float32"))
    return out


def run_case(c, arrays):
    keras.backend.clear_session()
    layers = {n["id"]: make_layer(n["layer"]) for n in c["nodes"]}
    # 1. the functional model (builds every layer)
    symbolic = {}
    for k, x in enumerate(c["inputs"]):
        shape = list(x.shape[1:])
        if c.get("dynamic_time"):
            shape[0] = None
        symbolic[f"x{k}"] = [keras.Input(batch_shape=(None,) + tuple(shape), dtype=str(x.dtype))]
    for n in c["nodes"]:
        symbolic[n["id"]] = flat(layers[n["id"]](resolve(n["inputs"][0] if len(n["inputs"]) == 1 else n["inputs"],
                                                         symbolic), **n["call"]))
    model_inputs = [symbolic[f"x{k}"][0] for k in range(len(c["inputs"]))]
    model_outputs = [t for o in c["outputs"] for t in symbolic[o]]
    model = keras.Model(model_inputs, model_outputs)
    # 2. fixed weights
    initial = {}
    for nid, layer in layers.items():
        initial[nid] = fixed_weights(layer)
        layer.set_weights(initial[nid])
        for j, w in enumerate(initial[nid]):
            arrays[f"{c['id']}/{nid}/w{j}"] = w
    for k, x in enumerate(c["inputs"]):
        arrays[f"{c['id']}/x{k}"] = x
    # 3. eager, node by node (masks ride on the arrays)
    values = {f"x{k}": [x] for k, x in enumerate(c["inputs"])}
    counts = {}
    for n in c["nodes"]:
        args = resolve(n["inputs"][0] if len(n["inputs"]) == 1 else n["inputs"], values)
        outs = flat(layers[n["id"]](args, training=c["training"], **n["call"]))
        values[n["id"]] = outs
        counts[n["id"]] = len(outs)
        for k, y in enumerate(outs):
            arrays[f"{c['id']}/{n['id']}/y{k}"] = np.asarray(y)
            mask = getattr(y, "_keras_mask", None)
            if mask is not None:
                arrays[f"{c['id']}/{n['id']}/m{k}"] = np.asarray(mask)
    if c["training"]:
        for nid, layer in layers.items():
            for j, w in enumerate(layer.get_weights()):
                arrays[f"{c['id']}/{nid}/after_w{j}"] = w
    # 4. the functional model from the same initial weights
    for nid, layer in layers.items():
        layer.set_weights(initial[nid])
    ys = flat(model(c["inputs"] if len(c["inputs"]) > 1 else c["inputs"][0], training=c["training"]))
    for k, y in enumerate(ys):
        arrays[f"{c['id']}/model/y{k}"] = np.asarray(y)
    if c["training"]:
        for nid, layer in layers.items():
            for j, w in enumerate(layer.get_weights()):
                arrays[f"{c['id']}/{nid}/model_after_w{j}"] = w
    entry = {k: v for k, v in c.items() if k != "inputs"}
    entry["input_specs"] = [{"shape": list(x.shape), "dtype": str(x.dtype)} for x in c["inputs"]]
    entry["output_counts"] = counts
    return entry


# -- activations called as functions -------------------------------------------------------
ACTIVATION_CALLS = [(name, {}) for name in ACTIVATIONS] + [
    ("celu", {"alpha": 0.5}), ("glu", {"axis": 1}), ("hard_shrink", {"threshold": 1.2}),
    ("soft_shrink", {"threshold": 0.3}), ("squareplus", {"b": 1.5}),
    ("threshold", {"threshold": 0.4, "default_value": -2.0})]


def activation_calls(arrays):
    out = []
    for i, (name, kwargs) in enumerate(ACTIVATION_CALLS):
        x = (RNG.normal(size=(4, 6)) * 2.0).astype("float32")
        key = f"{name}_{i:02d}"
        arrays[f"{key}/x"], arrays[f"{key}/y"] = x, np.asarray(getattr(keras.activations, name)(x, **kwargs))
        out.append({"key": key, "name": name, "kwargs": kwargs})
    return out


# -- weight order and names ----------------------------------------------------------------------
def order_model():
    keras.backend.clear_session()
    L = keras.layers
    x = keras.Input((5, 3), name="seq")
    y = L.Bidirectional(L.LSTM(2, return_sequences=True), name="bi")(x)
    y = L.TimeDistributed(L.BatchNormalization(), name="td")(y)
    y = L.LayerNormalization(rms_scaling=True, name="ln")(y)
    inner = keras.Sequential([keras.Input((5, 4)), L.Dense(3, name="inner_dense"),
                              L.BatchNormalization(name="inner_bn")], name="inner")
    y = inner(y)
    y = L.BatchNormalization(name="bn")(y)
    y = L.Dense(2, name="out")(y)
    return keras.Model(x, y, name="order"), inner


def describe(variables):
    return [[v.name, list(v.shape)] for v in variables]


def weight_order():
    model, inner = order_model()
    out = {"trainable": {k: describe(getattr(model, k)) for k in ("weights", "trainable_weights",
                                                                 "non_trainable_weights")}}
    out["layers"] = {layer.name: describe(layer.weights) for layer in model.layers}
    inner.trainable = False
    out["inner_frozen"] = {k: describe(getattr(model, k)) for k in ("weights", "trainable_weights",
                                                                    "non_trainable_weights")}
    out["inner_frozen_inner"] = {k: describe(getattr(inner, k)) for k in ("weights", "trainable_weights",
                                                                          "non_trainable_weights")}
    return out


# -- a Keras-written model file --------------------------------------------------------------------
def file_model():
    keras.backend.clear_session()
    L = keras.layers
    ids = keras.Input((6,), dtype="int32", name="ids")
    embedded = L.Embedding(8, 4, mask_zero=True, name="embed")(ids)
    a = L.LSTM(3, return_sequences=True, name="lstm_a")(embedded)
    b = L.GRU(3, return_sequences=True, name="gru_b")(L.Masking(name="mask_b")(embedded))
    merged = L.Maximum(name="maximum")([a, b])
    seq = L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="concat", name="bi")(merged)
    seq = L.LayerNormalization(rms_scaling=True, name="ln_rms")(seq)
    seq = L.TimeDistributed(L.BatchNormalization(), name="td_bn")(seq)
    last = L.GRU(2, name="gru_last")(seq)
    image = keras.Input((3, 4, 2), name="image")
    up = L.UpSampling2D((2, 2), interpolation="bicubic", name="up")(image)
    up = L.GroupNormalization(groups=-1, name="gn")(up)
    up = L.Conv2D(2, 3, activation="celu", name="conv")(up)
    pooled = L.GlobalAveragePooling2D(name="pool")(up)
    joined = L.Concatenate(name="concat")([last, pooled])
    out = L.Dense(2, activation="sparse_plus", name="out")(joined)
    return keras.Model([ids, image], out, name="semantics")


def plain_model():
    """No masks (Keras 3 writes mask computations into configs as op layers: NotEqual, Any, LogicalOr)."""
    keras.backend.clear_session()
    L = keras.layers
    inner = keras.Sequential([keras.Input((5, 4)), L.Dense(3, activation="soft_shrink", name="inner_dense"),
                              L.Dense(3, activation="squareplus", name="inner_dense_2")], name="inner")
    x = keras.Input((5, 3), name="seq")
    y = L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="concat", name="bi")(x)
    y = L.LayerNormalization(rms_scaling=True, name="ln_rms")(y)
    y = inner(y)
    y = L.TimeDistributed(L.BatchNormalization(), name="td_bn")(y)
    y = L.Reshape((5, 3, 1), name="as_image")(y)
    y = L.UpSampling2D((2, 1), interpolation="lanczos3", name="up")(y)
    y = L.GroupNormalization(groups=-1, name="gn")(y)
    y = L.Flatten(name="flat")(y)
    out = L.Dense(2, activation="hard_tanh", name="out")(y)
    return keras.Model(x, out, name="plain")


def nested_bn_model():
    """A nested Sequential holding BatchNormalization: legacy .h5 keeps its weights trainable-first."""
    keras.backend.clear_session()
    L = keras.layers
    inner = keras.Sequential([keras.Input((4,)), L.Dense(3, name="inner_dense"), L.BatchNormalization(name="inner_bn"),
                              L.Dense(3, name="inner_dense_2")], name="inner")
    x = keras.Input((5,), name="features")
    out = L.Dense(2, name="out")(inner(L.Dense(4, name="first")(x)))
    return keras.Model(x, out, name="nested_bn")


def write_model_files():
    """model.*: the masked model (.h5 and .weights.h5); plain.*: the mask-free one (.h5)."""
    model = file_model()
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(fixed_weights(layer))
    xs = [padded_ids(4, 6, 8), float_input((4, 3, 4, 2))]
    model.save(OUT / "model.h5")
    model.save_weights(OUT / "model.weights.h5")
    np.savez(OUT / "model.npz", x0=xs[0], x1=xs[1], y=np.asarray(model.predict(xs, verbose=0)))
    model = plain_model()
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(fixed_weights(layer))
    x = float_input((4, 5, 3))
    model.save(OUT / "plain.h5")
    np.savez(OUT / "plain.npz", x=x, y=np.asarray(model.predict(x, verbose=0)))
    model = nested_bn_model()
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(fixed_weights(layer))
    x = float_input((4, 5))
    model.save(OUT / "nested_bn.h5")
    np.savez(OUT / "nested_bn.npz", x=x, y=np.asarray(model.predict(x, verbose=0)))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "configs.json").write_text(json.dumps({"keras_version": keras.__version__, "entries": config_entries()},
                                                 indent=1))
    arrays = {}
    entries = [run_case(c, arrays) for c in cases()]
    calls = activation_calls(arrays)
    np.savez_compressed(OUT / "cases.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps(jsonable({"keras_version": keras.__version__, "seed": SEED,
                                                         "cases": entries, "activation_calls": calls}), indent=1))
    (OUT / "weight_order.json").write_text(json.dumps(weight_order(), indent=1))
    write_model_files()
    print(f"wrote {len(entries)} cases, {len(calls)} activation calls and the model file to {OUT}")


if __name__ == "__main__":
    main()
