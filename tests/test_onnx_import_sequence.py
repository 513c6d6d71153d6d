"""ONNX import of the recurrent, attention, control-flow and signal operators (symk/onnx/import_ops_recurrent.py,
import_ops_attention.py, import_ops_transformer.py, import_ops_control.py, import_ops_signal.py): small models built
with onnx.helper, run through symk and compared with ONNX Runtime, ONNX's reference evaluator or numpy."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import symk.onnx
import symk.onnx.backend as backend
from symk.onnx.import_registry import OnnxImportError

RNG = np.random.default_rng(0)
F = TensorProto.FLOAT


def make_model(nodes, inputs, outputs, initializers=(), opset=22):
    """inputs / outputs: (name, elem_type, shape) triples; initializers: (name, array) pairs."""
    graph = helper.make_graph(nodes, "sequence_test", [helper.make_tensor_value_info(*i) for i in inputs],
                              [helper.make_tensor_value_info(*o) for o in outputs],
                              [numpy_helper.from_array(a, name) for name, a in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def run_symk(model, feeds):
    return backend.prepare(model).run([feeds[i.name] for i in model.graph.input])


def run_ort(model, feeds):
    import onnxruntime

    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def assert_all_close(got, expected, rtol=1e-4, atol=1e-5):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.shape == e.shape, (g.shape, e.shape)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)


def normal(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def test_bidirectional_lstm_with_sequence_lens_peepholes_and_initial_states_matches_onnxruntime():
    seq, batch, inp, hidden = 5, 3, 4, 3
    inits = [("W", normal(2, 4 * hidden, inp)), ("R", normal(2, 4 * hidden, hidden)), ("B", normal(2, 8 * hidden)),
             ("P", normal(2, 3 * hidden))]
    node = helper.make_node("LSTM", ["x", "W", "R", "B", "lens", "h0", "c0", "P"], ["y", "y_h", "y_c"],
                            hidden_size=hidden, direction="bidirectional")
    model = make_model([node], [("x", F, (seq, batch, inp)), ("lens", TensorProto.INT32, (batch,)),
                                ("h0", F, (2, batch, hidden)), ("c0", F, (2, batch, hidden))],
                       [("y", F, None), ("y_h", F, None), ("y_c", F, None)], inits, opset=14)
    feeds = {"x": normal(seq, batch, inp, scale=1.0), "lens": np.array([5, 2, 4], np.int32),
             "h0": normal(2, batch, hidden), "c0": normal(2, batch, hidden)}
    assert_all_close(run_symk(model, feeds), run_ort(model, feeds))


def test_reverse_gru_with_linear_before_reset_and_sequence_lens_matches_onnxruntime():
    seq, batch, inp, hidden = 4, 2, 3, 5
    inits = [("W", normal(1, 3 * hidden, inp)), ("R", normal(1, 3 * hidden, hidden)), ("B", normal(1, 6 * hidden))]
    node = helper.make_node("GRU", ["x", "W", "R", "B", "lens"], ["y", "y_h"], hidden_size=hidden,
                            direction="reverse", linear_before_reset=1)
    model = make_model([node], [("x", F, (seq, batch, inp)), ("lens", TensorProto.INT32, (batch,))],
                       [("y", F, None), ("y_h", F, None)], inits, opset=14)
    feeds = {"x": normal(seq, batch, inp, scale=1.0), "lens": np.array([3, 4], np.int32)}
    assert_all_close(run_symk(model, feeds), run_ort(model, feeds))


def test_rnn_with_relu_activation_and_clip_keeps_an_unknown_batch_and_matches_onnxruntime():
    seq, inp, hidden = 3, 2, 4
    inits = [("W", normal(1, hidden, inp)), ("R", normal(1, hidden, hidden))]
    node = helper.make_node("RNN", ["x", "W", "R"], ["y", "y_h"], hidden_size=hidden, activations=["Relu"],
                            clip=0.7)
    model = make_model([node], [("x", F, (seq, "batch", inp))], [("y", F, None), ("y_h", F, None)], inits, opset=14)
    imported = symk.onnx.load_model(model)
    x = normal(seq, 2, inp, scale=2.0)
    expected = run_ort(model, {"x": x})
    assert_all_close([np.asarray(o) for o in imported.predict(x, verbose=0)], expected)


def test_attention_with_an_external_cache_and_a_sliding_window_matches_the_reference():
    batch, heads, q_len, kv_len, size = 2, 2, 3, 6, 4
    node = helper.make_node("Attention", ["q", "k", "v", "", "", "", "nonpad"], ["y"], is_causal=1,
                            left_window_size=2)
    model = make_model([node], [("q", F, (batch, heads, q_len, size)), ("k", F, (batch, heads, kv_len, size)),
                                ("v", F, (batch, heads, kv_len, size)), ("nonpad", TensorProto.INT64, (batch,))],
                       [("y", F, None)], opset=24)
    feeds = {"q": normal(batch, heads, q_len, size), "k": normal(batch, heads, kv_len, size),
             "v": normal(batch, heads, kv_len, size), "nonpad": np.array([4, 6], np.int64)}
    assert_all_close(run_symk(model, feeds), ReferenceEvaluator(model).run(None, feeds))


def test_gated_delta_linear_attention_with_grouped_heads_matches_the_reference():
    b, t, hq, hkv, dk, dv = 1, 4, 4, 2, 3, 2
    node = helper.make_node("LinearAttention", ["q", "k", "v", "state", "decay", "beta"], ["y", "present"],
                            q_num_heads=hq, kv_num_heads=hkv, update_rule="gated_delta")
    model = make_model([node], [("q", F, (b, t, hq * dk)), ("k", F, (b, t, hkv * dk)), ("v", F, (b, t, hkv * dv)),
                                ("state", F, (b, hkv, dk, dv)), ("decay", F, (b, t, hkv)), ("beta", F, (b, t, hkv))],
                       [("y", F, None), ("present", F, None)], opset=26)
    feeds = {"q": normal(b, t, hq * dk), "k": normal(b, t, hkv * dk), "v": normal(b, t, hkv * dv),
             "state": normal(b, hkv, dk, dv), "decay": -np.abs(normal(b, t, hkv)),
             "beta": np.full((b, t, hkv), 0.5, np.float32)}
    assert_all_close(run_symk(model, feeds), ReferenceEvaluator(model).run(None, feeds))


def test_forward_dft_of_a_real_signal_matches_numpy_and_keeps_exact_zeros():
    x = RNG.standard_normal((2, 6, 3, 1)).astype(np.float32)
    node = helper.make_node("DFT", ["x", "n", "axis"], ["y"], onesided=1)
    model = make_model([node], [("x", F, x.shape)], [("y", F, None)],
                       [("n", np.array(8, np.int64)), ("axis", np.array(1, np.int64))], opset=20)
    (got,) = run_symk(model, {"x": x})
    spectrum = np.fft.rfft(x[..., 0].astype(np.float64), n=8, axis=1)
    np.testing.assert_allclose(got, np.stack([spectrum.real, spectrum.imag], -1), rtol=1e-4, atol=1e-5)
    assert np.all(got[:, 0, :, 1] == 0)          # the DC bin of a real signal has no imaginary part


@pytest.mark.parametrize("trip", [4, 70])   # unrolled, and (past symk's unroll limit) a scan
def test_loop_with_scan_outputs_and_a_fixed_trip_count_matches_the_reference(trip):
    one = helper.make_tensor("one", F, (1,), [1.5])
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Constant", [], ["step"], value=one),
         helper.make_node("Add", ["y_in", "step"], ["y_out"]),
         helper.make_node("Mul", ["y_out", "y_out"], ["scan_out"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, ()),
                 helper.make_tensor_value_info("cond_in", TensorProto.BOOL, ()),
                 helper.make_tensor_value_info("y_in", F, (1,))],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, ()),
         helper.make_tensor_value_info("y_out", F, (1,)), helper.make_tensor_value_info("scan_out", F, (1,))])
    node = helper.make_node("Loop", ["trip", "go", "y"], ["y_final", "squares"], body=body)
    model = make_model([node], [("y", F, (1,))], [("y_final", F, None), ("squares", F, None)],
                       [("trip", np.array(trip, np.int64)), ("go", np.array(True))], opset=16)
    feeds = {"y": np.array([0.5], np.float32)}
    assert_all_close(run_symk(model, feeds), ReferenceEvaluator(model).run(None, feeds))


def test_loop_with_scan_outputs_whose_body_computes_its_condition_is_refused_by_name():
    body = helper.make_graph(
        [helper.make_node("Less", ["y_in", "limit"], ["cond_out"]),
         helper.make_node("Identity", ["y_in"], ["y_out"]), helper.make_node("Identity", ["y_in"], ["scan_out"])],
        "body", [helper.make_tensor_value_info("i", TensorProto.INT64, ()),
                 helper.make_tensor_value_info("cond_in", TensorProto.BOOL, ()),
                 helper.make_tensor_value_info("y_in", F, ())],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, ()),
         helper.make_tensor_value_info("y_out", F, ()), helper.make_tensor_value_info("scan_out", F, ())])
    node = helper.make_node("Loop", ["trip", "", "y"], ["y_final", "ys"], body=body, name="stop_early")
    model = make_model([node], [("y", F, ())], [("y_final", F, None), ("ys", F, None)],
                       [("trip", np.array(3, np.int64)), ("limit", np.array(1.0, np.float32))], opset=16)
    with pytest.raises(OnnxImportError, match=r"'stop_early' \(Loop.*computes its condition"):
        symk.onnx.load_model(model)


def test_linear_attention_with_an_unknown_update_rule_is_refused_by_name():
    node = helper.make_node("LinearAttention", ["q", "k", "v"], ["y"], q_num_heads=1, kv_num_heads=1,
                            update_rule="softmax", name="la")
    model = make_model([node], [(n, F, (1, 2, 3)) for n in "qkv"], [("y", F, None)], opset=26)
    with pytest.raises(OnnxImportError, match=r"'la' \(LinearAttention.*update_rule 'softmax'"):
        symk.onnx.load_model(model)
