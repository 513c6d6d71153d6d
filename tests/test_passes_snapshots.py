"""Graphs before and after each pass, exported through symk.viz: explain(model, export_to=...) and
export_snapshots(report, ...) write the input graph and one pass diff per pass that changed it."""
import pytest

import symk
from symk.passes import export_snapshots
from symk.viz import read_json


def dropout_model():
    x = symk.Input(shape=(6,))
    h = symk.layers.Dropout(0.3)(symk.layers.Dense(5, activation="relu")(x))
    return symk.Model(x, symk.layers.Dense(2, activation="softmax")(h))


def test_explain_exports_one_diff_per_changing_pass(tmp_path):
    text = symk.passes.explain(dropout_model(), optimize={"enable": ["fuse_linear"]}, export_to=str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["00_input.json", "01_specialize_training.json", "02_fuse_linear.json"]
    assert "3 files in" in text
    first = read_json(str(tmp_path / names[1]))
    removed = [d["op"] for _, d in first.nodes(data=True) if d["change"] == "removed"]
    assert removed == ["dropout"]  # the dropout node, and nothing else, went in that pass
    fused = read_json(str(tmp_path / names[2]))
    changes = {d["op"]: d["change"] for _, d in fused.nodes(data=True) if d["change"] != "kept"}
    assert changes.get("fused_linear") == "fused" and changes.get("matmul") == "removed"


def test_export_snapshots_in_another_format_and_error_without_snapshots(tmp_path):
    model = dropout_model()
    report = model.optimize(optimize={"snapshots": True})
    paths = export_snapshots(report, str(tmp_path / "graphml"), format="graphml")
    assert [p.rsplit("/", 1)[1] for p in paths] == ["00_input.graphml", "01_specialize_training.graphml"]
    with pytest.raises(ValueError, match="snapshots"):
        export_snapshots(model.optimize(), str(tmp_path))
