"""An imported ONNX model as a file: it lists its nodes as layers and its weights, trains, saves as .h5 and
.keras (the ONNX graph as its config, the weights as weights) and loads back; `symk convert` turns .onnx
into .h5 and back. ONNX Runtime judges the numbers."""
import base64
import json

import h5py
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import onnx.helper as oh  # noqa: E402
import onnx.numpy_helper  # noqa: E402

import symk  # noqa: E402
import symk.onnx  # noqa: E402
from symk import cli  # noqa: E402

RNG = np.random.default_rng(11)


def small_conv_net() -> "onnx.ModelProto":
    """Conv (8 filters) -> Relu -> GlobalAveragePool -> Flatten -> Gemm (3 classes), dynamic batch; the same
    weights on every call."""
    rng = np.random.default_rng(3)
    w = rng.normal(0, 0.3, (8, 2, 3, 3)).astype("float32")
    b = rng.normal(0, 0.1, (8,)).astype("float32")
    fc = rng.normal(0, 0.3, (3, 8)).astype("float32")
    fc_b = rng.normal(0, 0.1, (3,)).astype("float32")
    nodes = [oh.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             oh.make_node("Relu", ["c"], ["r"], name="relu"),
             oh.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
             oh.make_node("Flatten", ["p"], ["f"], name="flatten"),
             oh.make_node("Gemm", ["f", "fc", "fc_b"], ["y"], name="fc", transB=1)]
    graph = oh.make_graph(nodes, "small_conv_net",
                          [oh.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 2, 6, 6])],
                          [oh.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 3])],
                          [onnx.numpy_helper.from_array(a, n) for a, n in ((w, "w"), (b, "b"), (fc, "fc"),
                                                                           (fc_b, "fc_b"))])
    return oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)])


def onnx_runtime(proto, x):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


X = RNG.normal(size=(4, 2, 6, 6)).astype("float32")


def test_an_imported_model_lists_its_nodes_as_layers_and_their_initializers_as_weights():
    model = symk.onnx.load_model(small_conv_net())
    assert [layer.name for layer in model.layers[1:]] == ["conv", "relu", "pool", "flatten", "fc"]
    assert [w.name for w in model.weights] == ["w", "b", "fc", "fc_b"]
    assert [w.path.split("/")[0] for w in model.weights] == ["conv", "conv", "fc", "fc"]
    np.testing.assert_allclose(model.predict(X, verbose=0), onnx_runtime(small_conv_net(), X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_a_trained_import_saves_and_loads_with_its_trained_weights(tmp_path, suffix):
    proto = small_conv_net()
    model = symk.onnx.load_model(proto)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, RNG.normal(size=(4, 3)).astype("float32"), epochs=2, verbose=0)
    trained = {w.name: w.numpy() for w in model.weights}
    original = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    assert not np.allclose(trained["fc"], original["fc"]), "training changed nothing: the test would prove nothing"
    path = str(tmp_path / f"net{suffix}")
    model.save(path)
    loaded = symk.models.load_model(path)
    assert type(loaded).__name__ == "ImportedOnnxModel"
    assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    for w in loaded.weights:
        np.testing.assert_array_equal(w.numpy(), trained[w.name])
    # the trained net by hand: ONNX Runtime on the original graph with the trained initializers put in
    retrained = onnx.ModelProto()
    retrained.CopyFrom(proto)
    for i, t in enumerate(retrained.graph.initializer):
        retrained.graph.initializer[i].CopyFrom(onnx.numpy_helper.from_array(trained[t.name], t.name))
    np.testing.assert_allclose(loaded.predict(X, verbose=0), onnx_runtime(retrained, X), rtol=1e-4, atol=1e-5)


def test_the_h5_config_holds_the_graph_without_the_weight_data(tmp_path):
    model = symk.onnx.load_model(small_conv_net())
    model.save(str(tmp_path / "net.h5"))
    with h5py.File(tmp_path / "net.h5", "r") as f:
        config = f.attrs["model_config"]
        config = config.decode() if isinstance(config, bytes) else config
        assert "ImportedOnnxModel" in config
        assert {"conv", "fc"} <= set(f["model_weights"].keys())
    graph = onnx.load_from_string(base64.b64decode(json.loads(config)["config"]["onnx_graph_base64"])).graph
    kept = {t.name: (list(t.dims), len(t.raw_data) + len(t.float_data)) for t in graph.initializer}
    assert kept == {"w": ([8, 2, 3, 3], 0), "b": ([8], 0), "fc": ([3, 8], 0), "fc_b": ([3], 0)}


def test_convert_onnx_to_h5_and_back_to_onnx(tmp_path, capsys):
    source = tmp_path / "net.onnx"
    onnx.save(small_conv_net(), str(source))
    assert cli.main(["convert", str(source), str(tmp_path / "net.h5")]) == 0
    assert cli.main(["convert", str(tmp_path / "net.h5"), str(tmp_path / "back.onnx")]) == 0
    assert "wrote" in capsys.readouterr().out
    back = onnx.load(str(tmp_path / "back.onnx"))
    onnx.checker.check_model(back, full_check=True)
    np.testing.assert_allclose(onnx_runtime(back, X), onnx_runtime(small_conv_net(), X), rtol=1e-4, atol=1e-5)


def test_convert_errors_name_the_problem(tmp_path, capsys):
    assert cli.main(["convert", str(tmp_path / "missing.onnx"), str(tmp_path / "m.h5")]) == 1
    assert "no such file" in capsys.readouterr().err
    source = tmp_path / "net.onnx"
    onnx.save(small_conv_net(), str(source))
    assert cli.main(["convert", str(source), str(tmp_path / "m.h5"), "--model", "other.h5"]) == 1
    assert "holds its own" in capsys.readouterr().err
    unknown = oh.make_model(oh.make_graph([oh.make_node("ImageDecoder", ["x"], ["y"], name="decode")], "g",
                                          [oh.make_tensor_value_info("x", onnx.TensorProto.UINT8, [10])],
                                          [oh.make_tensor_value_info("y", onnx.TensorProto.UINT8, None)]),
                            opset_imports=[oh.make_opsetid("", 20)])
    onnx.save(unknown, str(tmp_path / "dec.onnx"))
    assert cli.main(["convert", str(tmp_path / "dec.onnx"), str(tmp_path / "d.h5")]) == 1
    err = capsys.readouterr().err
    assert "ImageDecoder" in err and "decode" in err
