"""ONNX export: every catalog model (tools/symk_write_checkfiles.py) exports, passes onnx.checker's full
check, keeps a dynamic batch axis and layer names, and ONNX Runtime's CPU predictions equal symk's."""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import symk  # noqa: E402
import symk.onnx  # noqa: E402
from symk import layers as L  # noqa: E402
from symk.onnx.registry import ONNX_EMITTERS, OnnxExportError, load_families  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("symk_checkfiles", os.path.join(ROOT, "tools", "symk_write_checkfiles.py"))
CATALOG = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CATALOG)


def _case(name):
    model, specs = CATALOG.PREDICTION_CASES[name]()
    rng = CATALOG._rng(name)
    CATALOG._randomize(model, rng)
    return model, CATALOG._inputs(specs, rng, n=5)


def _run_ort(path_or_proto, xs) -> list:
    data = path_or_proto if isinstance(path_or_proto, str) else path_or_proto.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    return session.run(None, {i.name: x for i, x in zip(session.get_inputs(), xs)})


def _predict(model, xs) -> list:
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return out if isinstance(out, list) else [out]


# the catalog models whose every op has an ONNX form; the others (none now) must fail with an error naming
# each op and layer (test_models_beyond_the_emitters_...)
NOT_YET: dict = {}
EXPORTED = sorted(set(CATALOG.PREDICTION_CASES) - set(NOT_YET))


@pytest.mark.parametrize("name", EXPORTED)
def test_catalog_model_agrees_with_onnxruntime(name, tmp_path):
    model, xs = _case(name)
    path = str(tmp_path / f"{name}.onnx")
    model.export(path, format="onnx")
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    for value in proto.graph.input:   # the batch axis stays dynamic
        assert value.type.tensor_type.shape.dim[0].dim_param == "batch"
    want = _predict(model, xs)
    for batch in (len(xs[0]), 2):
        got = _run_ort(path, [x[:batch] for x in xs])
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w[:batch], rtol=1e-4, atol=1e-5)


def test_weights_are_initializers_and_layer_names_are_kept():
    model, _ = _case("multi_io_shared")
    proto = symk.onnx.export_model(model)
    initializers = {i.name for i in proto.graph.initializer}
    # the inference pipeline folds hidden -> main_output (two Dense layers, no activation between) into one
    # matmul whose folded weights are initializers too; the other weights keep their variable paths
    assert {"shared_dense/kernel", "shared_dense/bias", "aux_output/kernel", "aux_output/bias"} <= initializers
    node_names = " ".join(n.name for n in proto.graph.node)
    for layer in ("shared_dense", "aux_output"):
        assert layer + "/" in node_names
    assert [o.name for o in proto.graph.output] == model.output_names


def test_every_catalog_op_has_an_emitter():
    # what an export emits: the nodes the outputs need at inference, region bodies included (state updates
    # such as the augmentation layers' seed_advance -> assign are not run at inference, so not exported)
    for name in CATALOG.PREDICTION_CASES:
        model, _ = _case(name)
        ops = sorted({op for op, _ in symk.onnx.unsupported_ops(model)})
        assert ops == NOT_YET.get(name, []), name


def test_state_updates_are_left_out():
    model, _ = _case("image_preprocessing")
    graph = model._execution_graph(False)
    assert "seed_advance" in {graph.op(n) for n in graph.nx.nodes}   # kept by the pipeline for its assign
    proto = symk.onnx.export_model(model)
    assert not [n for n in proto.graph.node if "random_flip" in n.name or "random_rotation" in n.name]


@pytest.mark.parametrize("name", sorted(NOT_YET))
def test_models_beyond_the_emitters_fail_naming_each_op(name, tmp_path):
    from symk.onnx.registry import OnnxExportError

    model, _ = _case(name)
    with pytest.raises(OnnxExportError, match="no ONNX form yet for op") as err:
        model.export(str(tmp_path / "m.onnx"), format="onnx")
    assert all(f"op '{op}'" in str(err.value) for op in NOT_YET[name])


def test_unsupported_op_names_the_op_and_the_layer():
    load_families()
    inputs = L.Input(shape=(4,))
    outputs = L.Lambda(lambda t: symk.ops.cumsum(t, axis=1), name="running_total")(inputs)
    model = symk.Model(inputs, outputs)
    assert "cumsum" not in ONNX_EMITTERS
    with pytest.raises(OnnxExportError, match=r"op 'cumsum' in 'running_total/"):
        model.export("unused.onnx", format="onnx")


def test_unbuilt_model_is_a_clear_error():
    model = symk.Sequential([L.Dense(2)])
    with pytest.raises(ValueError, match="is not built"):
        symk.onnx.export_model(model)
