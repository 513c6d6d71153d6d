"""Layer-level pass diffs: which layers a pipeline removed, folded or fused, and the edges it re-routed."""
import networkx as nx
import pytest

import symk
from symk import layers
from symk.passes import optimize_model
from symk.viz import layer_model_diff, model_diff, to_pydot


def conv_bn_model():
    inputs = symk.Input(shape=(6, 6, 2), name="img")
    x = layers.Conv2D(3, 3, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Activation("relu", name="act")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dropout(0.5, name="drop")(x)
    return symk.Model(inputs, layers.Dense(2, name="head")(x), name="cnn")


def changes(view) -> dict:
    return dict(view.nodes(data="change"))


def surviving_layers(model, mode="inference", optimize="default") -> set:
    """Reference: the layer scopes that still own a computing op after the pipeline, read off the raw graph."""
    subject, _ = optimize_model(model, mode, optimize)
    return {data["scope"][0] for _, data in subject.graph.nx.nodes(data=True)
            if data.get("scope") and data["op"] not in ("parameter", "constant", "identity")}


def test_inference_removes_dropout_and_folds_batch_norm_into_the_conv():
    model = conv_bn_model()
    view, report = layer_model_diff(model, mode="inference")
    assert changes(view) == {"img": "kept", "conv": "folded", "bn": "folded", "act": "kept", "flat": "kept",
                             "drop": "removed", "head": "kept"}
    assert view.nodes["bn"]["merged_with"] == "conv" and view.nodes["conv"]["merged_with"] == "bn"
    assert "bn_fold" in view.nodes["bn"]["passes"].split(", ")
    assert view.nodes["drop"]["passes"] == "specialize_training"
    assert (view.nodes["drop"]["ops_before"], view.nodes["drop"]["ops_after"]) == (1, 0)
    # the removed layer is exactly the one whose ops are all gone from the optimized graph
    removed = {n for n, c in changes(view).items() if c == "removed"}
    assert removed == {layer.name for layer in model.layers} - surviving_layers(model) - {"img"}
    assert view.graph["removed_layers"] == 1 and view.graph["folded_layers"] == 2
    assert report.nodes_after < report.nodes_before


def test_edges_around_a_removed_layer_are_rerouted():
    view, _ = layer_model_diff(conv_bn_model())
    edges = {(u, v): d["change"] for u, v, d in view.edges(data=True)}
    assert edges[("flat", "head")] == "added"
    assert edges[("flat", "drop")] == edges[("drop", "head")] == "removed"
    assert {c for (u, v), c in edges.items() if "drop" not in (u, v) and (u, v) != ("flat", "head")} == {"kept"}


def test_disabling_bn_fold_leaves_the_conv_alone():
    view, report = layer_model_diff(conv_bn_model(), optimize={"disable": ["bn_fold"]})
    found = changes(view)
    assert found["conv"] == "kept" and found["bn"] == "rewritten" and found["drop"] == "removed"
    assert view.nodes["bn"]["merged_with"] == ""
    assert "bn_fold" in report.disabled


def test_training_pipeline_keeps_every_layer():
    view, _ = layer_model_diff(conv_bn_model(), mode="training")
    assert "removed" not in changes(view).values() and "folded" not in changes(view).values()


def test_fusion_across_layers_is_marked_fused():
    inputs = symk.Input(shape=(4,), name="x")
    model = symk.Model(inputs, layers.Activation("relu", name="act")(layers.Dense(2, name="dense")(inputs)))
    view, _ = layer_model_diff(model, optimize={"enable": ["fuse_linear"]})
    assert changes(view) == {"x": "kept", "dense": "fused", "act": "fused"}
    assert view.nodes["dense"]["merged_with"] == "act"
    plain, _ = layer_model_diff(model)
    assert set(changes(plain).values()) == {"kept"}


def test_a_dropout_that_is_the_output_counts_as_removed():
    inputs = symk.Input(shape=(4,), name="x")
    model = symk.Model(inputs, layers.Dropout(0.3, name="last")(layers.Dense(2, name="dense")(inputs)))
    view, _ = layer_model_diff(model)
    assert changes(view)["last"] == "removed"  # only an identity keeps the output's id


def test_model_diff_dispatches_on_level():
    model = conv_bn_model()
    layer_level, _ = model_diff(model, level="layers")
    assert layer_level.graph["level"] == "layers" and set(layer_level.nodes) >= {"conv", "bn", "drop"}
    with pytest.raises(ValueError, match="level must be 'layers' or 'ops'"):
        model_diff(model, level="tensors")


def test_dot_colours_folded_and_removed_layers():
    pytest.importorskip("pydot")
    view, _ = layer_model_diff(conv_bn_model())
    nodes = {n.get_name().strip('"'): n.get_attributes() for n in to_pydot(view).get_nodes()}
    assert nodes["bn"]["fillcolor"] == "plum" and "folded with conv" in nodes["bn"]["label"]
    assert nodes["drop"]["style"] == "dashed" and "removed" in nodes["drop"]["label"]
    assert "style" not in nodes["head"]


def test_layer_diff_round_trips_through_graphml(tmp_path):
    from symk.viz import write_view

    view, _ = layer_model_diff(conv_bn_model())
    path = write_view(view, str(tmp_path / "diff.graphml"))
    back = nx.read_graphml(path)
    assert dict(back.nodes(data="change")) == changes(view)


def test_two_dense_layers_merged_by_merge_linear_are_fused():
    inputs = symk.Input(shape=(4,), name="x")
    hidden = layers.Dropout(0.5, name="drop")(layers.Dense(3, name="hidden")(inputs))
    model = symk.Model(inputs, layers.Dense(2, name="out")(hidden))
    view, _ = layer_model_diff(model)
    if "merge_linear" not in view.nodes["out"]["passes"]:
        pytest.skip("merge_linear does not merge these two Dense layers in this pipeline")
    assert changes(view) == {"x": "kept", "hidden": "fused", "drop": "removed", "out": "fused"}
    assert view.nodes["hidden"]["merged_with"] == "out"
    assert surviving_layers(model) - {"x"} == {"out"}  # reference: only out's scope still computes
