"""Keras 3 semantics of symk's layers, replayed from real Keras 3.15 (tools/keras_refs/make_layers_semantics.py
wrote tests/references/keras3/layers_semantics/): masks through merges, Bidirectional and Embedding, per-step
TimeDistributed(BatchNormalization), rms LayerNormalization, GroupNormalization(-1), resize methods,
activations, weight order and names, configs, a Keras-written model file; and the configs Keras refuses."""
import json
import pathlib
import warnings

import numpy as np
import pytest

import symk
from symk import activations, layers as L
from symk.graph import Graph, graph_scope
from layer_harness import check_layer, layer_example

EXAMPLES = [
    layer_example("time_distributed_batch_norm", lambda: L.TimeDistributed(L.BatchNormalization(momentum=0.5)),
                  (3, 4, 2)),
    layer_example("time_distributed_batch_norm_image", lambda: L.TimeDistributed(L.BatchNormalization(center=False)),
                  (2, 3, 2, 2, 3)),
    layer_example("group_norm_per_channel", lambda: L.GroupNormalization(groups=-1), (2, 4, 3)),
    layer_example("up_sampling2d_bicubic", lambda: L.UpSampling2D((2, 3), interpolation="bicubic"), (2, 3, 2, 2)),
    layer_example("up_sampling2d_lanczos5_first", lambda: L.UpSampling2D(2, data_format="channels_first",
                                                                         interpolation="lanczos5"), (2, 2, 3, 3)),
    layer_example("bidirectional_sequences_zero_masked", lambda: L.Bidirectional(L.GRU(2, return_sequences=True),
                                                                                 merge_mode="mul"), (2, 4, 3)),
    layer_example("dense_celu", lambda: L.Dense(3, activation="celu"), (2, 4)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_layer(example.factory, example.input_shape, example.input_dtype)


REFS = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_semantics"
CASES = json.loads((REFS / "cases.json").read_text())
CONFIGS = json.loads((REFS / "configs.json").read_text())["entries"]
ARRAYS = np.load(REFS / "cases.npz")
TOL = dict(rtol=1e-5, atol=1e-5)


def build_object(spec):
    """The generator's specs -> symk objects ({"__object__": {"module", "cls", "kwargs"}} anywhere inside)."""
    if isinstance(spec, dict) and "__object__" in spec:
        o = spec["__object__"]
        return getattr(getattr(symk, o["module"]), o["cls"])(**build_object(o["kwargs"]))
    if isinstance(spec, dict):
        return {k: build_object(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [build_object(v) for v in spec]
    return spec


def flat(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def resolve(ref, values):
    if isinstance(ref, list):
        return [resolve(r, values) for r in ref]
    name, _, index = ref.partition(":")
    return values[name][int(index or 0)]


def node_args(node, values):
    return resolve(node["inputs"][0] if len(node["inputs"]) == 1 else node["inputs"], values)


# -- the drawn cases -------------------------------------------------------------------------------
def build_case(case):
    """symk layers of a case, built through a functional model of the same graph, with Keras's weights."""
    symk.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rms_scaling's deprecation warning
        layers = {n["id"]: build_object({"__object__": {"module": "layers", **n["layer"]}}) for n in case["nodes"]}
    symbolic = {}
    for k, spec in enumerate(case["input_specs"]):
        shape = list(spec["shape"][1:])
        if case.get("dynamic_time"):
            shape[0] = None
        symbolic[f"x{k}"] = [symk.Input(batch_shape=(None,) + tuple(shape), dtype=spec["dtype"])]
    for n in case["nodes"]:
        symbolic[n["id"]] = flat(layers[n["id"]](node_args(n, symbolic), **n["call"]))
    inputs = [symbolic[f"x{k}"][0] for k in range(len(case["input_specs"]))]
    model = symk.Model(inputs, [t for o in case["outputs"] for t in symbolic[o]])
    initial = {}
    for nid, layer in layers.items():
        initial[nid] = [ARRAYS[f"{case['id']}/{nid}/w{j}"] for j in range(len(layer.get_weights()))]
        layer.set_weights(initial[nid])
    xs = [ARRAYS[f"{case['id']}/x{k}"] for k in range(len(case["input_specs"]))]
    return layers, model, initial, xs


def check_weights_after(case, layers, prefix):
    for nid, layer in layers.items():
        for j, got in enumerate(layer.get_weights()):
            np.testing.assert_allclose(got, ARRAYS[f"{case['id']}/{nid}/{prefix}{j}"], **TOL,
                                       err_msg=f"{nid} weight {j} after the run")


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["id"])
def test_case_eager_node_by_node(case):
    """Each layer called on arrays: outputs and the masks riding on them (`y._keras_mask`) as in Keras."""
    layers, _, _, xs = build_case(case)
    values = {f"x{k}": [x] for k, x in enumerate(xs)}
    for n in case["nodes"]:
        outs = flat(layers[n["id"]](node_args(n, values), training=case["training"], **n["call"]))
        values[n["id"]] = outs
        assert len(outs) == case["output_counts"][n["id"]], n["id"]
        for k, got in enumerate(outs):
            key = f"{case['id']}/{n['id']}"
            np.testing.assert_allclose(np.asarray(got), ARRAYS[f"{key}/y{k}"], **TOL, err_msg=f"{key} output {k}")
            mask = getattr(got, "_keras_mask", None)
            if f"{key}/m{k}" in ARRAYS:
                assert mask is not None, f"{key} output {k}: Keras attaches a mask, symk none"
                np.testing.assert_array_equal(np.asarray(mask), ARRAYS[f"{key}/m{k}"], err_msg=f"{key} mask {k}")
            else:
                assert mask is None, f"{key} output {k}: symk attaches a mask, Keras none"
    if case["training"]:
        check_weights_after(case, layers, "after_w")


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["id"])
def test_case_as_one_model(case):
    """The same graph as one compiled functional model (masks travel inside the graph)."""
    layers, model, _, xs = build_case(case)
    if case["training"]:
        ys = flat(model(xs if len(xs) > 1 else xs[0], training=True))
        check_weights_after(case, layers, "model_after_w")
    else:
        ys = flat(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))
    for k, got in enumerate(ys):
        np.testing.assert_allclose(np.asarray(got), ARRAYS[f"{case['id']}/model/y{k}"], **TOL, err_msg=f"output {k}")


@pytest.mark.parametrize("call", CASES["activation_calls"], ids=lambda c: c["key"])
def test_activation_functions(call):
    fn = activations.get(call["name"])
    assert activations.serialize(fn) == call["name"]
    got = fn(ARRAYS[f"{call['key']}/x"], **call["kwargs"])
    np.testing.assert_allclose(np.asarray(got), ARRAYS[f"{call['key']}/y"], rtol=1e-5, atol=1e-6)


def numpy_sparsemax(x, axis=-1):
    """Martins & Astudillo (2016): the Euclidean projection onto the simplex."""
    z = np.moveaxis(x, axis, -1)
    ordered = -np.sort(-z, axis=-1)
    ranks = np.arange(1, z.shape[-1] + 1)
    support = ordered - (np.cumsum(ordered, axis=-1) - 1) / ranks > 0
    size = support.sum(-1, keepdims=True)
    tau = ((ordered * support).sum(-1, keepdims=True) - 1) / size
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis)


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_against_numpy(axis):
    # NOTE: not against Keras 3.15, whose sparsemax is wrong (keras-team/keras#23425)
    x = (np.random.default_rng(3).normal(size=(4, 6)) * 2).astype("float32")
    got = np.asarray(activations.get("sparsemax")(x, axis=axis))
    np.testing.assert_allclose(got, numpy_sparsemax(x, axis), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.sum(axis), 1.0, rtol=1e-5)
    assert activations.serialize(activations.sparsemax) == "sparsemax"


# -- configs Keras writes -------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", CONFIGS, ids=lambda e: e["id"])
def test_from_config_of_a_keras_config(entry):
    """`Layer.from_config(keras_layer.get_config())` directly (DTypePolicy dicts, Keras 3 initializer keys such
    as GlorotUniform's input_axes, quantization_config: null): the weights come out named and ordered alike."""
    symk.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = getattr(L, entry["cls"]).from_config(json.loads(json.dumps(entry["config"])))
    shapes = entry["shape"] if isinstance(entry["shape"][0], list) else [entry["shape"]]
    inputs = [symk.Input(batch_shape=(None,) + tuple(s[1:]), dtype=entry["dtype"]) for s in shapes]
    layer(inputs if len(inputs) > 1 else inputs[0])
    assert [[w.name, list(w.shape)] for w in layer.weights] == entry["weights"]


def test_initializer_fans_follow_input_and_output_axes():
    config = next(e for e in CONFIGS if e["id"] == "dense_glorot_axes")["config"]["kernel_initializer"]
    init = symk.initializers.get(config)
    assert init.get_config() == {"seed": 3, "input_axes": [0], "output_axes": [1]}
    assert symk.initializers.compute_fans((3, 4, 5), input_axes=[0, 1], output_axes=[2]) == (12.0, 5.0)
    limit = np.sqrt(6.0 / (12 + 5))
    values = symk.initializers.GlorotUniform(seed=1, input_axes=[0, 1], output_axes=[2])((3, 4, 5))
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.8 * limit


# -- weight order and names ------------------------------------------------------------------------------
def order_model():
    x = symk.Input((5, 3), name="seq")
    y = L.Bidirectional(L.LSTM(2, return_sequences=True), name="bi")(x)
    y = L.TimeDistributed(L.BatchNormalization(), name="td")(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = L.LayerNormalization(rms_scaling=True, name="ln")(y)
    # NOTE: built in a graph of its own: a nested model holding state updates (BatchNormalization) and built
    # in the outer model's graph makes Model(...) report a disconnected graph (symk/models/extraction.py)
    with graph_scope(Graph()):
        inner = symk.Sequential([symk.Input((5, 4)), L.Dense(3, name="inner_dense"),
                                 L.BatchNormalization(name="inner_bn")], name="inner")
    y = inner(y)
    y = L.BatchNormalization(name="bn")(y)
    y = L.Dense(2, name="out")(y)
    return symk.Model(x, y, name="order"), inner


def describe(variables):
    return [[v.name, list(v.shape)] for v in variables]


def test_model_weights_in_keras3_order_with_short_names():
    want = json.loads((REFS / "weight_order.json").read_text())
    symk.backend.clear_session()
    model, inner = order_model()
    for kind, expected in want["trainable"].items():
        assert describe(getattr(model, kind)) == expected, kind
    for layer in model.layers:
        assert describe(layer.weights) == want["layers"][layer.name], layer.name
    assert [w.numpy().shape for w in model.weights] == [w.shape for w in model.get_weights()]
    inner.trainable = False
    for kind, expected in want["inner_frozen"].items():
        assert describe(getattr(model, kind)) == expected, kind
    for kind, expected in want["inner_frozen_inner"].items():
        assert describe(getattr(inner, kind)) == expected, kind


def test_variable_name_is_short_and_path_is_scoped():
    symk.backend.clear_session()
    dense = L.Dense(2)
    dense.build((None, 3))
    assert (dense.kernel.name, dense.kernel.path) == ("kernel", "dense/kernel")


# -- model files Keras wrote ------------------------------------------------------------------------------
def masked_model():
    """The masked model of make_layers_semantics.py (file_model), built in symk."""
    ids = symk.Input((6,), dtype="int32", name="ids")
    embedded = L.Embedding(8, 4, mask_zero=True, name="embed")(ids)
    a = L.LSTM(3, return_sequences=True, name="lstm_a")(embedded)
    b = L.GRU(3, return_sequences=True, name="gru_b")(L.Masking(name="mask_b")(embedded))
    merged = L.Maximum(name="maximum")([a, b])
    seq = L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode="concat", name="bi")(merged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seq = L.LayerNormalization(rms_scaling=True, name="ln_rms")(seq)
    seq = L.TimeDistributed(L.BatchNormalization(), name="td_bn")(seq)
    last = L.GRU(2, name="gru_last")(seq)
    image = symk.Input((3, 4, 2), name="image")
    up = L.UpSampling2D((2, 2), interpolation="bicubic", name="up")(image)
    up = L.GroupNormalization(groups=-1, name="gn")(up)
    up = L.Conv2D(2, 3, activation="celu", name="conv")(up)
    pooled = L.GlobalAveragePooling2D(name="pool")(up)
    joined = L.Concatenate(name="concat")([last, pooled])
    return symk.Model([ids, image], L.Dense(2, activation="sparse_plus", name="out")(joined), name="semantics")


def test_keras_weights_file_of_a_masked_model_predicts_alike():
    data = np.load(REFS / "model.npz")
    symk.backend.clear_session()
    model = masked_model()
    model.load_weights(str(REFS / "model.weights.h5"))
    np.testing.assert_allclose(model.predict([data["x0"], data["x1"]], verbose=0), data["y"], rtol=1e-4, atol=1e-5)


def test_keras_h5_of_a_masked_model_loads():
    """Keras 3 writes the masks' computations as op layers (NotEqual, Any, LogicalOr) called with `mask=`."""
    data = np.load(REFS / "model.npz")
    symk.backend.clear_session()
    model = symk.models.load_model(str(REFS / "model.h5"))
    np.testing.assert_allclose(model.predict([data["x0"], data["x1"]], verbose=0), data["y"], rtol=1e-4, atol=1e-5)


def test_keras_h5_of_a_plain_model_loads_and_predicts_alike():
    """Nested Sequential, Bidirectional, rms LayerNormalization, TimeDistributed(BatchNormalization),
    lanczos3 UpSampling2D, GroupNormalization(-1) and the new activations, from Keras's legacy .h5."""
    data = np.load(REFS / "plain.npz")
    symk.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = symk.models.load_model(str(REFS / "plain.h5"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-4, atol=1e-5)


# -- what Keras 3 refuses, refused with what to do ---------------------------------------------------------
@pytest.mark.parametrize("make,match", [
    (lambda: L.Bidirectional(L.LSTM(2, go_backwards=True)), "go_backwards=True.*backward_layer="),
    (lambda: L.DepthwiseConv1D(3, padding="causal"), "Conv1D only.*ZeroPadding1D"),
    (lambda: L.SeparableConv1D(2, 3, padding="causal"), "Conv1D only.*ZeroPadding1D"),
    (lambda: L.ReLU(threshold=-0.5), "threshold must be a non-negative"),
    (lambda: L.GroupNormalization(groups=-2), "positive integer, or -1"),
    (lambda: L.GroupNormalization(groups=0), "positive integer, or -1"),
    (lambda: L.UpSampling2D(interpolation="area"), "interpolation must be one of"),
    (lambda: L.Dense(2, quantization_config={"mode": "int8"}), "quantization_config.*does not implement"),
    (lambda: L.Embedding(5, 2, lora_rank=4), "lora_rank.*does not implement"),
])
def test_keras3_refusals(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_group_normalization_minus_one_is_one_group_per_channel():
    layer = L.GroupNormalization(groups=-1)
    layer(symk.Input((4, 5)))
    assert layer.get_config()["groups"] == 5
    with pytest.raises(ValueError, match="more than the 3 channels"):
        L.GroupNormalization(groups=4)(symk.Input((2, 3)))


def test_layer_normalization_rms_scaling_is_keyword_only_and_warns():
    with pytest.warns(UserWarning, match="deprecated"):
        layer = L.LayerNormalization(rms_scaling=True, scale=False, center=True)
    layer(symk.Input((3,)))
    assert [w.name for w in layer.weights] == ["gamma"]  # gamma always, never beta
    with pytest.raises(ValueError, match="initializer"):
        L.LayerNormalization(-1, 1e-3, True, True, True)  # the fifth argument is beta_initializer, as in Keras


# -- masks on eager outputs (the Keras guide "Understanding masking and padding") ---------------------------
def test_guide_masks_on_eager_outputs():
    padded = np.array([[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0]], "int32")
    embedding = L.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
    masked_output = embedding(padded)
    np.testing.assert_array_equal(np.asarray(masked_output._keras_mask), padded != 0)
    unmasked = np.tile(padded[..., None], (1, 1, 10)).astype("float32")
    masked_embedding = L.Masking()(unmasked)
    np.testing.assert_array_equal(np.asarray(masked_embedding._keras_mask), padded != 0)

    class TemporalSplit(L.Layer):
        def call(self, inputs):
            return symk.ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None if mask is None else symk.ops.split(mask, 2, axis=1)

    first_half, second_half = TemporalSplit()(masked_embedding)
    np.testing.assert_array_equal(np.asarray(first_half._keras_mask), padded[:, :3] != 0)
    np.testing.assert_array_equal(np.asarray(second_half._keras_mask), padded[:, 3:] != 0)


def test_eager_masks_reach_the_next_layer_and_mask_argument():
    ids = np.array([[3, 1, 0, 0], [2, 2, 2, 1]], "int32")
    embedded = L.Embedding(4, 3, mask_zero=True)(ids)
    lstm = L.LSTM(2)
    masked = np.asarray(lstm(embedded))
    trimmed = np.asarray(lstm(np.asarray(embedded)[:1, :2]))  # the padding skipped = the sequence cut short
    np.testing.assert_allclose(masked[:1], trimmed, rtol=1e-5, atol=1e-6)
    explicit = np.asarray(lstm(np.asarray(embedded), mask=ids != 0))
    np.testing.assert_allclose(explicit, masked, rtol=1e-6)
    dense_out = L.Dense(2)(embedded)
    np.testing.assert_array_equal(np.asarray(dense_out._keras_mask), ids != 0)
    numpy_input = np.asarray(embedded)          # numpy arrays carry masks in a side table, as in Keras
    symk.layers.eager.set_keras_mask(numpy_input, ids != 0)
    np.testing.assert_allclose(np.asarray(lstm(numpy_input)), masked, rtol=1e-6)


def test_compute_output_shape_of_a_model_starting_with_embedding():
    model = symk.Sequential([symk.Input((5,), dtype="int32"), L.Embedding(10, 3), L.LSTM(2)])
    assert tuple(model.compute_output_shape((None, 5))) == (None, 2)
    ids = symk.Input((5,), dtype="int32")
    functional = symk.Model(ids, L.Dense(2)(L.Embedding(10, 3)(ids)))
    assert tuple(functional.compute_output_shape((None, 5))) == (None, 5, 2)


def test_embedding_takes_pretrained_weights():
    matrix = np.arange(12, dtype="float32").reshape(4, 3)
    layer = L.Embedding(4, 3, weights=[matrix])
    np.testing.assert_array_equal(np.asarray(layer(np.array([[2, 0]]))), matrix[[[2, 0]]])


def test_keras_h5_with_a_nested_batch_norm_loads():
    data = np.load(REFS / "nested_bn.npz")
    symk.backend.clear_session()
    model = symk.models.load_model(str(REFS / "nested_bn.h5"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-4, atol=1e-5)


def test_keras3_alias_names():
    assert L.Convolution1DTranspose is L.Conv1DTranspose
