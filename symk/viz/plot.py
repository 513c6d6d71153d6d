"""Keras's `plot_model` and `model_to_dot` (same argument names and Keras 3 defaults), over the layer view.

    symk.utils.plot_model(model, to_file="model.png", show_shapes=True)
    symk.utils.plot_model(model, to_file="model.graphml", show_shapes=True)   # plain-text labels

Images and DOT files get Keras 3's HTML-like table labels (symk.viz.labels); GraphML and JSON,
whose readers show labels as text, get the same facts as plain text in a `label` attribute.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Optional

from .formats import import_pydot, render, require_graphviz, to_pydot, write_view
from .labels import html_label_maker, text_label_maker
from .layer_view import layer_view


_PLOT_EXTENSIONS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "ps", "dot", "gv", "graphml", "json")
_TEXT_LABEL_EXTENSIONS = ("graphml", "json")


def _require_built(model) -> None:
    if getattr(model, "_graph", None) is None:
        raise ValueError(f"Model {getattr(model, 'name', model)!r} has not yet been built, so it cannot be plotted. "
                         "Build the model first by calling `build()` or by calling it on a batch of data.")


def _restrict_to_range(view, layer_range):
    """Keep the layers from the first name of `layer_range` to the second (both inclusive, regexes as in Keras)."""
    if layer_range is None:
        return view
    if not isinstance(layer_range, (list, tuple)) or len(layer_range) != 2 or not all(
            isinstance(name, str) for name in layer_range):
        raise ValueError(f"layer_range must be a list of two layer names [first, last]; got {layer_range!r}")
    names = [view.nodes[n]["name"] for n in view.nodes]
    bounds = []
    for pattern in layer_range:
        matches = [i for i, name in enumerate(names) if re.match(pattern, name)]
        if not matches:
            raise ValueError(f"layer_range: no layer matches {pattern!r}. The layers are {names}.")
        bounds.append(matches[0] if not bounds else matches[-1])
    if bounds[0] > bounds[1]:
        raise ValueError(f"layer_range: layer {layer_range[0]!r} comes after {layer_range[1]!r} in the model")
    kept = list(view.nodes)[bounds[0]:bounds[1] + 1]
    return view.subgraph(kept).copy()


_SPLINES = ("ortho", "curved", "polyline", "spline", "line", "true", "false", "none")


def _plot_view(model, expand_nested: bool, layer_range):
    _require_built(model)
    return _restrict_to_range(layer_view(model, expand_nested=expand_nested), layer_range)


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
                 layer_range=None, **kwargs):
    """The model's layer graph as a `pydot.Dot` (a `pydot.Cluster` with `subgraph=True`), labelled as Keras 3 does."""
    if kwargs:
        raise TypeError(f"model_to_dot() got unexpected keyword argument(s) {sorted(kwargs)}")
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right); got {rankdir!r}")
    if str(splines).lower() not in _SPLINES:
        raise ValueError(f"splines must be one of {', '.join(_SPLINES)} (Graphviz's edge styles); got {splines!r}")
    view = _plot_view(model, expand_nested, layer_range)
    label = html_label_maker(show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    # Keras 3's look: record nodes without margin around the table, merged parallel edges, right-angle edges
    dot = to_pydot(view, rankdir=rankdir, dpi=dpi, label=label, clusters=expand_nested, node_shape="record")
    dot.set("concentrate", True)
    dot.set("splines", splines)
    for node in _all_nodes(dot):
        node.set("margin", 0)
    if not subgraph:
        return dot
    pydot = import_pydot()
    cluster = pydot.Cluster(f"model_{abs(hash(model.name))}", label=model.name, style="dashed")
    for part in dot.get_nodes():
        cluster.add_node(part)
    for part in dot.get_subgraphs():
        cluster.add_subgraph(part)
    for part in dot.get_edges():
        cluster.add_edge(part)
    return cluster


def _all_nodes(graph) -> list:
    """Every node of a pydot graph, inside clusters too (pydot's get_nodes() stops at the top level)."""
    found, stack = [], [graph]
    while stack:
        current = stack.pop()
        found += [n for n in current.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
        stack += current.get_subgraphs()
    return found


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho", **kwargs):
    """Draw the model's layer graph to `to_file` (.png, .svg, .pdf need Graphviz; .dot, .graphml and .json
    are written directly, the last two with plain-text labels)."""
    flags = dict(show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                 show_layer_activations=show_layer_activations, show_trainable=show_trainable)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1].lstrip(".").lower()
    if not extension:
        extension, to_file = "png", to_file + ".png"
    if extension not in _PLOT_EXTENSIONS:
        raise ValueError(f"plot_model cannot write {to_file!r}: name the file with one of the extensions "
                         f"{', '.join(_PLOT_EXTENSIONS)}")
    if extension in _TEXT_LABEL_EXTENSIONS:
        if set(kwargs) - {"layer_range"}:
            raise TypeError(f"plot_model() got unexpected keyword argument(s) {sorted(set(kwargs) - {'layer_range'})}")
        view = _plot_view(model, expand_nested, kwargs.get("layer_range"))
        label = text_label_maker(**flags)
        for node in view.nodes:
            view.nodes[node]["label"] = label(view.nodes[node])
        write_view(view, to_file, extension)
        return None
    dot = model_to_dot(model, rankdir=rankdir, expand_nested=expand_nested, dpi=dpi, splines=splines,
                       **flags, **kwargs)
    if extension in ("dot", "gv"):
        with open(to_file, "w") as file:
            file.write(dot.to_string())
        return None
    require_graphviz()
    render(dot, to_file, extension)
    return _notebook_image(to_file, extension)


def _notebook_image(path: str, extension: str) -> Optional[object]:
    """Inside IPython, Keras returns an Image to show inline; elsewhere None."""
    if extension == "pdf" or "IPython" not in sys.modules:
        return None
    try:
        from IPython import display
    except ImportError:
        return None
    return display.Image(filename=path)
