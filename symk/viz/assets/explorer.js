// The symk graph explorer page: collapsible layer groups laid out by dagre, pan/zoom, search, side panel.
// Reads the JSON in <script id="symk-data">; written by symk.viz.write_html (symk/viz/html.py).
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("symk-data").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg";
  var NODE_HEIGHT = 34, CHAR_WIDTH = 7, TITLE_ROOM = 12;
  var state = {graph: 0, expanded: {}, selected: null, matches: [], transform: {x: 20, y: 20, k: 1}};
  var svg = document.getElementById("canvas"), viewport = document.getElementById("viewport");
  var current = null;  // the prepared graph being shown
  var fitNext = true;

  // -- the graph being shown, with its group tree ------------------------------------------
  function prepare(graph) {
    var byId = {}, groups = {};
    graph.nodes.forEach(function (node) {
      byId[node.id] = node;
      var parts = node.group ? node.group.split("/") : [];
      for (var depth = 1; depth <= parts.length; depth++) {
        var path = parts.slice(0, depth).join("/");
        if (!groups[path]) groups[path] = {path: path, parent: parts.slice(0, depth - 1).join("/"), size: 0,
                                           changed: 0};
        groups[path].size += 1;
        if (node.change) groups[path].changed += 1;
      }
    });
    return {graph: graph, byId: byId, groups: groups};
  }

  function groupLabel(path) {
    var described = DATA.groups[path] || {}, name = path.split("/").pop();
    return described.class_name ? name + " (" + described.class_name + ")" : name;
  }

  // The node (or collapsed group) that stands for a node: its outermost collapsed group, else itself.
  function representative(node) {
    if (!node.group) return node.id;
    var parts = node.group.split("/");
    for (var depth = 1; depth <= parts.length; depth++) {
      var path = parts.slice(0, depth).join("/");
      if (!state.expanded[path]) return "group:" + path;
    }
    return node.id;
  }

  // -- layout (dagre) and drawing (SVG) -----------------------------------------------------
  function textWidth(text) { return Math.max(60, Math.min(260, text.length * CHAR_WIDTH + 20)); }

  // What is shown: each node's representative, expanded groups as dagre clusters, edges between boxes.
  function layoutRequest() {
    var request = {id: ++layoutCount, nodes: [], edges: [],
                   options: {rankdir: "TB", nodesep: 18, ranksep: 32, marginx: 10, marginy: 24}};
    var shown = {}, clusters = {};
    current.graph.nodes.forEach(function (node) {
      var id = representative(node);
      if (shown[id]) return;
      if (id === node.id) {
        shown[id] = {kind: "node", node: node, label: node.name, sub: node.label};
      } else {
        var path = id.slice(6), size = current.groups[path].size;
        shown[id] = {kind: "group", path: path, label: groupLabel(path), sub: size + (size === 1 ? " op" : " ops"),
                     changed: current.groups[path].changed};
      }
      var entry = shown[id], width = textWidth(entry.label.length > entry.sub.length ? entry.label : entry.sub);
      var parent = entry.kind === "node" ? entry.node.group : current.groups[entry.path].parent;
      var parts = parent ? parent.split("/") : [];
      for (var depth = 1; depth <= parts.length; depth++) {  // an expanded group is a cluster around its contents
        var path = parts.slice(0, depth).join("/");
        if (!clusters[path]) {
          clusters[path] = true;
          request.nodes.push({id: "cluster:" + path, parent: depth > 1 ? "cluster:" + parts.slice(0, depth - 1).join("/") : ""});
        }
      }
      request.nodes.push({id: id, width: width, height: NODE_HEIGHT, parent: parent ? "cluster:" + parent : ""});
    });
    var edgeInfo = {};
    current.graph.edges.forEach(function (edge) {
      var s = representative(current.byId[edge.source]), t = representative(current.byId[edge.target]);
      var key = s + "\u0000" + t;
      if (s === t || edgeInfo[key]) return;
      request.edges.push([s, t]);
      edgeInfo[key] = edge;
    });
    return {request: request, shown: shown, edgeInfo: edgeInfo};
  }

  // dagre runs in a worker made from the page's own copy of it; without workers it runs here
  var layoutCount = 0, pending = {}, worker = null;
  var workerSource = document.getElementById("symk-layout").textContent;
  try {
    worker = new Worker(URL.createObjectURL(new Blob([workerSource], {type: "text/javascript"})));
    worker.onmessage = function (event) {
      var resolve = pending[event.data.id];
      delete pending[event.data.id];
      if (resolve) resolve(event.data);
    };
    worker.onerror = function (event) {
      event.preventDefault();
      worker = null;
      Object.keys(pending).forEach(function (id) { var r = pending[id]; delete pending[id]; r(null); });
    };
  } catch (error) {
    worker = null;
  }

  function layoutHere(request) {
    if (typeof symkLayout === "undefined") {
      var script = document.createElement("script");
      script.textContent = workerSource;
      document.head.appendChild(script);
    }
    return symkLayout(request);  // eslint-disable-line no-undef
  }

  function runLayout(request) {
    return new Promise(function (resolve) {
      if (!worker) { resolve(layoutHere(request)); return; }
      pending[request.id] = function (result) { resolve(result || layoutHere(request)); };
      worker.postMessage(request);
    });
  }

  function element(name, attributes, parent) {
    var made = document.createElementNS(SVG_NS, name);
    for (var key in attributes) made.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(made);
    return made;
  }

  function draw() {
    var laid = layoutRequest(), request = laid.request;
    document.body.dataset.ready = "0";
    document.getElementById("counts").textContent = "laying out " + request.nodes.length + " boxes\u2026";
    return runLayout(request).then(function (result) {
      if (result.id !== layoutCount) return;  // a newer layout was asked for meanwhile
      render(laid, result);
    });
  }

  function render(laid, result) {
    var boxes = result.boxes;
    while (viewport.firstChild) viewport.removeChild(viewport.firstChild);
    var clusters = element("g", {"class": "clusters"}, viewport), edges = element("g", {"class": "edges"}, viewport);
    var nodes = element("g", {"class": "nodes"}, viewport);
    Object.keys(boxes).forEach(function (id) {
      if (id.indexOf("cluster:") !== 0) return;
      var box = boxes[id], path = id.slice(8);
      var group = element("g", {"class": "cluster", "data-group": path}, clusters);
      // dagre leaves no room for a cluster's title: the box grows upwards into the gap between ranks
      var top = box.y - box.height / 2 - TITLE_ROOM;
      element("rect", {x: box.x - box.width / 2, y: top, width: box.width, height: box.height + TITLE_ROOM,
                       rx: 6}, group);
      var title = element("text", {x: box.x - box.width / 2 + 6, y: top + 12}, group);
      title.textContent = "\u25BE " + groupLabel(path);
      title.addEventListener("click", function () { collapse(path); });
    });
    result.edges.forEach(function (e) {
      var info = laid.edgeInfo[e.v + "\u0000" + e.w] || {};
      var d = e.points.map(function (p, i) { return (i ? "L" : "M") + p.x.toFixed(1) + "," + p.y.toFixed(1); });
      var line = element("path", {d: d.join(""), "class": "edge" + (info.change ? " " + info.change : ""),
                                  "marker-end": "url(#arrow)"}, edges);
      element("title", {}, line).textContent = (info.shape || "") + " " + (info.dtype || "");
    });
    Object.keys(laid.shown).forEach(function (id) {
      var entry = laid.shown[id], box = boxes[id];
      var classes = entry.kind === "group" ? "group collapsed" + (entry.changed ? " has-changes" : "")
                                           : "node" + (entry.node.change ? " " + entry.node.change : "");
      if (state.matches.indexOf(id) >= 0) classes += " match";
      if (state.selected === id) classes += " selected";
      var shape = element("g", {"class": classes, "data-id": id,
                                transform: "translate(" + (box.x - box.width / 2) + "," + (box.y - box.height / 2) + ")"},
                          nodes);
      if (entry.kind === "group") shape.setAttribute("data-group", entry.path);
      element("rect", {width: box.width, height: box.height, rx: entry.kind === "group" ? 8 : 3}, shape);
      var top = element("text", {x: 8, y: 14, "class": "name"}, shape);
      top.textContent = (entry.kind === "group" ? "\u25B8 " : "") + entry.label;
      element("text", {x: 8, y: 28, "class": "sub"}, shape).textContent = entry.sub;
      shape.addEventListener("click", function (event) {
        event.stopPropagation();
        if (entry.kind === "group") expand(entry.path); else select(id);
      });
    });
    document.getElementById("counts").textContent = Object.keys(laid.shown).length + " boxes, " +
      result.edges.length + " edges";
    document.body.dataset.layoutMs = String(result.ms);
    document.body.dataset.groupsDrawn = String(nodes.querySelectorAll("g.group").length);
    document.body.dataset.nodesDrawn = String(nodes.querySelectorAll("g.node").length);
    if (fitNext) fit(result);
    fitNext = false;
    applyTransform();
    document.body.dataset.ready = "1";
  }

  // a new graph opens scaled to fit (but never below 30%: a deep model is then scrolled, not squeezed)
  function fit(size) {
    var rect = svg.getBoundingClientRect();
    var k = Math.min(1, Math.max(0.3, Math.min(rect.width / (size.width || 1), rect.height / (size.height || 1))));
    state.transform = {k: k, y: 10, x: Math.max(10, (rect.width - (size.width || 0) * k) / 2)};
  }

  // -- interaction ---------------------------------------------------------------------------
  function expand(path) { state.expanded[path] = true; return draw(); }
  function collapse(path) {
    Object.keys(state.expanded).forEach(function (p) { if (p === path || p.indexOf(path + "/") === 0) delete state.expanded[p]; });
    return draw();
  }

  function select(id) {
    state.selected = id;
    var node = current.byId[id], panel = document.getElementById("details");
    panel.innerHTML = "";
    var heading = document.createElement("h2");
    heading.textContent = node.name;
    panel.appendChild(heading);
    var table = document.createElement("table");
    var rows = [["op", node.label], ["group", node.group || "(none)"], ["output shape", node.shape]];
    if (node.change) rows.push(["change", node.change]);
    Object.keys(node.info).forEach(function (key) { rows.push([key, node.info[key]]); });
    current.graph.edges.forEach(function (edge) {
      if (edge.target === id) rows.push(["input from " + current.byId[edge.source].name, edge.shape + " " + edge.dtype]);
    });
    rows.forEach(function (row) {
      var tr = table.insertRow(), th = document.createElement("th");
      th.textContent = row[0];
      tr.appendChild(th);
      tr.insertCell().textContent = row[1];
    });
    panel.appendChild(table);
    // re-marking the selection needs no new layout (a layout of a big graph takes a moment)
    viewport.querySelectorAll("g.selected").forEach(function (shape) { shape.classList.remove("selected"); });
    var shape = viewport.querySelector('g[data-id="' + CSS.escape(id) + '"]');
    if (shape) shape.classList.add("selected");
  }

  function search(query) {
    query = query.trim().toLowerCase();
    state.matches = [];
    var status = document.getElementById("search-status");
    if (!query) { status.textContent = ""; return draw(); }
    var found = current.graph.nodes.filter(function (node) {
      return node.name.toLowerCase().indexOf(query) >= 0 || node.label.toLowerCase().indexOf(query) >= 0 ||
             (node.group || "").toLowerCase().split("/").indexOf(query) >= 0;
    });
    // open the groups of the first matches (not of all: a search for 'add' must not expand the whole model)
    found.slice(0, 20).forEach(function (node) {
      var parts = node.group ? node.group.split("/") : [];
      for (var depth = 1; depth <= parts.length; depth++) state.expanded[parts.slice(0, depth).join("/")] = true;
    });
    state.matches = found.map(function (node) { return representative(node); });
    status.textContent = found.length + " match" + (found.length === 1 ? "" : "es");
    return draw().then(function () { if (found.length) centerOn(state.matches[0]); return found.length; });
  }

  function centerOn(id) {
    var shape = viewport.querySelector('g[data-id="' + CSS.escape(id) + '"]');
    if (!shape) return;
    var box = shape.getBBox(), matrix = shape.transform.baseVal.consolidate().matrix;
    var rect = svg.getBoundingClientRect();
    state.transform.k = Math.max(state.transform.k, 0.9);  // a found node is shown readable
    state.transform.x = rect.width / 2 - (matrix.e + box.width / 2) * state.transform.k;
    state.transform.y = rect.height / 2 - (matrix.f + box.height / 2) * state.transform.k;
    applyTransform();
  }

  function applyTransform() {
    var t = state.transform;
    viewport.setAttribute("transform", "translate(" + t.x + "," + t.y + ") scale(" + t.k + ")");
  }

  function showGraph(index) {
    state.graph = index;
    current = prepare(DATA.graphs[index]);
    state.matches = [];
    state.selected = null;
    document.querySelectorAll("#versions button").forEach(function (button, i) {
      button.classList.toggle("active", i === index);
    });
    document.getElementById("graph-title").textContent = DATA.graphs[index].title;
    fitNext = true;
    return draw();
  }

  function setUp() {
    var versions = document.getElementById("versions");
    if (DATA.graphs.length > 1) {
      DATA.graphs.forEach(function (graph, index) {
        var button = document.createElement("button");
        button.textContent = graph.title;
        button.addEventListener("click", function () { showGraph(index); });
        versions.appendChild(button);
      });
    }
    document.getElementById("search").addEventListener("keydown", function (event) {
      if (event.key === "Enter") search(event.target.value);
    });
    var dragging = null;
    svg.addEventListener("mousedown", function (event) { dragging = {x: event.clientX, y: event.clientY}; });
    window.addEventListener("mouseup", function () { dragging = null; });
    window.addEventListener("mousemove", function (event) {
      if (!dragging) return;
      state.transform.x += event.clientX - dragging.x;
      state.transform.y += event.clientY - dragging.y;
      dragging = {x: event.clientX, y: event.clientY};
      applyTransform();
    });
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = svg.getBoundingClientRect(), t = state.transform;
      var factor = Math.exp(-event.deltaY * 0.0015), k = Math.max(0.05, Math.min(4, t.k * factor));
      var px = event.clientX - rect.left, py = event.clientY - rect.top;
      t.x = px - (px - t.x) * (k / t.k);
      t.y = py - (py - t.y) * (k / t.k);
      t.k = k;
      applyTransform();
    }, {passive: false});
    showGraph(0);
  }

  // tests and users can drive the page from the console
  window.symkExplorer = {expand: expand, collapse: collapse, search: search, select: select, showGraph: showGraph,
                         data: DATA};
  setUp();
})();
