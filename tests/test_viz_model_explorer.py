"""symk.viz.model_explorer: graph JSON checked with Model Explorer's own data classes, and its adapter loaded by
Model Explorer's extension manager; figures checked against hand-computed FLOPs and bytes."""
import json
import sys

import numpy as np
import pytest

import symk as keras
from symk import layers
from symk.viz.model_explorer import node_data, to_graph_json

try:
    import model_explorer
    from model_explorer import node_data_builder
except ImportError:  # the 'explorer' extra is not installed: only the dataclass checks skip
    model_explorer = None

needs_model_explorer = pytest.mark.skipif(model_explorer is None,
                                          reason="ai-edge-model-explorer is not installed (pip install 'symk[explorer]')")


def small_cnn():
    inputs = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, layers.Dense(2, name="head")(x), name="small_cnn")


def nested_model():
    inner_in = keras.Input((5,))
    inner = keras.Model(inner_in, layers.Dense(3, name="hidden")(inner_in), name="inner")
    outer_in = keras.Input((5,))
    return keras.Model(outer_in, layers.Dense(2, name="out")(inner(outer_in)), name="outer")


def nodes_by_attr(graph: dict, key: str, value: str) -> list:
    return [n for n in graph["nodes"] if any(a["key"] == key and a["value"] == value for a in n["attrs"])]


def attr(node: dict, key: str) -> str:
    return next(a["value"] for a in node["attrs"] if a["key"] == key)


def test_graph_json_namespaces_edges_and_weights():
    data = json.loads(json.dumps(to_graph_json(small_cnn())))  # plain JSON all the way down
    (graph,) = data["graphs"]
    assert graph["id"] == "small_cnn"
    namespaces = {n["namespace"] for n in graph["nodes"]}
    assert {"conv", "bn", "relu", "pool", "head"} <= namespaces
    (conv,) = [n for n in graph["nodes"] if n["label"] == "conv"]
    assert conv["namespace"] == "conv"
    assert attr(conv, "strides") == "(1, 1)" and attr(conv, "padding") == "same"
    assert [m["attrs"][0] for m in conv["outputsMetadata"]] == [{"key": "tensor_shape", "value": "(None, 8, 8, 4)"}]
    ids = {n["id"]: n for n in graph["nodes"]}
    sources = [ids[e["sourceNodeId"]] for e in conv["incomingEdges"]]
    assert [s["label"] for s in sources] == ["placeholder", "parameter"]
    assert [e["targetNodeInputId"] for e in conv["incomingEdges"]] == ["0", "1"]
    kernel = sources[1]
    assert kernel["namespace"] == "conv"  # a weight joins the layer that reads it
    assert attr(kernel, "weight_shape") == "(3, 3, 3, 4)" and attr(kernel, "params") == str(3 * 3 * 3 * 4)


def test_nested_models_nest_namespaces():
    (graph,) = to_graph_json(nested_model())["graphs"]
    (hidden_matmul,) = [n for n in graph["nodes"] if n["label"] == "matmul" and n["namespace"].endswith("hidden")]
    assert hidden_matmul["namespace"] == "inner/hidden"


def test_region_bodies_become_subgraphs():
    x = keras.Input((3,))
    y = keras.ops.cond(keras.ops.sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
    model = keras.Model(x, y, name="branchy")
    graphs = to_graph_json(model)["graphs"]
    (region,) = [n for n in graphs[0]["nodes"] if n["label"] == "cond"]
    assert sorted(region["subgraphIds"]) == sorted(f"branchy/{region['id']}.{f}" for f in ("true_body", "false_body"))
    bodies = {g["id"]: g for g in graphs[1:]}
    assert set(bodies) == set(region["subgraphIds"])
    true_ops = {n["label"] for n in bodies[f"branchy/{region['id']}.true_body"]["nodes"]}
    assert "multiply" in true_ops


def test_figures_match_hand_computed_flops_and_bytes():
    model = small_cnn()
    (graph,) = to_graph_json(model)["graphs"]
    flops = node_data(model, "flops")["small_cnn"]["results"]
    sizes = node_data(model, "bytes")["small_cnn"]["results"]
    (conv,) = [n for n in graph["nodes"] if n["label"] == "conv"]
    (matmul,) = [n for n in graph["nodes"] if n["label"] == "matmul"]
    assert flops[conv["id"]]["value"] == 2 * (8 * 8 * 4) * (3 * 3 * 3)   # per output element: 27 multiply-adds
    assert flops[matmul["id"]]["value"] == 2 * 4 * 2
    assert sizes[conv["id"]]["value"] == 8 * 8 * 4 * np.dtype("float32").itemsize
    assert attr(conv, "estimated_flops") == str(2 * 8 * 8 * 4 * 27)


def test_compare_marks_what_the_inference_pipeline_changed():
    model = small_cnn()
    graphs = to_graph_json(model, compare="inference")["graphs"]
    before, after = graphs
    assert (before["id"], after["id"]) == ("small_cnn", "small_cnn (after inference)")
    removed = nodes_by_attr(before, "change", "removed")
    assert removed and all(n["style"]["borderColor"] for n in removed)
    after_ids = {n["id"] for n in after["nodes"]}
    assert not {n["id"] for n in removed} & after_ids
    assert len(after["nodes"]) < len(before["nodes"])  # batch norm folded into the conv
    changed_after = {attr(n, "change") for n in after["nodes"] if any(a["key"] == "change" for a in n["attrs"])}
    assert changed_after and changed_after <= {"added", "fused", "rewritten", "folded"}
    codes = node_data(model, "change", compare="inference")["small_cnn"]["results"]
    assert {codes[n["id"]]["value"] for n in removed} == {1}


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="symk Model or a symk Graph"):
        to_graph_json(42)
    with pytest.raises(FileNotFoundError, match="no such model file"):
        to_graph_json("/nonexistent/model.h5")
    with pytest.raises(ValueError, match="compare='inference'"):
        node_data(small_cnn(), "change")


@needs_model_explorer
def test_output_loads_into_model_explorer_data_classes():
    from symk.viz.model_explorer import graphs_as_dataclasses

    for data in (to_graph_json(small_cnn()), to_graph_json(nested_model(), compare="inference")):
        graphs = graphs_as_dataclasses(data)  # dacite strict: an unknown or mistyped field raises
        assert all(isinstance(g, model_explorer.graph_builder.Graph) for g in graphs)
    import dacite

    written = node_data(small_cnn(), "flops")
    overlay = dacite.from_dict(node_data_builder.ModelNodeData, {"graphsData": written},
                               config=dacite.Config(strict=True))
    reread = json.loads(overlay.to_json_string())["small_cnn"]  # Model Explorer writes the same figures back
    assert reread["results"] == written["small_cnn"]["results"]
    assert reread["gradient"] == written["small_cnn"]["gradient"]


@needs_model_explorer
def test_model_explorer_loads_the_adapter_and_converts_an_h5_file(tmp_path):
    from model_explorer.extension_manager import ExtensionManager

    path = str(tmp_path / "cnn.h5")
    small_cnn().save(path)
    manager = ExtensionManager(["symk.viz.model_explorer"])
    manager.load_extensions()
    (adapter,) = [m for m in manager.get_extensions_metadata() if m["id"] == "symk_h5"]
    assert adapter["type"] == "adapter" and "h5" in adapter["fileExts"]
    result = manager.run_cmd({"cmdId": "convert", "extensionId": "symk_h5", "modelPath": path, "settings": {},
                              "deleteAfterConversion": False})
    (graph,) = result["graphs"]
    assert {"conv", "bn", "head"} <= {n["namespace"] for n in graph["nodes"]}


@needs_model_explorer
def test_explore_hands_graphs_and_overlays_to_model_explorer(monkeypatch):
    seen = {}
    monkeypatch.setattr(model_explorer, "visualize_from_config", lambda config, **kw: seen.update(config=config, **kw))
    keras.viz.explore(small_cnn(), compare="inference", open_browser=False)
    config = seen["config"]
    graphs = json.loads(config.graphs_list[0])["graphs"]
    assert [g["id"] for g in graphs] == ["small_cnn", "small_cnn (after inference)"]
    assert config.model_sources == [{"url": "graphs://small_cnn/0"}]
    assert len(config.node_data_list) == 3 and seen["no_open_in_browser"] is True


def test_explore_without_model_explorer_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "model_explorer", None)
    with pytest.raises(ImportError, match="pip install ai-edge-model-explorer"):
        keras.viz.explore(small_cnn())
