"""plot_model and model_to_dot: Keras's signatures and defaults, labels, nested clusters, files written."""
import inspect
import shutil

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


def test_labels_follow_the_show_flags():
    dot = model_to_dot(small_model(), show_shapes=True, show_dtype=True, show_layer_activations=True,
                       show_trainable=True)
    label = labels_of(dot)["hidden"].replace("\\n", "\n").splitlines()
    assert label == ["hidden (Dense)", "Activation: relu", "Input shape: (None, 4)", "Output shape: (None, 3)",
                     "Output dtype: float32", "Trainable: Yes"]
    plain = labels_of(model_to_dot(small_model(), show_layer_names=False))
    assert set(plain.values()) == {"InputLayer", "Dense"}
    assert dot.get("rankdir") == "TB" and str(dot.get("dpi")) == "200"
    assert len(dot.get_edges()) == 2


def test_expand_nested_draws_a_cluster_per_nested_model():
    inner_in = symk.Input(shape=(2,))
    inner = symk.Model(inner_in, layers.Dense(2, name="inside")(inner_in), name="block")
    outer_in = symk.Input(shape=(2,))
    model = symk.Model(outer_in, inner(outer_in))
    assert not model_to_dot(model).get_subgraphs()
    clusters = model_to_dot(model, expand_nested=True).get_subgraphs()
    assert [c.get_label().strip('"') for c in clusters] == ["block"]
    assert list(labels_of(model_to_dot(model, expand_nested=True)).values())[-1] == "inside (Dense)"


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
    plot_model(small_model(), to_file=str(tmp_path / "model.svg"))
    assert b"<svg" in (tmp_path / "model.svg").read_bytes()
