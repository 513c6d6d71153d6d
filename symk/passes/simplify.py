"""Algebraic simplification: identity ops, x*1, x+0, x-0, x/1, cast to the same dtype, concat of
one input, identity transposes, transpose of a transpose, reshape of a reshape, no-op reshapes.

    before: y = transpose(transpose(x, (1, 0)), (1, 0)) * 1.0     after: y = x
A rewrite applies only where the result keeps the node's exact spec (shape and dtype).
"""
from __future__ import annotations

import numpy as np

from ..shapes import normalize_axes
from .manager import register_pass
from .report import PassReport, layer_label, layer_name, ops_by_layer
from .rewrite import Subject, describe, input_refs, remove_unused, replace_uses, rewrite_in_place, single_user

# patterns name their ops: (op, neutral constant, which input positions may hold it)
_NEUTRAL = {"multiply": (1, (0, 1)), "add": (0, (0, 1)), "subtract": (0, (1,)), "divide": (1, (1,))}


def _constant_equal_to(subject: Subject, ref, value) -> bool:
    data = subject.nx.nodes[ref[0]]
    return data["op"] == "constant" and bool(np.all(np.asarray(data["value"]) == value))


def _perm(axes, rank: int) -> tuple:
    return tuple(reversed(range(rank))) if axes is None else tuple(normalize_axes(axes, rank))


def _passthrough(subject: Subject, node: int, data: dict):
    """The input ref this node merely passes on, or None."""
    op, refs = data["op"], input_refs(subject, node)
    if op in ("identity", "linear") or op == "concatenate" and len(refs) == 1:
        return refs[0]
    if op == "stop_gradient" and subject.mode == "inference":
        return refs[0]
    if op == "cast":
        return refs[0] if subject.nx.nodes[refs[0][0]]["specs"][refs[0][1]] == data["specs"][0] else None
    if op == "transpose":
        rank = len(data["specs"][0].shape)
        return refs[0] if _perm(data["attrs"].axes, rank) == tuple(range(rank)) else None
    if op == "reshape":
        src_spec = subject.nx.nodes[refs[0][0]]["specs"][refs[0][1]]
        unknown = sum(d is None for d in src_spec.shape)
        return refs[0] if src_spec == data["specs"][0] and unknown <= 1 else None
    if op in _NEUTRAL:
        neutral, positions = _NEUTRAL[op]
        for pos in positions:
            other = refs[1 - pos]
            other_spec = subject.nx.nodes[other[0]]["specs"][other[1]]
            if _constant_equal_to(subject, refs[pos], neutral) and other_spec == data["specs"][0]:
                return other
    return None


def _merge_chain(subject: Subject, node: int, data: dict):
    """transpose(transpose(x)) and reshape(reshape(x)) become one op, in place. Returns a message or None."""
    op = data["op"]
    if op not in ("transpose", "reshape"):
        return None
    (src, index), = input_refs(subject, node)
    inner = subject.nx.nodes[src]
    if inner["op"] != op or single_user(subject, src) != node:
        return None
    (x_ref,) = input_refs(subject, src)
    if op == "transpose":
        rank = len(data["specs"][0].shape)
        first, second = _perm(inner["attrs"].axes, rank), _perm(data["attrs"].axes, rank)
        rewrite_in_place(subject, node, "transpose", [x_ref], provenance=(inner["name"],),
                         axes=tuple(first[a] for a in second))
    else:
        rewrite_in_place(subject, node, "reshape", [x_ref], provenance=(inner["name"],), shape=data["attrs"].shape)
    return f"{describe(subject, src)} + {describe(subject, node)} -> one {op}", src, ops_by_layer([inner, data])


@register_pass("simplify", position=300, tags=("algebra",))
def simplify(subject: Subject, report: PassReport) -> None:
    """Remove ops that pass their input on unchanged, and merge transpose/reshape chains."""
    nxg = subject.nx
    touched = []
    for node in subject.graph.topological_order():
        data = nxg.nodes[node]
        merged = _merge_chain(subject, node, data)
        if merged:
            report.matched += 1
            report.note(merged[0])
            report.detail("simplified", merged[2][0], f"merged {merged[2][1]} into one {data['op']}",
                          (data["name"],))
            touched.append(merged[1])
            continue
        source = _passthrough(subject, node, data)
        if source is None or tuple(source) == (node, 0):
            continue
        if subject.nx.nodes[node]["op"] == "identity" and node in subject.output_nodes():
            continue  # an output's identity is how a simplified output keeps its node id
        label, layer, name, op = layer_label(data), layer_name(data), data["name"], data["op"]
        if replace_uses(subject, (node, 0), source):
            report.matched += 1
            report.detail("simplified", (layer,), f"{label}: {op} that passes its input through removed", (name,))
            report.note(f"{describe(subject, node)} passes {nxg.nodes[source[0]]['name']} through")
            touched.append(node)
    # inner chain nodes that lost their only user, and bypassed nodes, go now (the rest: dce)
    remove_unused(subject, touched)
