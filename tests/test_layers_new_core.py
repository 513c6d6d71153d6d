"""RMSNormalization, Normalization, ReversibleEmbedding, Identity and the adaptive pooling layers: the layer
harness, numbers, weights and configs against real Keras 3 (tests/references/keras3/layers_core_new/,
written by tools/keras_refs/make_layers_core_new.py), Normalization.adapt on arrays and batches, and errors."""
import json
import pathlib

import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L

REFS = pathlib.Path(__file__).parent / "references" / "keras3" / "layers_core_new"
CASES = json.loads((REFS / "cases.json").read_text())["cases"]
ARRAYS = np.load(REFS / "cases.npz")
RNG = np.random.default_rng(5)

EXAMPLES = [
    layer_example("rms_norm", lambda: L.RMSNormalization(), (2, 3, 4)),
    layer_example("rms_norm_two_axes", lambda: L.RMSNormalization(axis=[1, 2], epsilon=1e-3), (2, 3, 4)),
    layer_example("normalization_unadapted", lambda: L.Normalization(), (2, 3, 4)),
    layer_example("normalization_given", lambda: L.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0]),
                  (2, 3)),
    layer_example("normalization_invert_axis_none", lambda: L.Normalization(axis=None, invert=True), (2, 3)),
    layer_example("reversible_embedding", lambda: L.ReversibleEmbedding(7, 3, mask_zero=True), (2, 4), "int32"),
    layer_example("reversible_embedding_untied",
                  lambda: L.ReversibleEmbedding(7, 3, tie_weights=False, logit_soft_cap=2.0), (2, 4), "int32"),
    layer_example("identity", lambda: L.Identity(), (2, 3, 4)),
    layer_example("adaptive_avg1d", lambda: L.AdaptiveAveragePooling1D(3), (2, 7, 2)),
    layer_example("adaptive_avg2d", lambda: L.AdaptiveAveragePooling2D((2, 3)), (2, 5, 7, 2)),
    layer_example("adaptive_avg3d_first", lambda: L.AdaptiveAveragePooling3D(2, data_format="channels_first"),
                  (1, 2, 5, 4, 3)),
    layer_example("adaptive_max1d", lambda: L.AdaptiveMaxPooling1D(4), (2, 7, 2)),
    layer_example("adaptive_max2d_first", lambda: L.AdaptiveMaxPooling2D(3, data_format="channels_first"),
                  (2, 2, 7, 5)),
    layer_example("adaptive_max3d", lambda: L.AdaptiveMaxPooling3D((2, 1, 2)), (1, 5, 4, 3, 2)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


# -- against real Keras ----------------------------------------------------------------------------
def _resolve(spec, arrays):
    if isinstance(spec, dict) and "tensor" in spec:
        return arrays[spec["tensor"]]
    if isinstance(spec, list):
        return [_resolve(s, arrays) for s in spec]
    if isinstance(spec, dict):
        return {k: _resolve(v, arrays) for k, v in spec.items()}
    return spec


def run_reference_case(case_id: str):
    """Rebuild a Keras reference case in symk (Keras's weights, or adapt() on the same data), run its calls;
    returns (layer, [[outputs of call 0], ...], Keras's weights)."""
    case = CASES[case_id]
    arrays = {name: ARRAYS[f"{case_id}/{name}"] for name in case["inputs"]}
    weights = [ARRAYS[f"{case_id}/w{i}"] for i in range(sum(k.startswith(f"{case_id}/w") for k in ARRAYS.files))]
    layer = getattr(L, case["cls"])(**case["kwargs"])
    if case["adapt"] is not None:
        adapt = case["adapt"]
        layer.adapt(arrays[adapt] if isinstance(adapt, str) else (arrays[k] for k in adapt))
    else:
        first = case["calls"][0]
        layer(*_resolve(first["args"], arrays), **_resolve(first["kwargs"], arrays))
        layer.set_weights(weights)
        if case["kwargs"].get("stateful"):
            layer.reset_states()
    results = []
    for spec in case["calls"]:
        out = layer(*_resolve(spec["args"], arrays), **_resolve(spec["kwargs"], arrays))
        results.append([np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])])
    return layer, results, weights


def check_reference_case(case_id: str, rtol=1e-5, atol=1e-6):
    """Outputs, weights (after adapt), weight paths and config keys equal Keras's."""
    case = CASES[case_id]
    layer, results, weights = run_reference_case(case_id)
    for n, outputs in enumerate(results):
        assert len(outputs) == case["outputs"][n], case_id
        for i, got in enumerate(outputs):
            want = ARRAYS[f"{case_id}/c{n}_y{i}"]
            assert got.shape == want.shape, (case_id, n, i)
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{case_id} call {n} output {i}")
    got_weights = layer.get_weights()
    assert [w.shape for w in got_weights] == [w.shape for w in weights]
    for got, want in zip(got_weights, weights):
        assert got.dtype == want.dtype, case_id
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"{case_id} weights")
    # the paths below the layer's name (Keras numbered its layers in the order it made them)
    assert [w.path.split("/", 1)[1] for w in layer.weights] == [p.split("/", 1)[1] for p in case["weight_paths"]]
    config = layer.get_config()
    assert list(config) == list(case["config"]), case_id
    for key, want in case["config"].items():
        if key not in ("name", "dtype") and not key.endswith("_initializer"):
            assert json.loads(json.dumps(config[key], default=str)) == want, (case_id, key)
    return layer


CORE_CASES = [cid for cid, c in CASES.items() if not c["cls"].startswith("ConvLSTM")]


@pytest.mark.parametrize("case_id", CORE_CASES)
def test_matches_keras(case_id):
    symk.backend.clear_session()
    check_reference_case(case_id)


# -- RMSNormalization ------------------------------------------------------------------------------
def test_rms_normalization_formula_and_errors():
    x = RNG.normal(size=(3, 4)).astype("float32")
    want = x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(np.asarray(L.RMSNormalization()(x)), want, rtol=1e-5)
    with pytest.raises(ValueError, match="out of bounds"):
        L.RMSNormalization(axis=3)(symk.Input((3, 4)))
    with pytest.raises(ValueError, match="trailing axes"):
        L.RMSNormalization(axis=1)(symk.Input((3, 4)))
    with pytest.raises(ValueError, match="axis must be"):
        L.RMSNormalization(axis="last")


# -- Normalization ---------------------------------------------------------------------------------
def test_normalization_adapt_on_generators_and_xy_batches_equals_adapt_on_the_array():
    data = RNG.normal(size=(30, 3)).astype("float32") * 3 + 1
    whole = L.Normalization()
    whole.adapt(data)

    def generator():
        for start in range(0, 30, 7):
            yield data[start:start + 7], np.zeros(len(data[start:start + 7]))   # (x, y) batches count their x

    batched = L.Normalization()
    batched.adapt(generator())
    for got, want in zip(batched.get_weights(), whole.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(whole.get_weights()[0], data.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(whole.get_weights()[1], data.var(axis=0), rtol=1e-5)


def test_normalization_invert_round_trips():
    data = RNG.normal(size=(20, 2, 3)).astype("float32") * 4 - 2
    norm, back = L.Normalization(axis=(1, 2)), L.Normalization(axis=(1, 2), invert=True)
    norm.adapt(data)
    back.adapt(data)
    normalized = np.asarray(norm(data))
    np.testing.assert_allclose(normalized.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(np.asarray(back(normalized)), data, rtol=1e-5, atol=1e-5)


def test_normalization_adapt_after_building_a_model_changes_its_predictions():
    norm = L.Normalization()
    model = symk.Sequential([symk.Input((2,)), norm])
    data = np.array([[1.0, 10.0], [3.0, 30.0]], "float32")
    np.testing.assert_allclose(model.predict(data, verbose=0), data)     # mean 0, variance 1 until adapted
    norm.adapt(data)
    np.testing.assert_allclose(model.predict(data, verbose=0), [[-1.0, -1.0], [1.0, 1.0]], rtol=1e-6)


def test_normalization_errors_name_the_problem():
    with pytest.raises(ValueError, match="both mean and variance"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        L.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="kept axes"):
        L.Normalization(axis=1)(symk.Input((None, 3)))
    norm = L.Normalization()
    norm.adapt(np.ones((4, 3), "float32"))
    with pytest.raises(ValueError, match="incompatible shape"):
        norm.adapt(np.ones((4, 5), "float32"))
    with pytest.raises(ValueError, match="built for inputs"):
        norm(symk.Input((5,)))
    with pytest.raises(ValueError, match="empty iterable"):
        L.Normalization().adapt([])
    with pytest.raises(TypeError, match="supports numpy arrays"):
        L.Normalization().adapt(3.0)
    with pytest.raises(ValueError, match="adapt\\(\\) would have nothing"):
        L.Normalization(mean=0.0, variance=1.0).adapt(np.ones((2, 2)))
    with pytest.raises(ValueError, match="does not broadcast"):
        L.Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(symk.Input((3,)))


# -- ReversibleEmbedding ---------------------------------------------------------------------------
def test_reversible_embedding_masks_only_the_forward_call():
    layer = L.ReversibleEmbedding(6, 3, mask_zero=True)
    ids = symk.Input((4,), dtype="int32")
    hidden = layer(ids)
    logits = layer(hidden, reverse=True)
    assert hidden._keras_mask is not None and logits._keras_mask is None
    assert tuple(logits.shape) == (None, 4, 6)
    assert layer.compute_output_shape((None, 4, 3), reverse=True) == (None, 4, 6)
    tokens = np.array([[0, 5, 2, 1]])
    table = layer.get_weights()[0]
    np.testing.assert_allclose(symk.Model(ids, logits).predict(tokens, verbose=0), table[tokens] @ table.T,
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="output_dim=3"):
        layer(symk.Input((4, 5)), reverse=True)
    with pytest.raises(ValueError, match="logit_soft_cap"):
        L.ReversibleEmbedding(6, 3, logit_soft_cap=-1.0)


# -- Identity and adaptive pooling -------------------------------------------------------------------
def test_identity_passes_structures_and_masks():
    a, b = symk.Input((3,)), symk.Input((2,))
    a._keras_mask = symk.Input((3,), dtype="bool")
    out = L.Identity()([a, b])
    assert [tuple(t.shape) for t in out] == [(None, 3), (None, 2)] and out[0]._keras_mask is a._keras_mask


def test_adaptive_pooling_arguments_are_checked():
    with pytest.raises(TypeError, match="output_size"):
        L.AdaptiveAveragePooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="positive"):
        L.AdaptiveMaxPooling1D(0)
    with pytest.raises(ValueError, match="data_format"):
        L.AdaptiveMaxPooling2D(2, data_format="nhwc")
    with pytest.raises(Exception, match="ndim=4"):
        L.AdaptiveAveragePooling2D(2)(symk.Input((5, 3)))
