"""EinsumDense and the attention layers: the layer harness, Keras 3's numbers for every reference case
(tools/keras_refs/make_layers_attention.py: masks, causal masks, scores, 4-D attention axes, gates,
sliding windows), Keras's configs and weight names, Keras-written transformer files, masks from
Embedding(mask_zero=True), training and saving, and the errors."""
import json
import pathlib

import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example, multi_input_example
from symk import layers as L
from symk.saving.layer_config import deserialize_layer

REFS = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_attention"
CASES = json.loads((REFS / "cases.json").read_text())["cases"]
ARRAYS = np.load(REFS / "cases.npz")
RNG = np.random.default_rng(12)

EXAMPLES = [
    layer_example("einsum_dense_heads", lambda: L.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de"),
                  (2, 4, 5)),
    layer_example("einsum_dense_ellipsis", lambda: L.EinsumDense("...b,bc->...c", 4, bias_axes="c",
                                                                 activation="relu"), (2, 3, 5)),
    layer_example("einsum_dense_right_ellipsis", lambda: L.EinsumDense("ab...,bc->ac...", 3, bias_axes="c"),
                  (2, 5, 2)),
]
MULTI_EXAMPLES = [
    multi_input_example("mha_cross", lambda: L.MultiHeadAttention(2, 4), [(2, 4, 8), (2, 6, 6)]),
    multi_input_example("mha_4d_axis", lambda: L.MultiHeadAttention(2, 3, attention_axes=2), [(2, 3, 4, 6)] * 2),
    multi_input_example("mha_dropout_gate_key", lambda: L.MultiHeadAttention(2, 4, dropout=0.2, use_gate=True,
                                                                             output_shape=5),
                        [(2, 4, 8), (2, 6, 6), (2, 6, 7)]),
    multi_input_example("gqa_cross", lambda: L.GroupQueryAttention(3, 4, 2), [(2, 5, 8), (2, 6, 8)]),
    multi_input_example("attention_concat", lambda: L.Attention(use_scale=True, score_mode="concat"),
                        [(2, 4, 6), (2, 5, 6)]),
    multi_input_example("attention_dot_dropout", lambda: L.Attention(dropout=0.3), [(2, 4, 6), (2, 5, 6)]),
    multi_input_example("additive_attention", lambda: L.AdditiveAttention(), [(2, 4, 6), (2, 5, 6), (2, 5, 6)]),
]


@pytest.mark.parametrize("example", EXAMPLES + MULTI_EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


# -- Keras's numbers ------------------------------------------------------------------------------
def _resolve(spec, arrays):
    if isinstance(spec, dict) and "tensor" in spec:
        return arrays[spec["tensor"]]
    if isinstance(spec, list):
        return [_resolve(s, arrays) for s in spec]
    if isinstance(spec, dict):
        return {k: _resolve(v, arrays) for k, v in spec.items()}
    return spec


def _reference(cid):
    case = CASES[cid]
    inputs = {name: ARRAYS[f"{cid}/{name}"] for name in case["inputs"]}
    weights = [ARRAYS[f"{cid}/w{i}"] for i in range(len(case["weight_paths"]))]
    outputs = [ARRAYS[f"{cid}/y{i}"] for i in range(case["outputs"])]
    return case, inputs, weights, outputs


def _kwargs(case):
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("attention_axes"), list):
        kwargs["attention_axes"] = tuple(kwargs["attention_axes"])
    return kwargs


def _outputs(result):
    return [np.asarray(r) for r in result] if isinstance(result, (list, tuple)) else [np.asarray(result)]


@pytest.mark.parametrize("cid", sorted(CASES))
def test_layer_computes_what_keras_computes(cid):
    """On arrays: build, take Keras's weights, compare every output (scores too)."""
    case, inputs, weights, want = _reference(cid)
    layer = getattr(L, case["cls"])(**_kwargs(case))
    args, kwargs = _resolve(case["args"], inputs), _resolve(case["call_kwargs"], inputs)
    layer(*args, **kwargs)
    layer.set_weights(weights)
    got = _outputs(layer(*args, **kwargs))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=2e-6)


def _symbolic(spec, placeholders):
    if isinstance(spec, dict) and "tensor" in spec:
        return placeholders[spec["tensor"]]
    if isinstance(spec, list):
        return [_symbolic(s, placeholders) for s in spec]
    if isinstance(spec, dict):
        return {k: _symbolic(v, placeholders) for k, v in spec.items()}
    return spec


@pytest.mark.parametrize("cid", sorted(CASES))
def test_layer_in_a_functional_model_computes_what_keras_computes(cid):
    """Through a graph: every tensor argument (masks too) is a model input."""
    case, inputs, weights, want = _reference(cid)
    names = sorted(inputs)
    placeholders = {n: symk.Input(batch_shape=(None,) + inputs[n].shape[1:], dtype=str(inputs[n].dtype))
                    for n in names}
    layer = getattr(L, case["cls"])(**_kwargs(case))
    outputs = layer(*_symbolic(case["args"], placeholders), **_symbolic(case["call_kwargs"], placeholders))
    layer.set_weights(weights)
    # NOTE: MultiHeadAttention ignores a query_mask argument (Keras 3.15 does), so that input feeds nothing;
    # it stays out of the model (a symk Model with an unused input fails to predict)
    used = [n for n in names if not (case["cls"] == "MultiHeadAttention"
                                     and case["call_kwargs"].get("query_mask") == {"tensor": n})]
    model = symk.Model([placeholders[n] for n in used], list(outputs) if isinstance(outputs, tuple) else outputs)
    got = _outputs(model.predict([inputs[n] for n in used], verbose=0))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=2e-6)


def _plain(value):
    """Configs compared as JSON: tuples as lists; an initializer by its class (Keras 3.15 adds
    input_axes/output_axes to VarianceScaling's config, which symk's initializers leave out)."""
    if isinstance(value, dict) and "class_name" in value:
        return value["class_name"]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("cid", sorted(CASES))
def test_config_and_weight_names_match_keras(cid):
    case, inputs, weights, _ = _reference(cid)
    layer = getattr(L, case["cls"])(**_kwargs(case))
    layer(*_resolve(case["args"], inputs), **_resolve(case["call_kwargs"], inputs))
    keras_config = {k: v for k, v in case["config"].items() if k not in ("name", "dtype")}
    ours = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype")}
    assert _plain(ours) == _plain(keras_config)
    assert [w.path.split("/", 1)[1] for w in layer.weights] == [p.split("/", 1)[1] for p in case["weight_paths"]]
    assert [tuple(w.shape) for w in layer.weights] == [w.shape for w in weights]
    # Keras's config, as a file holds it, rebuilds the same layer
    rebuilt = deserialize_layer({"class_name": _keras_class_name(case["cls"]), "config": case["config"]})
    assert _plain({k: v for k, v in rebuilt.get_config().items() if k not in ("name", "dtype")}) == _plain(
        keras_config)


def _keras_class_name(cls):
    return "GroupedQueryAttention" if cls == "GroupQueryAttention" else cls


# -- Keras-written models ------------------------------------------------------------------------
def _encoder():
    """The encoder make_layers_attention.py saves, written with symk's API."""
    ids = symk.Input((6,), dtype="int32", name="ids")
    x = L.Embedding(12, 8, mask_zero=True, name="embed")(ids)
    attended = L.MultiHeadAttention(2, 4, name="mha")(x, x)
    x = L.LayerNormalization(name="norm1")(L.Add(name="res1")([x, attended]))
    ff = L.Dense(8, name="ff2")(L.Dense(16, activation="relu", name="ff1")(x))
    x = L.LayerNormalization(name="norm2")(L.Add(name="res2")([x, ff]))
    return symk.Model(ids, L.Dense(3, activation="softmax", name="head")(x), name="encoder")


def test_keras_written_transformer_encoder_h5_loads_and_predicts_equal():
    data = np.load(REFS / "encoder.npz")
    model = symk.models.load_model(REFS / "encoder.h5")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)
    assert [w.path for w in model.get_layer("mha").weights][:2] == ["mha/query/kernel", "mha/query/bias"]


def test_keras_written_encoder_weights_load_into_the_same_symk_model():
    data = np.load(REFS / "encoder.npz")
    model = _encoder()
    model.load_weights(REFS / "encoder.weights.h5")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)


def test_keras_written_gated_and_grouped_attention_weights_load():
    """Keras files hold these projections under private attribute names (_query_dense, _gate_dense)."""
    data = np.load(REFS / "gated.npz")
    x = symk.Input((5, 8), name="x")
    a = L.MultiHeadAttention(2, 4, use_gate=True, dropout=0.1, name="mha")(x, x)
    model = symk.Model(x, L.GroupQueryAttention(3, 4, 2, use_gate=True, name="gqa")(a, x), name="gated")
    model.load_weights(REFS / "gated.weights.h5")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5, atol=2e-6)


def test_embedding_masks_reach_every_attention_layer_as_in_keras():
    """Keras's model: padding masks on query and value, both MultiHeadAttention paths, GQA, Attention
    and AdditiveAttention."""
    data = np.load(REFS / "masked.npz")
    model = symk.models.load_model(REFS / "masked.h5")
    got = model.predict([data["x0"], data["x1"]], verbose=0)
    for i, g in enumerate(got):
        np.testing.assert_allclose(g, data[f"y{i}"], rtol=1e-5, atol=2e-6, err_msg=f"output {i}")


def test_pooling_after_attention_averages_over_the_query_mask():
    ids = symk.Input((5,), dtype="int32")
    attended = L.MultiHeadAttention(2, 3)(*[L.Embedding(10, 6, mask_zero=True)(ids)] * 2)
    model = symk.Model(ids, [attended, L.GlobalAveragePooling1D()(attended)])
    tokens = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], "int32")
    sequence, pooled = model.predict(tokens, verbose=0)
    keep = (tokens != 0)[..., None]
    np.testing.assert_allclose(pooled, (sequence * keep).sum(1) / keep.sum(1), rtol=1e-5, atol=1e-6)


def test_output_keeps_the_query_mask_and_scores_have_none():
    ids_q, ids_v = symk.Input((5,), dtype="int32"), symk.Input((6,), dtype="int32")
    x = L.Embedding(10, 6, mask_zero=True)(ids_q)
    y = L.Embedding(10, 6, mask_zero=True)(ids_v)
    out, scores = L.MultiHeadAttention(2, 3)(x, y, return_attention_scores=True)
    assert out._keras_mask is x._keras_mask and scores._keras_mask is None
    assert L.GroupQueryAttention(3, 2, 1)(x, y)._keras_mask is x._keras_mask
    assert L.Attention()([x, y])._keras_mask is x._keras_mask
    assert L.EinsumDense("abc,cd->abd", (None, 2))(x)._keras_mask is None  # Keras's EinsumDense drops masks


# -- training and files ----------------------------------------------------------------------------
def _classifier():
    tokens = symk.Input((6,), dtype="int32")
    x = L.Embedding(20, 8, mask_zero=True)(tokens)
    x = L.LayerNormalization()(L.Add()([x, L.MultiHeadAttention(2, 4, dropout=0.1)(x, x, use_causal_mask=True)]))
    x = L.GroupQueryAttention(2, 4, 2)(x, x)
    x = L.EinsumDense("abc,cd->abd", (None, 8), bias_axes="d", activation="relu")(x)
    return symk.Model(tokens, L.Dense(2, activation="softmax")(L.GlobalAveragePooling1D()(x)))


def test_a_model_with_attention_trains_one_epoch_and_round_trips_through_h5(tmp_path):
    tokens = RNG.integers(1, 20, (32, 6)).astype("int32")
    tokens[::3, 4:] = 0
    labels = (tokens[:, 0] > 10).astype("int32")
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(tokens, labels, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    path = tmp_path / "attention.h5"
    model.save(path)
    loaded = symk.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0), rtol=1e-6,
                               atol=1e-6)


def test_weights_h5_round_trip_keeps_each_projection(tmp_path):
    model = _classifier()
    path = tmp_path / "attention.weights.h5"
    model.save_weights(path)
    other = _classifier()
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- behaviour Keras documents ---------------------------------------------------------------------
def test_dropout_applies_in_training_only():
    x = RNG.normal(size=(2, 5, 8)).astype("float32")
    layer = L.MultiHeadAttention(2, 4, dropout=0.5)
    inference = np.asarray(layer(x, x))
    np.testing.assert_allclose(np.asarray(layer(x, x, training=False)), inference)
    assert not np.allclose(np.asarray(layer(x, x, training=True)), inference)


def test_einsum_dense_kernel_initializer_uses_the_einsum_fans():
    """Keras's EinsumDense draws a VarianceScaling kernel with fan_in = contracted sizes, fan_out =
    output sizes: for (dim, heads, key_dim) glorot_uniform's limit is sqrt(6 / (dim + heads * key_dim))."""
    layer = L.EinsumDense("abc,cde->abde", (None, 16, 64), kernel_initializer="glorot_uniform")
    layer.build((None, 5, 32))
    limit = np.sqrt(6.0 / (32 + 16 * 64))
    kernel = layer.get_weights()[0]
    assert kernel.shape == (32, 16, 64) and np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.9 * limit


def test_mha_accepts_the_keras_call_forms():
    q, v = RNG.normal(size=(2, 4, 8)).astype("float32"), RNG.normal(size=(2, 6, 8)).astype("float32")
    layer = L.MultiHeadAttention(2, 4)
    positional = np.asarray(layer(q, v))
    np.testing.assert_allclose(np.asarray(layer(query=q, value=v)), positional, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer(q, v, v)), positional, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer([q, v])), positional, rtol=1e-6)
    assert layer.compute_output_shape((None, 4, 8), (None, 6, 8)) == (None, 4, 8)


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: L.EinsumDense("ab,bc", 4), "invalid einsum equation"),
    (lambda: L.EinsumDense("ab,bc->ac", 4, lora_rank=2), "lora_rank"),
    (lambda: L.MultiHeadAttention(0, 4), "num_heads"),
    (lambda: L.MultiHeadAttention(2, 4, attention_axes="1"), "attention_axes"),
    (lambda: L.GroupQueryAttention(4, 3, 2), "divisible"),
    (lambda: L.Attention(score_mode="cosine"), "score_mode"),
])
def test_bad_arguments_are_refused_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_shapes_and_calls_are_refused_naming_the_layer():
    x = symk.Input((4, 8))
    with pytest.raises(ValueError, match="einsum_bad.*output_shape"):
        L.EinsumDense("abc,cd->abd", (3, 4), name="einsum_bad")(x)
    with pytest.raises(ValueError, match="shared dimension 'b'"):
        L.EinsumDense("abc,cd->abd", (5, 4))(x)
    with pytest.raises(ValueError, match="'z' of the output"):
        L.EinsumDense("abc,cd->abz", (None, 4))(x)
    with pytest.raises(ValueError, match="bias dimension 'q'"):
        L.EinsumDense("abc,cd->abd", (None, 4), bias_axes="q")(x)
    with pytest.raises(TypeError, match="needs a query and a value"):
        L.MultiHeadAttention(2, 4, name="mha_one")(x)
    with pytest.raises(ValueError, match="except the last one"):
        L.MultiHeadAttention(2, 4)(x, symk.Input((5, 8)), symk.Input((6, 8)))
    with pytest.raises(ValueError, match="attention_axes"):
        L.MultiHeadAttention(2, 4, attention_axes=3)(x, x)
    with pytest.raises(ValueError, match="must be called on a list"):
        L.Attention(name="lonely")(x)
    with pytest.raises(ValueError, match="query's last dimension"):
        L.AdditiveAttention()([x, symk.Input((5, 6))])
    with pytest.raises(ValueError, match="\\(batch, time, features\\)"):
        L.GroupQueryAttention(2, 2, 1)(symk.Input((2, 3, 4)), symk.Input((2, 3, 4)))
