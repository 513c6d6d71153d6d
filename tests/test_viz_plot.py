"""plot_model and model_to_dot: Keras's signatures and defaults, labels, nested clusters, files written."""
import inspect
import shutil
import xml.etree.ElementTree as ElementTree

import networkx as nx

import pytest

import symk
from symk import layers
from symk.utils import model_to_dot, plot_model

pydot = pytest.importorskip("pydot")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed")


def small_model():
    inputs = symk.Input(shape=(4,), name="features")
    hidden = layers.Dense(3, activation="relu", name="hidden")(inputs)
    return symk.Model(inputs, layers.Dense(1, name="score")(hidden), name="small")


def labels_of(dot):
    found = {}
    for graph in [dot] + dot.get_subgraphs():
        for node in graph.get_nodes():
            if node.get_name() not in ("node", "edge", "graph"):
                found[node.get_name().strip('"')] = node.get_attributes()["label"].strip('"')
    return found


def test_signatures_and_defaults_are_keras_3s():
    # keras.utils.plot_model / model_to_dot, Keras 3 documentation
    plot_defaults = {"to_file": "model.png", "show_shapes": False, "show_dtype": False, "show_layer_names": False,
                     "rankdir": "TB", "expand_nested": False, "dpi": 200, "show_layer_activations": False,
                     "show_trainable": False}
    parameters = inspect.signature(plot_model).parameters
    assert {k: parameters[k].default for k in plot_defaults} == plot_defaults
    assert list(parameters)[:10] == ["model"] + list(plot_defaults)
    dot_parameters = inspect.signature(model_to_dot).parameters
    assert dot_parameters["show_layer_names"].default is True and dot_parameters["dpi"].default == 200
    assert dot_parameters["subgraph"].default is False


def table_rows(label: str) -> list:
    """A Graphviz HTML-like label '<<table>...</table>>' parsed as XML: per row, (text, bgcolor) of each cell."""
    assert label.startswith("<<table") and label.endswith("</table>>")
    table = ElementTree.fromstring(label[1:-1])
    assert table.attrib == {"border": "0", "cellborder": "1", "bgcolor": "black", "cellpadding": "10"}
    return [[("".join(cell.itertext()), cell.get("bgcolor")) for cell in row] for row in table]


def test_labels_are_keras_3_tables_following_the_show_flags():
    # Keras 3 (model_visualization.make_layer_label): black title row, activation row, one row of cells
    dot = model_to_dot(small_model(), show_shapes=True, show_dtype=True, show_layer_activations=True,
                       show_trainable=True)
    assert table_rows(labels_of(dot)["hidden"]) == [
        [("hidden (Dense)", "black")],
        [("Activation: relu", "white")],
        [("Input shape: (None, 4)", "white"), ("Output shape: (None, 3)", "white"),
         ("Output dtype: float32", "white"), ("Trainable", "forestgreen")]]
    # an InputLayer has no input shape cell, and no trainable cell: it holds no weights
    assert table_rows(labels_of(dot)["features"]) == [
        [("features (InputLayer)", "black")],
        [("Output shape: (None, 4)", "white"), ("Output dtype: float32", "white")]]
    plain = labels_of(model_to_dot(small_model(), show_layer_names=False))
    assert {tuple(map(tuple, table_rows(label))) for label in plain.values()} == {
        ((("InputLayer", "black"),),), ((("Dense", "black"),),)}
    assert dot.get("rankdir") == "TB" and str(dot.get("dpi")) == "200" and dot.get("splines") == "ortho"
    assert len(dot.get_edges()) == 2


def test_frozen_layers_are_non_trainable_and_names_are_escaped():
    inputs = symk.Input(shape=(2,), name="in")
    frozen = layers.Dense(2, name="a<b&c")
    frozen.trainable = False
    model = symk.Model(inputs, frozen(inputs))
    label = labels_of(model_to_dot(model, show_trainable=True))["a<b&c"]
    assert table_rows(label) == [[("a<b&c (Dense)", "black")], [("Non-trainable", "firebrick")]]


def test_graphml_and_json_get_plain_text_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no Graphviz needed for text formats
    plot_model(small_model(), to_file=str(tmp_path / "m.graphml"), show_shapes=True, show_layer_names=True,
               show_trainable=True, show_layer_activations=True, show_dtype=True)
    view = nx.read_graphml(tmp_path / "m.graphml")
    assert view.nodes["hidden"]["label"].splitlines() == [
        "hidden (Dense)", "Activation: relu", "Input shape: (None, 4)", "Output shape: (None, 3)",
        "Output dtype: float32", "Trainable: Yes"]
    plot_model(small_model(), to_file=str(tmp_path / "m.json"), layer_range=["hidden", "score"])
    from symk.viz import read_json
    assert dict(read_json(str(tmp_path / "m.json")).nodes(data="label")) == {"hidden": "Dense", "score": "Dense"}


def test_expand_nested_draws_a_cluster_per_nested_model():
    inner_in = symk.Input(shape=(2,))
    inner = symk.Model(inner_in, layers.Dense(2, name="inside")(inner_in), name="block")
    outer_in = symk.Input(shape=(2,))
    model = symk.Model(outer_in, inner(outer_in))
    assert not model_to_dot(model).get_subgraphs()
    clusters = model_to_dot(model, expand_nested=True).get_subgraphs()
    assert [c.get_label().strip('"') for c in clusters] == ["block"]
    last_label = list(labels_of(model_to_dot(model, expand_nested=True)).values())[-1]
    assert table_rows(last_label) == [[("inside (Dense)", "black")]]


def test_layer_range_keeps_the_layers_between_two_names():
    dot = model_to_dot(small_model(), layer_range=["hidden", "score"])
    assert sorted(labels_of(dot)) == ["hidden", "score"] and len(dot.get_edges()) == 1
    with pytest.raises(ValueError, match="no layer matches 'nothing'"):
        model_to_dot(small_model(), layer_range=["nothing", "score"])


def test_subgraph_returns_a_cluster():
    cluster = model_to_dot(small_model(), subgraph=True)
    assert isinstance(cluster, pydot.Cluster) and len(cluster.get_nodes()) >= 3


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(TypeError, match="show_shape"):
        plot_model(small_model(), to_file=str(tmp_path / "m.dot"), show_shape=True)
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(small_model(), rankdir="sideways")
    with pytest.raises(ValueError, match="splines"):
        model_to_dot(small_model(), splines="wiggly")
    with pytest.raises(ValueError, match="extensions"):
        plot_model(small_model(), to_file=str(tmp_path / "m.txt"))
    with pytest.raises(ValueError, match="not yet been built"):
        plot_model(symk.Sequential([layers.Dense(2)]), to_file=str(tmp_path / "m.dot"))


def test_dot_file_is_written_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path = tmp_path / "model.dot"
    assert plot_model(small_model(), to_file=str(path), show_shapes=True) is None
    parsed = pydot.graph_from_dot_file(str(path))[0]
    assert len(parsed.get_edges()) == 2
    with pytest.raises(ImportError, match="graphviz"):
        plot_model(small_model(), to_file=str(tmp_path / "model.png"))


@needs_dot
def test_png_and_svg_files_are_rendered(tmp_path):
    plot_model(small_model(), to_file=str(tmp_path / "model.png"), show_shapes=True)
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plot_model(small_model(), to_file=str(tmp_path / "model"))  # no extension: PNG, as in Keras
    assert (tmp_path / "model.png").exists()
    plot_model(small_model(), to_file=str(tmp_path / "model.svg"), show_shapes=True, show_layer_names=True)
    svg = (tmp_path / "model.svg").read_text()
    assert "<svg" in svg and ">Output shape: </text>" in svg and ">(None, 3)</text>" in svg  # the table's cells
