"""Pass diffs: what a rewrite removed, added, fused and rewrote, marked on the drawn graph."""
import networkx as nx
import pytest

import symk
from symk import layers
from symk.graph import Graph
from symk.viz import pass_diff, to_pydot

pydot = pytest.importorskip("pydot")


def two_dense_model():
    inputs = symk.Input(shape=(4,), name="x")
    hidden = layers.Dense(3, activation="relu", name="hidden")(inputs)
    return symk.Model(inputs, layers.Dense(2, name="out")(hidden))


def by_op(graph: Graph, op: str, scope: str) -> int:
    (node,) = [n for n, d in graph.nx.nodes(data=True) if d["op"] == op and "/".join(d["scope"]) == scope]
    return node


def hand_fused(before: Graph) -> tuple:
    """A copy where hidden's matmul + bias_add become one new node (as a fusion pass would leave it),
    and out's bias_add is rewritten in place. Returns (after, fused id, matmul id, bias_add id)."""
    after = before.copy()
    g = after.nx
    matmul, bias_add, relu = by_op(after, "matmul", "hidden"), by_op(after, "bias_add", "hidden"), by_op(after, "relu", "hidden")
    inputs = after.inputs_of(matmul) + after.inputs_of(bias_add)[1:]
    fused = max(g.nodes) + 1
    g.add_node(fused, op="dense_fused", attrs=None, specs=g.nodes[bias_add]["specs"], name="dense_fused",
               scope=("hidden",), layer=None, training=None,
               provenance=(g.nodes[matmul]["name"], g.nodes[bias_add]["name"]))
    for position, (source, index) in enumerate(inputs):
        g.add_edge(source, fused, position=position, index=index)
    g.remove_nodes_from([matmul, bias_add])
    g.add_edge(fused, relu, position=0, index=0)
    out_bias = by_op(after, "bias_add", "out")
    g.nodes[out_bias]["provenance"] = ("bias_add_old",)
    return after, fused, matmul, bias_add, out_bias


def test_diff_marks_removed_fused_rewritten_and_kept_nodes():
    model = two_dense_model()
    before = model.graph
    after, fused, matmul, bias_add, out_bias = hand_fused(before)
    view = pass_diff(before, after)
    changes = nx.get_node_attributes(view, "change")
    assert changes[str(matmul)] == changes[str(bias_add)] == "removed"
    assert changes[str(fused)] == "fused" and view.nodes[str(fused)]["provenance"].count(",") == 1
    assert changes[str(out_bias)] == "rewritten"
    kept = set(before.nx.nodes) - {matmul, bias_add, out_bias}
    assert {n for n, c in changes.items() if c == "kept"} == {str(n) for n in kept}
    assert view.number_of_nodes() == before.nx.number_of_nodes() + 1
    assert (view.graph["removed_nodes"], view.graph["fused_nodes"], view.graph["rewritten_nodes"]) == (2, 1, 1)
    # the matmul's 3 edges (x, kernel, to bias_add) and the bias_add's 2 others (bias, to relu) are gone
    removed_edges = [(u, v) for u, v, d in view.edges(data=True) if d["change"] == "removed"]
    assert len(removed_edges) == 5
    assert sum(d["change"] == "added" for _, _, d in view.edges(data=True)) == 4  # x, kernel, bias, to relu


def test_diff_colours_changes_in_dot():
    model = two_dense_model()
    after, fused, matmul, _, _ = hand_fused(model.graph)
    dot = to_pydot(pass_diff(model.graph, after))
    graphs, styles = [dot], {}
    while graphs:  # op nodes sit in one cluster per layer scope
        current = graphs.pop()
        styles.update({n.get_name().strip('"'): n.get_attributes() for n in current.get_nodes()})
        graphs += current.get_subgraphs()
    assert styles[str(matmul)]["style"] == "dashed" and styles[str(fused)]["fillcolor"] == "orange"
    assert "removed" in styles[str(matmul)]["label"]


def test_identical_graphs_have_nothing_changed():
    model = two_dense_model()
    view = pass_diff(model.graph, model.graph.copy())
    assert set(nx.get_node_attributes(view, "change").values()) == {"kept"}


def test_model_diff_runs_the_pass_pipeline():
    passes = pytest.importorskip("symk.passes")  # [passes] lands separately
    from symk.viz import model_diff

    inputs = symk.Input(shape=(4,))
    x = layers.Dropout(0.5)(layers.Dense(3)(inputs))
    model = symk.Model(inputs, layers.Dense(2)(x))
    view, report = model_diff(model, mode="inference")
    optimized, _ = passes.optimize_model(model, "inference", "default")
    gone = set(model.graph.nx.nodes) - set(optimized.graph.nx.nodes)
    assert {n for n, c in nx.get_node_attributes(view, "change").items() if c == "removed"} == {str(n) for n in gone}
    assert view.number_of_nodes() == optimized.graph.nx.number_of_nodes() + len(gone)
    assert report.nodes_before == model.graph.nx.number_of_nodes()
