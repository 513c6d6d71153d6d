"""Write tests/references/keras3/layers_attention/: real Keras 3 (JAX) numbers for EinsumDense,
MultiHeadAttention, GroupedQueryAttention, Attention and AdditiveAttention, and a small Keras-written
transformer encoder (.h5 and .weights.h5). tests/test_layers_attention.py rebuilds each layer in symk,
sets the same weights and compares.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_attention.py

cases.json, one entry per case: the class, its constructor kwargs, the call (tensors named by npz
key), Keras's get_config() and weight paths; cases.npz: `<case>/<input>`, `<case>/w<i>` (in
layer.get_weights() order) and `<case>/y<i>` (the outputs, flattened).
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_attention"
RNG = np.random.RandomState(20250112)


def normal(*shape):
    return RNG.normal(size=shape).astype("float32")


def padding_mask(batch, length, lengths):
    """True for the first `lengths[b]` positions of each row."""
    return np.arange(length)[None, :] < np.asarray(lengths)[:, None]


def tensor(name):
    return {"tensor": name}


def resolve(spec, arrays):
    """Call arguments: {"tensor": key} -> the array; lists and dicts recurse; the rest as is."""
    if isinstance(spec, dict) and "tensor" in spec:
        return arrays[spec["tensor"]]
    if isinstance(spec, list):
        return [resolve(s, arrays) for s in spec]
    if isinstance(spec, dict):
        return {k: resolve(v, arrays) for k, v in spec.items()}
    return spec


def case(cid, cls, kwargs, inputs, args, call_kwargs=None):
    return dict(id=cid, cls=cls, kwargs=kwargs, inputs=inputs, args=args, call_kwargs=call_kwargs or {})


def cases():
    q, v, k = normal(2, 4, 8), normal(2, 6, 6), normal(2, 6, 7)
    x = normal(2, 5, 8)
    img = normal(2, 3, 4, 6)
    mask_ts = RNG.uniform(size=(2, 5, 5)) > 0.4
    mask_ts[0, 2] = False  # a row that attends to nothing
    mask_ts[:, :, 0] = True
    mask_ts[1, 3] = False
    cross_mask = RNG.uniform(size=(2, 4, 6)) > 0.3
    qm, vm = padding_mask(2, 4, [3, 4]), padding_mask(2, 6, [6, 2])
    xm = padding_mask(2, 5, [3, 5])
    out = []
    add = out.append
    # -- EinsumDense ---------------------------------------------------------------------
    add(case("ed_dense", "EinsumDense", dict(equation="ab,bc->ac", output_shape=4, bias_axes="c", activation="relu"),
             {"x": normal(3, 5)}, [tensor("x")]))
    add(case("ed_sequence", "EinsumDense", dict(equation="abc,cd->abd", output_shape=[None, 4], bias_axes="d"),
             {"x": normal(2, 3, 5)}, [tensor("x")]))
    add(case("ed_left_ellipsis", "EinsumDense", dict(equation="...b,bc->...c", output_shape=4, bias_axes="c"),
             {"x": normal(2, 3, 5)}, [tensor("x")]))
    add(case("ed_right_ellipsis", "EinsumDense", dict(equation="ab...,bc->ac...", output_shape=4, bias_axes="c"),
             {"x": normal(2, 5, 3)}, [tensor("x")]))
    add(case("ed_heads", "EinsumDense", dict(equation="abc,cde->abde", output_shape=[None, 2, 3], bias_axes="de"),
             {"x": normal(2, 3, 5)}, [tensor("x")]))
    add(case("ed_partial_bias", "EinsumDense", dict(equation="abc,cde->abde", output_shape=[None, 2, 3],
                                                     bias_axes="e", activation="tanh"),
             {"x": normal(2, 3, 5)}, [tensor("x")]))
    add(case("ed_no_bias", "EinsumDense", dict(equation="abcd,cde->abe", output_shape=[None, 4]),
             {"x": normal(2, 3, 2, 5)}, [tensor("x")]))
    # -- MultiHeadAttention -------------------------------------------------------------
    mha = dict(num_heads=2, key_dim=4)
    add(case("mha_self", "MultiHeadAttention", mha, {"x": x}, [tensor("x"), tensor("x")]))
    add(case("mha_cross_key", "MultiHeadAttention", dict(num_heads=3, key_dim=2, output_shape=5),
             {"q": q, "v": v, "k": k}, [tensor("q"), tensor("v"), tensor("k")]))
    # NOTE: Keras's fused path fails when value_dim != key_dim; with scores it takes the einsum path
    add(case("mha_value_dim_scores", "MultiHeadAttention", dict(num_heads=3, key_dim=2, value_dim=3),
             {"q": q, "v": v, "k": k}, [tensor("q"), tensor("v"), tensor("k")], {"return_attention_scores": True}))
    add(case("mha_scores", "MultiHeadAttention", mha, {"q": q, "v": v}, [tensor("q"), tensor("v")],
             {"return_attention_scores": True}))
    add(case("mha_attention_mask", "MultiHeadAttention", mha, {"x": x, "m": mask_ts}, [tensor("x"), tensor("x")],
             {"attention_mask": tensor("m")}))
    add(case("mha_attention_mask_scores", "MultiHeadAttention", mha, {"x": x, "m": mask_ts},
             [tensor("x"), tensor("x")], {"attention_mask": tensor("m"), "return_attention_scores": True}))
    add(case("mha_cross_mask", "MultiHeadAttention", mha, {"q": q, "v": v, "m": cross_mask},
             [tensor("q"), tensor("v")], {"attention_mask": tensor("m")}))
    add(case("mha_causal", "MultiHeadAttention", mha, {"x": x}, [tensor("x"), tensor("x")],
             {"use_causal_mask": True}))
    add(case("mha_causal_scores", "MultiHeadAttention", mha, {"x": x}, [tensor("x"), tensor("x")],
             {"use_causal_mask": True, "return_attention_scores": True}))
    add(case("mha_causal_and_mask", "MultiHeadAttention", mha, {"x": x, "m": mask_ts}, [tensor("x"), tensor("x")],
             {"use_causal_mask": True, "attention_mask": tensor("m")}))
    add(case("mha_explicit_masks", "MultiHeadAttention", mha, {"q": q, "v": v, "qm": qm, "vm": vm},
             [tensor("q"), tensor("v")], {"query_mask": tensor("qm"), "value_mask": tensor("vm")}))
    add(case("mha_key_mask", "MultiHeadAttention", mha, {"q": q, "v": v, "k": k, "vm": vm},
             [tensor("q"), tensor("v"), tensor("k")], {"key_mask": tensor("vm")}))
    add(case("mha_4d_default_axes", "MultiHeadAttention", mha, {"x": img}, [tensor("x"), tensor("x")]))
    add(case("mha_4d_axis2", "MultiHeadAttention", dict(num_heads=2, key_dim=3, attention_axes=2), {"x": img},
             [tensor("x"), tensor("x")], {"return_attention_scores": True}))
    add(case("mha_4d_axis_neg2", "MultiHeadAttention", dict(num_heads=2, key_dim=3, attention_axes=(-2,)),
             {"x": img}, [tensor("x"), tensor("x")]))
    add(case("mha_dropout_inference", "MultiHeadAttention", dict(num_heads=2, key_dim=4, dropout=0.3, seed=1),
             {"x": x, "m": mask_ts}, [tensor("x"), tensor("x")], {"attention_mask": tensor("m")}))
    add(case("mha_no_bias_gate", "MultiHeadAttention", dict(num_heads=2, key_dim=4, use_bias=False, use_gate=True),
             {"q": q, "v": v}, [tensor("q"), tensor("v")]))
    add(case("mha_gate_bias", "MultiHeadAttention", dict(num_heads=2, key_dim=3, use_gate=True), {"x": x},
             [tensor("x"), tensor("x")]))
    add(case("mha_output_shape_2d", "MultiHeadAttention", dict(num_heads=2, key_dim=4, output_shape=(2, 3)),
             {"x": x}, [tensor("x"), tensor("x")]))
    add(case("mha_sliding_window", "MultiHeadAttention", dict(num_heads=2, key_dim=4, sliding_window=2),
             {"x": x}, [tensor("x"), tensor("x")], {"use_causal_mask": True}))
    # -- GroupedQueryAttention ----------------------------------------------------------
    gqa = dict(head_dim=3, num_query_heads=4, num_key_value_heads=2)
    add(case("gqa_self", "GroupQueryAttention", gqa, {"x": x}, [tensor("x"), tensor("x")]))
    add(case("gqa_cross_scores", "GroupQueryAttention", gqa, {"q": q, "v": normal(2, 6, 8), "k": normal(2, 6, 5)},
             [tensor("q"), tensor("v"), tensor("k")], {"return_attention_scores": True}))
    add(case("gqa_causal", "GroupQueryAttention", dict(gqa, num_key_value_heads=1), {"x": x},
             [tensor("x"), tensor("x")], {"use_causal_mask": True}))
    add(case("gqa_mask_masks", "GroupQueryAttention", gqa, {"x": x, "m": mask_ts, "xm": xm},
             [tensor("x"), tensor("x")], {"attention_mask": tensor("m"), "query_mask": tensor("xm"),
                                          "value_mask": tensor("xm")}))
    add(case("gqa_mask_scores", "GroupQueryAttention", gqa, {"x": x, "m": mask_ts}, [tensor("x"), tensor("x")],
             {"attention_mask": tensor("m"), "use_causal_mask": True, "return_attention_scores": True}))
    add(case("gqa_gate_no_bias_window", "GroupQueryAttention",
             dict(gqa, use_bias=False, use_gate=True, sliding_window=2), {"x": x}, [tensor("x"), tensor("x")]))
    # -- Attention / AdditiveAttention --------------------------------------------------
    qa, va, ka = normal(2, 4, 6), normal(2, 5, 6), normal(2, 5, 6)
    am, vm5 = padding_mask(2, 4, [4, 2]), padding_mask(2, 5, [3, 5])
    add(case("att_dot", "Attention", {}, {"q": qa, "v": va}, [[tensor("q"), tensor("v")]]))
    add(case("att_dot_scale_key", "Attention", dict(use_scale=True), {"q": qa, "v": va, "k": ka},
             [[tensor("q"), tensor("v"), tensor("k")]], {"return_attention_scores": True}))
    add(case("att_concat", "Attention", dict(score_mode="concat"), {"q": qa, "v": va},
             [[tensor("q"), tensor("v")]]))
    add(case("att_concat_scale_masks", "Attention", dict(score_mode="concat", use_scale=True),
             {"q": qa, "v": va, "qm": am, "vm": vm5}, [[tensor("q"), tensor("v")]],
             {"mask": [tensor("qm"), tensor("vm")], "return_attention_scores": True}))
    add(case("att_causal_mask", "Attention", dict(dropout=0.2),
             {"q": normal(2, 5, 6), "v": va, "vm": vm5}, [[tensor("q"), tensor("v")]],
             {"mask": [None, tensor("vm")], "use_causal_mask": True, "return_attention_scores": True}))
    add(case("add_basic", "AdditiveAttention", {}, {"q": qa, "v": va, "k": ka},
             [[tensor("q"), tensor("v"), tensor("k")]]))
    add(case("add_no_scale_masks", "AdditiveAttention", dict(use_scale=False),
             {"q": qa, "v": va, "qm": am, "vm": vm5}, [[tensor("q"), tensor("v")]],
             {"mask": [tensor("qm"), tensor("vm")], "return_attention_scores": True}))
    add(case("add_causal", "AdditiveAttention", {}, {"q": normal(2, 5, 6), "v": va}, [[tensor("q"), tensor("v")]],
             {"use_causal_mask": True}))
    return out


KERAS_CLASS = {}


def run_case(c, arrays):
    cls = KERAS_CLASS.get(c["cls"]) or getattr(L, c["cls"])
    layer = cls(**c["kwargs"])
    for key, value in c["inputs"].items():
        arrays[f"{c['id']}/{key}"] = value
    local = dict(c["inputs"])
    args, kwargs = resolve(c["args"], local), resolve(c["call_kwargs"], local)
    layer(*args, **kwargs)  # builds
    weights = [normal(*w.shape) * 0.5 if w.shape else np.float32(RNG.uniform(0.5, 1.5))
               for w in layer.get_weights()]
    layer.set_weights(weights)
    outputs = layer(*args, **kwargs)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    for i, w in enumerate(weights):
        arrays[f"{c['id']}/w{i}"] = np.asarray(w)
    for i, y in enumerate(outputs):
        arrays[f"{c['id']}/y{i}"] = np.asarray(y)
    return dict(cls=c["cls"], kwargs=c["kwargs"], inputs=sorted(c["inputs"]), args=c["args"],
                call_kwargs=c["call_kwargs"], config=layer.get_config(), weight_paths=[w.path for w in layer.weights],
                outputs=len(outputs))


# -- a small transformer encoder, saved by Keras -----------------------------------------------
def encoder():
    ids = keras.Input((6,), dtype="int32", name="ids")
    x = L.Embedding(12, 8, mask_zero=True, name="embed")(ids)
    attended = L.MultiHeadAttention(2, 4, name="mha")(x, x)
    x = L.LayerNormalization(name="norm1")(L.Add(name="res1")([x, attended]))
    ff = L.Dense(8, name="ff2")(L.Dense(16, activation="relu", name="ff1")(x))
    x = L.LayerNormalization(name="norm2")(L.Add(name="res2")([x, ff]))
    # NOTE: no layer here takes a mask argument (pooling would): Keras would then save the mask's ops
    # (NotEqual, LogicalOr) as layers of the config
    return keras.Model(ids, L.Dense(3, activation="softmax", name="head")(x), name="encoder")


def write_encoder():
    model = encoder()
    model.set_weights([normal(*w.shape) * 0.4 for w in model.get_weights()])
    ids = RNG.randint(1, 12, (4, 6)).astype("int32")
    ids[0, 4:] = 0
    ids[2, 2:] = 0
    model.save(OUT / "encoder.h5")
    model.save_weights(OUT / "encoder.weights.h5")
    np.savez(OUT / "encoder.npz", x=ids, y=model.predict(ids, verbose=0))


def masked_model():
    """Padding masks from Embedding(mask_zero=True) reaching each attention layer, on both of
    MultiHeadAttention's paths (fused, and einsum with scores).

    NOTE: each attention layer reads its own Embedding outputs: Keras 3.15's MultiHeadAttention clears
    the masks of the tensors it is called on, so a layer that Keras runs later on the same tensors
    would see no masks (symk leaves masks in place)."""
    ids_q = keras.Input((5,), dtype="int32", name="ids_q")
    ids_v = keras.Input((6,), dtype="int32", name="ids_v")

    def embedded(name):
        return (L.Embedding(10, 6, mask_zero=True, name=f"{name}_embed_q")(ids_q),
                L.Embedding(10, 6, mask_zero=True, name=f"{name}_embed_v")(ids_v))

    x, y = embedded("fused")
    fused = L.MultiHeadAttention(2, 3, name="mha_fused")(x, y)
    x, y = embedded("scores")
    with_scores, scores = L.MultiHeadAttention(2, 3, name="mha_scores")(x, y, return_attention_scores=True)
    x, _ = embedded("causal")
    causal = L.MultiHeadAttention(2, 3, name="mha_causal")(x, x, use_causal_mask=True)
    x, y = embedded("gqa")
    grouped = L.GroupQueryAttention(3, 4, 2, name="gqa")(x, y)
    x, y = embedded("dot")
    dot = L.Attention(use_scale=True, name="dot")([x, y])
    x, y = embedded("additive")
    additive = L.AdditiveAttention(name="additive")([x, y, y])
    outputs = [fused, with_scores, scores, causal, grouped, dot, additive]
    return keras.Model([ids_q, ids_v], outputs, name="masked")


def write_masked_model():
    model = masked_model()
    model.set_weights([normal(*w.shape) * 0.5 for w in model.get_weights()])
    ids_q = RNG.randint(1, 10, (3, 5)).astype("int32")
    ids_v = RNG.randint(1, 10, (3, 6)).astype("int32")
    ids_q[0, 3:] = 0
    ids_q[1, 1:] = 0
    ids_v[0, 4:] = 0
    ids_v[2, 2:] = 0
    model.save(OUT / "masked.h5")
    ys = model.predict([ids_q, ids_v], verbose=0)
    np.savez(OUT / "masked.npz", x0=ids_q, x1=ids_v, **{f"y{i}": y for i, y in enumerate(ys)})


def gated():
    """Keras's weight files name GroupQueryAttention's projections and either layer's gate by private
    attribute (_query_dense, _gate_dense, ...)."""
    x = keras.Input((5, 8), name="x")
    a = L.MultiHeadAttention(2, 4, use_gate=True, dropout=0.1, name="mha")(x, x)
    g = L.GroupQueryAttention(3, 4, 2, use_gate=True, name="gqa")(a, x)
    return keras.Model(x, g, name="gated")


def write_gated():
    model = gated()
    model.set_weights([normal(*w.shape) * 0.5 for w in model.get_weights()])
    x = normal(3, 5, 8)
    model.save_weights(OUT / "gated.weights.h5")
    np.savez(OUT / "gated.npz", x=x, y=model.predict(x, verbose=0))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays, entries = {}, {}
    for c in cases():
        entries[c["id"]] = run_case(c, arrays)
    np.savez(OUT / "cases.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps({"keras_version": keras.__version__, "cases": entries},
                                               indent=1, default=str) + "\n")
    write_encoder()
    write_masked_model()
    write_gated()
    print(f"wrote {len(entries)} cases and the encoder to {OUT}")


if __name__ == "__main__":
    main()
