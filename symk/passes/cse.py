"""Common-subexpression elimination: nodes with the same op, inputs and attributes are computed once.

    before: a = exp(x); b = exp(x); out = a + b      after: a = exp(x); out = a + a
Random ops (each node draws its own key), state updates and placeholders are never merged.
"""
from __future__ import annotations

from ..ops.registry import get_op
from .manager import register_pass
from .report import PassReport, layer_name
from .rewrite import Subject, describe, remove_unused, replace_uses


def _key(subject: Subject, node: int, data: dict):
    op = get_op(data["op"])
    if op.random or op.stateful or op.name == "placeholder":
        return None
    key = (op.name, data["attrs"], tuple(subject.graph.inputs_of(node)), data.get("training"))
    try:
        hash(key)
    except TypeError:  # an attribute that does not hash (a user's object) opts the node out
        return None
    return key


@register_pass("cse", position=200, tags=("cleanup",))
def common_subexpression_elimination(subject: Subject, report: PassReport) -> None:
    """Merge duplicate nodes, in topological order so merged inputs make their users duplicates too."""
    nxg, seen, merged = subject.nx, {}, []
    outputs = subject.output_nodes()
    for node in subject.graph.topological_order():
        data = nxg.nodes[node]
        key = _key(subject, node, data)
        if key is None:
            continue
        if data["op"] == "constant" and key in seen:
            # a digest match still needs equal bytes (large constants carry no digest of their contents)
            other = nxg.nodes[seen[key]]["value"]
            if other.shape != data["value"].shape or not (other == data["value"]).all():
                continue
        first = seen.setdefault(key, node)
        if first == node or node in outputs:
            continue
        for index in range(len(data["specs"])):
            replace_uses(subject, (node, index), (first, index))
        report.matched += 1
        report.note(f"{describe(subject, node)} is a duplicate of {describe(subject, first)}")
        report.detail("duplicate_merged", (layer_name(data), layer_name(nxg.nodes[first])),
                      f"{describe(subject, node)} reuses the equal {describe(subject, first)}", (data["name"],))
        merged.append(node)
    remove_unused(subject, merged)
