"""Model Explorer for symk models: graph JSON, node-data overlays, and `explore` to open it in a browser.

    data = to_graph_json(model)                        # {'graphs': [...]}: Model Explorer's graph JSON
    data = to_graph_json("model.h5", compare="inference")   # before and after the pipeline, diff coloured
    overlay = node_data(model, "flops")                # {graph id: {'results': ...}}: a node-data file
    explore(model, compare="inference")                # starts Model Explorer (pip install 'symk[explorer]')

Needs nothing beyond symk except for `explore`, which needs `ai-edge-model-explorer`.
"""
from __future__ import annotations

import json
import os
from typing import Optional

from ..graph import Graph
from .diff import pass_diff
from .model_explorer_figures import estimated_flops, output_bytes
from .model_explorer_graph import graph_dicts
from .op_view import graph_of

FIGURES = ("flops", "bytes", "change")
# node-data values are numbers: a pass change is drawn as a code with a colour per code
CHANGE_CODES = {"kept": 0, "removed": 1, "added": 2, "fused": 3, "rewritten": 4, "folded": 5}
_CHANGE_THRESHOLDS = [{"value": 0, "bgColor": "#ffffff"}, {"value": 1, "bgColor": "#f4b6b6"},
                      {"value": 2, "bgColor": "#b8f0b8"}, {"value": 3, "bgColor": "#ffc870"},
                      {"value": 4, "bgColor": "#bcdcf4"}, {"value": 5, "bgColor": "#e8c0e8"}]
_GRADIENT = [{"stop": 0, "bgColor": "#ffffff"}, {"stop": 1, "bgColor": "#d7301f"}]


def load_source(model_or_path):
    """A model (or Graph) as given, or the model a Keras/symk .h5 file holds (no code from the file runs)."""
    if isinstance(model_or_path, (str, os.PathLike)):
        path = os.fspath(model_or_path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no such model file: {path!r} (expected a Keras/symk .h5 file saved with "
                                    "model.save)")
        from ..models import load_model

        return load_model(path, compile=False)
    graph_of(model_or_path)  # a clear TypeError for anything that is neither a model nor a graph
    return model_or_path


def _name_of(source) -> str:
    return getattr(source, "name", "") or "graph"


def compared_graphs(source, compare: str) -> tuple:
    """(before graph, after graph, changes before, changes after) for the pipeline `compare` names."""
    if isinstance(source, Graph):
        raise TypeError("compare=... runs a model's pass pipeline: pass the model, not its graph")
    from ..passes import optimize_model

    subject, _ = optimize_model(source, compare)
    before, after = source.graph, subject.graph
    view = pass_diff(before, after)
    after_changes, before_changes = {}, {}
    for key, data in view.nodes(data=True):
        change = data.get("change", "kept")
        if change == "removed":
            before_changes[key] = change
        elif change != "kept":
            after_changes[key] = change
            if int(key) in before.nx:  # the node that was rewritten or fused in place, seen from before
                before_changes[key] = change
    return before, after, before_changes, after_changes


def to_graph_json(model_or_path, compare: Optional[str] = None) -> dict:
    """Model Explorer's graph JSON ({'graphs': [...]}) for a model, a Graph, or a .h5 file.

    compare='inference' (or 'training') adds the graph after that pass pipeline, named
    '<model> (after inference)', with both graphs coloured by what changed.
    """
    source = load_source(model_or_path)
    name = _name_of(source)
    if compare is None:
        return {"graphs": graph_dicts(graph_of(source), name)}
    before, after, before_changes, after_changes = compared_graphs(source, compare)
    return {"graphs": graph_dicts(before, name, before_changes)
            + graph_dicts(after, f"{name} (after {compare})", after_changes)}


def _figure_results(graph: Graph, figure: str, changes: dict) -> dict:
    results = {}
    for node in graph.nx.nodes:
        if figure == "flops":
            value = estimated_flops(graph, node)
        elif figure == "bytes":
            value = output_bytes(graph, node)
        else:
            value = CHANGE_CODES[changes.get(str(node), "kept")]
        results[str(node)] = {"value": value}
    return results


def node_data(model_or_path, figure: str = "flops", compare: Optional[str] = None) -> dict:
    """A node-data overlay, as Model Explorer's node-data JSON ({graph id: GraphNodeData}, what
    ModelNodeData.to_json_string writes): 'flops', 'bytes' or 'change' per op."""
    if figure not in FIGURES:
        raise ValueError(f"figure must be one of {', '.join(FIGURES)}; got {figure!r}")
    if figure == "change" and compare is None:
        raise ValueError("figure='change' shows what a pass pipeline changed: pass compare='inference' too")
    source = load_source(model_or_path)
    name = _name_of(source)
    if compare is None:
        pairs = [(name, graph_of(source), {})]
    else:
        before, after, before_changes, after_changes = compared_graphs(source, compare)
        pairs = [(name, before, before_changes), (f"{name} (after {compare})", after, after_changes)]
    graphs_data = {}
    for graph_id, graph, changes in pairs:
        entry = {"results": _figure_results(graph, figure, changes)}
        if figure == "change":
            entry["thresholds"] = _CHANGE_THRESHOLDS
        else:
            entry["gradient"] = _GRADIENT
        graphs_data[graph_id] = entry
    return graphs_data


def explore(model_or_path, compare: Optional[str] = None, host: str = "localhost", port: int = 8080,
            open_browser: bool = True) -> None:
    """Open Model Explorer on the op graph (layers as collapsible groups), with FLOPs and bytes overlays.

    compare='inference' shows the graph before and after that pipeline (pick one per pane to see them
    side by side) with a 'change' overlay. Blocks while the server runs (Ctrl-C stops it).
    """
    try:
        import model_explorer
    except ImportError as error:
        raise ImportError("symk.viz.explore needs Google's Model Explorer: pip install ai-edge-model-explorer "
                          "(or pip install 'symk[explorer]'); symk.viz.write_html(model, 'graph.html') needs "
                          "nothing extra") from error
    source = load_source(model_or_path)
    config = model_explorer.config()
    name = _name_of(source)
    # NOTE: graphs://NAME/INDEX is how Model Explorer's own config serves graphs held in memory
    config.graphs_list.append(json.dumps(to_graph_json(source, compare=compare)))
    config.model_sources.append({"url": f"graphs://{name}/0"})
    figures = [("estimated FLOPs", "flops"), ("output bytes", "bytes")] + ([("pass change", "change")]
                                                                          if compare else [])
    for title, figure in figures:
        config.add_node_data(title, json.dumps(node_data(source, figure, compare=compare)), model_name=name)
    model_explorer.visualize_from_config(config, host=host, port=port, no_open_in_browser=not open_browser)
