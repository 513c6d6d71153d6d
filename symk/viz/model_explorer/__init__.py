"""Model Explorer for symk: graph JSON, node-data overlays, `explore`, and the extension Model Explorer loads.

    from symk.viz.model_explorer import to_graph_json
    to_graph_json(model)          # {'graphs': [...]}; needs no Model Explorer installed
    # model-explorer model.h5 --extensions=symk.viz.model_explorer

A package, because Model Explorer imports `<extension>.main` for each --extensions name: the adapter
lives in `main.py` (symk.viz.model_explorer_graph says what the graph JSON holds).
"""
from __future__ import annotations

from ..model_explorer_api import explore, node_data, to_graph_json  # noqa: F401


def graphs_as_dataclasses(data: dict) -> list:
    """Graph JSON dicts as Model Explorer's own graph_builder.Graph objects (strict: unknown fields raise)."""
    try:
        import dacite
        from model_explorer import graph_builder
    except ImportError as error:
        raise ImportError("Model Explorer's graph classes need ai-edge-model-explorer: pip install "
                          "'symk[explorer]'") from error
    return [dacite.from_dict(graph_builder.Graph, graph, config=dacite.Config(strict=True)) for graph in data["graphs"]]
