"""The dataflow graph (a networkx MultiDiGraph of op nodes) and the symbolic tensors that point into it.

Each node holds: `op` (registered op name), `attrs` (frozen dataclass), `specs` (output
TensorSpecs), `name`, `scope` (names of the layers whose call created it, outermost
first), `layer` (the outermost Layer object, or None) and `training` (an explicit training
flag given to that layer call, or None). An edge u->v carries `position` (which input of
v) and `index` (which output of u).
"""
from __future__ import annotations

import contextlib
import itertools
from typing import Any, Iterable, Optional

import networkx as nx

from .errors import GraphError
from .shapes import TensorShape, TensorSpec


class Graph:
    """A symbolic graph. `.nx` is the networkx graph itself, for users' own algorithms."""

    def __init__(self, nx_graph: Optional[nx.MultiDiGraph] = None):
        self.nx = nx_graph if nx_graph is not None else nx.MultiDiGraph()
        start = max(self.nx.nodes, default=-1) + 1
        self._ids = itertools.count(start)
        self.param_nodes: dict[str, int] = {}  # variable path -> its parameter node
        # variable path -> the value last assigned to it while building: later reads of the variable in this
        # graph see that value, as they would in Keras's eager code (ComputeSum: assign_add, then return total)
        self.assigned_values: dict[str, "SymbolicTensor"] = {}

    # -- building -------------------------------------------------------------------
    def add_node(self, op: str, attrs, inputs: Iterable["SymbolicTensor"], specs, name: Optional[str] = None,
                 **extra: Any) -> int:
        node = next(self._ids)
        frame = current_frame()
        self.nx.add_node(
            node, op=op, attrs=attrs, specs=tuple(specs), name=name or f"{op}_{node}",
            scope=frame.scope, layer=frame.layer, training=frame.training, **extra,
        )
        for position, tensor in enumerate(inputs):
            if tensor.graph is not self:
                raise GraphError(
                    f"op {op!r} got input {tensor.name!r} from another graph; tensors from "
                    "different graphs cannot be mixed (was K.clear_session() called in between?)"
                )
            self.nx.add_edge(tensor.node, node, position=position, index=tensor.index)
        return node

    # -- reading --------------------------------------------------------------------
    def node(self, node: int) -> dict:
        return self.nx.nodes[node]

    def op(self, node: int) -> str:
        return self.nx.nodes[node]["op"]

    def inputs_of(self, node: int) -> list[tuple[int, int]]:
        """(source node, output index) for each input of `node`, in input order."""
        edges = sorted(self.nx.in_edges(node, data=True), key=lambda e: e[2]["position"])
        return [(src, data["index"]) for src, _, data in edges]

    def users_of(self, node: int) -> list[int]:
        return list(dict.fromkeys(self.nx.successors(node)))

    def tensor(self, node: int, index: int = 0) -> "SymbolicTensor":
        return SymbolicTensor(self, node, index)

    def topological_order(self) -> list[int]:
        return list(nx.topological_sort(self.nx))

    def subgraph(self, nodes: Iterable[int]) -> "Graph":
        """A new Graph holding a copy of these nodes and the edges between them."""
        copy = Graph(self.nx.subgraph(nodes).copy())
        copy.param_nodes = {k: v for k, v in self.param_nodes.items() if v in copy.nx}
        return copy

    def copy(self) -> "Graph":
        return self.subgraph(self.nx.nodes)

    def __len__(self) -> int:
        return self.nx.number_of_nodes()

    def __repr__(self) -> str:
        return f"<symk.Graph {self.nx.number_of_nodes()} nodes, {self.nx.number_of_edges()} edges>"


def reachable(neighbours, seeds) -> set:
    """The seeds and everything reachable through `neighbours` (e.g. `g.predecessors`), in one traversal."""
    seen, stack = set(seeds), list(seeds)
    while stack:
        for nxt in neighbours(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


# -- the default graph and the layer-call scope ----------------------------------------
class _Frame:
    """Where ops go now: the graph, the layer-call scope, an explicit training flag, and the body tracer
    (symk.ops.body.BodyTracer) when a control-flow body is being traced into its own graph."""

    __slots__ = ("graph", "scope", "layer", "training", "tracer")

    def __init__(self, graph, scope=(), layer=None, training=None, tracer=None):
        self.graph, self.scope, self.layer, self.training, self.tracer = graph, scope, layer, training, tracer


_stack: list[_Frame] = [_Frame(Graph())]


def current_frame() -> _Frame:
    return _stack[-1]


def default_graph() -> Graph:
    return _stack[-1].graph


def reset_default_graph() -> None:
    _stack[:] = [_Frame(Graph())]


@contextlib.contextmanager
def graph_scope(graph: Graph):
    """Build into `graph` (used to trace eager calls without touching the default graph)."""
    _stack.append(_Frame(graph))
    try:
        yield graph
    finally:
        _stack.pop()


@contextlib.contextmanager
def body_scope(tracer):
    """Build into a control-flow body's own graph; the tracer captures values from enclosing graphs."""
    outer = _stack[-1]
    _stack.append(_Frame(tracer.graph, outer.scope, outer.layer, outer.training, tracer))
    try:
        yield tracer.graph
    finally:
        _stack.pop()


@contextlib.contextmanager
def layer_scope(layer, training: Optional[bool] = None):
    """Nodes created inside carry this layer in their scope (and an explicit training flag)."""
    outer = _stack[-1]
    _stack.append(_Frame(
        outer.graph,
        outer.scope + (layer.name,),
        outer.layer if outer.layer is not None else layer,
        training if training is not None else outer.training,
        outer.tracer,
    ))
    try:
        yield
    finally:
        _stack.pop()


class SymbolicTensor:
    """A handle (graph, node, output index) with the spec the shape rules inferred.

    Python operators add op nodes. `==` is identity (tensors are hashable, as in TF1
    graphs); use `symk.ops.equal` for an elementwise comparison.
    """

    __array_priority__ = 100  # numpy defers to our reflected operators

    def __init__(self, graph: Graph, node: int, index: int = 0):
        self.graph, self.node, self.index = graph, node, index
        self._keras_history = None  # (layer, call index, output index) when a layer made it
        self._keras_mask = None

    @property
    def spec(self) -> TensorSpec:
        return self.graph.nx.nodes[self.node]["specs"][self.index]

    @property
    def shape(self) -> TensorShape:
        return self.spec.shape

    @property
    def dtype(self) -> str:
        return self.spec.dtype

    @property
    def ndim(self) -> int:
        return len(self.spec.shape)

    @property
    def name(self) -> str:
        base = self.graph.nx.nodes[self.node]["name"]
        return base if self.index == 0 else f"{base}:{self.index}"

    @property
    def op_name(self) -> str:
        return self.graph.nx.nodes[self.node]["op"]

    def get_shape(self) -> TensorShape:
        return self.shape

    def __repr__(self) -> str:
        return f"<SymbolicTensor shape={tuple(self.shape)}, dtype={self.dtype}, name={self.name}>"

    def __hash__(self) -> int:
        return hash((id(self.graph), self.node, self.index))

    def __eq__(self, other) -> bool:
        return (isinstance(other, SymbolicTensor) and other.graph is self.graph
                and other.node == self.node and other.index == self.index)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __bool__(self):
        raise TypeError(
            f"the truth value of symbolic tensor {self.name!r} is unknown while the graph is built; "
            "use symk.ops.where / K.switch for data-dependent choices"
        )

    def __len__(self):
        if self.ndim == 0 or self.shape[0] is None:
            raise TypeError(f"len() of symbolic tensor {self.name!r} with shape {tuple(self.shape)} is unknown")
        return self.shape[0]

    def __iter__(self):
        raise TypeError(f"symbolic tensor {self.name!r} is not iterable; index it or use symk.ops.split/unstack")


@contextlib.contextmanager
def extra_scope(names: tuple, training: Optional[bool] = None):
    """Extend the scope by recorded names (used when a model replays its graph on new inputs)."""
    outer = _stack[-1]
    _stack.append(_Frame(outer.graph, outer.scope + tuple(names), outer.layer,
                         training if training is not None else outer.training, outer.tracer))
    try:
        yield
    finally:
        _stack.pop()


_recording = [True]


def recording_call_sites() -> bool:
    return _recording[-1]


@contextlib.contextmanager
def no_call_site_recording():
    """Trace without adding call sites to layers (eager calls, compute_output_shape)."""
    _recording.append(False)
    try:
        yield
    finally:
        _recording.pop()
