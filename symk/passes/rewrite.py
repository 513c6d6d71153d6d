"""Graph editing for passes: the Subject a pass rewrites, and helpers to add, redirect and remove nodes.

A pass works on a Subject (a copy of the graph plus its inputs and outputs) and edits it
in place through these helpers, which keep edges, output references and provenance right.
Output node ids never change: a pattern's last node is rewritten in place, and an output
that is simplified away becomes an `identity` of its replacement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..errors import GraphError
from ..graph import Graph
from ..ops.registry import get_op, infer, make_attrs

Ref = tuple  # (node id, output index)


@dataclass
class Subject:
    """What passes rewrite: a graph, its input placeholders, its output refs and the run mode."""

    graph: Graph
    inputs: list
    outputs: list
    mode: str = "inference"           # 'inference' or 'training'
    log: list = field(default_factory=list)  # (pass name, message) of every replacement
    rewritten: int = 0                        # nodes rewritten in place (replaced), for reports

    def copy(self) -> "Subject":
        return Subject(self.graph.copy(), list(self.inputs), [tuple(o) for o in self.outputs], self.mode, self.log)

    @property
    def nx(self):
        return self.graph.nx

    def output_nodes(self) -> set:
        return {n for n, _ in self.outputs}

    def effective_training(self, node: int) -> Optional[bool]:
        """The training flag this node runs with: its layer call's explicit flag, else the mode's."""
        explicit = self.nx.nodes[node].get("training")
        return explicit if explicit is not None else self.mode == "training"


def subject_of(graph: Graph, outputs: Optional[Iterable] = None, inputs: Optional[Iterable] = None,
               mode: str = "inference") -> Subject:
    """A Subject for any graph: outputs default to every sink node, inputs to every placeholder."""
    if mode not in ("inference", "training"):
        raise ValueError(f"mode must be 'inference' or 'training', got {mode!r}")
    nxg = graph.nx
    if outputs is None:
        outputs = [(n, i) for n in nxg.nodes if nxg.out_degree(n) == 0 and nxg.nodes[n]["op"] != "assign"
                   for i in range(len(nxg.nodes[n]["specs"]))]
    if inputs is None:
        inputs = [n for n in nxg.nodes if nxg.nodes[n]["op"] == "placeholder"]
    return Subject(graph, list(inputs), [tuple(o) for o in outputs], mode)


def describe(subject: Subject, node: int) -> str:
    """'dense_1 (matmul)': the layer scope when there is one, else the node name."""
    data = subject.nx.nodes[node]
    scope = data.get("scope") or ()
    return f"{'/'.join(scope) if scope else data['name']} ({data['op']})"


def add_op(subject: Subject, op_name: str, inputs: list, like: Optional[int] = None, provenance=(),
           name: Optional[str] = None, **attrs) -> int:
    """Add a node of `op_name` on input refs; its specs come from the op's shape rule.

    `like`: a node whose scope, layer and training flag the new node inherits.
    `provenance`: names of the nodes it replaces (kept on the node as `provenance`).
    """
    graph, nxg = subject.graph, subject.nx
    op = get_op(op_name)
    attrs_obj = make_attrs(op, attrs)
    specs = infer(op, [nxg.nodes[s]["specs"][i] for s, i in inputs], attrs_obj)
    node = next(graph._ids)
    origin = nxg.nodes[like] if like is not None else {}
    nxg.add_node(node, op=op_name, attrs=attrs_obj, specs=specs, name=name or f"{op_name}_{node}",
                 scope=origin.get("scope", ()), layer=origin.get("layer"), training=origin.get("training"),
                 provenance=tuple(provenance))
    for position, (src, index) in enumerate(inputs):
        nxg.add_edge(src, node, position=position, index=index)
    return node


def rewrite_in_place(subject: Subject, node: int, op_name: str, inputs: list, provenance=(), **attrs) -> None:
    """Turn `node` into a different op on new inputs, keeping its id (and so its users and output refs)."""
    nxg = subject.nx
    op = get_op(op_name)
    attrs_obj = make_attrs(op, attrs)
    specs = infer(op, [nxg.nodes[s]["specs"][i] for s, i in inputs], attrs_obj)
    old_specs = nxg.nodes[node]["specs"]
    if tuple(specs) != tuple(old_specs):
        raise GraphError(f"rewriting {describe(subject, node)} as {op_name!r} would change its outputs from "
                         f"{old_specs} to {specs}; a pass must preserve every node's users")
    nxg.remove_edges_from(list(nxg.in_edges(node, keys=True)))
    for position, (src, index) in enumerate(inputs):
        nxg.add_edge(src, node, position=position, index=index)
    data = nxg.nodes[node]
    subject.rewritten += 1
    data.update(op=op_name, attrs=attrs_obj, specs=specs,
                provenance=tuple(data.get("provenance", ())) + tuple(provenance))
    data.pop("value", None)
    data.pop("variable", None)


def replace_uses(subject: Subject, old: Ref, new: Ref) -> bool:
    """Point every user of `old` at `new` (same spec required). Returns False when it cannot.

    An output ref keeps its node: the old node becomes an `identity` of `new` (only when
    the old node has a single output, so no other output changes).
    """
    nxg = subject.nx
    old_node, old_index = old
    if nxg.nodes[old_node]["specs"][old_index] != nxg.nodes[new[0]]["specs"][new[1]]:
        return False
    if old_node in subject.output_nodes():
        if len(nxg.nodes[old_node]["specs"]) != 1 or nxg.nodes[old_node]["op"] == "identity" and \
                subject.graph.inputs_of(old_node) == [tuple(new)]:
            return False
        rewrite_in_place(subject, old_node, "identity", [tuple(new)])
        return True
    for _, user, key, data in list(nxg.out_edges(old_node, keys=True, data=True)):
        if data["index"] != old_index:
            continue
        nxg.remove_edge(old_node, user, key)
        nxg.add_edge(new[0], user, position=data["position"], index=new[1])
    return True


def single_user(subject: Subject, node: int) -> Optional[int]:
    """The one node that reads `node` (through a single edge), or None; outputs have no single user."""
    nxg = subject.nx
    if node in subject.output_nodes() or nxg.out_degree(node) != 1:
        return None
    return next(iter(nxg.successors(node)))


def input_refs(subject: Subject, node: int) -> list:
    return subject.graph.inputs_of(node)


def remove_unused(subject: Subject, nodes: Iterable[int]) -> int:
    """Remove these nodes if nothing reads them, then any producer left unread by that (not
    outputs, inputs or state updates). Returns how many nodes went."""
    nxg, keep = subject.nx, subject.output_nodes() | set(subject.inputs)
    stack, removed = list(nodes), 0
    while stack:
        n = stack.pop()
        if n not in nxg or n in keep or nxg.out_degree(n) or nxg.nodes[n]["op"] == "assign":
            continue
        stack += list(nxg.predecessors(n))
        nxg.remove_node(n)
        removed += 1
    return removed


def refresh_param_index(subject: Subject) -> None:
    """Keep Graph.param_nodes (variable path -> node) true after edits."""
    nxg = subject.nx
    subject.graph.param_nodes = {nxg.nodes[n]["attrs"].path: n for n in nxg.nodes if nxg.nodes[n]["op"] == "parameter"}
