"""The adapter Model Explorer registers for `--extensions=symk.viz.model_explorer` (needs ai-edge-model-explorer).

    model-explorer model.h5 --extensions=symk.viz.model_explorer
"""
from __future__ import annotations

from model_explorer import Adapter, AdapterMetadata

from . import graphs_as_dataclasses, to_graph_json


class SymkAdapter(Adapter):
    """Opens a Keras/symk .h5 model file as its symk op graph, layers as collapsible namespaces."""

    metadata = AdapterMetadata(
        id="symk_h5", name="symk op graph (Keras .h5)",
        description="Loads a Keras or symk .h5 model with symk and shows its op graph: layer scopes are "
                    "namespaces, shapes and dtypes are on the edges",
        fileExts=["h5", "hdf5"])

    def __init__(self):
        super().__init__()

    def convert(self, model_path: str, settings: dict):
        return {"graphs": graphs_as_dataclasses(to_graph_json(model_path))}
