// Runs dagre on one layout request, in a Web Worker (so a big layout never freezes the page) or, where
// workers are unavailable, on the page itself. Appended to dagre.min.js by symk/viz/html.py.
function symkLayout(request) {
  var g = new dagre.graphlib.Graph({compound: true, multigraph: false});
  g.setGraph(request.options);
  g.setDefaultEdgeLabel(function () { return {}; });
  request.nodes.forEach(function (n) { g.setNode(n.id, n.width ? {width: n.width, height: n.height} : {}); });
  request.nodes.forEach(function (n) { if (n.parent) g.setParent(n.id, n.parent); });
  request.edges.forEach(function (e) { g.setEdge(e[0], e[1], {}); });
  var started = Date.now();
  dagre.layout(g);
  var boxes = {};
  g.nodes().forEach(function (id) {
    var box = g.node(id);
    boxes[id] = {x: box.x, y: box.y, width: box.width, height: box.height};
  });
  var edges = g.edges().map(function (e) { return {v: e.v, w: e.w, points: g.edge(e).points}; });
  var size = g.graph();
  return {id: request.id, boxes: boxes, edges: edges, width: size.width, height: size.height,
          ms: Date.now() - started};
}
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.onmessage = function (event) { self.postMessage(symkLayout(event.data)); };
}
