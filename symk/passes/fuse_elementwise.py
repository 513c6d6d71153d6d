"""Elementwise fusion: a tree of fusible ops, each read only by the next, becomes one `fused_elementwise`.

    before: y = tanh(add(multiply(x, 2.0), b))
    after:  y = fused_elementwise(x, 2.0, b, chain=(multiply(in0, in1), add(step0, in2), tanh(step1)))
Ops join by their flags (`fusible`, not random/training-dependent/stateful), never by name,
so an op declared later with `elementwise=True` fuses too. A producer with another user, or
that is a model output, stays outside (its value is needed on its own). XLA fuses elementwise
work anyway, so this pass only shortens the graph (fewer nodes to walk, trace and verify);
it is off by default (benchmarks/RESULTS.md): enable it with optimize={'enable': ['fuse_elementwise']}.
"""
from __future__ import annotations

from ..ops.registry import get_op
from . import fused_ops  # noqa: F401  (declares fused_elementwise)
from .manager import register_pass
from .report import PassReport, ops_by_layer
from .rewrite import Subject, add_op, describe, input_refs, remove_unused, rewrite_in_place

FUSED = "fused_elementwise"


def fusible(data: dict) -> bool:
    op = get_op(data["op"])
    return (op.fusible and op.lower is not None and len(data["specs"]) == 1
            and not (op.random or op.training_dependent or op.stateful))


def _absorbable(subject: Subject, node: int, user: int) -> bool:
    """A producer joins its user's group when that user is its only reader (through any number of edges)."""
    nxg = subject.nx
    return (fusible(nxg.nodes[node]) and node not in subject.output_nodes()
            and set(nxg.successors(node)) == {user} and all(d["index"] == 0 for _, _, d in nxg.out_edges(node, data=True)))


def _group(subject: Subject, root: int) -> list:
    """The nodes fused into `root`, producers first (a topological order of the group)."""
    members, order, stack = {root}, [], [(root, False)]
    while stack:  # depth-first, emitting a node after its producers
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        for src, _ in reversed(input_refs(subject, node)):
            if src not in members and _absorbable(subject, src, node):
                members.add(src)
                stack.append((src, False))
    return order


def chain_of(subject: Subject, order: list) -> tuple:
    """(the chain attribute, the fused node's input refs) for a group in topological order."""
    position = {node: i for i, node in enumerate(order)}
    inputs, chain = [], []
    for node in order:
        wiring = []
        for ref in input_refs(subject, node):
            if ref[0] in position:
                wiring.append(("step", position[ref[0]]))
            else:
                if tuple(ref) not in inputs:
                    inputs.append(tuple(ref))
                wiring.append(("input", inputs.index(tuple(ref))))
        attrs = subject.nx.nodes[node]["attrs"]
        chain.append((subject.nx.nodes[node]["op"], tuple((k, getattr(attrs, k)) for k in attrs.__dataclass_fields__),
                      tuple(wiring)))
    return tuple(chain), inputs


@register_pass("fuse_elementwise", position=750, default=False, tags=("fuse",))
def fuse_elementwise(subject: Subject, report: PassReport) -> None:
    """Rewrite the root of each maximal fusible tree (two ops or more) as one fused_elementwise node."""
    nxg = subject.nx
    for node in reversed(subject.graph.topological_order()):  # roots first: each group is found whole
        if node not in nxg or not fusible(nxg.nodes[node]):
            continue
        users = set(nxg.successors(node))
        if len(users) == 1 and _absorbable(subject, node, next(iter(users))) and fusible(nxg.nodes[next(iter(users))]):
            continue  # not a root: its user's group takes it
        order = _group(subject, node)
        if len(order) < 2:
            continue
        chain, inputs = chain_of(subject, order)
        names = tuple(nxg.nodes[n]["name"] for n in order)
        message = f"{' + '.join(describe(subject, n) for n in order)} -> {FUSED}"
        fused_layers, fused_text = ops_by_layer([dict(nxg.nodes[n]) for n in order])
        rewrite_in_place(subject, node, FUSED, inputs, provenance=names, chain=chain)
        report.matched += 1
        report.note(message)
        report.detail("fused", fused_layers, f"fused {fused_text} into one {FUSED}", names)
        remove_unused(subject, order[:-1])  # now unread: gone before the walk reaches them


def split_last_step(subject: Subject, node: int):
    """fused_elementwise(..., chain=c) -> last step of c applied to fused(c[:-1]): returns the new
    node holding the earlier steps (for a caller that needs the value before the last step), or None."""
    data = subject.nx.nodes[node]
    if data["op"] != FUSED or len(data["attrs"].chain) < 2:
        return None
    chain = data["attrs"].chain
    name, items, wiring = chain[-1]
    if len(wiring) != 1 or wiring[0] != ("step", len(chain) - 2):
        return None
    inputs = input_refs(subject, node)
    earlier = add_op(subject, FUSED, inputs, like=node, provenance=(data["name"],), chain=chain[:-1])
    rewrite_in_place(subject, node, name, [(earlier, 0)], **dict(items))
    return earlier
