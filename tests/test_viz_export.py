"""Layer and op views of models, and their exports (DOT, GraphML, JSON, SVG) parsed back by other readers."""
import json
import shutil
import xml.etree.ElementTree as ElementTree

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symk
from symk import layers
from symk.viz import GraphvizNotFoundError, export, layer_view, op_view, read_json, to_pydot

pydot = pytest.importorskip("pydot")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed")
_DOT_DEFAULTS = {"node", "edge", "graph"}


def branching_model():
    """input -> dense (relu) and dense_1 -> add -> dense_2: 5 layers, 5 connections."""
    inputs = symk.Input(shape=(4,), name="features")
    left = layers.Dense(3, activation="relu", name="left")(inputs)
    right = layers.Dense(3, name="right")(inputs)
    merged = layers.Add(name="merge")([left, right])
    outputs = layers.Dense(2, name="head")(merged)
    return symk.Model(inputs, outputs, name="branching")


def nested_model():
    inner_in = symk.Input(shape=(4,), name="inner_in")
    inner = symk.Model(inner_in, layers.Dense(3, activation="relu", name="inner_dense")(inner_in), name="inner")
    outer_in = symk.Input(shape=(4,), name="outer_in")
    return symk.Model(outer_in, layers.Dense(2, name="head")(inner(outer_in)), name="outer")


def dot_nodes(dot_text):
    """Every node statement of a DOT file (clusters included) as {name: attributes}, via pydot's parser."""
    graph = pydot.graph_from_dot_data(dot_text)[0]
    found, pending = {}, [graph]
    while pending:
        current = pending.pop()
        for node in current.get_nodes():
            if node.get_name() not in _DOT_DEFAULTS:  # the `node [...]` defaults statement
                found[node.get_name().strip('"')] = {k: v.strip('"') for k, v in node.get_attributes().items()}
        pending += current.get_subgraphs()
    return found, graph.get_edges()


# -- the layer view -----------------------------------------------------------------
def test_layer_view_has_one_node_per_layer_and_one_edge_per_connection():
    view = layer_view(branching_model())
    assert list(view.nodes) == ["features", "left", "right", "merge", "head"]
    assert sorted((u, v) for u, v in view.edges()) == sorted(
        [("features", "left"), ("features", "right"), ("left", "merge"), ("right", "merge"), ("merge", "head")])
    left = view.nodes["left"]
    assert (left["class_name"], left["output_shape"], left["input_shape"]) == ("Dense", "(None, 3)", "(None, 4)")
    assert left["params"] == 4 * 3 + 3 and view.nodes["head"]["params"] == 3 * 2 + 2
    assert left["activation"] == "relu" and left["dtype"] == "float32"
    assert view.nodes["features"]["class_name"] == "InputLayer" and view.nodes["features"]["params"] == 0
    assert {d["tensor_shape"] for _, _, d in view.edges(data=True)} == {"(None, 4)", "(None, 3)"}


def test_nested_model_is_one_node_or_a_cluster_of_its_layers():
    model = nested_model()
    collapsed = layer_view(model)
    assert list(collapsed.nodes) == ["outer_in", "inner", "head"]
    assert collapsed.nodes["inner"]["nested"] is True and collapsed.nodes["inner"]["params"] == 15
    expanded = layer_view(model, expand_nested=True)
    assert list(expanded.nodes) == ["outer_in", "inner/inner_dense", "head"]
    assert expanded.nodes["inner/inner_dense"]["cluster"] == "inner"
    assert expanded.nodes["inner/inner_dense"]["class_name"] == "Dense"
    dot = to_pydot(expanded).to_string()
    clusters = pydot.graph_from_dot_data(dot)[0].get_subgraphs()
    assert len(clusters) == 1 and clusters[0].get_label().strip('"') == "inner"
    assert [n.get_name().strip('"') for n in clusters[0].get_nodes()] == ["inner/inner_dense"]


def test_shared_layer_is_one_node_fed_twice_and_ops_outside_layers_are_nodes():
    a, b = symk.Input(shape=(3,), name="a"), symk.Input(shape=(3,), name="b")
    shared = layers.Dense(2, name="shared")
    total = shared(a) + shared(b)  # `+` on symbolic tensors: an op made outside any layer
    view = layer_view(symk.Model([a, b], total))
    assert [n for n in view.nodes if view.nodes[n]["kind"] == "layer"] == ["a", "b", "shared"]
    (op_node,) = [n for n in view.nodes if view.nodes[n]["kind"] == "op"]
    assert view.nodes[op_node]["class_name"] == "add"
    assert view.in_degree("shared") == 2 and view.number_of_edges("shared", op_node) == 2


def test_subclassed_model_shows_its_layers():
    class TwoLayers(symk.Model):
        def __init__(self):
            super().__init__(name="two")
            self.first, self.second = layers.Dense(3, name="first"), layers.Dense(1, name="second")

        def call(self, x):
            return self.second(self.first(x))

    model = TwoLayers()
    model.build((None, 5))
    view = layer_view(model)
    named = {view.nodes[n]["name"]: view.nodes[n] for n in view.nodes}
    assert {"first", "second"} <= set(named)
    assert named["first"]["params"] == 5 * 3 + 3 and named["second"]["output_shape"] == "(None, 1)"


@settings(max_examples=15)
@given(widths=st.lists(st.integers(1, 6), min_size=1, max_size=5), input_width=st.integers(1, 6))
def test_layer_view_of_any_mlp_counts_layers_and_weights(widths, input_width):
    symk.backend.clear_session()
    model = symk.Sequential([layers.Dense(widths[0], input_shape=(input_width,))]
                            + [layers.Dense(w) for w in widths[1:]])
    view = layer_view(model)
    assert view.number_of_nodes() == len(widths) + 1 and view.number_of_edges() == len(widths)
    fan_in = [input_width] + widths[:-1]
    dense_nodes = [view.nodes[n] for n in view.nodes if view.nodes[n]["class_name"] == "Dense"]
    assert [d["params"] for d in dense_nodes] == [i * o + o for i, o in zip(fan_in, widths)]
    assert [d["output_shape"] for d in dense_nodes] == [f"(None, {w})" for w in widths]


# -- the op view --------------------------------------------------------------------
def test_op_view_mirrors_the_op_graph():
    model = branching_model()
    view = op_view(model)
    # 1 placeholder; 3 Dense layers x (kernel, bias, matmul, bias_add); 1 relu; 1 add
    assert view.number_of_nodes() == 1 + 3 * 4 + 1 + 1 == model.graph.nx.number_of_nodes()
    assert view.number_of_edges() == model.graph.nx.number_of_edges()
    matmuls = [d for _, d in view.nodes(data=True) if d["op"] == "matmul" and d["scope"] == "left"]
    assert len(matmuls) == 1 and matmuls[0]["output_shape"] == "(None, 3)" and matmuls[0]["layer_name"] == "left"
    # variable paths stay unique for the whole process, so an earlier test's 'left' may own 'left/kernel'
    kernels = [d for _, d in view.nodes(data=True) if d["name"].startswith("left/kernel")]
    assert kernels[0]["op"] == "parameter" and kernels[0]["params"] == 12


# -- exports parse back ---------------------------------------------------------------
@pytest.mark.parametrize("level", ["layers", "ops"])
def test_dot_export_parses_back_with_pydot(tmp_path, level):
    model = branching_model()
    path = export(model, tmp_path / "model.dot", level=level)
    nodes, edges = dot_nodes(open(path).read())
    expected = layer_view(model) if level == "layers" else op_view(model)
    assert set(nodes) == set(expected.nodes) and len(edges) == expected.number_of_edges()
    if level == "layers":
        assert nodes["left"]["class_name"] == "Dense" and nodes["left"]["params"] == "15"
        assert nodes["left"]["output_shape"] == "(None, 3)"


@pytest.mark.parametrize("level", ["layers", "ops"])
def test_graphml_export_reads_back_with_networkx(tmp_path, level):
    model = nested_model()
    path = export(model, tmp_path / "model.graphml", level=level)
    back = nx.read_graphml(path)
    expected = layer_view(model) if level == "layers" else op_view(model)
    assert set(back.nodes) == set(expected.nodes) and back.number_of_edges() == expected.number_of_edges()
    if level == "layers":
        assert back.nodes["inner"]["params"] == 15 and back.nodes["inner"]["nested"] is True
        assert back.nodes["head"]["output_shape"] == "(None, 2)"
    assert back.graph["level"] == level


def test_json_export_reads_back_with_node_link_reader(tmp_path):
    model = branching_model()
    path = export(model, tmp_path / "model.json", level="layers")
    with open(path) as file:
        raw = json.load(file)
    back = nx.node_link_graph(raw, edges="edges")
    assert back.number_of_nodes() == 5 and back.number_of_edges() == 5
    assert back.nodes["merge"]["class_name"] == "Add" and back.nodes["merge"]["input_shape"] == "(None, 3)"
    assert read_json(path).number_of_nodes() == 5


def test_unknown_format_and_level_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="dot, graphml, json, svg, png, pdf"):
        export(branching_model(), tmp_path / "model.txt")
    with pytest.raises(ValueError, match="'layers' or 'ops'"):
        export(branching_model(), tmp_path / "model.dot", level="tensors")
    with pytest.raises(TypeError, match="symk Model or a symk Graph"):
        op_view(np.zeros(3))


def test_missing_graphviz_names_the_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFoundError, match="graphviz"):
        export(branching_model(), tmp_path / "model.svg")


@needs_dot
@pytest.mark.parametrize("level", ["layers", "ops"])
def test_svg_is_xml_with_one_element_per_node(tmp_path, level):
    model = nested_model()
    path = export(model, tmp_path / "model.svg", level=level, expand_nested=True)
    root = ElementTree.parse(path).getroot()
    groups = root.iter("{http://www.w3.org/2000/svg}g")
    node_groups = [g for g in groups if g.get("class") == "node"]
    expected = layer_view(model, expand_nested=True) if level == "layers" else op_view(model)
    assert len(node_groups) == expected.number_of_nodes()


# -- after a pass pipeline, and on files Keras wrote ----------------------------------
def test_layer_view_of_an_optimized_graph_keeps_layers_and_counts_their_weights():
    passes = pytest.importorskip("symk.passes")
    inputs = symk.Input(shape=(4,), name="x")
    hidden = layers.Dropout(0.5, name="drop")(layers.Dense(3, name="hidden")(inputs))
    model = symk.Model(inputs, layers.Dense(2, name="out")(hidden))
    # merge_linear would merge the two Dense layers into one (tests/test_viz_layer_diff.py draws that)
    optimized, _ = passes.optimize_model(model, "inference", {"disable": ["merge_linear"]})
    view = layer_view(model, graph=optimized.graph)
    assert set(view.nodes) <= {"x", "hidden", "drop", "out"} and {"x", "hidden", "out"} <= set(view.nodes)
    assert view.nodes["hidden"]["params"] == 4 * 3 + 3 and view.nodes["out"]["output_shape"] == "(None, 2)"
    assert nx.is_weakly_connected(view)


def test_nested_keras_file_expands_into_a_cluster(tmp_path):
    import os

    import h5py

    path = os.path.join(os.path.dirname(__file__), "references", "keras3", "nested.h5")
    try:
        model = symk.models.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001  ([save] reads the file; this test is about drawing it)
        pytest.skip(f"[save] cannot load nested.h5 yet: {str(error)[:200]}")
    view = layer_view(model, expand_nested=True)
    inner = {n: d for n, d in view.nodes(data=True) if d["cluster"] == "inner"}
    with h5py.File(path, "r") as file:  # reference: the weight datasets Keras wrote for the inner layers
        sizes = {}
        file["model_weights/inner"].visititems(
            lambda name, item: sizes.__setitem__(name, item.size) if isinstance(item, h5py.Dataset) else None)
    assert sorted(d["name"] for d in inner.values()) == ["inner_dense_1", "inner_dense_2"]
    for data in inner.values():
        assert data["params"] == sum(size for name, size in sizes.items() if f"/{data['name']}/" in f"/{name}")
    assert len(dot_nodes(to_pydot(view).to_string())[0]) == view.number_of_nodes()
