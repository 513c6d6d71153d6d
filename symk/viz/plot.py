"""Keras's `plot_model` and `model_to_dot` (same argument names and Keras 3 defaults), over the layer view.

    symk.utils.plot_model(model, to_file="model.png", show_shapes=True)
"""
from __future__ import annotations

import os
import re
import sys
from typing import Optional

from .formats import import_pydot, render, require_graphviz, to_pydot
from .layer_view import layer_view


_PLOT_EXTENSIONS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "ps", "dot", "gv")


def _require_built(model) -> None:
    if getattr(model, "_graph", None) is None:
        raise ValueError(f"Model {getattr(model, 'name', model)!r} has not yet been built, so it cannot be plotted. "
                         "Build the model first by calling `build()` or by calling it on a batch of data.")


def _label_maker(show_shapes: bool, show_dtype: bool, show_layer_names: bool, show_layer_activations: bool,
                 show_trainable: bool):
    def label(attributes: dict) -> str:
        kind = attributes.get("class_name", "")
        lines = [f"{attributes.get('name')} ({kind})" if show_layer_names else kind]
        if show_layer_activations and attributes.get("activation"):
            lines.append(f"Activation: {attributes['activation']}")
        if show_shapes:
            lines.append(f"Input shape: {attributes.get('input_shape') or '-'}")
            lines.append(f"Output shape: {attributes.get('output_shape') or '-'}")
        if show_dtype:
            lines.append(f"Output dtype: {attributes.get('dtype') or '-'}")
        if show_trainable and "trainable" in attributes:
            lines.append(f"Trainable: {'Yes' if attributes['trainable'] else 'No'}")
        return "\n".join(lines)

    return label


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


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, layer_range=None, **kwargs):
    """The model's layer graph as a `pydot.Dot` (a `pydot.Cluster` with `subgraph=True`)."""
    if kwargs:
        raise TypeError(f"model_to_dot() got unexpected keyword argument(s) {sorted(kwargs)}")
    _require_built(model)
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right); got {rankdir!r}")
    view = _restrict_to_range(layer_view(model, expand_nested=expand_nested), layer_range)
    label = _label_maker(show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    dot = to_pydot(view, rankdir=rankdir, dpi=dpi, label=label, clusters=expand_nested)
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


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, **kwargs):
    """Draw the model's layer graph to `to_file` (.png, .svg, .pdf need Graphviz; .dot is written directly)."""
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1].lstrip(".").lower()
    if not extension:
        extension, to_file = "png", to_file + ".png"
    if extension not in _PLOT_EXTENSIONS:
        raise ValueError(f"plot_model cannot write {to_file!r}: name the file with one of the extensions "
                         f"{', '.join(_PLOT_EXTENSIONS)}")
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
