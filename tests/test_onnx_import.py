"""symk.onnx.load_model: ONNX graphs become symk Models; outputs checked against onnxruntime and numpy."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from symk.onnx import load_model  # noqa: E402
from symk.onnx.import_registry import OnnxImportError  # noqa: E402

RNG = np.random.default_rng(0)


def _model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _ort(model, feeds):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def _init(name, shape):
    return numpy_helper.from_array(RNG.normal(size=shape).astype(np.float32) * 0.3, name)


@pytest.fixture(scope="module")
def small_cnn():
    return small_cnn_proto()


def small_cnn_proto():
    """Conv (asymmetric pads) -> BatchNorm -> Relu -> MaxPool (ceil) -> Flatten -> Gemm -> Softmax, batch 'N'."""
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 0, 0, 1], strides=[1, 1], name="conv1"),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"], name="bn1"),
        helper.make_node("Relu", ["n"], ["r"], name="relu1"),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1, name="pool1"),
        helper.make_node("Flatten", ["p"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["g"], transB=1, name="fc"),
        helper.make_node("Softmax", ["g"], ["y"], name="softmax"),
    ]
    inits = [_init("w", (4, 3, 3, 3)), _init("b", (4,)), numpy_helper.from_array(np.full(4, 1.5, np.float32), "s"),
             _init("bb", (4,)), _init("m", (4,)), numpy_helper.from_array(np.full(4, 0.5, np.float32), "v"),
             _init("fw", (5, 4 * 3 * 3)), _init("fb", (5,))]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 6, 6])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 5])
    return _model(nodes, [x], [y], inits, opset=13)


def test_small_cnn_matches_onnxruntime_with_dynamic_batch(small_cnn):
    model = load_model(small_cnn)
    assert tuple(model.inputs[0].shape) == (None, 3, 6, 6)
    for batch in (1, 3):
        x = RNG.normal(size=(batch, 3, 6, 6)).astype(np.float32)
        np.testing.assert_allclose(model.predict(x, verbose=0), _ort(small_cnn, {"x": x})[0], rtol=1e-4, atol=1e-6)


def test_initializers_become_trainable_weights_and_fit_updates_them(small_cnn):
    model = load_model(small_cnn)
    assert len(model.trainable_weights) == 8
    assert {w.path.split("/")[0] for w in model.trainable_weights} == {"conv1", "bn1", "fc"}
    before = model.get_layer("fc").weights[0].numpy().copy()
    model.compile(optimizer="adam", loss="mse")
    x = RNG.normal(size=(8, 3, 6, 6)).astype(np.float32)
    y = np.eye(5, dtype=np.float32)[np.arange(8) % 5]
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not np.allclose(before, model.get_layer("fc").weights[0].numpy())


def test_summary_and_inference_pipeline(small_cnn, capsys):
    model = load_model(small_cnn)
    model.summary()
    assert "conv1 (OnnxNode)" in capsys.readouterr().out
    report = model.optimize(mode="inference")
    assert report is not None
    x = RNG.normal(size=(2, 3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), _ort(small_cnn, {"x": x})[0], rtol=1e-4, atol=1e-6)


def test_unsupported_operator_names_the_operator_the_node_and_the_list():
    node = helper.make_node("ImageDecoder", ["x"], ["y"], name="decode_jpeg")
    model = _model([node], [helper.make_tensor_value_info("x", TensorProto.UINT8, [16])],
                   [helper.make_tensor_value_info("y", TensorProto.UINT8, [None, None, 3])])
    with pytest.raises(OnnxImportError, match=r"'decode_jpeg'.*'ImageDecoder'.*import_unsupported"):
        load_model(model)


@pytest.mark.parametrize("opset", [11, 13, 18])
def test_reduce_axes_as_attribute_or_input_across_opsets(opset):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    if opset < 18:
        node, inits = helper.make_node("ReduceMax", ["x"], ["y"], axes=[0, 2], keepdims=0), []
    else:
        node = helper.make_node("ReduceMax", ["x", "axes"], ["y"], keepdims=0)
        inits = [numpy_helper.from_array(np.array([0, 2], np.int64), "axes")]
    data = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    out = load_model(_model([node], [x], [y], inits, opset)).predict_on_batch(data)
    np.testing.assert_allclose(out, data.max(axis=(0, 2)), rtol=1e-6)


@pytest.mark.parametrize("opset,expected_axes", [(11, (1, 2)), (13, (2,))])
def test_softmax_flattens_before_opset_13(opset, expected_axes):
    node = helper.make_node("Softmax", ["x"], ["y"], axis=1)
    model = _model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], opset=opset)
    data = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    axis = (1, 2) if opset < 13 else 1
    e = np.exp(data - data.max(axis=axis, keepdims=True))
    np.testing.assert_allclose(load_model(model).predict_on_batch(data), e / e.sum(axis=axis, keepdims=True), rtol=1e-5)


def _body(nodes, inputs, outputs):
    return helper.make_graph(nodes, "body", inputs, outputs)


def test_if_with_a_runtime_condition_becomes_a_cond_region():
    then_g = _body([helper.make_node("Mul", ["x", "x"], ["t"])], [], [helper.make_tensor_value_info("t", 1, [3])])
    else_g = _body([helper.make_node("Neg", ["x"], ["e"])], [], [helper.make_tensor_value_info("e", 1, [3])])
    node = helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)
    model = load_model(_model([node], [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                                        helper.make_tensor_value_info("x", 1, [3])],
                              [helper.make_tensor_value_info("y", 1, [3])]))
    assert "cond" in {model.graph.op(n) for n in model.graph.nx.nodes}
    x = np.array([1.0, -2.0, 3.0], np.float32)
    program = model._program(False)
    for cond, expected in ((True, x * x), (False, -x)):
        out, _ = program.run(model._weight_values(program), {}, [np.array(cond), x])
        np.testing.assert_allclose(out[0], expected)


def test_scan_running_sum_matches_numpy():
    body = _body([helper.make_node("Add", ["s", "xi"], ["s2"]), helper.make_node("Identity", ["s2"], ["yi"])],
                 [helper.make_tensor_value_info("s", 1, [2]), helper.make_tensor_value_info("xi", 1, [2])],
                 [helper.make_tensor_value_info("s2", 1, [2]), helper.make_tensor_value_info("yi", 1, [2])])
    node = helper.make_node("Scan", ["init", "xs"], ["final", "ys"], body=body, num_scan_inputs=1)
    model = _model([node], [helper.make_tensor_value_info("init", 1, [2]), helper.make_tensor_value_info("xs", 1, [4, 2])],
                   [helper.make_tensor_value_info("final", 1, [2]), helper.make_tensor_value_info("ys", 1, [4, 2])])
    xs = RNG.normal(size=(4, 2)).astype(np.float32)
    import symk.onnx.backend as backend

    final, ys = backend.run_model(model, [np.zeros(2, np.float32), xs])
    np.testing.assert_allclose(ys, np.cumsum(xs, axis=0), rtol=1e-5)
    np.testing.assert_allclose(final, xs.sum(axis=0), rtol=1e-5)


def test_backend_run_node_and_declared_int64_outputs():
    import symk.onnx.backend as backend

    node = helper.make_node("ArgMax", ["x"], ["y"], axis=1, keepdims=0)
    data = RNG.normal(size=(3, 5)).astype(np.float32)
    (out,) = backend.run_node(node, [data])
    np.testing.assert_array_equal(out, data.argmax(axis=1))
    model = _model([node], [helper.make_tensor_value_info("x", 1, [3, 5])],
                   [helper.make_tensor_value_info("y", TensorProto.INT64, [3])])
    (out,) = backend.run_model(model, [data])
    assert out.dtype == np.int64 and backend.supports_device("CPU")
