"""Writing views to files: DOT (pydot), GraphML and node-link JSON (networkx), SVG/PNG/PDF (Graphviz).

    export(model, "model.graphml", level="ops")
    export(model, "model.svg", expand_nested=True)       # needs Graphviz's `dot` program

The format follows the file's extension unless `format` is given. DOT nodes carry every
attribute of the view (so a DOT file parses back with pydot into the same data), except
that `name` is written as `tooltip` (it shows on hover in SVG); nodes with a `change`
attribute (pass diffs) are coloured by it.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Callable, Optional

import networkx as nx

TEXT_FORMATS = ("dot", "graphml", "json")
IMAGE_FORMATS = ("svg", "png", "pdf")
FORMATS = TEXT_FORMATS + IMAGE_FORMATS
_EXTENSIONS = {"gv": "dot", "jpg": "jpeg"}

# pass-diff colours: what a pipeline removed, added, and fused
CHANGE_STYLES = {
    "removed": {"color": "red3", "fontcolor": "red3", "style": "dashed"},
    "added": {"color": "green4", "style": "filled", "fillcolor": "palegreen"},
    "fused": {"color": "darkorange3", "style": "filled", "fillcolor": "orange"},
    "folded": {"color": "purple3", "style": "filled", "fillcolor": "plum"},
    "rewritten": {"color": "blue3", "style": "filled", "fillcolor": "lightblue"},
}
EDGE_CHANGE_STYLES = {"removed": {"color": "red3", "style": "dashed"}, "added": {"color": "green4"}}


# a node's `name` would clash with pydot's own `name` argument when the file is parsed back
_DOT_NAMES = {"name": "tooltip"}


class GraphvizNotFoundError(ImportError):
    """Rendering images needs Graphviz's `dot` program (an ImportError, as Keras raises)."""


def format_for(path: str, format: Optional[str] = None) -> str:
    """'dot', 'graphml', 'json', 'svg', 'png' or 'pdf', from `format` or the file's extension."""
    chosen = (format or os.path.splitext(str(path))[1].lstrip(".")).lower()
    chosen = _EXTENSIONS.get(chosen, chosen)
    if chosen not in FORMATS:
        where = f"format {format!r}" if format else f"the extension of {str(path)!r}"
        raise ValueError(f"cannot export a graph in {where}: choose one of {', '.join(FORMATS)} "
                         "(pass format=... or name the file with one of these extensions)")
    return chosen


def import_pydot():
    try:
        import pydot
    except ImportError as error:
        raise ImportError("DOT export, images and plot_model need the `pydot` package: "
                          "pip install pydot (or pip install 'symk[viz]')") from error
    return pydot


def require_graphviz() -> str:
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFoundError(
            "rendering SVG/PNG/PDF needs Graphviz's `dot` program, which is not on PATH: install the "
            "`graphviz` system package (apt-get install graphviz, brew install graphviz or conda install "
            "graphviz), or export DOT, GraphML or JSON instead")
    return program


def default_label(attributes: dict) -> str:
    kind = attributes.get("class_name") or attributes.get("op") or ""
    lines = [str(attributes.get("name", "")), kind, attributes.get("output_shape", "")]
    if attributes.get("change") in CHANGE_STYLES:
        partners = attributes.get("merged_with")  # layer diffs: the layers a fold or fusion merged it with
        lines.append(f"{attributes['change']} with {partners}" if partners else attributes["change"])
    return "\n".join(line for line in lines if line)


def _quoted(identifier: str) -> str:
    # quoting every id keeps ':' (a port in DOT) and '/' inside names harmless
    return '"' + str(identifier).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_pydot(view: nx.MultiDiGraph, rankdir: str = "TB", dpi: Optional[int] = None,
             label: Optional[Callable[[dict], str]] = None, clusters: bool = True, edge_labels: bool = False,
             node_shape: str = "box"):
    """A pydot.Dot of a view; nodes are grouped into (nested) clusters by their `cluster` attribute."""
    pydot = import_pydot()
    label = label or default_label
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, graph_name=_quoted(view.graph.get("name", "G")))
    if dpi is not None:
        dot.set("dpi", dpi)
    dot.set_node_defaults(shape=node_shape, fontname="Helvetica")
    containers = {"": dot}

    def container(path: str):
        if path not in containers:
            parent, _, last = path.rpartition("/")
            cluster = pydot.Cluster(f"c{len(containers)}", label=_quoted(last), style="dashed", labeljust="l")
            container(parent).add_subgraph(cluster)
            containers[path] = cluster
        return containers[path]

    for node_id, attributes in view.nodes(data=True):
        node = pydot.Node(_quoted(node_id), label=label(attributes), **CHANGE_STYLES.get(attributes.get("change"), {}))
        for key, value in attributes.items():
            node.set(_DOT_NAMES.get(key, key), value)
        container(attributes.get("cluster", "") if clusters else "").add_node(node)
    for source, target, attributes in view.edges(data=True):
        edge = pydot.Edge(_quoted(source), _quoted(target), **EDGE_CHANGE_STYLES.get(attributes.get("change"), {}))
        for key, value in attributes.items():
            edge.set(key, value)
        if edge_labels and attributes.get("tensor_shape"):
            edge.set("label", attributes["tensor_shape"])
        dot.add_edge(edge)
    return dot


def render(dot, path: str, format: str) -> str:
    """Write a pydot graph as an image through Graphviz's `dot`."""
    require_graphviz()
    data = dot.create(prog="dot", format=format)
    with open(path, "wb") as file:
        file.write(data)
    return str(path)


def write_view(view: nx.MultiDiGraph, path: str, format: Optional[str] = None, **dot_options) -> str:
    """Write a view in the format the extension (or `format`) names; returns the path."""
    fmt = format_for(path, format)
    if fmt == "graphml":
        nx.write_graphml(view, path)
    elif fmt == "json":
        with open(path, "w") as file:
            json.dump(nx.node_link_data(view, **_edges_key(nx.node_link_data)), file, indent=1)
    elif fmt == "dot":
        with open(path, "w") as file:
            file.write(to_pydot(view, **dot_options).to_string())
    else:
        if fmt != "svg":  # SVG is resolution-free; Keras's default 200 dpi is for raster images
            dot_options.setdefault("dpi", 200)
        render(to_pydot(view, **dot_options), path, fmt)
    return str(path)


def _edges_key(function) -> dict:
    """Name the edge list 'edges' (networkx >= 3.4 spells the argument `edges`, older ones `link`)."""
    import inspect

    return {"edges" if "edges" in inspect.signature(function).parameters else "link": "edges"}


def read_json(path: str) -> nx.MultiDiGraph:
    """Read back a JSON export (networkx's node-link format)."""
    with open(path) as file:
        return nx.node_link_graph(json.load(file), **_edges_key(nx.node_link_graph))


def export(source, path: str, level: str = "layers", format: Optional[str] = None, expand_nested: bool = False,
           graph=None, **dot_options) -> str:
    """Export a model (or graph) at layer or op level; `graph` draws e.g. an optimized copy instead."""
    from .layer_view import layer_view
    from .op_view import op_view

    if level == "layers":
        view = layer_view(source, expand_nested=expand_nested, graph=graph)
    elif level == "ops":
        view = op_view(graph if graph is not None else source, name=getattr(source, "name", ""))
    else:
        raise ValueError(f"level must be 'layers' or 'ops'; got {level!r}")
    return write_view(view, path, format, **dot_options)
