"""One self-contained HTML file to explore a graph offline: collapsible layer groups, search, pass diffs.

    write_html(model, "graph.html")                          # op graph, layers as collapsible groups
    write_html(model, "diff.html", compare="inference")      # before/after toggle, changes coloured
    write_html(model, "layers.html", level="layer")          # one box per layer, nested models as groups

The page embeds its data (symk.viz.html_data), the vendored dagre layout library
(@dagrejs/dagre 3.1.3 from npm: symk/viz/assets/dagre.min.js, MIT, see dagre.LICENSE; its source-map
comment removed) and its own script and style, so it needs
no server and no network. Layout runs in the browser, in a Web Worker (the page stays responsive
while a big graph is laid out), on what is shown: collapsed groups are one box each, so a
500-layer model opens as ~500 boxes however many ops it holds.
"""
from __future__ import annotations

import html as html_text
import json
import os
from importlib import resources
from typing import Optional

from .html_data import page_data

ASSETS = ("dagre.min.js", "layout_worker.js", "explorer.js", "explorer.css")

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - symk graph</title>
<style>{css}</style>
</head>
<body>
<div id="toolbar">
  <h1>{title}</h1>
  <span id="graph-title"></span>
  <span id="versions"></span>
  <input id="search" type="search" placeholder="search a layer or op name, press Enter">
  <span id="search-status"></span>
  <span id="counts"></span>
  <span id="legend">{legend}</span>
</div>
<div id="main">
  <svg id="canvas" xmlns="http://www.w3.org/2000/svg">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6"
      orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#888"/></marker></defs>
    <g id="viewport"></g>
  </svg>
  <div id="details"><p>Click a group to open it (its title closes it again); click an op for its attributes
  and shapes. Drag to pan, wheel to zoom.</p></div>
</div>
<script id="symk-data" type="application/json">{data}</script>
<script id="symk-layout" type="text/plain">{layout}</script>
<script>{script}</script>
</body>
</html>
"""

_LEGEND = ('<span class="removed" style="background:#f4b6b6">removed</span>'
           '<span style="background:#b8f0b8">added</span><span style="background:#ffc870">fused</span>'
           '<span style="background:#bcdcf4">rewritten</span>')


def asset(name: str) -> str:
    return resources.files("symk.viz").joinpath("assets", name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    # a '</script>' (or '<!--') inside embedded JSON or JS would end the script element early
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def html_page(model, level: str = "op", compare: Optional[str] = None) -> str:
    """The page's text (write_html writes it to a file)."""
    data = page_data(model, level=level, compare=compare)
    title = html_text.escape(data["title"])
    return _TEMPLATE.format(
        title=title, css=asset("explorer.css"), legend=_LEGEND if compare else "",
        data=_script_safe(json.dumps(data, separators=(",", ":"))),
        layout=_script_safe(asset("dagre.min.js") + "\n" + asset("layout_worker.js")),
        script=_script_safe(asset("explorer.js")))


def write_html(model, path, level: str = "op", compare: Optional[str] = None) -> str:
    """Write the explorer page for a model (or a symk Graph, op level) to `path`; returns the path.

    level: 'op' (ops grouped by layer) or 'layer' (one box per layer); compare: a pipeline mode
    ('inference' or 'training') to embed the graph before and after it, with a toggle between them.
    """
    page = html_page(model, level=level, compare=compare)
    folder = os.path.dirname(os.fspath(path))
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(page)
    return os.fspath(path)
